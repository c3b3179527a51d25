//! SNS fixtures: clients of the emulated accounts, topics and their
//! policies.

use serde_json::Value;

use super::emulator::Emulator;
use super::REGION;

/// An SNS client acting as the deployer role of `account`.
pub async fn sns_client(emu: &Emulator, account: &str) -> aws_sdk_sns::Client {
    sns_client_in(emu, account, REGION).await
}

/// An SNS client acting as the deployer role of `account`, in `region`.
pub async fn sns_client_in(emu: &Emulator, account: &str, region: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new(region.to_string()))
        .endpoint_url(emu.endpoint())
        .credentials_provider(emu.assume(account).await)
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// Creates a topic in `account` and returns its ARN.
pub async fn create_topic(emu: &Emulator, account: &str, name: &str) -> String {
    create_topic_in(emu, account, name, REGION).await
}

/// Creates a topic in `account` and `region`; returns its ARN.
pub async fn create_topic_in(emu: &Emulator, account: &str, name: &str, region: &str) -> String {
    sns_client_in(emu, account, region)
        .await
        .create_topic()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create topic {name} in {region}: {e:?}"))
        .topic_arn()
        .expect("a created topic has an ARN")
        .to_string()
}

/// The topic's policy as JSON (a topic always has one).
pub async fn topic_policy_of(emu: &Emulator, account: &str, topic_arn: &str) -> Value {
    topic_policy_in(emu, account, REGION, topic_arn).await
}

/// The policy of a topic in `region`, as JSON.
pub async fn topic_policy_in(
    emu: &Emulator,
    account: &str,
    region: &str,
    topic_arn: &str,
) -> Value {
    let attributes = sns_client_in(emu, account, region)
        .await
        .get_topic_attributes()
        .topic_arn(topic_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get attributes of {topic_arn}: {e:?}"));
    let text = attributes
        .attributes()
        .and_then(|a| a.get("Policy"))
        .expect("a topic always has a policy");
    serde_json::from_str(text).expect("topic policy is JSON")
}

/// Adds a statement letting S3 publish from `bucket` to a topic that xacct
/// does not manage (as its owners would, so S3 accepts their notification).
pub async fn allow_s3_publish(emu: &Emulator, account: &str, topic_arn: &str, bucket: &str) {
    let mut policy = topic_policy_of(emu, account, topic_arn).await;
    policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(serde_json::json!({
            "Sid": "AllowS3Publish",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:s3:::{bucket}")}}
        }));
    set_topic_policy(emu, account, topic_arn, &policy).await;
}

/// Replaces the policy of a topic in the default region, as another tool would.
pub async fn set_topic_policy(emu: &Emulator, account: &str, topic_arn: &str, policy: &Value) {
    set_topic_policy_in(emu, account, REGION, topic_arn, policy).await;
}

/// Replaces the policy of a topic in `region`, as another tool would.
pub async fn set_topic_policy_in(
    emu: &Emulator,
    account: &str,
    region: &str,
    topic_arn: &str,
    policy: &Value,
) {
    sns_client_in(emu, account, region)
        .await
        .set_topic_attributes()
        .topic_arn(topic_arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("set policy of {topic_arn}: {e:?}"));
}
