//! `--target` limits what is read and written to the named resources.

use crate::support::{self, data_bucket, spec_with_buckets, Emulator, Workspace, DATA};

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
    let requests = emu.requests_since(before);
    let alpha = requests
        .iter()
        .filter(|r| r.contains("/target-alpha"))
        .count();
    let beta = requests
        .iter()
        .filter(|r| r.contains("/target-beta"))
        .count();
    assert_eq!(
        alpha, 3,
        "one read per managed document of the target (ownership, policy, \
         notifications): {requests:#?}"
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
    let requests = emu.requests_since(before);
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
    // Ownership, and the policy and notifications every listed bucket has.
    assert_eq!(document["checked"], 3);
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
