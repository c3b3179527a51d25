//! Executes a plan: stages in order, lanes (one per AWS object) in parallel,
//! each write preceded by a re-read. A live apply plans a document that
//! changed since planning again from its new content; a saved plan refuses
//! it (see [`apply`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::Semaphore;
use xacct_aws::{DocumentRef, Session};
use xacct_engine::{Address, ChangeAction, Plan, Replanner, ResourceChange};

use crate::error::WriteError;

/// What happened to one planned write.
#[derive(Debug)]
pub struct Applied {
    pub address: Address,
    pub action: ChangeAction,
    pub operation: &'static str,
    /// `Err(WriteError::Skipped)` when a change it depends on was not written.
    pub outcome: Result<(), WriteError>,
}

/// How one planned write ended, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStatus {
    Applied,
    /// Attempted and failed (the error carries the AWS code).
    Failed,
    /// Not attempted: a write it depends on did not happen.
    Skipped,
}

impl WriteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteStatus::Applied => "applied",
            WriteStatus::Failed => "failed",
            WriteStatus::Skipped => "skipped",
        }
    }
}

impl Applied {
    pub fn status(&self) -> WriteStatus {
        match &self.outcome {
            Ok(()) => WriteStatus::Applied,
            Err(WriteError::Skipped { .. }) => WriteStatus::Skipped,
            Err(_) => WriteStatus::Failed,
        }
    }
}

/// Applies every pending change of `plan`, calling `report` as each finishes.
/// A change whose dependency failed (or was skipped) is skipped; independent
/// changes go on, so a re-run only has the failed part left to do. With a
/// `replanner`, a document that changed since planning is planned again from
/// its new content; without one (a saved, reviewed plan) it is refused.
pub async fn apply(
    session: &Arc<Session>,
    plan: &Plan,
    parallelism: usize,
    replanner: Option<Arc<Replanner>>,
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
            let replanner = replanner.clone();
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
                        Some(dependency) => Err(WriteError::Skipped {
                            address: change.address.clone(),
                            dependency: dependency.clone(),
                        }),
                        None => apply_one(&session, &change, replanner.as_deref()).await,
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

/// How often one write is attempted before its failure is reported.
const WRITE_ATTEMPTS: u32 = 4;

/// Writes one change, never blindly:
/// - every attempt starts with a re-read, so a write that landed although its
///   answer was lost (timeout, 5xx, dropped connection) is recognised, and a
///   failed write is only retried against the document as it now is;
/// - in a live apply (`replanner`), a document that changed since planning
///   is planned again from that re-read, and after a write the document is
///   read once more to check that our slice is in it: another run that wrote
///   the same document at the same moment (owning other statements) is
///   merged with, not overwritten;
/// - for a saved plan (no `replanner`), a document that is neither as planned
///   from nor as intended is refused as stale: a reviewed plan is applied
///   exactly or not at all.
async fn apply_one(
    session: &Session,
    planned: &ResourceChange,
    replanner: Option<&Replanner>,
) -> Result<(), WriteError> {
    let address = &planned.address;
    let document = DocumentRef::of_change(planned);
    let mut last_failure = None;
    let mut attempts = 0;
    loop {
        let current = xacct_aws::read(session, &document).await?;
        let found = current.fingerprint();
        let intended = planned
            .write
            .as_ref()
            .map(|write| write.expected().fingerprint());
        if intended.as_ref() == Some(&found) {
            tracing::info!(%address, "as intended");
            return Ok(());
        }
        // Planning is deterministic: a document still as planned from gives
        // the planned change again, so only a changed one is planned anew.
        let replanned;
        let change = if found == planned.observed_fingerprint {
            planned
        } else {
            match replanner.and_then(|r| r.replan(address, &current)) {
                Some(result) => {
                    replanned = result.map_err(|error| WriteError::Replan {
                        address: address.clone(),
                        reason: error.to_string(),
                    })?;
                    &replanned
                }
                None => {
                    return Err(WriteError::Stale {
                        address: address.clone(),
                    })
                }
            }
        };
        let Some(write) = &change.write else {
            tracing::info!(%address, "as intended");
            return Ok(());
        };
        if attempts == WRITE_ATTEMPTS {
            break;
        }
        attempts += 1;
        match xacct_aws::write(session, &document, write).await {
            // Verified by the next pass's re-read in a live apply.
            Ok(()) if replanner.is_some() => {}
            Ok(()) => return Ok(()),
            Err(failure) if failure.is_transient() => {
                tracing::warn!(%address, code = ?failure.code(), attempts, "write failed; re-reading before retrying");
                last_failure = Some(failure);
                tokio::time::sleep(backoff(attempts)).await;
            }
            Err(failure) => return Err(failure.into()),
        }
    }
    Err(match last_failure {
        Some(last) => WriteError::GaveUp {
            last,
            attempts: WRITE_ATTEMPTS,
        },
        None => WriteError::KeptChanging {
            address: address.clone(),
            operation: planned
                .write
                .as_ref()
                .map_or("write", |write| write.operation()),
            attempts: WRITE_ATTEMPTS,
        },
    })
}

/// Exponential backoff with jitter, so throttled writes to many buckets do
/// not retry in lockstep.
fn backoff(attempt: u32) -> std::time::Duration {
    let base = 200u64 << attempt.min(5);
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|now| u64::from(now.subsec_nanos()) % base)
        .unwrap_or(0);
    std::time::Duration::from_millis(base + jitter)
}
