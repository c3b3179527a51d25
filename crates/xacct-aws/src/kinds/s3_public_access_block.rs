//! `s3_public_access_block.<bucket>`: GetPublicAccessBlock / PutPublicAccessBlock.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use aws_sdk_s3::Client;
use xacct_spec::PublicAccessBlock;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_public_access_block::{PublicAccessBlockWrite, S3PublicAccessBlock};

impl AwsKind for S3PublicAccessBlock {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetPublicAccessBlock",
            "s3:GetBucketPublicAccessBlock",
            Access::Read,
        ),
        op(
            "PutPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &PublicAccessBlockWrite) -> Result<(), CallFailure> {
        match write {
            PublicAccessBlockWrite::PutPublicAccessBlock {
                bucket,
                configuration,
            } => put(&clients.s3, bucket, configuration).await,
        }
    }
}

/// The bucket's settings; `None` when it has no configuration. A setting S3
/// leaves out is off, as S3 treats it.
async fn observe(client: &Client, bucket: &str) -> Result<Option<PublicAccessBlock>, CallFailure> {
    let result = client.get_public_access_block().bucket(bucket).send().await;
    let output = CallFailure::absent_when(
        "GetPublicAccessBlock",
        "NoSuchPublicAccessBlockConfiguration",
        result,
    )?;
    Ok(output
        .as_ref()
        .and_then(|output| output.public_access_block_configuration())
        .map(|block| PublicAccessBlock {
            block_public_acls: block.block_public_acls().unwrap_or(false),
            ignore_public_acls: block.ignore_public_acls().unwrap_or(false),
            block_public_policy: block.block_public_policy().unwrap_or(false),
            restrict_public_buckets: block.restrict_public_buckets().unwrap_or(false),
        }))
}

async fn put(client: &Client, bucket: &str, block: &PublicAccessBlock) -> Result<(), CallFailure> {
    let configuration = PublicAccessBlockConfiguration::builder()
        .block_public_acls(block.block_public_acls)
        .ignore_public_acls(block.ignore_public_acls)
        .block_public_policy(block.block_public_policy)
        .restrict_public_buckets(block.restrict_public_buckets)
        .build();
    client
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(configuration)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutPublicAccessBlock", error))?;
    Ok(())
}
