//! The live probes of `xacct verify`: what the control account can really do
//! on each bucket and topic, and whether the trail is logging. The only
//! writes xacct makes outside `apply`: one small test object per bucket
//! under `.xacct-verify/`, which never outlives the run: after the probes, on
//! a failure and after an interruption, the bucket owner purges every version
//! and delete marker of its key. A plain DeleteObject is not enough: on a
//! versioned bucket it only adds a delete marker and keeps the object as a
//! noncurrent version (and a DeleteObject after a refused PutObject adds a
//! stray marker). Every key is recorded before its PutObject is sent (a write
//! whose answer is lost may still have landed), and a PutObject is never
//! abandoned mid-flight: the cleanup waits for it to end before purging, or
//! the object could land after its purge.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_s3::primitives::ByteStream;
use tokio::sync::Semaphore;
use xacct_engine::verify::live::{
    BucketProbe, Leftover, LiveOutcome, LiveProbes, ProbeFailure, ProbeStep, StepOutcome,
    TopicProbe, TrailProbe,
};
use xacct_engine::Location;

use crate::error::CallFailure;
use crate::session::{lock, Clients, Session};

use xacct_engine::verify::PROBE_PREFIX;

/// A test object that may exist: recorded before it is written.
#[derive(Debug)]
struct TestObject {
    bucket: String,
    key: String,
    owner: Location,
}

/// Every test object of a run and every PutObject still running, shared
/// with the cleanup. One lock over all of it: once the cleanup has closed
/// the ledger, no probe task (one still running on another worker after an
/// interruption, say) can start a write the cleanup would not see.
type Ledger = Mutex<LedgerState>;

#[derive(Default)]
struct LedgerState {
    closed: bool,
    objects: Vec<TestObject>,
    writes: Vec<tokio::task::JoinHandle<()>>,
}

/// Runs every probe (at most `parallelism` at once) until done or until
/// `interrupt` completes; then deletes every test object still recorded,
/// with the bucket owner's credentials. An interrupted run reports what
/// finished before it and `interrupted: true`.
pub async fn probe(
    session: &Arc<Session>,
    probes: &LiveProbes,
    parallelism: usize,
    interrupt: impl Future<Output = ()>,
) -> LiveOutcome {
    let ledger = Arc::new(Ledger::default());
    let outcome = Arc::new(Mutex::new(LiveOutcome::default()));
    let run = run_all(session, probes, parallelism, &ledger, &outcome);
    let interrupted = tokio::select! {
        () = run => false,
        () = interrupt => true,
    };
    let leftovers = clean_up(session, &ledger).await;
    let mut outcome = std::mem::take(&mut *lock(&outcome));
    outcome.interrupted = interrupted;
    outcome.leftovers = leftovers;
    outcome
}

