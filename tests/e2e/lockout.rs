//! A bucket policy that would deny the owner's own account everything on the
//! bucket is not written unless the user says `--allow-lockout`.

use crate::support::{
    assert_converged, data_bucket, sids, spec_with_buckets, Emulator, Workspace, DATA,
};
use serde_json::json;

#[tokio::test]
async fn a_lockout_policy_is_refused_unless_allowed() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "guarded-bucket").await;
    let guard = json!({
        "Sid": "EmergencyFreeze", "Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": ["arn:aws:s3:::guarded-bucket", "arn:aws:s3:::guarded-bucket/*"]
    });
    emu.put_bucket_policy(
        DATA,
        "guarded-bucket",
        &json!({"Version": "2012-10-17", "Statement": [guard]}),
    )
    .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "guarded-bucket",
        None,
        Some(("QuiltRead", "[s3:GetObject]")),
    )]));

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(1);
    assert!(plan.stderr.contains("EmergencyFreeze"), "{plan}");
    assert!(plan.stderr.contains("--allow-lockout"), "{plan}");
    ws.xacct(&["apply", "--auto-approve"]).expect_code(1);
    let policy = emu
        .get_bucket_policy(DATA, "guarded-bucket")
        .await
        .expect("policy");
    assert_eq!(sids(&policy), ["EmergencyFreeze"], "nothing written");

    let apply = ws.xacct(&["apply", "--auto-approve", "--allow-lockout"]);
    apply.expect_code(0);
    let policy = emu
        .get_bucket_policy(DATA, "guarded-bucket")
        .await
        .expect("policy");
    assert_eq!(sids(&policy), ["EmergencyFreeze", "QuiltRead"]);
    // Nothing left to write, so nothing to refuse: converged without the flag.
    assert_converged(&ws);
}
