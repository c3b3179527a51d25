//! `s3_encryption.<bucket>`: GetBucketEncryption / PutBucketEncryption.

use aws_sdk_s3::types::{
    BlockedEncryptionTypes, EncryptionType, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_sdk_s3::Client;
use xacct_engine::DefaultEncryption;

use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;
use xacct_engine::kinds::s3_encryption::{EncryptionWrite, S3Encryption};

impl AwsKind for S3Encryption {
    const OPERATIONS: &'static [Operation] = &[
        op(
            "GetBucketEncryption",
            "s3:GetEncryptionConfiguration",
            Access::Read,
        ),
        op(
            "PutBucketEncryption",
            "s3:PutEncryptionConfiguration",
            Access::Write,
        ),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        observe(&clients.s3, aws_id).await
    }

    async fn write(clients: &Clients, write: &EncryptionWrite) -> Result<(), CallFailure> {
        match write {
            EncryptionWrite::PutBucketEncryption {
                bucket,
                configuration,
            } => put(&clients.s3, bucket, configuration).await,
        }
    }
}

/// The bucket's first default encryption rule (S3 allows one); `None` when
/// it has none (only older buckets and emulators: AWS encrypts every bucket
/// with SSE-S3 by default).
async fn observe(client: &Client, bucket: &str) -> Result<Option<DefaultEncryption>, CallFailure> {
    let result = client.get_bucket_encryption().bucket(bucket).send().await;
    let output = CallFailure::absent_when(
        "GetBucketEncryption",
        "ServerSideEncryptionConfigurationNotFoundError",
        result,
    )?;
    Ok(output
        .as_ref()
        .and_then(|output| output.server_side_encryption_configuration())
        .and_then(|configuration| configuration.rules().first())
        .and_then(|rule| {
            let default = rule.apply_server_side_encryption_by_default()?;
            Some(DefaultEncryption {
                algorithm: default.sse_algorithm().as_str().to_string(),
                kms_key: default.kms_master_key_id().map(str::to_string),
                bucket_key: rule.bucket_key_enabled().unwrap_or(false),
                blocked_encryption_types: rule
                    .blocked_encryption_types()
                    .map(|blocked| {
                        blocked
                            .encryption_type()
                            .iter()
                            .map(|kind| kind.as_str().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        }))
}

async fn put(client: &Client, bucket: &str, rule: &DefaultEncryption) -> Result<(), CallFailure> {
    let failure = |message: String| CallFailure::invalid("PutBucketEncryption", message);
    let blocked = (!rule.blocked_encryption_types.is_empty()).then(|| {
        BlockedEncryptionTypes::builder()
            .set_encryption_type(Some(
                rule.blocked_encryption_types
                    .iter()
                    .map(|kind| EncryptionType::from(kind.as_str()))
                    .collect(),
            ))
            .build()
    });
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::from(rule.algorithm.as_str()))
        .set_kms_master_key_id(rule.kms_key.clone())
        .build()
        .map_err(|error| failure(error.to_string()))?;
    let configuration = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .bucket_key_enabled(rule.bucket_key)
                .set_blocked_encryption_types(blocked)
                .build(),
        )
        .build()
        .map_err(|error| failure(error.to_string()))?;
    client
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(configuration)
        .customize()
        .config_override(crate::session::s3_write_once())
        .send()
        .await
        .map_err(|error| CallFailure::from_sdk("PutBucketEncryption", error))?;
    Ok(())
}
