//! `s3_tags.<bucket>`: GetBucketTagging / PutBucketTagging / DeleteBucketTagging.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{Tag, Tagging};
use aws_sdk_s3::Client;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_tags::{S3Tags, TagsWrite};

impl AwsKind for S3Tags {
    const OPERATIONS: &'static [Operation] = &[
        op("GetBucketTagging", "s3:GetBucketTagging", Access::Read),
        op("PutBucketTagging", "s3:PutBucketTagging", Access::Write),
        op("DeleteBucketTagging", "s3:PutBucketTagging", Access::Write),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &TagsWrite) -> Result<(), CallFailure> {
        match write {
            TagsWrite::PutBucketTagging { bucket, tags } => put(&clients.s3, bucket, tags).await,
            TagsWrite::DeleteBucketTagging { bucket } => delete(&clients.s3, bucket).await,
        }
    }
}

/// The whole tag set; empty when the bucket has none.
async fn observe(client: &Client, bucket: &str) -> Result<BTreeMap<String, String>, CallFailure> {
    let result = client.get_bucket_tagging().bucket(bucket).send().await;
    let output = CallFailure::absent_when("GetBucketTagging", "NoSuchTagSet", result)?;
    Ok(output
        .iter()
        .flat_map(|output| output.tag_set())
        .map(|tag| (tag.key().to_string(), tag.value().to_string()))
        .collect())
}

/// Replaces the whole tag set (S3 has no per-key write).
async fn put(
    client: &Client,
    bucket: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), CallFailure> {
    let failure = |message: String| CallFailure::invalid("PutBucketTagging", message);
    let tag_set = tags
        .iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| failure(error.to_string()))?;
    let tagging = Tagging::builder()
        .set_tag_set(Some(tag_set))
        .build()
        .map_err(|error| failure(error.to_string()))?;
    client
        .put_bucket_tagging()
        .bucket(bucket)
        .tagging(tagging)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketTagging", error))?;
    Ok(())
}

async fn delete(client: &Client, bucket: &str) -> Result<(), CallFailure> {
    client
        .delete_bucket_tagging()
        .bucket(bucket)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("DeleteBucketTagging", error))?;
    Ok(())
}
