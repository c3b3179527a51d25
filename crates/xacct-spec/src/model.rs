//! The validated spec: what the rest of xacct plans from.
//!
//! Every reference here is already resolved and every value already checked,
//! so later layers never re-validate user input.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Suffix of the statement xacct derives on a topic to let S3 publish to it
/// (reserved: a grant may not use it).
pub const S3_PUBLISH_SID_SUFFIX: &str = "S3Publish";
/// Suffix of the statement xacct derives on a logging target bucket
/// (reserved: a grant may not use it).
pub const S3_ACCESS_LOGS_SID_SUFFIX: &str = "S3ServerAccessLogs";

/// A validated deploy.yaml (version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Statements and notification ids starting with this are owned by xacct.
    pub sid_prefix: String,
    /// By the user's name for the account (`control`, `data`, ...).
    pub accounts: BTreeMap<String, Account>,
    /// By bucket name.
    pub buckets: BTreeMap<String, Bucket>,
    /// By the user's key for the topic (not necessarily the topic name).
    pub sns_topics: BTreeMap<String, SnsTopic>,
    pub cloudtrail: Option<CloudTrail>,
    /// Accepted exceptions (`ignore:`), in the order written.
    pub ignore: Vec<Ignore>,
    /// `quilt:`: the control account's Quilt catalog, where buckets with
    /// `catalog:` are registered.
    pub quilt: Option<Quilt>,
}

/// `quilt:`: where the catalog's admin API is and how to authenticate to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quilt {
    /// `https://registry.example.com`, without a trailing slash; the admin
    /// GraphQL API is `<registry_url>/graphql`.
    pub registry_url: String,
    /// The environment variable holding an admin API key (never the key).
    pub api_key_env: String,
}

impl Quilt {
    pub const DEFAULT_API_KEY_ENV: &'static str = "QUILT_API_KEY";
}

/// `catalog:` of a bucket: whether and how the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Catalog {
    /// `catalog: false`: the catalog must not list the bucket.
    Removed,
    Listed(Box<CatalogSettings>),
}

/// The catalog's settings of a bucket; `None` = not managed: the catalog's
/// value is kept (sent back as read, since an update replaces every field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogSettings {
    pub title: String,
    pub description: Option<String>,
    pub icon_url: Option<String>,
    pub overview_url: Option<String>,
    pub tags: Option<Vec<String>>,
    pub relevance_score: Option<i32>,
    pub browsable: Option<bool>,
    pub prefixes: Option<Vec<String>>,
    pub file_extensions_to_index: Option<Vec<String>>,
    pub index_content_bytes: Option<i32>,
    pub skip_metadata_indexing: Option<bool>,
    pub sns_notification_arn: CatalogTopic,
}

/// `sns_notification_arn:` of a bucket's catalog settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogTopic {
    /// The topic of the bucket's `notifications.sns_topic`; not managed when
    /// the bucket has none.
    Auto,
    Arn(String),
}

/// One `ignore:` entry: until `until` (included), a difference at `address`
/// is shown apart and not counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub address: String,
    pub reason: String,
    pub until: crate::Date,
    /// Where the entry is written, for errors about it.
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The user's name for it (the key under `accounts:`).
    pub name: String,
    /// 12 digits.
    pub id: String,
    pub credentials: Credentials,
    /// Default region of resources in this account; `None` = the SDK's default chain.
    pub region: Option<String>,
    /// What grants to this account should allow; the lint warns on writes
    /// granted to a read-only account (`accounts.<name>.access`).
    pub access: AccountAccess,
    /// `prune: true`: the account's buckets and topics that the spec does not
    /// list are searched for xacct's slice, which is planned for removal.
    pub prune: bool,
}

/// `accounts.<name>.access`: whether the account only reads the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountAccess {
    ReadOnly,
    #[default]
    ReadWrite,
}

/// How credentials for one account are obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// The SDK's default chain (env, shared config, instance role ...).
    DefaultChain,
    /// A named profile of the shared config files.
    Profile(String),
    /// A role assumed with credentials from the default chain.
    AssumeRole {
        role_arn: String,
        external_id: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectOwnership {
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

impl ObjectOwnership {
    /// The value as S3 spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    /// Parses S3's spelling; `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "BucketOwnerEnforced" => Some(ObjectOwnership::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(ObjectOwnership::BucketOwnerPreferred),
            "ObjectWriter" => Some(ObjectOwnership::ObjectWriter),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// Key of `Spec::accounts`.
    pub account: String,
    /// The bucket's region, or `None` for the account's region.
    pub region: Option<String>,
    /// `None` = ownership controls are not managed.
    pub object_ownership: Option<ObjectOwnership>,
    /// `None` = the bucket policy is not managed (not even read);
    /// `Some(vec![])` = managed, and no statement of ours may remain.
    pub access: Option<Vec<Grant>>,
    pub notifications: Option<Notifications>,
    /// Log this bucket's S3 data events on the spec's trail.
    pub cloudtrail: bool,
    /// The hardening settings of the guide's compliance section; `None` in
    /// each = not managed (not even read).
    pub hardening: Hardening,
    /// `None` = the catalog's listing of the bucket is not managed.
    pub catalog: Option<Catalog>,
}

/// Optional per-bucket settings, each its own resource kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hardening {
    pub public_access_block: Option<PublicAccessBlock>,
    pub encryption: Option<Encryption>,
    /// `true`: Enabled; `false`: Suspended (or never enabled).
    pub versioning: Option<bool>,
    pub logging: Option<Logging>,
    /// Tag key -> value; a `None` value means "make sure this key is absent".
    /// Keys not listed belong to others and are kept.
    pub tags: Option<BTreeMap<String, Option<String>>>,
}

impl Hardening {
    /// S3 allows at most 50 tags on a bucket.
    pub const MAX_TAGS: usize = 50;
}

/// S3 Block Public Access, per bucket. Serialisable because plans carry it
/// as the document to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on: what the guide's compliance section asks for.
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// All four off: what S3 applies to a bucket without a configuration.
    pub const NONE: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: false,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    };
}

