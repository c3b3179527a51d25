//! Managed entries of bucket notification configurations: our topic entry
//! (or the EventBridge flag) set beside other teams' entries, which are
//! written back exactly as read; drift on them caught; overlaps that S3 would
//! refuse reported before anything is written.

use crate::support::{
    allow_s3_publish, assert_converged, create_topic, get_notifications, put_notifications,
    spec_accounts, statement_by_sid, topic_notification, topic_policy_of, Emulator, Workspace,
    DATA,
};
use aws_sdk_s3::types::{NotificationConfiguration, TopicConfiguration};

const BUCKET: &str = "quilt-data";
const OUR_TOPIC: &str = "quilt-events";
const ANALYTICS_TOPIC: &str = "analytics-events";
const ADDRESS: &str = "s3_bucket_notification.quilt-data";
const MANAGED_ID: &str = "QuiltSnsNotification";
const FOREIGN_ID: &str = "AnalyticsTeamEvents";

/// A bucket with our topic and another team's topic (which lets the bucket
/// publish), and the other team's notification already on the bucket.
struct World {
    emu: Emulator,
    ws: Workspace,
    our_topic: String,
    analytics_topic: String,
    foreign: TopicConfiguration,
}

async fn world(foreign_events: &[&str], foreign_prefix: Option<&str>) -> World {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let our_topic = create_topic(&emu, DATA, OUR_TOPIC).await;
    let analytics_topic = create_topic(&emu, DATA, ANALYTICS_TOPIC).await;
    allow_s3_publish(&emu, DATA, &analytics_topic, BUCKET).await;
    put_notifications(
        &emu,
        DATA,
        BUCKET,
        NotificationConfiguration::builder()
            .topic_configurations(topic_notification(
                FOREIGN_ID,
                &analytics_topic,
                foreign_events,
                foreign_prefix,
            ))
            .build(),
    )
    .await;
    let foreign = foreign_entry(&emu)
        .await
        .expect("the foreign entry was put");
    let ws = Workspace::new(&emu);
    ws.write_spec(&sns_spec(""));
    World {
        emu,
        ws,
        our_topic,
        analytics_topic,
        foreign,
    }
}

/// The analytics team's usual entry: tagging events under `analytics/`.
async fn analytics_world() -> World {
    world(&["s3:ObjectTagging:*"], Some("analytics/")).await
}

/// The bucket sends object events to our topic; `extra` goes under `notifications:`.
fn sns_spec(extra: &str) -> String {
    format!(
        "{}buckets:\n\
         \x20 {BUCKET}:\n\
         \x20   account: data\n\
         \x20   notifications:\n\
         \x20     sns_topic: {OUR_TOPIC}\n\
         \x20     events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]\n\
         {extra}\
         sns_topics:\n\
         \x20 {OUR_TOPIC}:\n\
         \x20   account: data\n\
         \x20   name: {OUR_TOPIC}\n",
        spec_accounts()
    )
}

/// The bucket feeds EventBridge instead; the topic stays declared.
fn eventbridge_spec() -> String {
    format!(
        "{}buckets:\n\
         \x20 {BUCKET}:\n\
         \x20   account: data\n\
         \x20   notifications:\n\
         \x20     eventbridge: true\n\
         sns_topics:\n\
         \x20 {OUR_TOPIC}:\n\
         \x20   account: data\n\
         \x20   name: {OUR_TOPIC}\n",
        spec_accounts()
    )
}

async fn topic_entry(emu: &Emulator, id: &str) -> Option<TopicConfiguration> {
    get_notifications(emu, DATA, BUCKET)
        .await
        .topic_configurations()
        .iter()
        .find(|entry| entry.id() == Some(id))
        .cloned()
}

async fn foreign_entry(emu: &Emulator) -> Option<TopicConfiguration> {
    topic_entry(emu, FOREIGN_ID).await
}

fn sorted_events(entry: &TopicConfiguration) -> Vec<String> {
    let mut events: Vec<String> = entry
        .events()
        .iter()
        .map(|e| e.as_str().to_string())
        .collect();
    events.sort();
    events
}

