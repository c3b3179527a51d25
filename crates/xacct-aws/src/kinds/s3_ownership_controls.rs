//! `s3_ownership_controls.<bucket>`: GetBucketOwnershipControls / PutBucketOwnershipControls.

use aws_sdk_s3::types::{
    ObjectOwnership as SdkOwnership, OwnershipControls, OwnershipControlsRule,
};
use aws_sdk_s3::Client;
use xacct_spec::ObjectOwnership;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_ownership_controls::{OwnershipWrite, S3OwnershipControls};

impl AwsKind for S3OwnershipControls {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetBucketOwnershipControls",
            "s3:GetBucketOwnershipControls",
            Access::Read,
        ),
        op(
            "PutBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &OwnershipWrite) -> Result<(), CallFailure> {
        match write {
            OwnershipWrite::PutOwnershipControls { bucket, ownership } => {
                put(&clients.s3, bucket, *ownership).await
            }
        }
    }
}

/// The bucket's ownership rule; `None` when the bucket has no ownership controls.
async fn observe(client: &Client, bucket: &str) -> Result<Option<String>, CallFailure> {
    let result = client
        .get_bucket_ownership_controls()
        .bucket(bucket)
        .send()
        .await;
    let output = CallFailure::absent_when(
        "GetBucketOwnershipControls",
        "OwnershipControlsNotFoundError",
        result,
    )?;
    Ok(output
        .as_ref()
        .and_then(|output| output.ownership_controls())
        .and_then(|controls| controls.rules().first())
        .map(|rule| rule.object_ownership().as_str().to_string()))
}

async fn put(client: &Client, bucket: &str, ownership: ObjectOwnership) -> Result<(), CallFailure> {
    let failure = |message: String| CallFailure::invalid("PutBucketOwnershipControls", message);
    let rule = OwnershipControlsRule::builder()
        .object_ownership(SdkOwnership::from(ownership.as_str()))
        .build()
        .map_err(|error| failure(error.to_string()))?;
    let controls = OwnershipControls::builder()
        .rules(rule)
        .build()
        .map_err(|error| failure(error.to_string()))?;
    client
        .put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(controls)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketOwnershipControls", error))?;
    Ok(())
}
