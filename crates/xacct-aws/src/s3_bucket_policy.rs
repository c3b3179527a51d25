//! `s3_bucket_policy.<bucket>`: GetBucketPolicy / PutBucketPolicy / DeleteBucketPolicy.

use aws_sdk_s3::Client;

use crate::error::CallFailure;

/// The policy text as S3 returns it; `None` when the bucket has no policy.
pub(crate) async fn observe(client: &Client, bucket: &str) -> Result<Option<String>, CallFailure> {
    let result = client.get_bucket_policy().bucket(bucket).send().await;
    let output = CallFailure::absent_when("GetBucketPolicy", "NoSuchBucketPolicy", result)?;
    Ok(output.and_then(|output| output.policy().map(str::to_string)))
}

pub(crate) async fn put(client: &Client, bucket: &str, policy: &str) -> Result<(), CallFailure> {
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

pub(crate) async fn delete(client: &Client, bucket: &str) -> Result<(), CallFailure> {
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
