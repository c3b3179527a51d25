//! S3 fixtures beyond the emulator's own bucket methods: reads and writes
//! through a given client (for buckets outside the default region), and
//! bucket notification configurations as other teams write them.

use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};

use super::emulator::Emulator;

/// Puts an Object Ownership rule through `s3` (a client of the bucket's region).
pub async fn put_ownership_with(s3: &aws_sdk_s3::Client, bucket: &str, ownership: &str) {
    let rule = OwnershipControlsRule::builder()
        .object_ownership(ObjectOwnership::from(ownership))
        .build()
        .expect("ownership rule");
    let controls = OwnershipControls::builder()
        .rules(rule)
        .build()
        .expect("ownership controls");
    s3.put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(controls)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put ownership {ownership} on {bucket}: {e:?}"));
}

/// The bucket's Object Ownership read through `s3`, or None when it has no
/// ownership controls.
pub async fn ownership_with(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    let result = s3
        .get_bucket_ownership_controls()
        .bucket(bucket)
        .send()
        .await;
    absent_on(
        result,
        "OwnershipControlsNotFoundError",
        &format!("get ownership of {bucket}"),
    )?
    .ownership_controls()
    .and_then(|c| c.rules().first())
    .map(|r| r.object_ownership().as_str().to_string())
}

/// The bucket's policy text; `None` when it has none.
pub async fn bucket_policy_text_with(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    let result = s3.get_bucket_policy().bucket(bucket).send().await;
    absent_on(
        result,
        "NoSuchBucketPolicy",
        &format!("get bucket policy of {bucket}"),
    )
    .map(|out| out.policy().unwrap_or_default().to_string())
}

/// The answer of a read, `None` when AWS says the document is absent with
/// `absent_code`; any other error fails the test, naming `what`.
pub fn absent_on<T, E>(result: Result<T, E>, absent_code: &str, what: &str) -> Option<T>
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
{
    match result {
        Ok(output) => Some(output),
        Err(error) if error.code() == Some(absent_code) => None,
        Err(error) => panic!("{what}: {error:?}"),
    }
}

/// A topic notification entry as another team would write it.
pub fn topic_notification(
    id: &str,
    topic_arn: &str,
    events: &[&str],
    prefix: Option<&str>,
) -> aws_sdk_s3::types::TopicConfiguration {
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, NotificationConfigurationFilter, S3KeyFilter,
        TopicConfiguration,
    };
    let filter = prefix.map(|prefix| {
        NotificationConfigurationFilter::builder()
            .key(
                S3KeyFilter::builder()
                    .filter_rules(
                        FilterRule::builder()
                            .name(FilterRuleName::Prefix)
                            .value(prefix)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    TopicConfiguration::builder()
        .id(id)
        .topic_arn(topic_arn)
        .set_events(Some(events.iter().map(|e| Event::from(*e)).collect()))
        .set_filter(filter)
        .build()
        .expect("topic configuration")
}

/// Replaces the bucket's whole notification configuration.
pub async fn put_notifications(
    emu: &Emulator,
    account: &str,
    bucket: &str,
    configuration: aws_sdk_s3::types::NotificationConfiguration,
) {
    emu.s3(account)
        .await
        .put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(configuration)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put notifications on {bucket}: {e:?}"));
}

/// The bucket's notification configuration as S3 returns it.
pub async fn get_notifications(
    emu: &Emulator,
    account: &str,
    bucket: &str,
) -> aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput
{
    emu.s3(account)
        .await
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get notifications of {bucket}: {e:?}"))
}
