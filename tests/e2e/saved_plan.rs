//! GitOps: a pull request saves the plan, the merge applies exactly that
//! plan, and a plan that no longer matches the world is refused whole.

use crate::support::{
    assert_converged, data_bucket, deny_insecure_transport, spec_with_buckets, statement_by_sid,
    Emulator, Workspace, DATA,
};
use serde_json::{json, Value};

async fn world() -> (Emulator, Workspace) {
    let emu = Emulator::start();
    for bucket in ["gitops-data", "gitops-logs"] {
        emu.create_bucket(DATA, bucket).await;
    }
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[
        data_bucket(
            "gitops-data",
            None,
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
        data_bucket(
            "gitops-logs",
            None,
            Some(("QuiltReadLogs", "[s3:GetObject, s3:ListBucket]")),
        ),
    ]));
    (emu, ws)
}

#[tokio::test]
async fn a_saved_plan_is_shown_and_applied_exactly() {
    let (emu, ws) = world().await;
    let plan = ws.xacct(&["plan", "--out", "reviewed.plan"]);
    plan.expect_code(0);
    assert!(
        plan.stderr.contains("Saved the plan to reviewed.plan"),
        "{plan}"
    );

    let show = ws.xacct(&["show", "reviewed.plan"]);
    show.expect_code(0);
    assert_eq!(
        show.stdout, plan.stdout,
        "show renders the saved plan as plan did"
    );
    let markdown = ws.xacct(&["show", "reviewed.plan", "--format", "markdown"]);
    markdown.expect_code(0);
    assert!(
        markdown
            .stdout
            .contains("<code>s3_bucket_policy.gitops-data</code> will be created"),
        "{markdown}"
    );

    // No --auto-approve and no terminal: a saved plan was reviewed already.
    let apply = ws.xacct(&["apply", "reviewed.plan"]);
    apply.expect_code(0);
    assert!(
        apply.stdout.contains("Apply complete! Resources: 2 added"),
        "{apply}"
    );
    for (bucket, sid) in [
        ("gitops-data", "QuiltCrossAccountAccess"),
        ("gitops-logs", "QuiltReadLogs"),
    ] {
        let policy = emu
            .get_bucket_policy(DATA, bucket)
            .await
            .expect("policy written");
        assert!(
            statement_by_sid(&policy, sid).is_some(),
            "{bucket}: {policy}"
        );
    }
    assert_converged(&ws);
}

#[tokio::test]
async fn a_saved_plan_is_refused_whole_after_an_out_of_band_change() {
    let (emu, ws) = world().await;
    ws.xacct(&["plan", "--out", "reviewed.plan"]).expect_code(0);

    // Someone changes one of the two buckets after the review.
    let theirs =
        json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("gitops-logs")]});
    emu.put_bucket_policy(DATA, "gitops-logs", &theirs).await;

    let apply = ws.xacct(&["apply", "reviewed.plan"]);
    apply.expect_code(1);
    assert!(apply.stderr.contains("stale"), "{apply}");
    assert!(
        apply.stderr.contains("s3_bucket_policy.gitops-logs"),
        "{apply}"
    );
    assert!(
        !apply.stderr.contains("s3_bucket_policy.gitops-data"),
        "only the changed one is named: {apply}"
    );
    // Nothing at all was written, not even to the unchanged bucket.
    assert_eq!(emu.get_bucket_policy(DATA, "gitops-data").await, None);
    assert_eq!(
        emu.get_bucket_policy(DATA, "gitops-logs").await,
        Some(theirs)
    );
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_corrupted_from_a_future_format_or_another_spec() {
    let (emu, ws) = world().await;
    ws.xacct(&["plan", "--out", "reviewed.plan"]).expect_code(0);
    let text = std::fs::read_to_string(ws.path().join("reviewed.plan")).expect("plan file");

    ws.write_file(
        "edited.plan",
        &text.replace("s3:ListBucket", "s3:DeleteBucket"),
    );
    ws.write_file("truncated.plan", &text[..text.len() / 2]);
    let mut future: Value = serde_json::from_str(&text).expect("plan file is JSON");
    future["format_version"] = json!(99);
    ws.write_file("future.plan", &future.to_string());

    for (file, expected) in [
        ("edited.plan", "corrupted"),
        ("truncated.plan", "not a plan file"),
        ("future.plan", "format version 99"),
        ("missing.plan", "cannot read the plan file"),
    ] {
        let apply = ws.xacct(&["apply", file]);
        apply.expect_code(1);
        assert!(apply.stderr.contains(expected), "{file}: {apply}");
        assert!(!apply.stderr.contains("panicked"), "{apply}");
        let show = ws.xacct(&["show", file]);
        show.expect_code(1);
    }

    // The spec changed since the plan was made.
    let spec = std::fs::read_to_string(ws.path().join("deploy.yaml")).expect("spec");
    ws.write_spec(&spec.replace("s3:ListBucket", "s3:ListBucketVersions"));
    let apply = ws.xacct(&["apply", "reviewed.plan"]);
    apply.expect_code(1);
    assert!(apply.stderr.contains("the spec changed"), "{apply}");

    for bucket in ["gitops-data", "gitops-logs"] {
        assert_eq!(
            emu.get_bucket_policy(DATA, bucket).await,
            None,
            "{bucket} untouched"
        );
    }
}
