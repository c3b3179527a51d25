//! What planning decides for one resource: the action, the managed slice before
//! and after, and the exact write that makes it so.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use xacct_spec::{ObjectOwnership, PublicAccessBlock};

use crate::address::Address;
use crate::resource::cloudtrail_event_selectors::EventSelectors;
use crate::resource::s3_bucket_notification::NotificationConfiguration;
use crate::resource::s3_encryption::DefaultEncryption;
use crate::resource::s3_logging::LoggingTarget;
use crate::resource::{Location, Observed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeAction {
    /// The managed slice does not exist yet.
    Create,
    Update,
    /// The managed slice is removed (the document may stay, holding others' content).
    Delete,
    NoOp,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Create => "create",
            ChangeAction::Update => "update",
            ChangeAction::Delete => "delete",
            ChangeAction::NoOp => "no-op",
        }
    }
}

/// One AWS write, fully decided at plan time: execution makes no choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum Write {
    PutOwnershipControls {
        bucket: String,
        #[serde(with = "ownership_text")]
        ownership: ObjectOwnership,
    },
    /// The whole merged policy: others' statements as read, ours as wanted.
    PutBucketPolicy { bucket: String, policy: String },
    /// Nothing is left in the policy once our statements are gone.
    DeleteBucketPolicy { bucket: String },
    /// The whole merged topic policy (never deleted: a topic always has one).
    PutTopicPolicy { topic_arn: String, policy: String },
    /// The whole notification configuration: others' entries as read, ours as wanted.
    PutBucketNotification {
        bucket: String,
        configuration: NotificationConfiguration,
    },
    /// Every selector of the trail: PutEventSelectors replaces them all.
    PutEventSelectors {
        trail: String,
        selectors: EventSelectors,
    },
    PutPublicAccessBlock {
        bucket: String,
        configuration: PublicAccessBlock,
    },
    PutBucketEncryption {
        bucket: String,
        configuration: DefaultEncryption,
    },
    /// `Enabled` or `Suspended`.
    PutBucketVersioning { bucket: String, status: String },
    /// `None` turns logging off.
    PutBucketLogging {
        bucket: String,
        target: Option<LoggingTarget>,
    },
    /// The whole tag set: others' keys as read, ours as wanted.
    PutBucketTagging {
        bucket: String,
        tags: BTreeMap<String, String>,
    },
    /// Nothing is left in the tag set once our keys are gone.
    DeleteBucketTagging { bucket: String },
}

impl Write {
    /// The document as it will read once this write has landed: apply
    /// compares a re-read with it to tell whether a write whose answer was
    /// lost (timeout, 5xx, dropped connection) happened after all.
    pub fn expected(&self) -> Observed {
        match self {
            Write::PutOwnershipControls { ownership, .. } => {
                Observed::OwnershipControls(Some(ownership.as_str().to_string()))
            }
            Write::PutBucketPolicy { policy, .. } => Observed::BucketPolicy(Some(policy.clone())),
            Write::DeleteBucketPolicy { .. } => Observed::BucketPolicy(None),
            Write::PutTopicPolicy { policy, .. } => Observed::TopicPolicy(policy.clone()),
            Write::PutBucketNotification { configuration, .. } => {
                Observed::BucketNotification(configuration.clone())
            }
            Write::PutEventSelectors { selectors, .. } => {
                Observed::EventSelectors(selectors.clone())
            }
            Write::PutPublicAccessBlock { configuration, .. } => {
                Observed::PublicAccessBlock(Some(*configuration))
            }
            Write::PutBucketEncryption { configuration, .. } => {
                Observed::Encryption(Some(configuration.clone()))
            }
            Write::PutBucketVersioning { status, .. } => Observed::Versioning(Some(status.clone())),
            Write::PutBucketLogging { target, .. } => Observed::Logging(target.clone()),
            Write::PutBucketTagging { tags, .. } => Observed::Tags(tags.clone()),
            Write::DeleteBucketTagging { .. } => Observed::Tags(BTreeMap::new()),
        }
    }

    /// The AWS operation, as named in IAM and CloudTrail.
    pub fn operation(&self) -> &'static str {
        match self {
            Write::PutOwnershipControls { .. } => "PutBucketOwnershipControls",
            Write::PutBucketPolicy { .. } => "PutBucketPolicy",
            Write::DeleteBucketPolicy { .. } => "DeleteBucketPolicy",
            Write::PutTopicPolicy { .. } => "SetTopicAttributes",
            Write::PutBucketNotification { .. } => "PutBucketNotificationConfiguration",
            Write::PutEventSelectors { .. } => "PutEventSelectors",
            Write::PutPublicAccessBlock { .. } => "PutPublicAccessBlock",
            Write::PutBucketEncryption { .. } => "PutBucketEncryption",
            Write::PutBucketVersioning { .. } => "PutBucketVersioning",
            Write::PutBucketLogging { .. } => "PutBucketLogging",
            Write::PutBucketTagging { .. } => "PutBucketTagging",
            Write::DeleteBucketTagging { .. } => "DeleteBucketTagging",
        }
    }
}

/// A resource kind's planning result, before the plan adds where and what from.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub action: ChangeAction,
    /// The managed slice as observed (`null` when absent).
    pub before: Value,
    /// The managed slice as it will be (`null` when absent).
    pub after: Value,
    pub write: Option<Write>,
    /// Things a reviewer should know, e.g. how many foreign statements are kept.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: Address,
    pub location: Location,
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: String,
    /// Pending changes that must succeed before this one is written; if one
    /// fails, this one is skipped.
    pub depends_on: Vec<Address>,
    pub action: ChangeAction,
    pub before: Value,
    pub after: Value,
    pub write: Option<Write>,
    pub notes: Vec<String>,
    /// Digest of the document this change was computed from; apply refuses to
    /// write over a document whose digest has changed since.
    pub observed_fingerprint: String,
}

mod ownership_text {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use xacct_spec::ObjectOwnership;

    pub fn serialize<S: Serializer>(value: &ObjectOwnership, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectOwnership, D::Error> {
        let text = String::deserialize(d)?;
        ObjectOwnership::parse(&text)
            .ok_or_else(|| D::Error::custom(format!("unknown object ownership {text:?}")))
    }
}
