//! The observe phase: every managed document read once, concurrently, under
//! one global bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use xacct_aws::{DocumentRef, Session};
use xacct_engine::{Address, Observed, Plan, ResourceChange};

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
) -> Result<BTreeMap<Address, Observed>, Vec<xacct_aws::Error>> {
    let (observed, unread) = observe_each(session, documents, parallelism, progress).await;
    if unread.is_empty() {
        Ok(observed)
    } else {
        Err(unread.into_iter().map(|(_, error)| error).collect())
    }
}

/// A document that could not be read, and why.
pub type Unread = (DocumentRef, xacct_aws::Error);

/// [`observe`] keeping what could be read next to what could not.
pub async fn observe_each(
    session: &Arc<Session>,
    documents: &[DocumentRef],
    parallelism: usize,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> (BTreeMap<Address, Observed>, Vec<Unread>) {
    let mut observed = BTreeMap::new();
    let mut errors = Vec::new();
    read_each(
        session,
        documents.iter().map(|document| ((), document.clone())),
        documents.len(),
        parallelism,
        progress,
        |(), document, result| match result {
            Ok(found) => {
                observed.insert(document.address, found);
            }
            Err(error) => errors.push((document, error)),
        },
    )
    .await;
    errors.sort_by_key(|(_, error)| error.to_string());
    (observed, errors)
}

/// Reads the documents (`total` of them, for the progress line), at most
/// `parallelism` at once, and hands each answer to `on_read` with what came
/// with its document as soon as it arrives. Documents are taken from the
/// iterator only as reads finish, so however many there are, only
/// `parallelism` of them (and of what comes with them) are in memory at once.
pub async fn read_each<T: Send + 'static>(
    session: &Arc<Session>,
    mut documents: impl Iterator<Item = (T, DocumentRef)>,
    total: usize,
    parallelism: usize,
    progress: &(dyn Fn(Progress<'_>) + Sync),
    mut on_read: impl FnMut(T, DocumentRef, Result<Observed, xacct_aws::Error>),
) {
    let mut reads = tokio::task::JoinSet::new();
    let mut done = 0;
    loop {
        while reads.len() < parallelism.max(1) {
            let Some((with, document)) = documents.next() else {
                break;
            };
            let session = Arc::clone(session);
            reads.spawn(async move {
                let observed = xacct_aws::read(&session, &document).await;
                (with, document, observed)
            });
        }
        let Some(joined) = reads.join_next().await else {
            break;
        };
        match joined {
            Ok((with, document, result)) => {
                done += 1;
                progress(Progress {
                    done,
                    total,
                    account: &document.location.account,
                });
                on_read(with, document, result);
            }
            Err(panic) => std::panic::resume_unwind(panic.into_panic()),
        }
    }
}

/// The addresses of `plan`'s pending changes whose document is no longer
/// what the change was computed from (re-read now, concurrently). A saved
/// plan is checked whole with this before its first write, so it is applied
/// entirely or not at all; apply still re-reads each document just before
/// writing it, which closes the window between the two.
pub async fn stale_changes(
    session: &Arc<Session>,
    plan: &Plan,
    parallelism: usize,
) -> Result<Vec<Address>, Vec<xacct_aws::Error>> {
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
