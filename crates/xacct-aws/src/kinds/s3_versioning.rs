//! `s3_versioning.<bucket>`: GetBucketVersioning / PutBucketVersioning.

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_versioning::{S3Versioning, VersioningWrite};

impl AwsKind for S3Versioning {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetBucketVersioning",
            "s3:GetBucketVersioning",
            Access::Read,
        ),
        op(
            "PutBucketVersioning",
            "s3:PutBucketVersioning",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &VersioningWrite) -> Result<(), CallFailure> {
        match write {
            VersioningWrite::PutBucketVersioning { bucket, status } => {
                put(&clients.s3, bucket, status).await
            }
        }
    }
}

/// `Enabled`, `Suspended`, or `None` for a bucket never versioned.
async fn observe(client: &Client, bucket: &str) -> Result<Option<String>, CallFailure> {
    let output = client
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketVersioning", error))?;
    Ok(output.status().map(|status| status.as_str().to_string()))
}

/// Leaves MFA delete as it is: changing it needs the root user's MFA device.
async fn put(client: &Client, bucket: &str, status: &str) -> Result<(), CallFailure> {
    client
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::from(status))
                .build(),
        )
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketVersioning", error))?;
    Ok(())
}
