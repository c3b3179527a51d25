//! Every AWS partition: a bucket and a topic in GovCloud (`us-gov-west-1`)
//! and China (`cn-north-1`) get principals, resources and conditions in
//! their own partition, converge, and read a bare account id written by
//! another tool as that partition's root ARN (no perpetual diff). An IAM ARN
//! from another partition is a spec error.

use crate::support::{
    bucket_policy_text_with, create_topic_in, set_topic_policy_in, spec_accounts_in,
    statement_by_sid, topic_policy_in, Emulator, Workspace, CONTROL, DATA,
};
use serde_json::{json, Value};

/// Both accounts in `region`; a bucket granting the control account and
/// notifying a topic that grants it too.
fn spec_in(region: &str, bucket: &str) -> String {
    format!(
        "{}buckets:\n\
         \x20 {bucket}:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: [s3:GetObject, s3:ListBucket]\n\
         \x20   notifications:\n\
         \x20     sns_topic: quilt-events\n\
         \x20     events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]\n\
         sns_topics:\n\
         \x20 quilt-events:\n\
         \x20   account: data\n\
         \x20   name: quilt-events\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountSNSAccess\n\
         \x20       principals: [\"{CONTROL}\"]\n\
         \x20       actions: [sns:Subscribe]\n",
        spec_accounts_in(region)
    )
}

async fn bucket_policy_in(emu: &Emulator, region: &str, bucket: &str) -> Value {
    let text = bucket_policy_text_with(&emu.s3_in(DATA, region).await, bucket)
        .await
        .expect("a policy");
    serde_json::from_str(&text).expect("policy JSON")
}

async fn applies_and_converges_in(region: &str, partition: &str) {
    let bucket = format!("quilt-data-{region}");
    let emu = Emulator::start();
    emu.create_bucket_in(DATA, &bucket, region, Some("BucketOwnerEnforced"))
        .await;
    let topic_arn = create_topic_in(&emu, DATA, "quilt-events", region).await;
    assert!(
        topic_arn.starts_with(&format!("arn:{partition}:sns:{region}:")),
        "the emulator names the topic in its partition: {topic_arn}"
    );
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_in(region, &bucket));
    ws.apply();

    let policy = bucket_policy_in(&emu, region, &bucket).await;
    let ours = statement_by_sid(&policy, "QuiltCrossAccountAccess").expect("our statement");
    assert_eq!(
        ours["Principal"]["AWS"],
        json!([format!("arn:{partition}:iam::{CONTROL}:root")])
    );
    assert_eq!(
        ours["Resource"],
        json!([
            format!("arn:{partition}:s3:::{bucket}"),
            format!("arn:{partition}:s3:::{bucket}/*")
        ])
    );
    let topic_policy = topic_policy_in(&emu, DATA, region, &topic_arn).await;
    let grant = statement_by_sid(&topic_policy, "QuiltCrossAccountSNSAccess").expect("grant");
    assert_eq!(
        grant["Principal"]["AWS"],
        json!([format!("arn:{partition}:iam::{CONTROL}:root")]),
        "a 12-digit id in the spec is written as the partition's root ARN"
    );
    let publish = statement_by_sid(&topic_policy, "QuiltS3Publish").expect("publish");
    assert_eq!(
        publish["Condition"]["ArnLike"]["aws:SourceArn"],
        json!([format!("arn:{partition}:s3:::{bucket}")])
    );
    let converged = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(converged.code, 0, "{converged}");

    // The offline evaluator behind verify reads the partition's principals.
    let verify = ws.xacct(&["verify", "--no-probes"]);
    assert_eq!(verify.code, 0, "{verify}");
    assert!(
        verify.stdout.contains("0 failed") && !verify.stdout.contains("\nfail "),
        "{verify}"
    );
    // The CloudFormation export writes what apply writes.
    let export = ws.xacct(&["export", "cloudformation", "--account", "data"]);
    export.expect_code(0);
    assert!(
        export
            .stdout
            .contains(&format!("arn:{partition}:iam::{CONTROL}:root")),
        "{export}"
    );
    assert!(
        !export.stdout.contains("arn:aws:"),
        "no commercial ARN in a {partition} template: {export}"
    );

    // Another tool rewrites our grant with a bare account id, as AWS stores
    // it when given one: the same principal in this partition, no diff.
    let mut rewritten = topic_policy.clone();
    for statement in rewritten["Statement"].as_array_mut().expect("statements") {
        if statement["Sid"] == "QuiltCrossAccountSNSAccess" {
            statement["Principal"] = json!({"AWS": CONTROL});
        }
    }
    set_topic_policy_in(&emu, DATA, region, &topic_arn, &rewritten).await;
    let after_rewrite = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(after_rewrite.code, 0, "{after_rewrite}");

    // The commercial partition's root ARN is another principal there.
    let mut commercial = rewritten.clone();
    for statement in commercial["Statement"].as_array_mut().expect("statements") {
        if statement["Sid"] == "QuiltCrossAccountSNSAccess" {
            statement["Principal"] = json!({"AWS": format!("arn:aws:iam::{CONTROL}:root")});
        }
    }
    set_topic_policy_in(&emu, DATA, region, &topic_arn, &commercial).await;
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 2, "{drift}");
    assert!(
        drift.stdout.contains("sns_topic_policy.quilt-events"),
        "{drift}"
    );
}

#[tokio::test]
async fn govcloud_documents_use_the_aws_us_gov_partition() {
    applies_and_converges_in("us-gov-west-1", "aws-us-gov").await;
}

#[tokio::test]
async fn china_documents_use_the_aws_cn_partition() {
    applies_and_converges_in("cn-north-1", "aws-cn").await;
}

#[test]
fn an_iam_arn_of_another_partition_is_a_spec_error_with_its_position() {
    let ws = Workspace::with_endpoint("http://127.0.0.1:9");
    let spec = spec_in("us-gov-west-1", "gov-data").replace(
        "       principals: [control]\n",
        "       principals: [\"arn:aws:iam::111111111111:role/QuiltLambdaRole\"]\n",
    );
    ws.write_spec(&spec);
    let run = ws.xacct(&["validate"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains("deploy.yaml:16:")
            && run.stderr.contains(
                "is in partition aws, but bucket \"gov-data\" is in partition aws-us-gov"
            ),
        "{run}"
    );
}
