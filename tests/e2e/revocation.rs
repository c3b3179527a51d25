//! What xacct granted, it takes back: on a listed bucket, the prefixed
//! statements and notification entries are xacct's whether or not the entry
//! still has `access:` / `notifications:`, so deleting them from the spec
//! plans their removal (and says why), while everyone else's stay as read.

use crate::support::{
    allow_s3_publish, assert_converged, create_topic, deny_insecure_transport, get_notifications,
    put_notifications, sids, spec_accounts, topic_notification, Emulator, Workspace, DATA,
};
use aws_sdk_s3::types::NotificationConfiguration;
use serde_json::{json, Value};

const BUCKET: &str = "revoked-data";
const TOPIC: &str = "quilt-events";
const FOREIGN_ID: &str = "AnalyticsTeamEvents";

/// The bucket granting the control account and notifying our topic.
fn granting_spec() -> String {
    granting_spec_with("")
}

/// [`granting_spec`] with `grants` (YAML entries) before its own grant.
fn granting_spec_with(grants: &str) -> String {
    format!(
        "{}buckets:\n\
         \x20 {BUCKET}:\n\
         \x20   account: data\n\
         \x20   access:\n\
         {grants}\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: [s3:GetObject, s3:ListBucket]\n\
         \x20   notifications:\n\
         \x20     sns_topic: {TOPIC}\n\
         \x20     events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]\n\
         sns_topics:\n\
         \x20 {TOPIC}:\n\
         \x20   account: data\n\
         \x20   name: {TOPIC}\n",
        spec_accounts()
    )
}

/// The same bucket still listed, with neither `access:` nor `notifications:`.
fn listed_only_spec() -> String {
    format!(
        "{}buckets:\n\
         \x20 {BUCKET}:\n\
         \x20   account: data\n\
         sns_topics:\n\
         \x20 {TOPIC}:\n\
         \x20   account: data\n\
         \x20   name: {TOPIC}\n",
        spec_accounts()
    )
}

/// A bucket carrying a security team's Deny and an analytics team's
/// notification, then xacct's grant and entry applied next to them.
async fn granted_world() -> (Emulator, Workspace) {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    create_topic(&emu, DATA, TOPIC).await;
    let analytics = create_topic(&emu, DATA, "analytics-events").await;
    allow_s3_publish(&emu, DATA, &analytics, BUCKET).await;
    emu.put_bucket_policy(
        DATA,
        BUCKET,
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport(BUCKET)]}),
    )
    .await;
    put_notifications(
        &emu,
        DATA,
        BUCKET,
        NotificationConfiguration::builder()
            .topic_configurations(topic_notification(
                FOREIGN_ID,
                &analytics,
                &["s3:ObjectTagging:*"],
                Some("analytics/"),
            ))
            .build(),
    )
    .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&granting_spec());
    ws.apply();
    assert_converged(&ws);
    (emu, ws)
}

async fn notification_ids(emu: &Emulator) -> Vec<String> {
    let mut ids: Vec<String> = get_notifications(emu, DATA, BUCKET)
        .await
        .topic_configurations()
        .iter()
        .filter_map(|entry| entry.id().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn deleting_a_buckets_access_and_notifications_revokes_exactly_xaccts_slice() {
    let (emu, ws) = granted_world().await;
    assert_eq!(
        notification_ids(&emu).await,
        [FOREIGN_ID, "QuiltSnsNotification"]
    );
    let foreign_policy = emu.get_bucket_policy(DATA, BUCKET).await.expect("a policy")["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|statement| statement["Sid"] == "SecurityTeamDenyInsecureTransport")
        .cloned()
        .expect("the security team's statement");

    ws.write_spec(&listed_only_spec());
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "a revocation is a change: {plan}");
    for expected in [
        "# s3_bucket_policy.revoked-data will be destroyed",
        "- statement \"QuiltCrossAccountAccess\" (no longer in the spec)",
        "# s3_bucket_notification.revoked-data will be destroyed",
        "- notification \"QuiltSnsNotification\" (no longer in the spec)",
        "# sns_topic_policy.quilt-events will be destroyed",
        "- statement \"QuiltS3Publish\" (no longer in the spec)",
        "Plan: 0 to add, 0 to change, 3 to destroy.",
    ] {
        assert!(
            plan.stdout.contains(expected),
            "missing {expected:?}: {plan}"
        );
    }

    let json = ws.xacct(&["plan", "--format", "json"]);
    json.expect_code(0);
    let document: Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    let policy_change = document["resource_changes"]
        .as_array()
        .expect("resource changes")
        .iter()
        .find(|change| change["address"] == "s3_bucket_policy.revoked-data")
        .expect("the bucket policy's change");
    assert_eq!(policy_change["action"], "delete");
    assert_eq!(
        policy_change["changes"][0],
        "- statement \"QuiltCrossAccountAccess\" (no longer in the spec)"
    );
    let markdown = ws.xacct(&["plan", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("statement \"QuiltCrossAccountAccess\" (no longer in the spec)"),
        "{markdown}"
    );

    ws.apply();
    let policy = emu.get_bucket_policy(DATA, BUCKET).await.expect("a policy");
    assert_eq!(
        policy["Statement"],
        json!([foreign_policy]),
        "only the security team's statement is left, as read"
    );
    assert_eq!(notification_ids(&emu).await, [FOREIGN_ID]);
    assert_converged(&ws);
}

#[tokio::test]
async fn removing_one_grant_keeps_the_others_and_the_drift_report_says_why() {
    let (emu, ws) = granted_world().await;
    ws.write_spec(&granting_spec_with(
        "\x20     - sid: QuiltReadOnly\n\
         \x20       principals: [control]\n\
         \x20       actions: [s3:GetObject]\n",
    ));
    ws.apply();
    ws.write_spec(&granting_spec());
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 2, "{drift}");
    assert!(
        drift
            .stdout
            .contains("- statement \"QuiltReadOnly\" (no longer in the spec)"),
        "{drift}"
    );
    ws.apply();
    let mut found = sids(&emu.get_bucket_policy(DATA, BUCKET).await.expect("a policy"));
    found.sort();
    assert_eq!(
        found,
        [
            "QuiltCrossAccountAccess",
            "SecurityTeamDenyInsecureTransport"
        ]
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn a_listed_bucket_without_any_prefixed_statement_is_read_but_not_written() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    create_topic(&emu, DATA, TOPIC).await;
    let foreign = json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport(BUCKET)]});
    emu.put_bucket_policy(DATA, BUCKET, &foreign).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&listed_only_spec());
    let before = emu.log().len();
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{plan}");
    assert!(plan.stdout.contains("No changes."), "{plan}");
    let apply = ws.xacct(&["apply", "--auto-approve"]);
    apply.expect_code(0);
    let requests = emu.requests_since(before);
    assert!(
        requests
            .iter()
            .any(|r| r.contains("GET /revoked-data/?policy")),
        "the policy is read, to find prefixed statements: {requests:#?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("PUT ") || r.contains("DELETE ")),
        "nothing is written: {requests:#?}"
    );
    assert_eq!(
        emu.get_bucket_policy(DATA, BUCKET).await,
        Some(foreign),
        "the other team's policy is untouched"
    );
}
