//! `cloudtrail_event_selectors.<trail>`: the S3 data events of the spec's
//! buckets on an existing trail. PutEventSelectors replaces every selector and
//! basic and advanced selectors exclude each other, so the whole selector set
//! is read, our part merged in, and everyone else's written back.

use serde::{Deserialize, Serialize};
use xacct_spec::{ReadWrite, SelectorMode, Spec};

use crate::address::{Address, ResourceKind};
use crate::change::Planned;
use crate::error::PlanError;
use crate::resource::{location, partition, Desired, DesiredResource};

/// A trail's selectors as the engine sees them (xacct-aws converts to and
/// from the SDK's types). At most one of the two lists is in use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelectors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basic: Vec<BasicSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced: Vec<AdvancedSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_resources: Vec<DataResource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`.
    pub resource_type: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ends_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_equals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_starts_with: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_ends_with: Vec<String>,
}

/// What the spec wants of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSelectors {
    /// `arn:aws:s3:::<bucket>/` for each bucket with `cloudtrail: true`,
    /// sorted (the trailing slash matters: without it no object events are logged).
    pub bucket_prefixes: Vec<String>,
    pub read_write: ReadWrite,
    pub include_management_events: bool,
    pub mode: SelectorMode,
}

impl EventSelectors {
    /// A digest input of the selectors' meaning.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The name of the one advanced selector xacct owns.
pub fn managed_selector_name(prefix: &str) -> String {
    format!("{prefix}S3DataEvents")
}

/// The trail's name, from a name or an ARN (`arn:...:trail/<name>`).
pub fn trail_name(trail: &str) -> &str {
    trail.rsplit_once(":trail/").map_or(trail, |(_, name)| name)
}

pub fn desired(spec: &Spec) -> Option<DesiredResource> {
    let trail = spec.cloudtrail.as_ref()?;
    // A trail ARN names the trail's home region, where its calls must go.
    let arn_region = trail
        .trail
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|region| !region.is_empty());
    let location = location(spec, &trail.account, trail.region.as_deref().or(arn_region));
    let mut bucket_prefixes: Vec<String> = spec
        .buckets
        .values()
        .filter(|bucket| bucket.cloudtrail)
        .map(|bucket| {
            format!(
                "arn:{}:s3:::{}/",
                partition(spec.bucket_region(bucket)),
                bucket.name
            )
        })
        .collect();
    bucket_prefixes.sort();
    Some(DesiredResource {
        address: Address::new(
            ResourceKind::CloudTrailEventSelectors,
            trail_name(&trail.trail),
        ),
        location,
        aws_id: trail.trail.clone(),
        depends_on: Vec::new(),
        desired: Desired::EventSelectors(DesiredSelectors {
            bucket_prefixes,
            read_write: trail.read_write,
            include_management_events: trail.include_management_events,
            mode: trail.selector_mode,
        }),
    })
}

/// Plans the trail's selectors against `desired`.
pub fn plan(
    address: &Address,
    prefix: &str,
    desired: &DesiredSelectors,
    observed: &EventSelectors,
) -> Result<Planned, PlanError> {
    let _ = (prefix, desired, observed);
    Err(PlanError::Invalid {
        address: address.clone(),
        reason: "trail selectors are not reconciled yet".into(),
    })
}
