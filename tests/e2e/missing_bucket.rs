//! A spec naming a bucket that does not exist fails the plan, naming it, and
//! apply writes nothing at all, not even to the buckets that do exist.

use crate::support::{
    data_bucket, deny_insecure_transport, spec_accounts, spec_with_buckets, Emulator, Workspace,
    DATA,
};
use serde_json::json;

#[tokio::test]
async fn missing_bucket_fails_plan_and_apply_writes_nothing() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "present-data", Some("ObjectWriter"))
        .await;
    let policy =
        json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("present-data")]});
    emu.put_bucket_policy(DATA, "present-data", &policy).await;
    let policy_text = emu.get_bucket_policy_text(DATA, "present-data").await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[
        data_bucket(
            "present-data",
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
        data_bucket(
            "no-such-bucket-anywhere",
            Some("BucketOwnerEnforced"),
            Some(("QuiltReadOnly", "[s3:GetObject]")),
        ),
    ]));

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(1);
    assert!(
        plan.stderr.contains("no-such-bucket-anywhere"),
        "the error names the missing bucket: {plan}"
    );
    assert!(plan.stderr.contains("error:"), "{plan}");

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(1);

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(1);
    assert!(drift.stderr.contains("no-such-bucket-anywhere"), "{drift}");

    let apply = ws.xacct(&["apply", "--auto-approve"]);
    apply.expect_code(1);
    assert!(apply.stderr.contains("no-such-bucket-anywhere"), "{apply}");
    assert!(!apply.stdout.contains("Apply complete!"), "{apply}");

    // Nothing was written to the bucket that exists.
    assert_eq!(
        emu.get_bucket_policy_text(DATA, "present-data").await,
        policy_text,
        "present-data's policy must be unchanged"
    );
    assert_eq!(
        emu.get_ownership(DATA, "present-data").await.as_deref(),
        Some("ObjectWriter"),
        "present-data's ownership must be unchanged"
    );
}

/// A bucket declared under the wrong account is reached with that account's
/// credentials, which AWS (and the patched emulator) answers with AccessDenied:
/// the plan names the bucket, the operation and the account it used.
#[tokio::test]
async fn bucket_under_the_wrong_account_is_access_denied_and_nothing_is_written() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "data-owned-bucket").await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 data-owned-bucket:\n\
         \x20   account: control\n\
         \x20   access:\n\
         \x20     - sid: QuiltReadOnly\n\
         \x20       principals: [data]\n\
         \x20       actions: [s3:GetObject]\n",
        spec_accounts()
    ));

    let apply = ws.xacct(&["apply", "--auto-approve"]);
    apply.expect_code(1);
    for expected in [
        "s3_bucket_policy.data-owned-bucket",
        "access denied",
        "GetBucketPolicy",
        "control 111111111111",
    ] {
        assert!(
            apply.stderr.contains(expected),
            "stderr names {expected:?}: {apply}"
        );
    }
    assert_eq!(
        emu.get_bucket_policy_text(DATA, "data-owned-bucket").await,
        None
    );
}
