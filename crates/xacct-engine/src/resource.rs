//! What xacct wants and what it found, per resource kind. Each kind lives in
//! one module here; `plan` dispatches to them with exhaustive matches so a new
//! kind cannot be half-added.

pub mod s3_bucket_policy;
pub mod s3_ownership_controls;

use sha2::{Digest, Sha256};
use xacct_policy::Statement;
use xacct_spec::{ObjectOwnership, Spec};

use crate::address::{Address, ResourceKind};

/// Where a resource's document lives and whose credentials reach it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The spec's name for the account.
    pub account: String,
    pub account_id: String,
    /// `None`: the account's SDK default region.
    pub region: Option<String>,
}

/// The managed slice as the spec wants it.
#[derive(Debug, Clone)]
pub enum Desired {
    OwnershipControls(ObjectOwnership),
    /// Exactly the statements xacct owns in the bucket policy.
    BucketPolicy(Vec<Statement>),
}

#[derive(Debug, Clone)]
pub struct DesiredResource {
    pub address: Address,
    pub location: Location,
    pub desired: Desired,
}

/// A whole document as read from AWS. Absent documents are states, not errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The bucket's ownership rule, as S3 spells it; `None`: no controls set.
    OwnershipControls(Option<String>),
    /// The policy text as returned; `None`: the bucket has no policy.
    BucketPolicy(Option<String>),
}

impl Observed {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Observed::OwnershipControls(_) => ResourceKind::S3OwnershipControls,
            Observed::BucketPolicy(_) => ResourceKind::S3BucketPolicy,
        }
    }

    /// A digest of the document's meaning, so that apply can tell whether a
    /// document changed since it was planned from. AWS's own rewrites of a
    /// policy (key order, scalars for one-element arrays) do not change it.
    pub fn fingerprint(&self) -> String {
        let meaning = match self {
            Observed::OwnershipControls(rule) => format!("ownership:{rule:?}"),
            Observed::BucketPolicy(None) => "policy:none".to_string(),
            Observed::BucketPolicy(Some(text)) => match xacct_policy::PolicyDocument::parse(text) {
                Ok(document) => format!("policy:{}", document.canonical()),
                Err(_) => format!("policy-text:{text}"),
            },
        };
        let digest = Sha256::digest(meaning.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// The desired resources of a spec, in a stable order.
pub fn desired(spec: &Spec) -> Vec<DesiredResource> {
    let mut resources = Vec::new();
    for bucket in spec.buckets.values() {
        resources.extend(s3_ownership_controls::desired(spec, bucket));
        resources.extend(s3_bucket_policy::desired(spec, bucket));
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    resources
}

/// The location of a bucket's documents. The spec guarantees the account exists.
pub(crate) fn bucket_location(spec: &Spec, bucket: &xacct_spec::Bucket) -> Location {
    Location {
        account: bucket.account.clone(),
        account_id: spec
            .accounts
            .get(&bucket.account)
            .map(|account| account.id.clone())
            .unwrap_or_default(),
        region: spec.bucket_region(bucket).map(str::to_string),
    }
}

/// The ARN partition of a region: buckets in China and GovCloud have their own.
pub(crate) fn partition(region: Option<&str>) -> &'static str {
    match region {
        Some(region) if region.starts_with("cn-") => "aws-cn",
        Some(region) if region.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}
