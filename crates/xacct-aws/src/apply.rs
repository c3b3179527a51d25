//! Executes a plan: stages in order, lanes (one per AWS object) in parallel,
//! each write preceded by a re-read that refuses to write over a document
//! that changed since it was planned from.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::Semaphore;
use xacct_engine::{Address, ChangeAction, Plan, ResourceChange, Write};

use crate::error::Error;
use crate::observe::read;
use crate::session::Session;
use crate::{
    cloudtrail_event_selectors, s3_bucket_notification, s3_bucket_policy, s3_ownership_controls,
    sns_topic_policy,
};

/// What happened to one planned write.
#[derive(Debug)]
pub struct Applied {
    pub address: Address,
    pub action: ChangeAction,
    pub operation: &'static str,
    /// `Err(Error::Skipped)` when a change it depends on was not written.
    pub outcome: Result<(), Error>,
}

/// Applies every pending change of `plan`, calling `report` as each finishes.
/// A change whose dependency failed (or was skipped) is skipped; independent
/// changes go on, so a re-run only has the failed part left to do.
pub async fn apply(
    session: &Arc<Session>,
    plan: &Plan,
    parallelism: usize,
    report: Arc<dyn Fn(&Applied) + Send + Sync>,
) -> Vec<Applied> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut results: Vec<Applied> = Vec::new();
    for stage in plan.stages() {
        // Dependencies always sit in earlier stages, so this set is complete.
        let not_written: Arc<BTreeSet<Address>> = Arc::new(
            results
                .iter()
                .filter(|applied| applied.outcome.is_err())
                .map(|applied| applied.address.clone())
                .collect(),
        );
        let mut tasks = tokio::task::JoinSet::new();
        for lane in stage {
            let lane: Vec<ResourceChange> = lane.into_iter().cloned().collect();
            let session = Arc::clone(session);
            let permits = Arc::clone(&permits);
            let report = Arc::clone(&report);
            let not_written = Arc::clone(&not_written);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let mut results = Vec::new();
                for change in lane {
                    let Some(write) = change.write.clone() else {
                        continue;
                    };
                    let blocked = change
                        .depends_on
                        .iter()
                        .find(|dependency| not_written.contains(*dependency));
                    let outcome = match blocked {
                        Some(dependency) => Err(Error::Skipped {
                            address: change.address.clone(),
                            dependency: dependency.clone(),
                        }),
                        None => apply_one(&session, &change, &write).await,
                    };
                    let applied = Applied {
                        address: change.address.clone(),
                        action: change.action,
                        operation: write.operation(),
                        outcome,
                    };
                    report(&applied);
                    results.push(applied);
                }
                results
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(lane_results) => results.extend(lane_results),
                Err(panic) => std::panic::resume_unwind(panic.into_panic()),
            }
        }
    }
    results
}

async fn apply_one(session: &Session, change: &ResourceChange, write: &Write) -> Result<(), Error> {
    let address = &change.address;
    let location = &change.location;
    let current = read(session, address, location, &change.aws_id).await?;
    if current.fingerprint() != change.observed_fingerprint {
        return Err(Error::Stale {
            address: address.clone(),
        });
    }
    let clients = session.clients(location)?;
    tracing::info!(%address, operation = write.operation(), "writing");
    let result = match write {
        Write::PutOwnershipControls { bucket, ownership } => {
            s3_ownership_controls::put(&clients.s3, bucket, *ownership).await
        }
        Write::PutBucketPolicy { bucket, policy } => {
            s3_bucket_policy::put(&clients.s3, bucket, policy).await
        }
        Write::DeleteBucketPolicy { bucket } => s3_bucket_policy::delete(&clients.s3, bucket).await,
        Write::PutTopicPolicy { topic_arn, policy } => {
            sns_topic_policy::put(&clients.sns, topic_arn, policy).await
        }
        Write::PutBucketNotification {
            bucket,
            configuration,
        } => s3_bucket_notification::put(&clients.s3, bucket, configuration).await,
        Write::PutEventSelectors { trail, selectors } => {
            cloudtrail_event_selectors::put(&clients.cloudtrail, trail, selectors).await
        }
    };
    result.map_err(|failure| Error::at(address, location, failure))
}
