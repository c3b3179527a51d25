//! `s3_bucket_notification.<bucket>`: GetBucketNotificationConfiguration /
//! PutBucketNotificationConfiguration, converted to and from the engine's
//! [`NotificationConfiguration`].

use aws_sdk_s3::types::{
    self as s3, Event, EventBridgeConfiguration, FilterRuleName, LambdaFunctionConfiguration,
    NotificationConfigurationFilter, QueueConfiguration, S3KeyFilter, TopicConfiguration,
};
use aws_sdk_s3::Client;
use xacct_engine::kinds::s3_bucket_notification::{
    FilterRule, NotificationConfiguration, NotificationEntry,
};

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_bucket_notification::{NotificationWrite, S3BucketNotification};

impl AwsKind for S3BucketNotification {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetBucketNotificationConfiguration",
            "s3:GetBucketNotification",
            Access::Read,
        ),
        op(
            "PutBucketNotificationConfiguration",
            "s3:PutBucketNotification",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &NotificationWrite) -> Result<(), CallFailure> {
        match write {
            NotificationWrite::PutBucketNotification {
                bucket,
                configuration,
            } => put(&clients.s3, bucket, configuration).await,
        }
    }
}

const PUT: &str = "PutBucketNotificationConfiguration";

/// The whole configuration as S3 returns it; a bucket that never had
/// notifications answers an empty one.
async fn observe(client: &Client, bucket: &str) -> Result<NotificationConfiguration, CallFailure> {
    let output = client
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketNotificationConfiguration", error))?;
    Ok(NotificationConfiguration {
        topics: output
            .topic_configurations()
            .iter()
            .map(|c| entry(c.id(), c.topic_arn(), c.events(), c.filter()))
            .collect(),
        queues: output
            .queue_configurations()
            .iter()
            .map(|c| entry(c.id(), c.queue_arn(), c.events(), c.filter()))
            .collect(),
        lambdas: output
            .lambda_function_configurations()
            .iter()
            .map(|c| entry(c.id(), c.lambda_function_arn(), c.events(), c.filter()))
            .collect(),
        eventbridge: output.event_bridge_configuration().is_some(),
    })
}

/// Replaces the whole configuration (that is the only write S3 offers).
async fn put(
    client: &Client,
    bucket: &str,
    configuration: &NotificationConfiguration,
) -> Result<(), CallFailure> {
    let invalid = |error: aws_sdk_s3::error::BuildError| {
        CallFailure::invalid(
            PUT,
            format!("cannot build the notification configuration: {error}"),
        )
    };
    let mut document = s3::NotificationConfiguration::builder();
    for topic in &configuration.topics {
        document = document.topic_configurations(
            TopicConfiguration::builder()
                .set_id(topic.id.clone())
                .topic_arn(&topic.arn)
                .set_events(Some(events(topic)))
                .set_filter(filter(topic))
                .build()
                .map_err(invalid)?,
        );
    }
    for queue in &configuration.queues {
        document = document.queue_configurations(
            QueueConfiguration::builder()
                .set_id(queue.id.clone())
                .queue_arn(&queue.arn)
                .set_events(Some(events(queue)))
                .set_filter(filter(queue))
                .build()
                .map_err(invalid)?,
        );
    }
    for lambda in &configuration.lambdas {
        document = document.lambda_function_configurations(
            LambdaFunctionConfiguration::builder()
                .set_id(lambda.id.clone())
                .lambda_function_arn(&lambda.arn)
                .set_events(Some(events(lambda)))
                .set_filter(filter(lambda))
                .build()
                .map_err(invalid)?,
        );
    }
    if configuration.eventbridge {
        document = document.event_bridge_configuration(EventBridgeConfiguration::builder().build());
    }
    client
        .put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(document.build())
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk(PUT, error))?;
    Ok(())
}

fn entry(
    id: Option<&str>,
    arn: &str,
    events: &[Event],
    filter: Option<&NotificationConfigurationFilter>,
) -> NotificationEntry {
    NotificationEntry {
        id: id.map(str::to_string),
        arn: arn.to_string(),
        events: events
            .iter()
            .map(|event| event.as_str().to_string())
            .collect(),
        filter_rules: filter
            .and_then(NotificationConfigurationFilter::key)
            .map(S3KeyFilter::filter_rules)
            .unwrap_or_default()
            .iter()
            .map(|rule| FilterRule {
                // Kept as spelled (S3 answers `Prefix`), so foreign rules go back as read.
                name: rule
                    .name()
                    .map(|name| name.as_str().to_string())
                    .unwrap_or_default(),
                value: rule.value().unwrap_or_default().to_string(),
            })
            .collect(),
    }
}

fn events(entry: &NotificationEntry) -> Vec<Event> {
    entry
        .events
        .iter()
        .map(|event| Event::from(event.as_str()))
        .collect()
}

/// `None` when the entry has no rules: an empty `<Filter/>` is not what was read.
fn filter(entry: &NotificationEntry) -> Option<NotificationConfigurationFilter> {
    if entry.filter_rules.is_empty() {
        return None;
    }
    let rules = entry
        .filter_rules
        .iter()
        .map(|rule| {
            s3::FilterRule::builder()
                .name(FilterRuleName::from(rule.name.as_str()))
                .value(&rule.value)
                .build()
        })
        .collect();
    Some(
        NotificationConfigurationFilter::builder()
            .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
            .build(),
    )
}
