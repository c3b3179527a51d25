//! `xacct permissions` prints IAM policies: read-only for drift, read and
//! write for apply, covering the calls xacct makes (a unit test in xacct-aws
//! keeps that list equal to the code's SDK calls).

use std::process::Command;

use serde_json::Value;

fn permissions(mode: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(["permissions", "--mode", mode])
        .output()
        .expect("run xacct");
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("the policy is JSON")
}

fn actions(policy: &Value) -> Vec<String> {
    assert_eq!(policy["Version"], "2012-10-17");
    let statements = policy["Statement"].as_array().expect("statements");
    assert!(!statements.is_empty());
    let mut actions = Vec::new();
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow");
        assert!(statement["Resource"].is_string() || statement["Resource"].is_array());
        for action in statement["Action"].as_array().expect("action list") {
            let action = action.as_str().expect("action name");
            let (service, name) = action.split_once(':').expect("service:Action");
            assert!(
                ["s3", "sns", "cloudtrail", "sts"].contains(&service),
                "{action}"
            );
            assert!(
                name.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                "{action}"
            );
            actions.push(action.to_string());
        }
    }
    actions
}

#[test]
fn drift_needs_only_reads_and_apply_adds_the_writes() {
    let drift = actions(&permissions("drift"));
    let apply = actions(&permissions("apply"));
    for read in [
        "s3:GetBucketPolicy",
        "s3:GetBucketOwnershipControls",
        "s3:GetBucketNotification",
        "sns:GetTopicAttributes",
        "cloudtrail:GetEventSelectors",
        "sts:GetCallerIdentity",
    ] {
        assert!(drift.contains(&read.to_string()), "drift needs {read}");
        assert!(apply.contains(&read.to_string()), "apply needs {read}");
    }
    for write in [
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketNotification",
        "sns:SetTopicAttributes",
        "cloudtrail:PutEventSelectors",
    ] {
        assert!(
            !drift.contains(&write.to_string()),
            "drift must not get {write}"
        );
        assert!(apply.contains(&write.to_string()), "apply needs {write}");
    }
}

#[test]
fn verify_adds_the_probes_to_the_reads_but_no_configuration_write() {
    let verify = actions(&permissions("verify"));
    let apply = actions(&permissions("apply"));
    for probe in [
        "s3:ListBucket",
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:GetObjectAcl",
        "s3:GetBucketAcl",
        "cloudtrail:GetTrailStatus",
    ] {
        assert!(verify.contains(&probe.to_string()), "verify needs {probe}");
        assert!(
            !apply.contains(&probe.to_string()),
            "apply must not get {probe}"
        );
    }
    for read in [
        "s3:GetBucketPolicy",
        "sns:GetTopicAttributes",
        "cloudtrail:GetEventSelectors",
    ] {
        assert!(verify.contains(&read.to_string()), "verify needs {read}");
    }
    for write in [
        "s3:PutBucketPolicy",
        "sns:SetTopicAttributes",
        "cloudtrail:PutEventSelectors",
    ] {
        assert!(
            !verify.contains(&write.to_string()),
            "verify must not get {write}"
        );
    }
}
