//! `quilt_bucket.<bucket>`: the catalog's `bucketConfig` query and its
//! `bucketAdd` / `bucketUpdate` / `bucketRemove` mutations. These are not
//! IAM actions: the catalog's admin API key authorises them, so
//! `xacct permissions` leaves them out.

use xacct_engine::kinds::quilt_bucket::{CatalogWrite, QuiltBucket};

use crate::catalog::Catalog;
use crate::error::CallFailure;
use crate::kinds::AwsKind;
use crate::operation::{op, Access, Operation};
use crate::session::Clients;

impl AwsKind for QuiltBucket {
    const OPERATIONS: &'static [Operation] = &[
        op("bucketConfig", "quilt:bucketConfig", Access::Read),
        op("bucketAdd", "quilt:bucketAdd", Access::Write),
        op("bucketUpdate", "quilt:bucketUpdate", Access::Write),
        op("bucketRemove", "quilt:bucketRemove", Access::Write),
    ];

    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure> {
        catalog(clients, "bucketConfig")?
            .bucket_config(aws_id)
            .await
    }

    async fn write(clients: &Clients, write: &CatalogWrite) -> Result<(), CallFailure> {
        match write {
            CatalogWrite::BucketAdd { bucket, config } => {
                catalog(clients, "bucketAdd")?
                    .bucket_add(bucket, config)
                    .await
            }
            CatalogWrite::BucketUpdate { bucket, config } => {
                catalog(clients, "bucketUpdate")?
                    .bucket_update(bucket, config)
                    .await
            }
            CatalogWrite::BucketRemove { bucket } => {
                catalog(clients, "bucketRemove")?
                    .bucket_remove(bucket)
                    .await
            }
        }
    }
}

/// The session connects the catalog whenever the spec lists a bucket in it.
fn catalog<'a>(clients: &'a Clients, operation: &'static str) -> Result<&'a Catalog, CallFailure> {
    clients.catalog.as_deref().ok_or_else(|| {
        CallFailure::invalid(
            operation,
            "no catalog is connected: the spec needs a `quilt:` section".into(),
        )
    })
}
