//! Executes a plan: stages in order, lanes (one per bucket) in parallel, each
//! write preceded by a re-read that refuses to write over a document that
//! changed since it was planned from.

use std::sync::Arc;

use tokio::sync::Semaphore;
use xacct_engine::{Address, ChangeAction, Plan, ResourceChange, Write};

use crate::error::Error;
use crate::observe::read;
use crate::session::Session;
use crate::{s3_bucket_policy, s3_ownership_controls};

/// What happened to one planned write.
#[derive(Debug)]
pub struct Applied {
    pub address: Address,
    pub action: ChangeAction,
    pub operation: &'static str,
    pub outcome: Result<(), Error>,
}

/// Applies every pending change of `plan`, calling `report` as each finishes.
/// A failure stops the rest of its lane and every later stage (which may
/// depend on it); they are reported as skipped.
pub async fn apply(
    session: &Arc<Session>,
    plan: &Plan,
    parallelism: usize,
    report: Arc<dyn Fn(&Applied) + Send + Sync>,
) -> Vec<Applied> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut results = Vec::new();
    let mut failed = false;
    for stage in plan.stages() {
        let mut tasks = tokio::task::JoinSet::new();
        for lane in stage {
            let lane: Vec<ResourceChange> = lane.into_iter().cloned().collect();
            let session = Arc::clone(session);
            let permits = Arc::clone(&permits);
            let report = Arc::clone(&report);
            let skip_all = failed;
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let mut results = Vec::new();
                let mut skip = skip_all;
                for change in lane {
                    let Some(write) = change.write.clone() else {
                        continue;
                    };
                    let outcome = if skip {
                        Err(Error::Skipped {
                            address: change.address.clone(),
                        })
                    } else {
                        apply_one(&session, &change, &write).await
                    };
                    skip |= outcome.is_err();
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
                Ok(lane_results) => {
                    failed |= lane_results.iter().any(|applied| applied.outcome.is_err());
                    results.extend(lane_results);
                }
                Err(panic) => std::panic::resume_unwind(panic.into_panic()),
            }
        }
    }
    results
}

async fn apply_one(session: &Session, change: &ResourceChange, write: &Write) -> Result<(), Error> {
    let address = &change.address;
    let location = &change.location;
    let current = read(session, address, location).await?;
    if current.fingerprint() != change.observed_fingerprint {
        return Err(Error::Stale {
            address: address.clone(),
        });
    }
    let client = session.s3(location)?;
    tracing::info!(%address, operation = write.operation(), "writing");
    let result = match write {
        Write::PutOwnershipControls { bucket, ownership } => {
            s3_ownership_controls::put(&client, bucket, *ownership).await
        }
        Write::PutBucketPolicy { bucket, policy } => {
            s3_bucket_policy::put(&client, bucket, policy).await
        }
        Write::DeleteBucketPolicy { bucket } => s3_bucket_policy::delete(&client, bucket).await,
    };
    result.map_err(|failure| Error::at(address, location, failure))
}
