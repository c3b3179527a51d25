//! The live probes of `xacct verify`: what the control account can really do
//! on each bucket and topic, and whether the trail is logging. The only
//! writes xacct makes outside `apply`: one small test object per bucket
//! under `.xacct-verify/`, which never outlives the run: it is deleted after
//! the probe, on a failure, and after an interruption. Every key is recorded
//! before its PutObject is sent (a write whose answer is lost may still have
//! landed), and a PutObject is never abandoned mid-flight: the cleanup waits
//! for it to end before deleting, or the object could land after its delete.

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
use crate::session::{Clients, Session};

/// Where test objects go: one recognisable prefix, so a leftover is easy to
/// find (and a lifecycle rule could expire it).
pub const PROBE_PREFIX: &str = ".xacct-verify/";

/// A test object that may exist: recorded before it is written.
#[derive(Debug, Clone)]
struct TestObject {
    bucket: String,
    key: String,
    owner: Location,
    deleted: bool,
}

/// Every test object of a run and every PutObject still running, shared
/// with the cleanup.
#[derive(Default)]
struct Ledger {
    objects: Mutex<Vec<TestObject>>,
    writes: Mutex<Vec<tokio::task::JoinHandle<()>>>,
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
    let mut outcome = lock(&outcome).clone();
    outcome.interrupted = interrupted;
    outcome.leftovers = leftovers;
    outcome
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
            ProbeStep::Delete => {
                let deleted = control
                    .delete_object()
                    .bucket(&probe.bucket)
                    .key(&key)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|error| failure(CallFailure::from_sdk("DeleteObject", error)));
                if deleted.is_ok() {
                    mark_deleted(ledger, &probe.bucket, &key);
                }
                deleted
            }
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
    lock(&ledger.objects).push(TestObject {
        bucket: probe.bucket.clone(),
        key: key.to_string(),
        owner: probe.owner.clone(),
        deleted: false,
    });
    tracing::info!(bucket = %probe.bucket, key, "writing a test object");
    let request = control
        .put_object()
        .bucket(&probe.bucket)
        .key(key)
        .body(ByteStream::from(body.as_bytes().to_vec()));
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let write = tokio::spawn(async move {
        let result = request
            .send()
            .await
            .map(|_| ())
            .map_err(|error| failure(CallFailure::from_sdk("PutObject", error)));
        // The probe may be gone (interrupted): the result is then unused.
        let _ = sender.send(result);
    });
    lock(&ledger.writes).push(write);
    receiver.await.unwrap_or_else(|_| {
        Err(ProbeFailure {
            code: None,
            message: "the write task ended without an answer".into(),
        })
    })
}

fn mark_deleted(ledger: &Ledger, bucket: &str, key: &str) {
    for object in lock(&ledger.objects).iter_mut() {
        if object.bucket == bucket && object.key == key {
            object.deleted = true;
        }
    }
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
/// wrote it: the object's owner (GetObjectAcl) is the bucket's (GetBucketAcl),
/// both read with the owner's credentials. An object owned by its writer is
/// typically not even readable to the bucket owner.
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
                    message: "the bucket owner may not read the object's ACL: the object is \
                              owned by the control account"
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

/// Deletes every recorded test object not yet deleted, with the bucket
/// owner's credentials (always allowed to delete in its own bucket, even
/// where the control account may not). Deleting a key that was never
/// written succeeds, so keys whose PutObject failed are cleaned up too.
async fn clean_up(session: &Session, ledger: &Ledger) -> Vec<Leftover> {
    let writes = std::mem::take(&mut *lock(&ledger.writes));
    for write in writes {
        // Bounded by the SDK's operation timeout; a panicked write is just over.
        let _ = write.await;
    }
    let pending: Vec<TestObject> = lock(&ledger.objects)
        .iter()
        .filter(|object| !object.deleted)
        .cloned()
        .collect();
    let mut leftovers = Vec::new();
    for object in pending {
        let result = match clients(session, &object.owner) {
            Ok(clients) => clients
                .s3
                .delete_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .send()
                .await
                .map(|_| ())
                .map_err(|error| failure(CallFailure::from_sdk("DeleteObject", error))),
            Err(failure) => Err(failure),
        };
        match result {
            Ok(()) => mark_deleted(ledger, &object.bucket, &object.key),
            Err(failure) => {
                tracing::error!(bucket = %object.bucket, key = %object.key, "test object left behind");
                leftovers.push(Leftover {
                    bucket: object.bucket,
                    key: object.key,
                    message: match failure.code {
                        Some(code) => format!("{code}: {}", failure.message),
                        None => failure.message,
                    },
                });
            }
        }
    }
    leftovers
}
