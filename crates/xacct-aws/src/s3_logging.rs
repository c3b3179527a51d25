//! `s3_logging.<bucket>`: GetBucketLogging / PutBucketLogging.

use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
use aws_sdk_s3::Client;
use xacct_engine::LoggingTarget;

use crate::error::CallFailure;

/// Where the bucket's access logs go; `None` when logging is off.
pub(crate) async fn observe(
    client: &Client,
    bucket: &str,
) -> Result<Option<LoggingTarget>, CallFailure> {
    let output = client
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketLogging", error))?;
    Ok(output.logging_enabled().map(|enabled| LoggingTarget {
        target_bucket: enabled.target_bucket().to_string(),
        target_prefix: enabled.target_prefix().to_string(),
    }))
}

/// `None` turns logging off (an empty BucketLoggingStatus).
pub(crate) async fn put(
    client: &Client,
    bucket: &str,
    target: Option<&LoggingTarget>,
) -> Result<(), CallFailure> {
    let enabled = target
        .map(|target| {
            LoggingEnabled::builder()
                .target_bucket(&target.target_bucket)
                .target_prefix(&target.target_prefix)
                .build()
                .map_err(|error| CallFailure::invalid("PutBucketLogging", error.to_string()))
        })
        .transpose()?;
    client
        .put_bucket_logging()
        .bucket(bucket)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .set_logging_enabled(enabled)
                .build(),
        )
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketLogging", error))?;
    Ok(())
}
