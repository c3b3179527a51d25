//! `xacct export cloudformation`: the template holds exactly the managed
//! statements `apply` writes (the derived S3 publish statement included),
//! one stack per (account, region), and a bad spec prints nothing.

use crate::support::{
    assert_converged, create_topic, deny_insecure_transport, spec_accounts, topic_policy_of,
    topic_spec, Emulator, Workspace, CONTROL, DATA, REGION, TOPIC_ACTIONS,
};
use serde_json::Value;
use xacct_policy::{PolicyDocument, Statement};

const DATA_BUCKET: &str = "quilt-data";
const CONTROL_BUCKET: &str = "quilt-control-logs";
const TOPIC: &str = "quilt-events";

/// Cross-account and role grants on a data bucket that notifies a topic
/// (so the topic gets the derived publish statement), and a control-account
/// bucket readable from the data account: two stacks.
fn spec() -> String {
    format!(
        "{}buckets:\n\
         \x20 {DATA_BUCKET}:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: quilt\n\
         \x20     - sid: QuiltSpecificRoleAccess\n\
         \x20       principals: [\"arn:aws:iam::{CONTROL}:role/QuiltLambdaRole\"]\n\
         \x20       actions: [s3:GetObject, s3:ListBucket, s3:PutObject]\n\
         \x20   notifications:\n\
         \x20     sns_topic: {TOPIC}\n\
         \x20     events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]\n\
         \x20 {CONTROL_BUCKET}:\n\
         \x20   account: control\n\
         \x20   access:\n\
         \x20     - sid: QuiltDataAccountRead\n\
         \x20       principals: [data]\n\
         \x20       actions: [s3:GetObject]\n\
         {topic}",
        spec_accounts(),
        topic = topic_spec(TOPIC, TOPIC_ACTIONS)
    )
}

/// The statements as one canonical document, so that the comparison is on
/// meaning (AWS's rewrites of what it stores do not count).
fn canonical(statements: Vec<Statement>) -> Value {
    PolicyDocument::new(statements).canonical()
}

/// The managed statements (Sid starting with `Quilt`) of a live policy.
fn managed(policy_text: &str) -> Value {
    let document = PolicyDocument::parse(policy_text).expect("the live policy parses");
    canonical(document.owned("Quilt").cloned().collect())
}

/// The statements of a template resource's PolicyDocument.
fn exported(resource: &Value) -> Value {
    let document = &resource["Properties"]["PolicyDocument"];
    assert_eq!(document["Version"], "2012-10-17", "{resource}");
    let statements = document["Statement"]
        .as_array()
        .expect("Statement is a list")
        .iter()
        .map(|statement| Statement::from_value(statement.clone()).expect("a valid statement"))
        .collect();
    canonical(statements)
}

fn parse_template(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|error| panic!("not YAML ({error}):\n{text}"))
}

fn resources(template: &Value) -> &serde_json::Map<String, Value> {
    template["Resources"].as_object().expect("Resources")
}

#[tokio::test]
async fn the_template_holds_exactly_the_statements_apply_wrote() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, DATA_BUCKET).await;
    emu.create_bucket(CONTROL, CONTROL_BUCKET).await;
    let topic_arn = create_topic(&emu, DATA, TOPIC).await;
    // Someone else's statement, which apply keeps and the export leaves out.
    emu.put_bucket_policy(
        DATA,
        DATA_BUCKET,
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [deny_insecure_transport(DATA_BUCKET)],
        }),
    )
    .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec());
    ws.apply();
    assert_converged(&ws);

    // Two (account, region) pairs and no choice: an error listing them.
    let run = ws.xacct(&["export", "cloudformation"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "", "{run}");
    for choice in [
        format!("--account control --region {REGION}"),
        format!("--account data --region {REGION}"),
    ] {
        assert!(run.stderr.contains(&choice), "{choice}: {run}");
    }

    let run = ws.xacct(&["export", "cloudformation", "--account", "data"]);
    run.expect_code(0);
    let template = parse_template(&run.stdout);
    assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
    assert!(
        run.stdout.contains("REPLACES EACH WHOLE POLICY"),
        "the caveat heads the template: {run}"
    );
    let ids: Vec<&String> = resources(&template).keys().collect();
    assert_eq!(ids, ["BucketPolicyQuiltData", "TopicPolicyQuiltEvents"]);

    let bucket = &template["Resources"]["BucketPolicyQuiltData"];
    assert_eq!(bucket["Type"], "AWS::S3::BucketPolicy");
    assert_eq!(bucket["Properties"]["Bucket"], DATA_BUCKET);
    let live = emu
        .get_bucket_policy_text(DATA, DATA_BUCKET)
        .await
        .expect("apply wrote a bucket policy");
    assert_eq!(exported(bucket), managed(&live));
    assert!(
        !run.stdout.contains("SecurityTeamDenyInsecureTransport"),
        "only xacct's statements are exported: {run}"
    );

    let topic = &template["Resources"]["TopicPolicyQuiltEvents"];
    assert_eq!(topic["Type"], "AWS::SNS::TopicPolicy");
    assert_eq!(
        topic["Properties"]["Topics"],
        serde_json::json!([topic_arn])
    );
    let live = topic_policy_of(&emu, DATA, &topic_arn).await.to_string();
    assert_eq!(exported(topic), managed(&live));
    let sids: Vec<&str> = topic["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|statement| statement["Sid"].as_str())
        .collect();
    assert!(sids.contains(&"QuiltS3Publish"), "{sids:?}");

    // The other stack, written to a file.
    let run = ws.xacct(&[
        "export",
        "cloudformation",
        "--account",
        "control",
        "--region",
        REGION,
        "--out",
        "control.yaml",
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout, "", "{run}");
    let text = std::fs::read_to_string(ws.path().join("control.yaml")).expect("control.yaml");
    let template = parse_template(&text);
    let ids: Vec<&String> = resources(&template).keys().collect();
    assert_eq!(ids, ["BucketPolicyQuiltControlLogs"]);
    let live = emu
        .get_bucket_policy_text(CONTROL, CONTROL_BUCKET)
        .await
        .expect("apply wrote a bucket policy");
    assert_eq!(
        exported(&template["Resources"]["BucketPolicyQuiltControlLogs"]),
        managed(&live)
    );
}

#[test]
fn a_spec_error_prints_it_and_no_template() {
    // Export is offline: nothing listens at this endpoint.
    let ws = Workspace::with_endpoint("http://127.0.0.1:9");
    ws.write_spec(&spec().replace(
        "    account: data\n    access:",
        "    acount: data\n    access:",
    ));
    let run = ws.xacct(&["export", "cloudformation", "--account", "data"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("deploy.yaml:"), "{run}");
    assert!(run.stderr.contains("acount"), "{run}");

    let run = ws.xacct(&["export", "cloudformation", "--out", "template.yaml"]);
    run.expect_code(1);
    assert!(
        !ws.path().join("template.yaml").exists(),
        "nothing is written: {run}"
    );
}
