//! Addresses name one managed slice of one AWS document, terraform-style:
//! `<kind>.<name>`.

use std::fmt;

macro_rules! resource_kind {
    ($($variant:ident: $module:ident,)*) => {
        /// The kinds of resource xacct manages: one variant per line of the
        /// registry, which also gives each its name, stage and diff style.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ResourceKind {
            $($variant,)*
        }
    };
}

crate::for_each_kind!(resource_kind);

impl ResourceKind {
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == text)
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
