//! Out-of-band changes: `drift` detects them (exit 2, naming the address and
//! what changed) and `apply` repairs them.

use crate::support::{
    self, actions, assert_converged, data_bucket, deny_insecure_transport, spec_with_buckets,
    statement_by_sid, statements, Emulator, Workspace, DATA,
};
use serde_json::{json, Value};

#[tokio::test]
async fn out_of_band_change_is_detected_by_drift_and_repaired_by_apply() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "drifty-data").await;
    emu.create_bucket(DATA, "steady-data").await;
    emu.put_bucket_policy(
        DATA,
        "drifty-data",
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("drifty-data")]}),
    )
    .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[
        data_bucket(
            "drifty-data",
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
        data_bucket(
            "steady-data",
            None,
            Some(("QuiltReadOnly", "[s3:GetObject, s3:ListBucket]")),
        ),
    ]));
    ws.apply();
    assert_converged(&ws);
    ws.xacct(&["drift"]).expect_code(0);

    // Someone removes s3:PutObject from our statement, behind xacct's back.
    let mut live = emu.get_bucket_policy(DATA, "drifty-data").await.unwrap();
    let foreign_before = statement_by_sid(&live, "SecurityTeamDenyInsecureTransport");
    let mut tampered = statements(&live);
    for st in &mut tampered {
        if st.get("Sid") == Some(&json!("QuiltCrossAccountAccess")) {
            let kept: Vec<Value> = support::string_list(st.get("Action"))
                .into_iter()
                .filter(|a| !a.eq_ignore_ascii_case("s3:PutObject"))
                .map(Value::String)
                .collect();
            assert_eq!(kept.len(), 13, "quilt preset has s3:PutObject");
            st["Action"] = Value::Array(kept);
        }
    }
    live["Statement"] = Value::Array(tampered);
    emu.put_bucket_policy(DATA, "drifty-data", &live).await;

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift.stdout.contains("s3_bucket_policy.drifty-data"),
        "drift names the address: {drift}"
    );
    assert!(
        drift.stdout.contains("s3:PutObject"),
        "drift names the changed action: {drift}"
    );
    assert!(
        !drift.stdout.contains("steady-data"),
        "drift lists only drifted resources: {drift}"
    );
    assert!(
        !drift.stdout.contains("s3_ownership_controls.drifty-data"),
        "ownership did not drift: {drift}"
    );
    // drift writes nothing.
    let still = emu.get_bucket_policy(DATA, "drifty-data").await.unwrap();
    assert_eq!(still, live);

    // The plan agrees with drift.
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# s3_bucket_policy.drifty-data will be updated in-place"),
        "{plan}"
    );
    assert!(plan.stdout.contains("s3:PutObject"), "{plan}");
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );

    ws.apply();
    let repaired = emu.get_bucket_policy(DATA, "drifty-data").await.unwrap();
    let ours = statement_by_sid(&repaired, "QuiltCrossAccountAccess").unwrap();
    assert!(
        actions(&ours).contains(&"s3:putobject".to_string()),
        "s3:PutObject is back: {repaired:#}"
    );
    assert_eq!(actions(&ours).len(), 14);
    assert_eq!(
        statement_by_sid(&repaired, "SecurityTeamDenyInsecureTransport"),
        foreign_before,
        "the foreign statement is untouched by the repair"
    );

    ws.xacct(&["drift"]).expect_code(0);
    assert_converged(&ws);
}

#[tokio::test]
async fn deleted_policy_and_changed_ownership_are_drift() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "gone-data").await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "gone-data",
        Some("BucketOwnerEnforced"),
        Some(("QuiltReadOnly", "[s3:GetObject]")),
    )]));
    ws.apply();
    assert_converged(&ws);

    emu.delete_bucket_policy(DATA, "gone-data").await;
    emu.put_ownership(DATA, "gone-data", "ObjectWriter").await;

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    for address in [
        "s3_bucket_policy.gone-data",
        "s3_ownership_controls.gone-data",
    ] {
        assert!(
            drift.stdout.contains(address),
            "drift names {address}: {drift}"
        );
    }
    assert!(drift.stdout.contains("ObjectWriter"), "{drift}");

    ws.apply();
    assert_eq!(
        emu.get_ownership(DATA, "gone-data").await.as_deref(),
        Some("BucketOwnerEnforced")
    );
    assert!(emu.get_bucket_policy(DATA, "gone-data").await.is_some());
    ws.xacct(&["drift"]).expect_code(0);
    assert_converged(&ws);
}
