//! `xacct verify` tells a working setup from one that was merely applied:
//! policies evaluated as AWS would, live probes with the control account's
//! credentials, and never a test object left behind.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    self, cloudtrail_client, create_topic, create_trail, data_bucket, set_topic_policy,
    spec_accounts, spec_with_buckets, topic_policy_of, Emulator, Workspace, CONTROL, DATA,
    QUILT_ACTIONS,
};
use serde_json::{json, Value};

const BUCKET: &str = "verified-data";

/// What is left of test objects in `bucket`, listed with the data account's
/// credentials: every version (`key`) and delete marker (`key (delete
/// marker)`), so a versioned bucket's noncurrent versions and markers show.
async fn test_objects(emu: &Emulator, bucket: &str) -> Vec<String> {
    let listed = emu
        .s3(DATA)
        .await
        .list_object_versions()
        .bucket(bucket)
        .prefix(".xacct-verify/")
        .send()
        .await
        .unwrap_or_else(|e| panic!("list versions of {bucket}: {e:?}"));
    let versions = listed
        .versions()
        .iter()
        .filter_map(|version| version.key().map(str::to_string));
    let markers = listed
        .delete_markers()
        .iter()
        .filter_map(|marker| marker.key().map(|key| format!("{key} (delete marker)")));
    versions.chain(markers).collect()
}

/// A bucket, a topic and a trail, as the guide sets them up.
async fn guide_world(emu: &Emulator) -> String {
    emu.create_bucket(DATA, BUCKET).await;
    // The security team's TLS-only Deny, as the guide's readers have it.
    emu.put_bucket_policy(
        DATA,
        BUCKET,
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [support::deny_insecure_transport(BUCKET)],
        }),
    )
    .await;
    create_topic(emu, DATA, "quilt-events").await;
    create_trail(emu, CONTROL, "quilt-trail").await;
    format!(
        "{accounts}buckets:\n\
         \x20 {BUCKET}:\n\
         \x20   account: data\n\
         \x20   object_ownership: BucketOwnerEnforced\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: quilt\n\
         \x20   notifications:\n\
         \x20     sns_topic: quilt-events\n\
         \x20     events: [\"s3:ObjectCreated:*\"]\n\
         \x20   cloudtrail: true\n\
         \x20   versioning: true\n\
         \x20   encryption:\n\
         \x20     kms_key: arn:aws:kms:us-east-1:222222222222:key/0b2c7e4a-7d4f-4c55-9f1e-2f4d1a6c9e10\n\
         sns_topics:\n\
         \x20 quilt-events:\n\
         \x20   account: data\n\
         \x20   name: quilt-events\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountSNSAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: [sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe]\n\
         cloudtrail:\n\
         \x20 trail: quilt-trail\n\
         \x20 account: control\n",
        accounts = spec_accounts()
    )
}

/// A bucket granting the control account the Quilt preset, applied; its spec.
async fn applied_quilt_bucket(emu: &Emulator) -> String {
    emu.create_bucket(DATA, BUCKET).await;
    let setup = Workspace::new(emu);
    let spec = spec_with_buckets(&[data_bucket(
        BUCKET,
        Some("BucketOwnerEnforced"),
        Some(("QuiltCrossAccountAccess", "quilt")),
    )]);
    setup.write_spec(&spec);
    setup.apply();
    spec
}

/// `xacct ARGS` started in the workspace with its output piped.
fn spawn_xacct(ws: &Workspace, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xacct"));
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    ws.prepare(&mut command);
    command.spawn().expect("spawn xacct")
}

/// Ctrl-C to a running xacct, then its output once it exits.
fn interrupt(child: Child) -> Output {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    child.wait_with_output().expect("wait for xacct")
}

async fn start_logging(emu: &Emulator) {
    cloudtrail_client(emu, CONTROL)
        .await
        .start_logging()
        .name("quilt-trail")
        .send()
        .await
        .expect("start logging");
}

