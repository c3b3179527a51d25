//! `--format json`: one document with format_version, resource_changes and
//! summary.

use crate::support::{
    assert_converged, data_bucket, deny_insecure_transport, spec_with_buckets, Emulator, Run,
    Workspace, DATA,
};
use serde_json::{json, Value};

fn parse(run: &Run) -> Value {
    serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {run}"))
}

fn changes(doc: &Value) -> Vec<(String, String)> {
    let list = doc["resource_changes"]
        .as_array()
        .unwrap_or_else(|| panic!("resource_changes is an array: {doc:#}"));
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|c| {
            assert!(c.get("before").is_some(), "before present: {c:#}");
            assert!(c.get("after").is_some(), "after present: {c:#}");
            (
                c["address"].as_str().expect("address").to_string(),
                c["action"].as_str().expect("action").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn plan_json_has_format_version_changes_and_summary() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "json-data", Some("ObjectWriter"))
        .await;
    emu.put_bucket_policy(
        DATA,
        "json-data",
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("json-data")]}),
    )
    .await;
    emu.create_bucket(DATA, "json-other").await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[
        data_bucket(
            "json-data",
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
        data_bucket("json-other", Some("BucketOwnerEnforced"), None),
    ]));

    let run = ws.xacct(&["plan", "--format", "json"]);
    run.expect_code(0);
    let doc = parse(&run);
    assert!(doc.get("format_version").is_some(), "{doc:#}");
    let got = changes(&doc);
    // Every listed bucket's policy and notifications are read (for xacct's
    // statements and entries the spec may no longer ask for).
    let want = vec![
        (
            "s3_bucket_notification.json-data".to_string(),
            "no-op".to_string(),
        ),
        (
            "s3_bucket_notification.json-other".to_string(),
            "no-op".to_string(),
        ),
        (
            "s3_bucket_policy.json-data".to_string(),
            "create".to_string(),
        ),
        (
            "s3_bucket_policy.json-other".to_string(),
            "no-op".to_string(),
        ),
        (
            "s3_ownership_controls.json-data".to_string(),
            "update".to_string(),
        ),
        (
            "s3_ownership_controls.json-other".to_string(),
            "no-op".to_string(),
        ),
    ];
    assert_eq!(got, want, "{doc:#}");
    assert_eq!(
        doc["summary"],
        json!({"add": 1, "change": 1, "destroy": 0}),
        "{doc:#}"
    );
    let policy_change = doc["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "s3_bucket_policy.json-data")
        .unwrap();
    assert!(
        policy_change["after"]
            .to_string()
            .contains("QuiltCrossAccountAccess"),
        "after shows our statement: {policy_change:#}"
    );

    // --detailed-exitcode composes with json.
    ws.xacct(&["plan", "--format", "json", "--detailed-exitcode"])
        .expect_code(2);

    ws.apply();
    assert_converged(&ws);

    let run = ws.xacct(&["plan", "--format", "json", "--detailed-exitcode"]);
    run.expect_code(0);
    let doc = parse(&run);
    assert!(
        changes(&doc).iter().all(|(_, action)| action == "no-op"),
        "{doc:#}"
    );
    assert_eq!(doc["summary"], json!({"add": 0, "change": 0, "destroy": 0}));

    // drift --format json: one document too; exit 2 after tampering.
    emu.put_ownership(DATA, "json-other", "ObjectWriter").await;
    let run = ws.xacct(&["drift", "--format", "json"]);
    run.expect_code(2);
    let doc = parse(&run);
    assert!(
        doc.to_string().contains("s3_ownership_controls.json-other"),
        "{doc:#}"
    );
}
