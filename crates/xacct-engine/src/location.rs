//! Where a slice's document lives (account, region) and the ARNs built from
//! it, in the partition of its region.

use xacct_spec::Spec;

/// Where a resource's document lives and whose credentials reach it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The spec's name for the account.
    pub account: String,
    pub account_id: String,
    /// `None`: the account's SDK default region.
    pub region: Option<String>,
}

/// The location of a bucket's documents. The spec guarantees the account exists.
pub(crate) fn bucket_location(spec: &Spec, bucket: &xacct_spec::Bucket) -> Location {
    location(spec, &bucket.account, bucket.region.as_deref())
}

/// Where an object of `account` lives: its own region, else the account's.
pub(crate) fn location(spec: &Spec, account: &str, region: Option<&str>) -> Location {
    let account_spec = spec.accounts.get(account);
    Location {
        account: account.to_string(),
        account_id: account_spec
            .map(|account| account.id.clone())
            .unwrap_or_default(),
        region: region
            .or_else(|| account_spec?.region.as_deref())
            .map(str::to_string),
    }
}

/// `arn:<partition>:s3:::<bucket>`.
pub(crate) fn bucket_arn(spec: &Spec, bucket: &xacct_spec::Bucket) -> String {
    s3_arn(spec.bucket_region(bucket), &bucket.name)
}

/// `arn:<partition>:s3:::<bucket>` for a bucket in `region`.
pub(crate) fn s3_arn(region: Option<&str>, bucket: &str) -> String {
    format!("arn:{}:s3:::{bucket}", partition(region))
}

pub(crate) use xacct_spec::partition;
