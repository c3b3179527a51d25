//! The observe phase: every managed document read once, concurrently, under
//! one global bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use xacct_engine::{Address, DesiredResource, Location, Observed, ResourceKind};

use crate::error::Error;
use crate::session::Session;
use crate::{
    cloudtrail_event_selectors, s3_bucket_notification, s3_bucket_policy, s3_ownership_controls,
    sns_topic_policy,
};

/// Reads the live document of every desired resource. All failures are
/// returned together, so one run shows every missing bucket or denied read.
pub async fn observe(
    session: &Arc<Session>,
    resources: &[DesiredResource],
    parallelism: usize,
) -> Result<BTreeMap<Address, Observed>, Vec<Error>> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for resource in resources {
        let session = Arc::clone(session);
        let permits = Arc::clone(&permits);
        let address = resource.address.clone();
        let location = resource.location.clone();
        let aws_id = resource.aws_id.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let observed = read(&session, &address, &location, &aws_id).await;
            (address, observed)
        });
    }
    let mut observed = BTreeMap::new();
    let mut errors = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((address, Ok(document))) => {
                observed.insert(address, document);
            }
            Ok((_, Err(error))) => errors.push(error),
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
    };
    result.map_err(|failure| Error::at(address, location, failure))
}