#[tokio::test]
async fn an_applied_guide_setup_passes_every_check_and_leaves_no_test_object() {
    let emu = Emulator::start();
    let spec = guide_world(&emu).await;
    start_logging(&emu).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec);
    ws.apply();

    let run = ws.xacct(&["verify"]);
    run.expect_code(0);
    for line in [
        "pass  bucket verified-data: grants name the control account control (111111111111)",
        "pass  bucket verified-data: bucket policy lets arn:aws:iam::111111111111:root all 14 granted actions (grant QuiltCrossAccountAccess)",
        "pass  bucket verified-data: object ownership is BucketOwnerEnforced",
        "pass  bucket verified-data: the control account lists the bucket (ListObjectsV2)",
        "pass  bucket verified-data: the control account writes a test object (PutObject)",
        "pass  bucket verified-data: the control account reads it back (GetObject)",
        "pass  bucket verified-data: the object it wrote is owned by the bucket owner",
        "pass  bucket verified-data: the control account deletes it (DeleteObject)",
        "pass  topic quilt-events: S3 may publish arn:aws:s3:::verified-data's event notifications",
        "pass  topic quilt-events: the control account reads the topic's attributes (GetTopicAttributes)",
        "pass  trail quilt-trail: data events of bucket verified-data are selected",
        "pass  trail quilt-trail: the trail is logging",
    ] {
        assert!(run.stdout.contains(&format!("{line}\n")), "missing `{line}` in {run}");
    }
    assert!(!run.stdout.contains("fail  "), "{run}");
    assert!(run.stdout.contains(", 0 failed."), "{run}");
    // Versioned: a plain DeleteObject would have left the test object as a
    // noncurrent version under a delete marker.
    let versioning = emu
        .s3(DATA)
        .await
        .get_bucket_versioning()
        .bucket(BUCKET)
        .send()
        .await
        .expect("read versioning");
    assert_eq!(
        versioning.status().map(|status| status.as_str()),
        Some("Enabled")
    );
    assert_eq!(test_objects(&emu, BUCKET).await, Vec::<String>::new());

    let json_run = ws.xacct(&["verify", "--format", "json"]);
    json_run.expect_code(0);
    let report: Value = serde_json::from_str(&json_run.stdout).expect("JSON report");
    assert_eq!(report["summary"]["fail"], 0, "{json_run}");
    assert_eq!(report["interrupted"], false);
    assert_eq!(test_objects(&emu, BUCKET).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_live_grant_without_put_object_fails_statically_and_live_and_leaves_nothing() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        BUCKET,
        Some("BucketOwnerEnforced"),
        Some(("QuiltCrossAccountAccess", "quilt")),
    )]));
    ws.apply();
    // Someone edits the live policy by hand, dropping s3:PutObject.
    let without_put: Vec<&str> = QUILT_ACTIONS
        .into_iter()
        .filter(|action| *action != "s3:PutObject")
        .collect();
    emu.put_bucket_policy(
        DATA,
        BUCKET,
        &json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "QuiltCrossAccountAccess", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{CONTROL}:root")},
            "Action": without_put,
            "Resource": [format!("arn:aws:s3:::{BUCKET}"), format!("arn:aws:s3:::{BUCKET}/*")],
        }]}),
    )
    .await;

    // The static checks alone already fail, without touching the bucket.
    let static_only = ws.xacct(&["verify", "--no-probes"]);
    static_only.expect_code(1);
    assert!(
        static_only
            .stdout
            .contains("missing s3:PutObject for arn:aws:iam::111111111111:root"),
        "{static_only}"
    );
    assert!(!static_only.stdout.contains("(PutObject)"), "{static_only}");
    assert!(
        !static_only.stdout.contains("(ListObjectsV2)"),
        "{static_only}"
    );

    let run = ws.xacct(&["verify"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(
            "fail  bucket verified-data: bucket policy does not let arn:aws:iam::111111111111:root \
             s3:PutObject (grant QuiltCrossAccountAccess) -- likely cause: the bucket policy is \
             missing s3:PutObject for arn:aws:iam::111111111111:root"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "fail  bucket verified-data: the control account writes a test object (PutObject): AccessDenied"
        ),
        "{run}"
    );
    // What the policy still allows works.
    assert!(
        run.stdout
            .contains("pass  bucket verified-data: the control account lists the bucket"),
        "{run}"
    );
    assert_eq!(test_objects(&emu, BUCKET).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_topic_policy_that_lost_the_control_grant_fails_statically_and_live() {
    let emu = Emulator::start();
    let spec = guide_world(&emu).await;
    start_logging(&emu).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec);
    ws.apply();
    // Someone rewrites the topic policy keeping only S3's publish statement.
    let topic_arn = format!("arn:aws:sns:us-east-1:{DATA}:quilt-events");
    let mut policy = topic_policy_of(&emu, DATA, &topic_arn).await;
    policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .retain(|statement| statement["Sid"] == "QuiltS3Publish");
    set_topic_policy(&emu, DATA, &topic_arn, &policy).await;

    let run = ws.xacct(&["verify"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(
            "fail  topic quilt-events: topic policy does not let arn:aws:iam::111111111111:root \
             sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe (grant QuiltCrossAccountSNSAccess)"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "fail  topic quilt-events: the control account reads the topic's attributes \
             (GetTopicAttributes): AuthorizationError"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "pass  topic quilt-events: S3 may publish arn:aws:s3:::verified-data's event notifications"
        ),
        "{run}"
    );
}

#[tokio::test]
async fn a_bucket_whose_ownership_is_not_enforced_fails_with_that_cause() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, BUCKET, Some("ObjectWriter"))
        .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        BUCKET,
        None,
        Some(("QuiltCrossAccountAccess", "quilt")),
    )]));
    ws.apply();

    let run = ws.xacct(&["verify"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(
            "fail  bucket verified-data: object ownership is ObjectWriter, not BucketOwnerEnforced \
             -- likely cause: ownership not enforced"
        ),
        "{run}"
    );
    // And live: the object the control account wrote is its own, not the bucket owner's.
    assert!(
        run.stdout.contains(
            "fail  bucket verified-data: the object it wrote is owned by the bucket owner: OwnedByWriter"
        ),
        "{run}"
    );
    assert_eq!(test_objects(&emu, BUCKET).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_grant_to_another_account_is_reported_as_a_wrong_account_id() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let ws = Workspace::new(&emu);
    let spec = spec_with_buckets(&[data_bucket(BUCKET, None, Some(("QuiltAccess", "quilt")))])
        .replace("principals: [control]", "principals: [\"333333333333\"]");
    ws.write_spec(&spec);
    ws.apply();

    let run = ws.xacct(&["verify"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(
            "fail  bucket verified-data: no grant names the control account control (111111111111); \
             they name 333333333333 -- likely cause: wrong account id"
        ),
        "{run}"
    );
}

#[tokio::test]
async fn ctrl_c_during_the_probes_deletes_the_test_object_and_exits_130() {
    let emu = Emulator::start();
    let spec = applied_quilt_bucket(&emu).await;

    // Every request through the proxy takes 1.5 s: the run is still waiting
    // for its GetObject (or PutObject's answer) when the object has landed.
    let (_proxy, ws) = support::proxied_workspace(&emu, |config| config.latency_ms(1500));
    ws.write_spec(&spec);
    let child = spawn_xacct(&ws, &["verify"]);

    let deadline = Instant::now() + Duration::from_secs(60);
    let landed = loop {
        let objects = test_objects(&emu, BUCKET).await;
        if let Some(key) = objects.first() {
            break key.clone();
        }
        assert!(Instant::now() < deadline, "the test object never landed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let out = interrupt(child);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("Interrupted"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains("could not be deleted"), "{stdout}");
    assert_eq!(
        test_objects(&emu, BUCKET).await,
        Vec::<String>::new(),
        "{landed} left behind"
    );
}

#[tokio::test]
async fn ctrl_c_while_the_test_object_is_being_written_exits_130_and_leaves_nothing() {
    use std::io::BufRead;

    let emu = Emulator::start();
    let spec = applied_quilt_bucket(&emu).await;

    // The proxy holds every request 1.5 s before forwarding it: the
    // interrupt arrives while the PutObject has not reached the emulator.
    let (proxy, ws) = support::proxied_workspace(&emu, |config| config.latency_ms(1500));
    ws.write_spec(&spec);
    let mut child = spawn_xacct(&ws, &["-v", "verify"]);
    let stderr = child.stderr.take().expect("stderr");
    let (seen, writing) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("writing a test object") {
                let _ = seen.send(());
            }
            all += &line;
            all.push('\n');
        }
        all
    });
    writing
        .recv_timeout(Duration::from_secs(60))
        .expect("xacct never started writing its test object");
    let out = interrupt(child);
    let stderr = reader.join().expect("stderr reader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The write reached the emulator before xacct exited, and the object it
    // made was deleted after it.
    assert_eq!(proxy.stats().count("s3", "PutObject"), 1, "{stderr}");
    assert_eq!(
        test_objects(&emu, BUCKET).await,
        Vec::<String>::new(),
        "{stdout}\n{stderr}"
    );
}

#[tokio::test]
async fn a_test_object_the_control_account_may_not_delete_is_deleted_by_the_bucket_owner() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        BUCKET,
        Some("BucketOwnerEnforced"),
        Some((
            "QuiltWriteOnly",
            "[s3:GetObject, s3:ListBucket, s3:PutObject]",
        )),
    )]));
    ws.apply();

    let run = ws.xacct(&["verify"]);
    // Fewer actions than Quilt needs is a choice: a warning, not a failure.
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "warn  bucket verified-data: Quilt needs s3:GetObjectAttributes, s3:GetObjectTagging, \
             s3:GetObjectVersion, s3:GetObjectVersionAttributes, s3:GetObjectVersionTagging, \
             s3:ListBucketVersions, s3:DeleteObject, s3:DeleteObjectVersion, s3:PutObjectTagging, \
             s3:GetBucketNotification, s3:PutBucketNotification for arn:aws:iam::111111111111:root, \
             which grant QuiltWriteOnly does not give"
        ),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("pass  bucket verified-data: the control account writes a test object"),
        "{run}"
    );
    assert!(!run.stdout.contains("(DeleteObject)"), "{run}");
    assert_eq!(test_objects(&emu, BUCKET).await, Vec::<String>::new());
}

#[test]
fn an_ambiguous_control_account_or_unknown_target_is_an_error_before_any_call() {
    // Nothing listens here: the errors come before any AWS call.
    let ws = Workspace::with_endpoint("http://127.0.0.1:9");
    ws.write_spec(
        &(spec_accounts().replace("  control:", "  platform:")
            + "  partner:\n    id: \"333333333333\"\n    region: us-east-1\n\
               buckets:\n\
               \x20 shared-a:\n    account: data\n    access:\n      - sid: QuiltA\n        principals: [platform]\n        actions: [s3:GetObject]\n\
               \x20 shared-b:\n    account: data\n    access:\n      - sid: QuiltB\n        principals: [partner]\n        actions: [s3:GetObject]\n"),
    );
    let run = ws.xacct(&["verify"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("cannot tell which account is the control account")
            && run.stderr.contains("--control NAME"),
        "{run}"
    );
    let run = ws.xacct(&["verify", "--control", "nope"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("--control \"nope\" is not an account of the spec"),
        "{run}"
    );
    let run = ws.xacct(&["verify", "--control", "platform", "--target", "shared-c"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("no bucket, topic or trail matches --target \"shared-c\"")
            && run.stderr.contains("shared-a, shared-b"),
        "{run}"
    );
}
