//! Managed statements of SNS topic policies: our grants and the derived S3
//! publish statement merged beside AWS's default statement and other people's,
//! compared by meaning, never deleting the policy.

use crate::support::{
    assert_converged, sids, sns_client, spec_accounts, statement_by_sid, topic_policy_of,
    topic_spec, Emulator, Workspace, DATA, REGION,
};
use serde_json::{json, Value};

const TOPIC: &str = "quilt-events";

fn topic_arn() -> String {
    format!("arn:aws:sns:{REGION}:{DATA}:{TOPIC}")
}

async fn topic_policy(emu: &Emulator) -> Value {
    topic_policy_of(emu, DATA, &topic_arn()).await
}

async fn set_topic_policy(emu: &Emulator, policy: &Value) {
    crate::support::set_topic_policy(emu, DATA, &topic_arn(), policy).await;
}

/// Another team's statement, as they wrote it.
fn monitoring_statement() -> Value {
    json!({
        "Sid": "MonitoringTeamSubscribe",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::333333333333:role/Monitoring"},
        "Action": "sns:Subscribe",
        "Resource": topic_arn()
    })
}

/// A world with the topic (AWS's default policy plus another team's
/// statement) and the spec granting the control account, with `grant_actions`.
async fn world(grant_actions: &str) -> (Emulator, Workspace, Value) {
    let emu = Emulator::start();
    sns_client(&emu, DATA)
        .await
        .create_topic()
        .name(TOPIC)
        .send()
        .await
        .expect("create topic");
    let mut policy = topic_policy(&emu).await;
    policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(monitoring_statement());
    set_topic_policy(&emu, &policy).await;
    let before = topic_policy(&emu).await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(grant_actions));
    (emu, ws, before)
}

fn spec(grant_actions: &str) -> String {
    format!("{}{}", spec_accounts(), topic_spec(TOPIC, grant_actions))
}

fn foreign(policy: &Value) -> Vec<Value> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| !s["Sid"].as_str().unwrap_or("").starts_with("Quilt"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn apply_adds_our_grant_beside_the_default_and_foreign_statements() {
    let (emu, ws, before) = world("[sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe]").await;

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# sns_topic_policy.quilt-events will be created"),
        "{plan}"
    );
    assert!(
        plan.stdout
            .contains("2 statements of others kept unchanged"),
        "{plan}"
    );

    ws.apply().expect_code(0);
    let after = topic_policy(&emu).await;
    assert_eq!(
        foreign(&after),
        foreign(&before),
        "others' statements kept exactly"
    );
    assert_eq!(
        after["Id"], before["Id"],
        "the document's Id is never rewritten"
    );
    assert_eq!(after["Version"], before["Version"]);
    let ours = statement_by_sid(&after, "QuiltCrossAccountSNSAccess").expect("our grant");
    assert_eq!(ours["Resource"], json!(topic_arn()));
    assert_converged(&ws);
}

#[tokio::test]
async fn aws_normalised_rewrite_of_the_topic_policy_plans_nothing() {
    let (emu, ws, _) = world("[sns:Subscribe, sns:GetTopicAttributes]").await;
    ws.apply().expect_code(0);

    // What AWS does to a stored policy: one-element arrays become scalars,
    // account ids become root ARNs (or back), keys and statements reorder,
    // action names change case.
    let mut policy = topic_policy(&emu).await;
    let statements = policy["Statement"].as_array_mut().expect("statements");
    for statement in statements.iter_mut() {
        if statement["Sid"] == "QuiltCrossAccountSNSAccess" {
            *statement = json!({
                "Resource": topic_arn(),
                "Action": ["SNS:gettopicattributes", "SNS:SUBSCRIBE"],
                "Principal": {"AWS": "111111111111"},
                "Effect": "Allow",
                "Sid": "QuiltCrossAccountSNSAccess"
            });
        }
    }
    statements.reverse();
    set_topic_policy(&emu, &policy).await;

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(0);
    assert!(plan.stdout.contains("No changes."), "{plan}");
}

#[tokio::test]
async fn drift_catches_a_removed_statement_and_apply_restores_it() {
    let (emu, ws, _) = world("[sns:Subscribe]").await;
    ws.apply().expect_code(0);

    let mut policy = topic_policy(&emu).await;
    policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .retain(|s| s["Sid"] != "QuiltCrossAccountSNSAccess");
    set_topic_policy(&emu, &policy).await;

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift.stdout.contains("sns_topic_policy.quilt-events"),
        "{drift}"
    );
    assert!(
        drift.stdout.contains("QuiltCrossAccountSNSAccess"),
        "{drift}"
    );

    ws.apply().expect_code(0);
    assert!(sids(&topic_policy(&emu).await).contains(&"QuiltCrossAccountSNSAccess".to_string()));
    assert_converged(&ws);
}

#[tokio::test]
async fn removing_our_grants_writes_the_rest_back_and_keeps_the_policy() {
    let (emu, ws, before) = world("[sns:Subscribe]").await;
    ws.apply().expect_code(0);

    ws.write_spec(&format!(
        "{}sns_topics:\n\
         \x20 {TOPIC}:\n\
         \x20   account: data\n\
         \x20   name: {TOPIC}\n",
        spec_accounts()
    ));
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("# sns_topic_policy.quilt-events will be destroyed"),
        "{plan}"
    );
    ws.apply().expect_code(0);
    let after = topic_policy(&emu).await;
    assert_eq!(
        after["Statement"], before["Statement"],
        "back to exactly what others had"
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn a_missing_topic_fails_the_plan_naming_topic_account_and_region() {
    let emu = Emulator::start();
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("[sns:Subscribe]"));

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(1);
    for expected in [
        "sns_topic_policy.quilt-events",
        "does not exist",
        DATA,
        REGION,
    ] {
        assert!(
            plan.stderr.contains(expected),
            "stderr names {expected:?}: {plan}"
        );
    }
    ws.xacct(&["apply", "--auto-approve"]).expect_code(1);
}