async fn run_all(
    session: &Arc<Session>,
    probes: &LiveProbes,
    parallelism: usize,
    ledger: &Arc<Ledger>,
    outcome: &Arc<Mutex<LiveOutcome>>,
) {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    // Dropped on interruption, which aborts every task still running.
    let mut tasks = tokio::task::JoinSet::new();
    for probe in &probes.buckets {
        let (session, permits, ledger, outcome) = (
            Arc::clone(session),
            Arc::clone(&permits),
            Arc::clone(ledger),
            Arc::clone(outcome),
        );
        let probe = probe.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let steps = probe_bucket(&session, &probe, &ledger).await;
            lock(&outcome).buckets.push((probe.bucket.clone(), steps));
        });
    }
    for probe in &probes.topics {
        let (session, permits, outcome) = (
            Arc::clone(session),
            Arc::clone(&permits),
            Arc::clone(outcome),
        );
        let probe = probe.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = probe_topic(&session, &probe).await;
            lock(&outcome).topics.push((probe.key.clone(), result));
        });
    }
    if let Some(probe) = &probes.trail {
        let (session, outcome) = (Arc::clone(session), Arc::clone(outcome));
        let probe = probe.clone();
        tasks.spawn(async move {
            let result = probe_trail(&session, &probe).await;
            lock(&outcome).trail = Some((probe.name.clone(), result));
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(panic) = joined {
            if panic.is_panic() {
                std::panic::resume_unwind(panic.into_panic());
            }
        }
    }
    // Reports in a stable order, whatever order the probes finished in.
    let mut outcome = lock(outcome);
    outcome.buckets.sort_by(|a, b| a.0.cmp(&b.0));
    outcome.topics.sort_by(|a, b| a.0.cmp(&b.0));
}

fn failure(call: CallFailure) -> ProbeFailure {
    ProbeFailure {
        code: call.code,
        message: call.message,
    }
}

fn clients(session: &Session, location: &Location) -> Result<Clients, ProbeFailure> {
    session.clients(location).map_err(|error| ProbeFailure {
        code: None,
        message: error.to_string(),
    })
}

/// A key no other run uses: the time in nanoseconds, the process id and a
/// counter (no randomness needed: uniqueness is all that matters).
fn unique_key() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);
    format!(
        "{PROBE_PREFIX}{nanos:x}-{:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

async fn probe_bucket(session: &Session, probe: &BucketProbe, ledger: &Ledger) -> Vec<StepOutcome> {
    let mut outcomes = Vec::new();
    let control = match clients(session, &probe.control) {
        Ok(clients) => clients.s3,
        Err(failure) => {
            if let Some(step) = probe.steps.first() {
                outcomes.push(StepOutcome {
                    step: *step,
                    result: Err(failure),
                });
            }
            return outcomes;
        }
    };
    let key = unique_key();
    let body = format!("xacct verify test object; safe to delete ({key})\n");
    for step in &probe.steps {
        let result = match step {
            ProbeStep::List => control
                .list_objects_v2()
                .bucket(&probe.bucket)
                .max_keys(1)
                .send()
                .await
                .map(|_| ())
                .map_err(|error| failure(CallFailure::from_sdk("ListObjectsV2", error))),
            ProbeStep::Put => put_test_object(&control, probe, &key, &body, ledger).await,
            ProbeStep::Get => read_back(&control, &probe.bucket, &key, &body).await,
            ProbeStep::Owner => owned_by_bucket_owner(session, probe, &key).await,
            // What remains of the key (a delete marker, a noncurrent
            // version) is purged by the owner afterwards.
            ProbeStep::Delete => control
                .delete_object()
                .bucket(&probe.bucket)
                .key(&key)
                .send()
                .await
                .map(|_| ())
                .map_err(|error| failure(CallFailure::from_sdk("DeleteObject", error))),
        };
        let failed = result.is_err();
        outcomes.push(StepOutcome {
            step: *step,
            result,
        });
        // Without the object there is nothing left to read, own or delete.
        if failed && *step == ProbeStep::Put {
            break;
        }
    }
    outcomes
}

/// Records the key, then writes it in a task of its own, which an
/// interruption does not cancel (the cleanup waits for it).
async fn put_test_object(
    control: &aws_sdk_s3::Client,
    probe: &BucketProbe,
    key: &str,
    body: &str,
    ledger: &Ledger,
) -> Result<(), ProbeFailure> {
    tracing::info!(bucket = %probe.bucket, key, "writing a test object");
    let request = control
        .put_object()
        .bucket(&probe.bucket)
        .key(key)
        .body(ByteStream::from(body.as_bytes().to_vec()));
    let (sender, receiver) = tokio::sync::oneshot::channel();
    {
        let mut state = lock(ledger);
        if state.closed {
            return Err(ProbeFailure {
                code: None,
                message: "interrupted before the test object was written".into(),
            });
        }
        state.objects.push(TestObject {
            bucket: probe.bucket.clone(),
            key: key.to_string(),
            owner: probe.owner.clone(),
        });
        let write = tokio::spawn(async move {
            let result = request
                .send()
                .await
                .map(|_| ())
                .map_err(|error| failure(CallFailure::from_sdk("PutObject", error)));
            // The probe may be gone (interrupted): the result is then unused.
            let _ = sender.send(result);
        });
        state.writes.push(write);
    }
    receiver.await.unwrap_or_else(|_| {
        Err(ProbeFailure {
            code: None,
            message: "the write task ended without an answer".into(),
        })
    })
}

async fn read_back(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: &str,
) -> Result<(), ProbeFailure> {
    let output = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|error| failure(CallFailure::from_sdk("GetObject", error)))?;
    let bytes = output.body.collect().await.map_err(|error| ProbeFailure {
        code: None,
        message: format!("reading the object's body: {error}"),
    })?;
    if bytes.into_bytes().as_ref() == body.as_bytes() {
        Ok(())
    } else {
        Err(ProbeFailure {
            code: Some("BodyMismatch".into()),
            message: "the bytes read back differ from those written".into(),
        })
    }
}

