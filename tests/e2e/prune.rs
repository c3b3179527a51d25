//! `prune: true` on an account: its buckets and topics that the spec does
//! not list are searched for xacct's slice, which is planned for removal
//! under the usual addresses, marked as pruning; everyone else's statements
//! and entries stay as read, and objects without any of xacct's slice are
//! not written.

use crate::support::{
    allow_s3_publish, assert_converged, create_topic, deny_insecure_transport, get_notifications,
    put_notifications, set_topic_policy, sids, spec_accounts, topic_notification, topic_policy_of,
    Emulator, Workspace, DATA,
};
use aws_sdk_s3::types::NotificationConfiguration;
use serde_json::{json, Value};

/// The spec lists one bucket; the data account prunes when `prune` says so.
fn spec(prune: bool) -> String {
    let accounts = spec_accounts();
    let accounts = if prune {
        format!("{accounts}\x20   prune: true\n")
    } else {
        accounts
    };
    format!(
        "{accounts}buckets:\n\
         \x20 kept-data:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [\"arn:aws:iam::111111111111:role/QuiltLambdaRole\"]\n\
         \x20       actions: [s3:GetObject]\n"
    )
}

fn our_statement(bucket: &str) -> Value {
    json!({
        "Sid": "QuiltOldAccess",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{bucket}/*"),
    })
}

/// `old-data` and `old-events`, dropped from the spec long ago, still carry
/// xacct's statements and notification entry next to other teams' content;
/// `quiet-data` carries only another team's statement.
async fn world() -> (Emulator, String) {
    let emu = Emulator::start();
    for bucket in ["kept-data", "old-data", "quiet-data"] {
        emu.create_bucket(DATA, bucket).await;
    }
    emu.put_bucket_policy(
        DATA,
        "old-data",
        &json!({"Version": "2012-10-17", "Statement": [
            deny_insecure_transport("old-data"),
            our_statement("old-data"),
        ]}),
    )
    .await;
    emu.put_bucket_policy(
        DATA,
        "quiet-data",
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("quiet-data")]}),
    )
    .await;
    let old_events = create_topic(&emu, DATA, "old-events").await;
    allow_s3_publish(&emu, DATA, &old_events, "old-data").await;
    let mut topic_policy = topic_policy_of(&emu, DATA, &old_events).await;
    topic_policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(json!({
            "Sid": "QuiltCrossAccountSNSAccess",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sns:Subscribe",
            "Resource": old_events,
        }));
    set_topic_policy(&emu, DATA, &old_events, &topic_policy).await;
    put_notifications(
        &emu,
        DATA,
        "old-data",
        NotificationConfiguration::builder()
            .topic_configurations(topic_notification(
                "QuiltSnsNotification",
                &old_events,
                &["s3:ObjectCreated:*"],
                Some("incoming/"),
            ))
            .topic_configurations(topic_notification(
                "AnalyticsTeamEvents",
                &old_events,
                &["s3:ObjectRemoved:*"],
                Some("analytics/"),
            ))
            .build(),
    )
    .await;
    (emu, old_events)
}

async fn notification_ids(emu: &Emulator, bucket: &str) -> Vec<String> {
    get_notifications(emu, DATA, bucket)
        .await
        .topic_configurations()
        .iter()
        .filter_map(|entry| entry.id().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn pruning_removes_exactly_xaccts_slice_from_unlisted_buckets_and_topics() {
    let (emu, old_events) = world().await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(true));

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    for expected in [
        "# s3_bucket_policy.old-data will be destroyed (pruned: the spec does not list it)",
        "- statement \"QuiltOldAccess\" (no longer in the spec)",
        "# s3_bucket_notification.old-data will be destroyed (pruned: the spec does not list it)",
        "- notification \"QuiltSnsNotification\" (no longer in the spec)",
        "# sns_topic_policy.old-events will be destroyed (pruned: the spec does not list it)",
    ] {
        assert!(
            plan.stdout.contains(expected),
            "missing {expected:?}: {plan}"
        );
    }
    assert!(
        !plan.stdout.contains("quiet-data"),
        "a bucket without any of xacct's slice is not part of the plan: {plan}"
    );
    let json = ws.xacct(&["plan", "--format", "json"]);
    let document: Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    let pruned: Vec<&str> = document["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["pruned"] == true)
        .filter_map(|change| change["address"].as_str())
        .collect();
    assert_eq!(
        pruned,
        [
            "s3_bucket_notification.old-data",
            "sns_topic_policy.old-events",
            "s3_bucket_policy.old-data"
        ],
        "in apply order: the notification before the grants it may need"
    );

    let before = emu.log().len();
    ws.apply();
    let requests = emu.requests_since(before);
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("/quiet-data") && (r.contains("PUT ") || r.contains("DELETE "))),
        "quiet-data is not written: {requests:#?}"
    );
    let policy = emu
        .get_bucket_policy(DATA, "old-data")
        .await
        .expect("policy");
    assert_eq!(
        policy["Statement"],
        json!([deny_insecure_transport("old-data")])
    );
    assert_eq!(
        notification_ids(&emu, "old-data").await,
        ["AnalyticsTeamEvents"]
    );
    let mut topic_sids = sids(&topic_policy_of(&emu, DATA, &old_events).await);
    topic_sids.sort();
    assert_eq!(topic_sids, ["AllowS3Publish", "__default_statement_ID"]);
    assert_converged(&ws);
}

#[tokio::test]
async fn without_prune_unlisted_objects_are_left_alone() {
    let (emu, _) = world().await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(false));
    let before = emu.log().len();
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(!plan.stdout.contains("old-data"), "{plan}");
    assert!(!plan.stdout.contains("old-events"), "{plan}");
    let requests = emu.requests_since(before);
    assert!(
        !requests.iter().any(|r| r.contains("/old-data")),
        "nothing unlisted is read: {requests:#?}"
    );
    ws.apply();
    let policy = emu
        .get_bucket_policy(DATA, "old-data")
        .await
        .expect("policy");
    let mut found = sids(&policy);
    found.sort();
    assert_eq!(
        found,
        ["QuiltOldAccess", "SecurityTeamDenyInsecureTransport"]
    );
}

#[test]
fn permissions_for_a_pruning_spec_add_the_listing_actions() {
    let ws = Workspace::with_endpoint("http://127.0.0.1:9");
    ws.write_spec(&spec(true));
    let pruning = ws.xacct(&["permissions", "--mode", "drift", "-f", "deploy.yaml"]);
    pruning.expect_code(0);
    for action in [
        "s3:ListAllMyBuckets",
        "sns:ListTopics",
        "s3:GetBucketLocation",
    ] {
        assert!(pruning.stdout.contains(action), "{action}: {pruning}");
    }
    ws.write_spec(&spec(false));
    let plain = ws.xacct(&["permissions", "--mode", "drift", "-f", "deploy.yaml"]);
    plain.expect_code(0);
    assert!(!plain.stdout.contains("ListAllMyBuckets"), "{plain}");
}

#[tokio::test]
async fn an_unlisted_document_pruning_cannot_plan_is_named_and_strict_fails() {
    let (emu, _) = world().await;
    // Not IAM JSON: S3 would refuse it, moto stores it; another tool's mess.
    emu.put_bucket_policy_text(DATA, "quiet-data", "{\"Statement\": 42}")
        .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(true));
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(
        plan.stderr
            .contains("warning: not pruned: s3_bucket_policy.quiet-data:"),
        "{plan}"
    );
    assert!(
        plan.stdout
            .contains("s3_bucket_policy.old-data will be destroyed"),
        "the rest is still pruned: {plan}"
    );
    let json = ws.xacct(&["plan", "--format", "json"]);
    let document: Value = serde_json::from_str(&json.stdout).expect("plan JSON");
    assert!(
        document["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|warning| warning["rule"] == "not-pruned"
                && warning["message"]
                    .as_str()
                    .is_some_and(|message| message.starts_with("s3_bucket_policy.quiet-data:"))),
        "{document:#}"
    );
    let strict = ws.xacct(&["plan", "--strict"]);
    assert_eq!(strict.code, 1, "{strict}");
    assert!(
        strict
            .stderr
            .contains("could not be read or planned for pruning"),
        "{strict}"
    );
}

#[tokio::test]
async fn discovery_pages_through_every_bucket_and_asks_none_for_its_region() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "kept-data").await;
    // More buckets than one ListBuckets page holds; the one carrying xacct's
    // statement sorts last, on the second page.
    let s3 = emu.s3(DATA).await;
    for n in 0..1000 {
        s3.create_bucket()
            .bucket(format!("filler-{n:04}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("create filler-{n:04}: {e:?}"));
    }
    emu.create_bucket(DATA, "zz-old-data").await;
    emu.put_bucket_policy(
        DATA,
        "zz-old-data",
        &json!({"Version": "2012-10-17", "Statement": [our_statement("zz-old-data")]}),
    )
    .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(true));
    let before = emu.log().len();
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(
        plan.stdout.contains(
            "# s3_bucket_policy.zz-old-data will be destroyed (pruned: the spec does not list it)"
        ),
        "{plan}"
    );
    let requests = emu.requests_since(before);
    let listings = requests.iter().filter(|r| r.contains("GET /?")).count();
    assert_eq!(listings, 2, "two ListBuckets pages: {listings}");
    assert!(
        !requests.iter().any(|r| r.contains("?location")),
        "no GetBucketLocation: each bucket's region came with the listing"
    );
}

#[tokio::test]
async fn a_shard_without_the_pruning_account_prunes_nothing() {
    let (emu, _) = world().await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(true));
    let before = emu.log().len();
    let plan = ws.xacct(&["plan", "--account", "control"]);
    plan.expect_code(0);
    assert!(!plan.stdout.contains("old-data"), "{plan}");
    let requests = emu.requests_since(before);
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("GET /?") || r.contains("/old-data")),
        "the data account is another shard's: nothing of it is listed or read: {requests:#?}"
    );
    let data = ws.xacct(&["plan", "--account", "data"]);
    assert!(
        data.stdout
            .contains("s3_bucket_policy.old-data will be destroyed"),
        "{data}"
    );
}
