//! `s3_bucket_notification.<bucket>`: GetBucketNotificationConfiguration /
//! PutBucketNotificationConfiguration, converted to and from the engine's
//! [`NotificationConfiguration`].

use aws_sdk_s3::Client;
use xacct_engine::resource::s3_bucket_notification::NotificationConfiguration;

use crate::error::CallFailure;

pub(crate) async fn observe(
    client: &Client,
    bucket: &str,
) -> Result<NotificationConfiguration, CallFailure> {
    let _ = (client, bucket);
    Err(CallFailure {
        operation: "GetBucketNotificationConfiguration",
        code: None,
        message: "not implemented yet".into(),
    })
}

pub(crate) async fn put(
    client: &Client,
    bucket: &str,
    configuration: &NotificationConfiguration,
) -> Result<(), CallFailure> {
    let _ = (client, bucket, configuration);
    Err(CallFailure {
        operation: "PutBucketNotificationConfiguration",
        code: None,
        message: "not implemented yet".into(),
    })
}
