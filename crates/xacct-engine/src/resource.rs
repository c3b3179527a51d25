//! What xacct wants and what it found, per resource kind. Each kind lives in
//! one module here; `plan` dispatches to them with exhaustive matches so a new
//! kind cannot be half-added.

mod bucket_setting;
pub mod cloudtrail_event_selectors;
mod policy_slice;
pub mod s3_bucket_notification;
pub mod s3_bucket_policy;
pub mod s3_encryption;
pub mod s3_logging;
pub mod s3_ownership_controls;
pub mod s3_public_access_block;
pub mod s3_tags;
pub mod s3_versioning;
pub mod sns_topic_policy;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use xacct_policy::Statement;
use xacct_spec::{ObjectOwnership, PublicAccessBlock, Spec};

use crate::address::{Address, ResourceKind};
use crate::error::PlanError;

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
    /// Exactly the statements xacct owns in the topic policy (grants and the
    /// derived S3 publish statement).
    TopicPolicy(Vec<Statement>),
    BucketNotification(s3_bucket_notification::DesiredNotification),
    EventSelectors(cloudtrail_event_selectors::DesiredSelectors),
    PublicAccessBlock(PublicAccessBlock),
    Encryption(s3_encryption::DefaultEncryption),
    /// `true`: Enabled; `false`: not versioning.
    Versioning(bool),
    /// `None`: logging off.
    Logging(Option<s3_logging::LoggingTarget>),
    /// Key -> value; `None`: the key must be absent.
    Tags(BTreeMap<String, Option<String>>),
}

#[derive(Debug, Clone)]
pub struct DesiredResource {
    pub address: Address,
    pub location: Location,
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: String,
    /// Resources whose writes must succeed before this one is written.
    pub depends_on: Vec<Address>,
    pub desired: Desired,
}

/// A whole document as read from AWS. Absent documents are states, not errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The bucket's ownership rule, as S3 spells it; `None`: no controls set.
    OwnershipControls(Option<String>),
    /// The policy text as returned; `None`: the bucket has no policy.
    BucketPolicy(Option<String>),
    /// The topic's policy text (a topic always has one).
    TopicPolicy(String),
    BucketNotification(s3_bucket_notification::NotificationConfiguration),
    EventSelectors(cloudtrail_event_selectors::EventSelectors),
    /// `None`: the bucket has no public access block configuration.
    PublicAccessBlock(Option<PublicAccessBlock>),
    /// The first default encryption rule; `None`: no rule.
    Encryption(Option<s3_encryption::DefaultEncryption>),
    /// Versioning status as S3 spells it; `None`: never versioned.
    Versioning(Option<String>),
    /// `None`: logging off.
    Logging(Option<s3_logging::LoggingTarget>),
    /// The whole tag set (empty when the bucket has none).
    Tags(BTreeMap<String, String>),
}

impl Observed {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Observed::OwnershipControls(_) => ResourceKind::S3OwnershipControls,
            Observed::BucketPolicy(_) => ResourceKind::S3BucketPolicy,
            Observed::TopicPolicy(_) => ResourceKind::SnsTopicPolicy,
            Observed::BucketNotification(_) => ResourceKind::S3BucketNotification,
            Observed::EventSelectors(_) => ResourceKind::CloudTrailEventSelectors,
            Observed::PublicAccessBlock(_) => ResourceKind::S3PublicAccessBlock,
            Observed::Encryption(_) => ResourceKind::S3Encryption,
            Observed::Versioning(_) => ResourceKind::S3Versioning,
            Observed::Logging(_) => ResourceKind::S3Logging,
            Observed::Tags(_) => ResourceKind::S3Tags,
        }
    }

    /// A digest of the document's meaning, so that apply can tell whether a
    /// document changed since it was planned from. AWS's own rewrites of a
    /// policy (key order, scalars for one-element arrays) do not change it.
    pub fn fingerprint(&self) -> String {
        let policy = |text: &str| match xacct_policy::PolicyDocument::parse(text) {
            Ok(document) => format!("policy:{}", document.canonical()),
            Err(_) => format!("policy-text:{text}"),
        };
        let meaning = match self {
            Observed::OwnershipControls(rule) => format!("ownership:{rule:?}"),
            Observed::BucketPolicy(None) => "policy:none".to_string(),
            Observed::BucketPolicy(Some(text)) | Observed::TopicPolicy(text) => policy(text),
            Observed::BucketNotification(configuration) => {
                format!("notification:{}", configuration.canonical())
            }
            Observed::EventSelectors(selectors) => format!("selectors:{}", selectors.canonical()),
            Observed::PublicAccessBlock(block) => format!("public-access-block:{block:?}"),
            Observed::Encryption(rule) => format!("encryption:{rule:?}"),
            Observed::Versioning(status) => format!("versioning:{status:?}"),
            Observed::Logging(target) => format!("logging:{target:?}"),
            Observed::Tags(tags) => format!("tags:{tags:?}"),
        };
        let digest = Sha256::digest(meaning.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// The desired resources of a spec, in a stable order; errors for what the
/// spec leaves undecidable (e.g. a topic with no region to build its ARN).
pub fn desired(spec: &Spec) -> Result<Vec<DesiredResource>, Vec<PlanError>> {
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    for bucket in spec.buckets.values() {
        resources.extend(s3_ownership_controls::desired(spec, bucket));
        resources.extend(s3_bucket_policy::desired(spec, bucket));
        resources.extend(s3_bucket_notification::desired(spec, bucket));
        resources.extend(s3_public_access_block::desired(spec, bucket));
        resources.extend(s3_encryption::desired(spec, bucket));
        resources.extend(s3_versioning::desired(spec, bucket));
        resources.extend(s3_logging::desired(spec, bucket));
        resources.extend(s3_tags::desired(spec, bucket));
    }
    for topic in spec.sns_topics.values() {
        match sns_topic_policy::desired(spec, topic) {
            Ok(resource) => resources.push(resource),
            Err(error) => errors.push(error),
        }
    }
    resources.extend(cloudtrail_event_selectors::desired(spec));
    if !errors.is_empty() {
        return Err(errors);
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(resources)
}

/// The resource managing one kind of document of `bucket`: addressed and
/// located by the bucket.
pub(crate) fn bucket_resource(
    spec: &Spec,
    bucket: &xacct_spec::Bucket,
    kind: ResourceKind,
    depends_on: Vec<Address>,
    desired: Desired,
) -> DesiredResource {
    DesiredResource {
        address: Address::new(kind, &bucket.name),
        location: bucket_location(spec, bucket),
        aws_id: bucket.name.clone(),
        depends_on,
        desired,
    }
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

/// The ARN partition of a region: buckets in China and GovCloud have their own.
pub(crate) fn partition(region: Option<&str>) -> &'static str {
    match region {
        Some(region) if region.starts_with("cn-") => "aws-cn",
        Some(region) if region.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}