/// Our entry is on the bucket with the spec's topic and events.
async fn assert_managed_entry(world: &World) {
    let ours = topic_entry(&world.emu, MANAGED_ID)
        .await
        .expect("our notification entry is on the bucket");
    assert_eq!(ours.topic_arn(), world.our_topic);
    assert_eq!(
        sorted_events(&ours),
        vec!["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    );
    assert!(ours.filter().is_none(), "our entry has no key filter");
}

async fn assert_foreign_intact(world: &World) {
    assert_eq!(
        foreign_entry(&world.emu).await.as_ref(),
        Some(&world.foreign),
        "the other team's entry is kept exactly"
    );
}

#[tokio::test]
async fn first_apply_adds_our_entry_beside_the_foreign_one() {
    let world = analytics_world().await;
    let ws = &world.ws;

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains(&format!("# {ADDRESS} will be created")),
        "{plan}"
    );
    assert!(plan.stdout.contains(MANAGED_ID), "{plan}");
    assert!(
        plan.stdout.contains("sns_topic_policy.quilt-events"),
        "the topic policy gets the publish grant: {plan}"
    );
    assert!(
        plan.stdout
            .contains("1 notification entry of others kept unchanged"),
        "{plan}"
    );
    assert!(
        topic_entry(&world.emu, MANAGED_ID).await.is_none(),
        "planning wrote nothing"
    );

    ws.apply();
    assert_managed_entry(&world).await;
    assert_foreign_intact(&world).await;
    assert_eq!(
        get_notifications(&world.emu, DATA, BUCKET)
            .await
            .topic_configurations()
            .len(),
        2
    );
    let policy = topic_policy_of(&world.emu, DATA, &world.our_topic).await;
    let publish = statement_by_sid(&policy, "QuiltS3Publish").expect("the derived statement");
    assert_eq!(publish["Principal"]["Service"], "s3.amazonaws.com");
    assert_converged(ws);
}

#[tokio::test]
async fn drift_catches_a_removed_entry_and_apply_restores_it() {
    let world = analytics_world().await;
    let ws = &world.ws;
    ws.apply();
    ws.xacct(&["drift"]).expect_code(0);

    // Someone rewrites the configuration with only their own entry.
    put_notifications(
        &world.emu,
        DATA,
        BUCKET,
        NotificationConfiguration::builder()
            .topic_configurations(world.foreign.clone())
            .build(),
    )
    .await;

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(drift.stdout.contains(ADDRESS), "drift names it: {drift}");
    assert!(
        !drift.stdout.contains("sns_topic_policy.quilt-events"),
        "only the notification drifted: {drift}"
    );
    assert!(
        topic_entry(&world.emu, MANAGED_ID).await.is_none(),
        "drift writes nothing"
    );

    ws.apply();
    assert_managed_entry(&world).await;
    assert_foreign_intact(&world).await;
    assert_converged(ws);
}

#[tokio::test]
async fn switching_from_sns_to_eventbridge_and_back() {
    let world = analytics_world().await;
    let ws = &world.ws;
    ws.apply();
    assert_converged(ws);

    ws.write_spec(&eventbridge_spec());
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains(&format!("# {ADDRESS} will be updated in-place")),
        "{plan}"
    );
    ws.apply();
    let live = get_notifications(&world.emu, DATA, BUCKET).await;
    assert!(
        live.event_bridge_configuration().is_some(),
        "EventBridge is on"
    );
    assert!(
        topic_entry(&world.emu, MANAGED_ID).await.is_none(),
        "our topic entry is gone"
    );
    assert_foreign_intact(&world).await;
    let policy = topic_policy_of(&world.emu, DATA, &world.our_topic).await;
    assert!(
        statement_by_sid(&policy, "QuiltS3Publish").is_none(),
        "no bucket publishes to the topic any more"
    );
    assert_converged(ws);

    // Back to SNS, turning EventBridge off explicitly.
    ws.write_spec(&sns_spec("\x20     eventbridge: false\n"));
    ws.apply();
    let live = get_notifications(&world.emu, DATA, BUCKET).await;
    assert!(
        live.event_bridge_configuration().is_none(),
        "EventBridge is off"
    );
    assert_managed_entry(&world).await;
    assert_foreign_intact(&world).await;
    assert_converged(ws);
}

#[tokio::test]
async fn an_overlapping_foreign_entry_fails_the_plan_and_nothing_is_written() {
    let world = world(&["s3:ObjectCreated:*"], None).await;
    let ws = &world.ws;
    let policy_before = topic_policy_of(&world.emu, DATA, &world.our_topic).await;

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(1);
    let output = format!("{}{}", plan.stdout, plan.stderr);
    assert!(output.contains(ADDRESS), "{plan}");
    assert!(
        output.contains(FOREIGN_ID),
        "names the foreign entry: {plan}"
    );
    assert!(
        output.contains(&world.analytics_topic),
        "names its destination: {plan}"
    );
    assert!(
        output.contains("s3:ObjectCreated:*"),
        "names the event: {plan}"
    );

    let apply = ws.xacct(&["apply", "--auto-approve"]);
    apply.expect_code(1);
    assert!(
        format!("{}{}", apply.stdout, apply.stderr).contains(FOREIGN_ID),
        "{apply}"
    );
    let live = get_notifications(&world.emu, DATA, BUCKET).await;
    assert_eq!(
        live.topic_configurations(),
        std::slice::from_ref(&world.foreign),
        "the configuration is untouched"
    );
    assert_eq!(
        topic_policy_of(&world.emu, DATA, &world.our_topic).await,
        policy_before,
        "the topic policy is untouched"
    );
}

#[tokio::test]
async fn a_bucket_that_never_had_notifications_gets_ours() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let our_topic = create_topic(&emu, DATA, OUR_TOPIC).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&sns_spec(""));

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains(&format!("# {ADDRESS} will be created")),
        "{plan}"
    );

    ws.apply();
    let live = get_notifications(&emu, DATA, BUCKET).await;
    assert_eq!(live.topic_configurations().len(), 1, "{live:?}");
    assert_eq!(live.topic_configurations()[0].id(), Some(MANAGED_ID));
    assert_eq!(live.topic_configurations()[0].topic_arn(), our_topic);
    assert_converged(&ws);
}
