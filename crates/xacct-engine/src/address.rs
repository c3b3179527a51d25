//! Addresses name one managed slice of one AWS document, terraform-style:
//! `<kind>.<name>`.

use std::fmt;

/// The kinds of resource xacct manages. One variant per module of `resource/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    S3OwnershipControls,
    S3BucketPolicy,
    SnsTopicPolicy,
    S3BucketNotification,
    CloudTrailEventSelectors,
    S3PublicAccessBlock,
    S3Encryption,
    S3Versioning,
    S3Logging,
    S3Tags,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 10] = [
        ResourceKind::S3OwnershipControls,
        ResourceKind::S3BucketPolicy,
        ResourceKind::SnsTopicPolicy,
        ResourceKind::S3BucketNotification,
        ResourceKind::CloudTrailEventSelectors,
        ResourceKind::S3PublicAccessBlock,
        ResourceKind::S3Encryption,
        ResourceKind::S3Versioning,
        ResourceKind::S3Logging,
        ResourceKind::S3Tags,
    ];

    /// The address prefix, as users type it in `--target`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::S3OwnershipControls => "s3_ownership_controls",
            ResourceKind::S3BucketPolicy => "s3_bucket_policy",
            ResourceKind::SnsTopicPolicy => "sns_topic_policy",
            ResourceKind::S3BucketNotification => "s3_bucket_notification",
            ResourceKind::CloudTrailEventSelectors => "cloudtrail_event_selectors",
            ResourceKind::S3PublicAccessBlock => "s3_public_access_block",
            ResourceKind::S3Encryption => "s3_encryption",
            ResourceKind::S3Versioning => "s3_versioning",
            ResourceKind::S3Logging => "s3_logging",
            ResourceKind::S3Tags => "s3_tags",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `s3_bucket_policy.my-bucket`: a resource kind and the name of the object
/// whose document it manages a slice of: the bucket name, the spec's key of a
/// topic, or the trail as written in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub kind: ResourceKind,
    pub name: String,
}

impl Address {
    pub fn new(kind: ResourceKind, name: impl Into<String>) -> Self {
        Address {
            kind,
            name: name.into(),
        }
    }

    /// Parses `kind.name`; `None` when the kind is unknown or the name empty.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, name) = text.split_once('.')?;
        let kind = ResourceKind::parse(kind)?;
        (!name.is_empty()).then(|| Address::new(kind, name))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// Addresses travel as their text form in JSON output and plan files.
impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Address {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Address::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a resource address: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_round_trips_through_text() {
        let address = Address::new(ResourceKind::S3BucketPolicy, "my.bucket-1");
        assert_eq!(address.to_string(), "s3_bucket_policy.my.bucket-1");
        assert_eq!(
            Address::parse("s3_bucket_policy.my.bucket-1"),
            Some(address)
        );
    }

    #[test]
    fn unknown_kinds_and_empty_names_are_not_addresses() {
        assert_eq!(Address::parse("s3_bucket.my-bucket"), None);
        assert_eq!(Address::parse("s3_bucket_policy."), None);
        assert_eq!(Address::parse("my-bucket"), None);
    }
}
