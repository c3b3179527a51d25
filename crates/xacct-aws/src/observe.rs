//! The observe phase: every managed document read once, concurrently, under
//! one global bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use xacct_engine::{
    Address, DesiredResource, Location, Observed, Plan, ResourceChange, ResourceKind,
};

use crate::error::Error;
use crate::session::Session;
use crate::{
    cloudtrail_event_selectors, s3_bucket_notification, s3_bucket_policy, s3_encryption,
    s3_logging, s3_ownership_controls, s3_public_access_block, s3_tags, s3_versioning,
    sns_topic_policy,
};

/// One document to read: which resource it is for, where it lives and what
/// AWS calls it.
#[derive(Debug, Clone)]
pub struct DocumentRef {
    pub address: Address,
    pub location: Location,
    pub aws_id: String,
}

impl DocumentRef {
    pub fn of_resource(resource: &DesiredResource) -> Self {
        DocumentRef {
            address: resource.address.clone(),
            location: resource.location.clone(),
            aws_id: resource.aws_id.clone(),
        }
    }

    pub fn of_change(change: &ResourceChange) -> Self {
        DocumentRef {
            address: change.address.clone(),
            location: change.location.clone(),
            aws_id: change.aws_id.clone(),
        }
    }
}

/// How far the reads are, for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub done: usize,
    pub total: usize,
    /// The account of the document just read.
    pub account: &'a str,
}

/// Reads every document, at most `parallelism` at once, calling `progress`
/// after each. All failures are returned together, so one run shows every
/// missing bucket or denied read.
pub async fn observe(
    session: &Arc<Session>,
    documents: &[DocumentRef],
    parallelism: usize,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<BTreeMap<Address, Observed>, Vec<Error>> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for document in documents {
        let session = Arc::clone(session);
        let permits = Arc::clone(&permits);
        let document = document.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let observed = read(
                &session,
                &document.address,
                &document.location,
                &document.aws_id,
            )
            .await;
            (document, observed)
        });
    }
    let total = documents.len();
    let mut observed = BTreeMap::new();
    let mut errors = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((document, result)) => {
                progress(Progress {
                    done: observed.len() + errors.len() + 1,
                    total,
                    account: &document.location.account,
                });
                match result {
                    Ok(found) => {
                        observed.insert(document.address, found);
                    }
                    Err(error) => errors.push(error),
                }
            }
            Err(panic) => std::panic::resume_unwind(panic.into_panic()),
        }
    }
    if errors.is_empty() {
        Ok(observed)
    } else {
        errors.sort_by_key(|error| error.to_string());
        Err(errors)
    }
}

/// The addresses of `plan`'s pending changes whose document is no longer
/// what the change was computed from (re-read now, concurrently). A saved
/// plan is checked whole with this before its first write, so it is applied
/// entirely or not at all; `apply` still re-reads each document just before
/// writing it, which closes the window between the two.
pub async fn stale_changes(
    session: &Arc<Session>,
    plan: &Plan,
    parallelism: usize,
) -> Result<Vec<Address>, Vec<Error>> {
    let pending: Vec<&ResourceChange> = plan.pending().collect();
    let documents: Vec<DocumentRef> = pending.iter().map(|c| DocumentRef::of_change(c)).collect();
    let observed = observe(session, &documents, parallelism, &|_| {}).await?;
    Ok(pending
        .into_iter()
        .filter(|change| {
            observed.get(&change.address).map(Observed::fingerprint)
                != Some(change.observed_fingerprint.clone())
        })
        .map(|change| change.address.clone())
        .collect())
}

/// Reads one resource's document. `aws_id` is what AWS calls the object.
pub(crate) async fn read(
    session: &Session,
    address: &Address,
    location: &Location,
    aws_id: &str,
) -> Result<Observed, Error> {
    let clients = session.clients(location)?;
    tracing::debug!(%address, "reading");
    let result = match address.kind {
        ResourceKind::S3OwnershipControls => s3_ownership_controls::observe(&clients.s3, aws_id)
            .await
            .map(Observed::OwnershipControls),
        ResourceKind::S3BucketPolicy => s3_bucket_policy::observe(&clients.s3, aws_id)
            .await
            .map(Observed::BucketPolicy),
        ResourceKind::SnsTopicPolicy => sns_topic_policy::observe(&clients.sns, aws_id)
            .await
            .map(Observed::TopicPolicy),
        ResourceKind::S3BucketNotification => s3_bucket_notification::observe(&clients.s3, aws_id)
            .await
            .map(Observed::BucketNotification),
        ResourceKind::CloudTrailEventSelectors => {
            cloudtrail_event_selectors::observe(&clients.cloudtrail, aws_id)
                .await
                .map(Observed::EventSelectors)
        }
        ResourceKind::S3PublicAccessBlock => s3_public_access_block::observe(&clients.s3, aws_id)
            .await
            .map(Observed::PublicAccessBlock),
        ResourceKind::S3Encryption => s3_encryption::observe(&clients.s3, aws_id)
            .await
            .map(Observed::Encryption),
        ResourceKind::S3Versioning => s3_versioning::observe(&clients.s3, aws_id)
            .await
            .map(Observed::Versioning),
        ResourceKind::S3Logging => s3_logging::observe(&clients.s3, aws_id)
            .await
            .map(Observed::Logging),
        ResourceKind::S3Tags => s3_tags::observe(&clients.s3, aws_id)
            .await
            .map(Observed::Tags),
    };
    result.map_err(|failure| Error::at(address, location, Some(&clients.region), failure))
}
