//! `s3_logging.<bucket>`: GetBucketLogging / PutBucketLogging.

use aws_sdk_s3::types::{
    BucketLoggingStatus, LoggingEnabled, PartitionDateSource, PartitionedPrefix, SimplePrefix,
    TargetObjectKeyFormat,
};
use aws_sdk_s3::Client;
use xacct_engine::LoggingTarget;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_logging::{LoggingWrite, S3Logging};

impl AwsKind for S3Logging {
    const OPERATIONS: &'static [Operation] = &[
        op("GetBucketLogging", "s3:GetBucketLogging", Access::Read),
        op("PutBucketLogging", "s3:PutBucketLogging", Access::Write),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &LoggingWrite) -> Result<(), CallFailure> {
        match write {
            LoggingWrite::PutBucketLogging { bucket, target } => {
                put(&clients.s3, bucket, target.as_ref()).await
            }
        }
    }
}

const SIMPLE: &str = "SimplePrefix";
const PARTITIONED: &str = "PartitionedPrefix";

/// Where the bucket's access logs go; `None` when logging is off.
async fn observe(client: &Client, bucket: &str) -> Result<Option<LoggingTarget>, CallFailure> {
    let output = client
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketLogging", error))?;
    Ok(output.logging_enabled().map(|enabled| LoggingTarget {
        target_bucket: enabled.target_bucket().to_string(),
        target_prefix: enabled.target_prefix().to_string(),
        key_format: enabled.target_object_key_format().map(key_format_text),
    }))
}

/// `SimplePrefix`, `PartitionedPrefix` or `PartitionedPrefix:<date source>`.
fn key_format_text(format: &TargetObjectKeyFormat) -> String {
    match format.partitioned_prefix() {
        None => SIMPLE.to_string(),
        Some(partitioned) => match partitioned.partition_date_source() {
            Some(source) => format!("{PARTITIONED}:{}", source.as_str()),
            None => PARTITIONED.to_string(),
        },
    }
}

fn key_format(text: &str) -> TargetObjectKeyFormat {
    let builder = TargetObjectKeyFormat::builder();
    if text == SIMPLE {
        return builder
            .simple_prefix(SimplePrefix::builder().build())
            .build();
    }
    let source = text
        .split_once(':')
        .map(|(_, source)| PartitionDateSource::from(source));
    builder
        .partitioned_prefix(
            PartitionedPrefix::builder()
                .set_partition_date_source(source)
                .build(),
        )
        .build()
}

/// `None` turns logging off (an empty BucketLoggingStatus).
async fn put(
    client: &Client,
    bucket: &str,
    target: Option<&LoggingTarget>,
) -> Result<(), CallFailure> {
    let enabled = target
        .map(|target| {
            LoggingEnabled::builder()
                .target_bucket(&target.target_bucket)
                .target_prefix(&target.target_prefix)
                .set_target_object_key_format(target.key_format.as_deref().map(key_format))
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
