//! `sns_topic_policy.<topic>`: GetTopicAttributes / SetTopicAttributes `Policy`.

use aws_sdk_sns::Client;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::sns_topic_policy::{SnsTopicPolicy, TopicPolicyWrite};

impl AwsKind for SnsTopicPolicy {
    const OPERATIONS: &'static [Operation] = &[
        op("GetTopicAttributes", "sns:GetTopicAttributes", Access::Read),
        op(
            "SetTopicAttributes",
            "sns:SetTopicAttributes",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.sns, aws_id).await
    }

    async fn write(clients: &Clients, write: &TopicPolicyWrite) -> Result<(), CallFailure> {
        match write {
            TopicPolicyWrite::PutTopicPolicy { topic_arn, policy } => {
                put(&clients.sns, topic_arn, policy).await
            }
        }
    }
}

/// The topic's policy text. A topic always has one; a missing one is read as
/// an empty document so the plan can still keep everything else.
async fn observe(client: &Client, topic_arn: &str) -> Result<String, CallFailure> {
    let output = client
        .get_topic_attributes()
        .topic_arn(topic_arn)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetTopicAttributes", error))?;
    Ok(output
        .attributes()
        .and_then(|attributes| attributes.get("Policy"))
        .cloned()
        .unwrap_or_else(|| r#"{"Version":"2008-10-17","Statement":[]}"#.to_string()))
}

async fn put(client: &Client, topic_arn: &str, policy: &str) -> Result<(), CallFailure> {
    client
        .set_topic_attributes()
        .topic_arn(topic_arn)
        .attribute_name("Policy")
        .attribute_value(policy)
        .customize()
        .config_override(crate::session::sns_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("SetTopicAttributes", error))?;
    Ok(())
}