/// Server-side encryption algorithms of S3 default encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseAlgorithm {
    /// SSE-S3.
    Aes256,
    /// SSE-KMS.
    Kms,
    /// DSSE-KMS (dual-layer).
    KmsDsse,
}

impl SseAlgorithm {
    pub const ALL: [SseAlgorithm; 3] = [
        SseAlgorithm::Aes256,
        SseAlgorithm::Kms,
        SseAlgorithm::KmsDsse,
    ];

    /// The value as S3 spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SseAlgorithm::Aes256 => "AES256",
            SseAlgorithm::Kms => "aws:kms",
            SseAlgorithm::KmsDsse => "aws:kms:dsse",
        }
    }
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    pub algorithm: SseAlgorithm,
    /// Key ARN, key id or alias; `None` with KMS = the AWS managed key `aws/s3`.
    pub kms_key: Option<String>,
    /// S3 Bucket Keys (fewer KMS calls); only meaningful with `aws:kms`.
    pub bucket_key: bool,
}

impl Encryption {
    /// SSE-KMS with the AWS managed key `aws/s3`, which no other account
    /// and no AWS service can use.
    pub fn uses_aws_managed_key(&self) -> bool {
        self.algorithm != SseAlgorithm::Aes256 && self.kms_key.is_none()
    }
}

/// Server access logging of a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logging {
    /// `logging: false`: make sure the bucket does not log.
    Disabled,
    /// Deliver logs to `target_bucket` (declared in the spec, same account and
    /// region) under `prefix`.
    To {
        target_bucket: String,
        prefix: String,
    },
}

/// One `access:` entry: becomes one Allow statement of the owning document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub sid: String,
    /// Resolved IAM principals: account names and bare ids become
    /// `arn:aws:iam::<id>:root`, ARNs are kept as written. Sorted, deduplicated.
    pub principals: Vec<String>,
    /// Actions with presets expanded, as written (case kept). Sorted,
    /// deduplicated. A preset's list is borrowed whole: every grant naming it
    /// shares one.
    pub actions: Cow<'static, [Cow<'static, str>]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    /// Topic receiving the events, with the events to send.
    pub sns: Option<SnsNotification>,
    /// `Some(true)`: EventBridge on; `Some(false)`: off even if someone else set it;
    /// `None`: not managed.
    pub eventbridge: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsNotification {
    pub topic: TopicRef,
    /// S3 event names, e.g. `s3:ObjectCreated:*`. Sorted, deduplicated.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicRef {
    /// Key of `Spec::sns_topics`.
    Key(String),
    /// A topic xacct does not manage, by ARN.
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsTopic {
    /// The user's key under `sns_topics:`.
    pub key: String,
    /// Key of `Spec::accounts`.
    pub account: String,
    pub region: Option<String>,
    /// The topic's name in AWS.
    pub name: String,
    /// `None` = no grants declared (the derived S3 publish statement may still apply).
    pub access: Option<Vec<Grant>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadWrite {
    All,
    ReadOnly,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorMode {
    Auto,
    Basic,
    Advanced,
}

/// `cloudtrail.scope`: which buckets' data events the managed selector logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrailScope {
    /// One value per bucket with `cloudtrail: true` (the default).
    #[default]
    Buckets,
    /// Every S3 object the trail can see: one advanced selector with no
    /// `resources.ARN` condition, so any number of buckets fit.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudTrail {
    /// Name or ARN.
    pub trail: String,
    /// Key of `Spec::accounts`: whose credentials manage the trail.
    pub account: String,
    pub region: Option<String>,
    pub read_write: ReadWrite,
    pub include_management_events: bool,
    pub selector_mode: SelectorMode,
    pub scope: TrailScope,
}

impl Spec {
    /// The region a bucket lives in: its own, else its account's.
    pub fn bucket_region<'a>(&'a self, bucket: &'a Bucket) -> Option<&'a str> {
        bucket
            .region
            .as_deref()
            .or_else(|| self.accounts.get(&bucket.account)?.region.as_deref())
    }
}
