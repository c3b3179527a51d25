//! `sns_topic_policy.<topic>`: GetTopicAttributes / SetTopicAttributes `Policy`.

use aws_sdk_sns::Client;

use crate::error::CallFailure;

/// The topic's policy text. A topic always has one; a missing one is read as
/// an empty document so the plan can still keep everything else.
pub(crate) async fn observe(client: &Client, topic_arn: &str) -> Result<String, CallFailure> {
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

pub(crate) async fn put(client: &Client, topic_arn: &str, policy: &str) -> Result<(), CallFailure> {
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
