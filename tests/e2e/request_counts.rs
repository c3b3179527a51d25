//! API frugality, counted by operation through the project's fault proxy
//! (with no faults): a converged `apply` writes nothing, and a converged
//! `plan` reads each managed document exactly once plus one credential call
//! per account.

use std::collections::BTreeMap;

use crate::support::{
    self, allow_s3_publish, assert_converged, create_topic, create_trail, data_bucket,
    deny_insecure_transport, proxied_workspace, put_basic_selectors, put_notifications,
    s3_basic_selector, spec_accounts, topic_notification, topic_spec, Emulator, CONTROL, DATA,
    REGION, TOPIC_ACTIONS,
};
use aws_sdk_s3::types::NotificationConfiguration;
use serde_json::json;
use xacct_fault_proxy::Stats;

/// Buckets in the data account.
const N: usize = 4;

fn bucket(i: usize) -> String {
    format!("counted-data-{i}")
}

/// The operations of a run as `service:Operation -> count`.
fn by_operation(stats: &Stats) -> BTreeMap<String, u64> {
    stats
        .by_operation
        .iter()
        .map(|(op, n)| (op.to_string(), *n))
        .collect()
}

fn expected(entries: &[(&str, u64)]) -> BTreeMap<String, u64> {
    entries.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// `buckets:` entries managing ownership and the policy of each bucket;
/// `extra` is appended to each bucket.
fn bucket_specs(extra: &str) -> String {
    let mut out = String::from("buckets:\n");
    for i in 0..N {
        out.push_str(&data_bucket(
            &bucket(i),
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ));
        out.push_str(extra);
    }
    out
}

/// N buckets, one of them with a security team's statement; the first apply
/// goes through the proxy too.
async fn buckets(emu: &Emulator) {
    for i in 0..N {
        emu.create_bucket(DATA, &bucket(i)).await;
    }
    emu.put_bucket_policy(
        DATA,
        &bucket(0),
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport(&bucket(0))]}),
    )
    .await;
}

/// Runs the first apply, then counts a second apply and a plan.
fn count_converged_runs(
    proxy: &xacct_fault_proxy::FaultProxy,
    ws: &support::Workspace,
) -> (Stats, Stats) {
    ws.apply();
    let first = proxy.stats();
    assert!(
        !first.writes().is_empty(),
        "the first apply wrote through the proxy: {first:?}"
    );

    proxy.reset_stats();
    let again = ws.xacct(&["apply", "--auto-approve"]);
    again.expect_code(0);
    let apply = proxy.stats();

    proxy.reset_stats();
    assert_converged(ws);
    let plan = proxy.stats();
    (apply, plan)
}

#[tokio::test]
async fn converged_bucket_runs_read_each_document_once_and_write_nothing() {
    let emu = Emulator::start();
    buckets(&emu).await;
    let (proxy, ws) = proxied_workspace(&emu, |c| c);
    ws.write_spec(&format!("{}{}", spec_accounts(), bucket_specs("")));

    let (apply, plan) = count_converged_runs(&proxy, &ws);
    assert!(
        apply.writes().is_empty(),
        "a converged apply makes no write call: {:?}",
        apply.writes()
    );
    // Only the data account is used by the buckets: one AssumeRole for it
    // (xacct connects only the accounts a resource needs; the role's account
    // is checked against the spec from the role ARN, so no
    // GetCallerIdentity). Then exactly one read per managed document: for
    // each of the N buckets its ownership controls, its policy, and its
    // notification configuration (read for every listed bucket, to find
    // xacct's entries that the spec no longer asks for).
    let reads = expected(&[
        ("sts:AssumeRole", 1),
        ("s3:GetBucketOwnershipControls", N as u64),
        ("s3:GetBucketPolicy", N as u64),
        ("s3:GetBucketNotificationConfiguration", N as u64),
    ]);
    assert_eq!(by_operation(&plan), reads, "converged plan");
    // A converged apply plans the same way and then stops.
    assert_eq!(by_operation(&apply), reads, "converged apply");
    assert_eq!(plan.outcome("forwarded"), plan.total());
}

#[tokio::test]
async fn converged_full_world_runs_read_each_document_once_and_write_nothing() {
    let emu = Emulator::start();
    buckets(&emu).await;
    // Our topic, and another team's topic with an entry on bucket 0.
    create_topic(&emu, DATA, "quilt-events").await;
    let analytics = create_topic(&emu, DATA, "analytics-events").await;
    allow_s3_publish(&emu, DATA, &analytics, &bucket(0)).await;
    put_notifications(
        &emu,
        DATA,
        &bucket(0),
        NotificationConfiguration::builder()
            .topic_configurations(topic_notification(
                "AnalyticsTeamEvents",
                &analytics,
                &["s3:ObjectTagging:*"],
                Some("analytics/"),
            ))
            .build(),
    )
    .await;
    // A trail in the control account with another team's bucket logged.
    create_trail(&emu, CONTROL, "quilt-trail").await;
    put_basic_selectors(
        &emu,
        CONTROL,
        "quilt-trail",
        vec![s3_basic_selector(&["arn:aws:s3:::other-team-bucket/"])],
    )
    .await;

    let (proxy, ws) = proxied_workspace(&emu, |c| c);
    ws.write_spec(&format!(
        "{}{}{}cloudtrail:\n\
         \x20 trail: quilt-trail\n\
         \x20 account: control\n\
         \x20 region: {REGION}\n\
         \x20 selector_mode: basic\n",
        spec_accounts(),
        topic_spec("quilt-events", TOPIC_ACTIONS),
        bucket_specs(
            "\x20   notifications:\n\
             \x20     sns_topic: quilt-events\n\
             \x20     events: [\"s3:ObjectCreated:*\"]\n\
             \x20   cloudtrail: true\n"
        )
    ));

    let (apply, plan) = count_converged_runs(&proxy, &ws);
    assert!(
        apply.writes().is_empty(),
        "a converged apply makes no write call: {:?}",
        apply.writes()
    );
    // Two accounts, one AssumeRole each (data: buckets and topic; control:
    // the trail). One read per managed document: per bucket its ownership
    // controls, policy and notification configuration; the topic's
    // attributes (its policy); the trail's event selectors. Nothing else:
    // no GetTrail/DescribeTrails, no GetCallerIdentity, no second read of the
    // trail although all N buckets depend on it.
    let reads = expected(&[
        ("sts:AssumeRole", 2),
        ("s3:GetBucketOwnershipControls", N as u64),
        ("s3:GetBucketPolicy", N as u64),
        ("s3:GetBucketNotificationConfiguration", N as u64),
        ("sns:GetTopicAttributes", 1),
        ("cloudtrail:GetEventSelectors", 1),
    ]);
    assert_eq!(by_operation(&plan), reads, "converged plan");
    assert_eq!(by_operation(&apply), reads, "converged apply");
}
