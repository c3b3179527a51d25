//! `--target` limits what is read and written to the named resources.

use crate::support::{self, data_bucket, spec_with_buckets, Emulator, Workspace, DATA};

/// Requests moto served since `from` (its request log, one line each). moto
/// logs a request just after answering it, so wait until the log stops growing.
fn requests_since(emu: &Emulator, from: usize) -> Vec<String> {
    let mut log = emu.log();
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let again = emu.log();
        if again == log {
            break;
        }
        log = again;
    }
    log[from..]
        .lines()
        .filter(|line| line.contains(" HTTP/1.1"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn target_limits_reads_and_writes_to_the_named_bucket() {
    let emu = Emulator::start();
    for bucket in ["target-alpha", "target-beta"] {
        emu.create_bucket_with_ownership(DATA, bucket, Some("ObjectWriter"))
            .await;
    }
    let ws = Workspace::new(&emu);
    let buckets = ["target-alpha", "target-beta"].map(|bucket| {
        data_bucket(
            bucket,
            Some("BucketOwnerEnforced"),
            Some(("QuiltRead", "[s3:GetObject]")),
        )
    });
    ws.write_spec(&spec_with_buckets(&buckets));

    let before = emu.log().len();
    let plan = ws.xacct(&["plan", "--target", "target-alpha"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    let requests = requests_since(&emu, before);
    let alpha = requests
        .iter()
        .filter(|r| r.contains("/target-alpha"))
        .count();
    let beta = requests
        .iter()
        .filter(|r| r.contains("/target-beta"))
        .count();
    assert_eq!(
        alpha, 2,
        "one read per managed document of the target: {requests:#?}"
    );
    assert_eq!(
        beta, 0,
        "nothing of the other bucket is read: {requests:#?}"
    );

    let before = emu.log().len();
    let apply = ws.xacct(&[
        "apply",
        "--auto-approve",
        "--target",
        "s3_bucket_policy.target-alpha",
    ]);
    apply.expect_code(0);
    assert!(
        apply.stdout.contains("Resources: 1 added, 0 changed"),
        "{apply}"
    );
    let requests = requests_since(&emu, before);
    assert!(
        requests
            .iter()
            .any(|r| r.contains("PUT /target-alpha/?policy")),
        "{requests:#?}"
    );
    assert!(
        !requests.iter().any(|r| r.contains("target-beta")),
        "{requests:#?}"
    );
    assert_eq!(
        emu.get_ownership(DATA, "target-alpha").await.as_deref(),
        Some("ObjectWriter"),
        "not targeted"
    );
    assert_eq!(emu.get_bucket_policy(DATA, "target-beta").await, None);

    let unknown = ws.xacct(&["plan", "--target", "target-gamma"]);
    unknown.expect_code(1);
    assert!(unknown.stderr.contains("target-gamma"), "{unknown}");

    ws.xacct(&["apply", "--auto-approve"]).expect_code(0);
    support::assert_converged(&ws);
}

#[tokio::test]
async fn drift_json_names_drifted_addresses_fields_and_time() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "drift-json", Some("ObjectWriter"))
        .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "drift-json",
        Some("BucketOwnerEnforced"),
        None,
    )]));
    let drift = ws.xacct(&["drift", "--format", "json"]);
    drift.expect_code(2);
    let document: serde_json::Value =
        serde_json::from_str(&drift.stdout).expect("one JSON document");
    assert_eq!(document["in_sync"], false);
    assert_eq!(document["checked"], 1);
    assert!(
        document["checked_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{document}"
    );
    let drifted = &document["drifted"][0];
    assert_eq!(drifted["address"], "s3_ownership_controls.drift-json");
    assert_eq!(drifted["before"]["object_ownership"], "ObjectWriter");
    assert!(
        drifted["changes"][0]
            .as_str()
            .is_some_and(|c| c.contains("BucketOwnerEnforced")),
        "{document}"
    );

    ws.apply();
    let drift = ws.xacct(&["drift", "--format", "json"]);
    drift.expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&drift.stdout).expect("JSON");
    assert_eq!(document["in_sync"], true);
    assert_eq!(document["drifted"], serde_json::json!([]));
    support::assert_converged(&ws);
}
