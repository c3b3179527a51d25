//! `s3_versioning.<bucket>`: GetBucketVersioning / PutBucketVersioning.

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client;

use crate::error::CallFailure;

/// `Enabled`, `Suspended`, or `None` for a bucket never versioned.
pub(crate) async fn observe(client: &Client, bucket: &str) -> Result<Option<String>, CallFailure> {
    let output = client
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("GetBucketVersioning", error))?;
    Ok(output.status().map(|status| status.as_str().to_string()))
}

/// Leaves MFA delete as it is: changing it needs the root user's MFA device.
pub(crate) async fn put(client: &Client, bucket: &str, status: &str) -> Result<(), CallFailure> {
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
