//! `s3_bucket_policy.<bucket>`: GetBucketPolicy / PutBucketPolicy / DeleteBucketPolicy.

use aws_sdk_s3::Client;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_bucket_policy::{BucketPolicyWrite, S3BucketPolicy};

impl AwsKind for S3BucketPolicy {
    const OPERATIONS: &'static [Operation] = &[
        op("GetBucketPolicy", "s3:GetBucketPolicy", Access::Read),
        op("PutBucketPolicy", "s3:PutBucketPolicy", Access::Write),
        op("DeleteBucketPolicy", "s3:DeleteBucketPolicy", Access::Write),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &BucketPolicyWrite) -> Result<(), CallFailure> {
        match write {
            BucketPolicyWrite::PutBucketPolicy { bucket, policy } => {
                put(&clients.s3, bucket, policy).await
            }
            BucketPolicyWrite::DeleteBucketPolicy { bucket } => delete(&clients.s3, bucket).await,
        }
    }
}

/// The policy text as S3 returns it; `None` when the bucket has no policy.
async fn observe(client: &Client, bucket: &str) -> Result<Option<String>, CallFailure> {
    let result = client.get_bucket_policy().bucket(bucket).send().await;
    let output = CallFailure::absent_when("GetBucketPolicy", "NoSuchBucketPolicy", result)?;
    Ok(output.and_then(|output| output.policy().map(str::to_string)))
}

async fn put(client: &Client, bucket: &str, policy: &str) -> Result<(), CallFailure> {
    client
        .put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketPolicy", error))?;
    Ok(())
}

async fn delete(client: &Client, bucket: &str) -> Result<(), CallFailure> {
    client
        .delete_bucket_policy()
        .bucket(bucket)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("DeleteBucketPolicy", error))?;
    Ok(())
}