/// With BucketOwnerEnforced the bucket owner owns every object, whoever
/// wrote it (the engine asks only where the spec wants that): the object's
/// owner (GetObjectAcl) is the bucket's (GetBucketAcl), both read with the
/// owner's credentials. An object owned by its writer is typically not even
/// readable to the bucket owner.
async fn owned_by_bucket_owner(
    session: &Session,
    probe: &BucketProbe,
    key: &str,
) -> Result<(), ProbeFailure> {
    let owner = clients(session, &probe.owner)?.s3;
    let bucket_owner = owner
        .get_bucket_acl()
        .bucket(&probe.bucket)
        .send()
        .await
        .map_err(|error| failure(CallFailure::from_sdk("GetBucketAcl", error)))?
        .owner()
        .and_then(|owner| owner.id().map(str::to_string));
    let object_owner = match owner
        .get_object_acl()
        .bucket(&probe.bucket)
        .key(key)
        .send()
        .await
    {
        Ok(output) => output
            .owner()
            .and_then(|owner| owner.id().map(str::to_string)),
        Err(error) => {
            let call = CallFailure::from_sdk("GetObjectAcl", error);
            if call.code() == Some("AccessDenied") {
                return Err(ProbeFailure {
                    code: Some("OwnedByWriter".into()),
                    // AWS does not say which: an object owned by its
                    // writer hides its ACL from the bucket owner, and so
                    // does an owner identity policy without s3:GetObjectAcl.
                    message: "the bucket owner may not read the object's ACL: it is owned by \
                              the writer, or the owner's credentials may not call GetObjectAcl"
                        .into(),
                });
            }
            return Err(failure(call));
        }
    };
    if object_owner.is_some() && object_owner == bucket_owner {
        Ok(())
    } else {
        Err(ProbeFailure {
            code: Some("OwnedByWriter".into()),
            message: format!(
                "the object's owner is {}, the bucket's {}",
                object_owner.as_deref().unwrap_or("unknown"),
                bucket_owner.as_deref().unwrap_or("unknown")
            ),
        })
    }
}

async fn probe_topic(session: &Session, probe: &TopicProbe) -> Result<(), ProbeFailure> {
    clients(session, &probe.control)?
        .sns
        .get_topic_attributes()
        .topic_arn(&probe.arn)
        .send()
        .await
        .map(|_| ())
        .map_err(|error| failure(CallFailure::from_sdk("GetTopicAttributes", error)))
}

async fn probe_trail(session: &Session, probe: &TrailProbe) -> Result<bool, ProbeFailure> {
    let output = clients(session, &probe.location)?
        .cloudtrail
        .get_trail_status()
        .name(&probe.trail)
        .send()
        .await
        .map_err(|error| failure(CallFailure::from_sdk("GetTrailStatus", error)))?;
    Ok(output.is_logging().unwrap_or(false))
}

/// Purges every recorded test key, with the bucket owner's credentials
/// (always allowed in its own bucket, even where the control account is
/// not): every version and delete marker of the key, each by its version id.
/// Every key is purged, whether the control account deleted it, could not
/// write it or was interrupted: whatever it left (an object, a noncurrent
/// version, a delete marker) goes, and a key never written has nothing to
/// purge.
async fn clean_up(session: &Session, ledger: &Ledger) -> Vec<Leftover> {
    let (writes, recorded) = {
        let mut state = lock(ledger);
        state.closed = true;
        (
            std::mem::take(&mut state.writes),
            std::mem::take(&mut state.objects),
        )
    };
    for write in writes {
        // Bounded by the SDK's operation timeout; a panicked write is just over.
        let _ = write.await;
    }
    let mut leftovers = Vec::new();
    for object in recorded {
        let result = match clients(session, &object.owner) {
            Ok(clients) => purge(&clients.s3, &object.bucket, &object.key).await,
            Err(failure) => Err(failure),
        };
        if let Err(failure) = result {
            tracing::error!(bucket = %object.bucket, key = %object.key, "test object left behind");
            leftovers.push(Leftover {
                bucket: object.bucket,
                key: object.key,
                message: failure.text(),
            });
        }
    }
    leftovers
}

/// Deletes every version and delete marker of exactly `key` (the prefix
/// listing also returns longer keys, which are not this run's), each with
/// its version id: on an unversioned bucket the one version's id is `null`,
/// which deletes the object too.
async fn purge(owner: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<(), ProbeFailure> {
    let mut version_ids = Vec::new();
    let mut markers: (Option<String>, Option<String>) = (None, None);
    loop {
        let page = owner
            .list_object_versions()
            .bucket(bucket)
            .prefix(key)
            .set_key_marker(markers.0.take())
            .set_version_id_marker(markers.1.take())
            .send()
            .await
            .map_err(|error| failure(CallFailure::from_sdk("ListObjectVersions", error)))?;
        // The fields, not their getters: the permissions table's test would
        // read the delete-markers getter (a `delete_` call) as an API call.
        let versions = page
            .versions
            .iter()
            .flatten()
            .map(|version| (version.key(), version.version_id()));
        let delete_markers = page
            .delete_markers
            .iter()
            .flatten()
            .map(|marker| (marker.key(), marker.version_id()));
        version_ids.extend(
            versions
                .chain(delete_markers)
                .filter(|(listed, _)| *listed == Some(key))
                .map(|(_, version_id)| version_id.unwrap_or("null").to_string()),
        );
        if page.is_truncated() != Some(true) || page.next_key_marker().is_none() {
            break;
        }
        markers = (
            page.next_key_marker().map(str::to_string),
            page.next_version_id_marker().map(str::to_string),
        );
    }
    for version_id in version_ids {
        owner
            .delete_object()
            .bucket(bucket)
            .key(key)
            .version_id(&version_id)
            .send()
            .await
            .map_err(|error| failure(CallFailure::from_sdk("DeleteObject", error)))?;
    }
    Ok(())
}
