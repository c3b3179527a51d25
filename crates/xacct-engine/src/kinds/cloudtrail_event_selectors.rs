//! `cloudtrail_event_selectors.<trail>`: the S3 data events of the spec's
//! buckets on an existing trail. PutEventSelectors replaces every selector and
//! basic and advanced selectors exclude each other, so the whole selector set
//! is read, our part merged in, and everyone else's written back.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_spec::{ReadWrite, SelectorMode, Spec, TrailScope};

use crate::kind::{
    ChangeAction, Declarations, Declared, DiffStyle, Holder, Kind, PlanOptions, Planned,
    SliceError, Subject,
};
use crate::location::{bucket_arn, location};

pub struct CloudTrailEventSelectors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum EventSelectorsWrite {
    /// Every selector of the trail: PutEventSelectors replaces them all.
    PutEventSelectors {
        trail: String,
        selectors: EventSelectors,
    },
}

impl Kind for CloudTrailEventSelectors {
    const NAME: &'static str = "cloudtrail_event_selectors";
    /// Last: logging the buckets' data events is the final step.
    const STAGE: u8 = 4;
    const DIFF: DiffStyle = DiffStyle::Keyed {
        key: "Name",
        noun: "selector",
    };
    const HOLDER: Holder = Holder::Trail;
    type Desired = DesiredSelectors;
    type Observed = EventSelectors;
    type Write = EventSelectorsWrite;

    fn desired(spec: &Spec) -> Declarations<'_, DesiredSelectors> {
        Box::new(desired(spec).into_iter().map(Ok))
    }

    fn plan(
        options: &PlanOptions,
        _: &Subject<'_>,
        desired: &DesiredSelectors,
        observed: &EventSelectors,
    ) -> Result<Planned<EventSelectorsWrite>, SliceError> {
        plan(&options.sid_prefix, desired, observed)
    }

    fn meaning(observed: &EventSelectors) -> String {
        format!("selectors:{}", observed.canonical())
    }

    fn expected(write: &EventSelectorsWrite) -> EventSelectors {
        let EventSelectorsWrite::PutEventSelectors { selectors, .. } = write;
        selectors.clone()
    }

    fn operation(write: &EventSelectorsWrite) -> &'static str {
        match write {
            EventSelectorsWrite::PutEventSelectors { .. } => "PutEventSelectors",
        }
    }
}

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
    /// The trail as written in the spec (name or ARN): what PutEventSelectors is sent.
    pub trail: String,
    /// `arn:aws:s3:::<bucket>/` for each bucket with `cloudtrail: true`,
    /// sorted (the trailing slash matters: without it no object events are logged).
    pub bucket_prefixes: Vec<String>,
    pub read_write: ReadWrite,
    pub include_management_events: bool,
    pub mode: SelectorMode,
    /// `scope: all`: every S3 object the trail sees, with no ARN condition.
    pub all: bool,
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

pub(crate) fn desired(spec: &Spec) -> Option<Declared<DesiredSelectors>> {
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
        .map(|bucket| format!("{}/", bucket_arn(spec, bucket)))
        .collect();
    bucket_prefixes.sort();
    Some(Declared {
        name: trail_name(&trail.trail).to_string(),
        location,
        aws_id: trail.trail.clone(),
        depends_on: Vec::new(),
        desired: DesiredSelectors {
            trail: trail.trail.clone(),
            bucket_prefixes,
            read_write: trail.read_write,
            include_management_events: trail.include_management_events,
            mode: trail.selector_mode,
            all: trail.scope == TrailScope::All,
        },
    })
}

/// CloudTrail refuses more basic selectors than this on one trail.
pub const BASIC_SELECTOR_LIMIT: usize = 5;
/// CloudTrail refuses more data resource values than this across a trail's basic selectors.
pub const BASIC_VALUE_LIMIT: usize = 250;
/// CloudTrail refuses more values than this across all conditions of a trail's advanced selectors.
pub const ADVANCED_VALUE_LIMIT: usize = 500;

/// The resource type of S3 object-level data events.
pub(crate) const S3_OBJECT: &str = "AWS::S3::Object";
/// The name AWS gives the management-events selector of a trail in advanced mode.
const DEFAULT_ADVANCED_NAME: &str = "Management events selector";

/// Plans the trail's selectors against `desired`.
///
/// Basic and advanced selectors exclude each other, and PutEventSelectors
/// replaces them all, so the write always carries the trail's whole selector
/// set: others' selectors as read, ours merged in.
fn plan(
    prefix: &str,
    desired: &DesiredSelectors,
    observed: &EventSelectors,
) -> Result<Planned<EventSelectorsWrite>, SliceError> {
    // An absent or empty list is "not in use" (emulators may send both keys).
    let basic_in_use = !observed.basic.is_empty();
    let advanced_in_use = !observed.advanced.is_empty();
    if basic_in_use && advanced_in_use {
        return Err(invalid(
            "the trail reports both basic and advanced event selectors, which AWS never allows; \
             inspect the trail with `aws cloudtrail get-event-selectors` before planning again"
                .into(),
        ));
    }
    match desired.mode {
        SelectorMode::Basic => {
            if advanced_in_use {
                return Err(invalid(
                    "the trail uses advanced event selectors, so basic selectors cannot be added \
                     without converting it; set `selector_mode: advanced` or `selector_mode: auto`"
                        .into(),
                ));
            }
            let merge = merge_basic(desired, &observed.basic);
            if let Some(excess) = basic_excess(&merge.selectors) {
                return Err(invalid(format!(
                    "{excess}; set `selector_mode: advanced` (or `auto`), set `scope: all` \
                         under `cloudtrail:` to log every bucket with one selector, or log fewer \
                         buckets"
                )));
            }
            Ok(plan_basic(desired, merge))
        }
        SelectorMode::Advanced => plan_advanced(prefix, desired, observed, None),
        SelectorMode::Auto if advanced_in_use || desired.all => {
            plan_advanced(prefix, desired, observed, None)
        }
        SelectorMode::Auto => {
            let merge = merge_basic(desired, &observed.basic);
            match basic_excess(&merge.selectors) {
                None => Ok(plan_basic(desired, merge)),
                Some(excess) => plan_advanced(prefix, desired, observed, Some(excess)),
            }
        }
    }
}

fn invalid(reason: String) -> SliceError {
    SliceError::Invalid(reason)
}

/// How CloudTrail spells a read/write type.
fn read_write_name(read_write: ReadWrite) -> &'static str {
    match read_write {
        ReadWrite::All => "All",
        ReadWrite::ReadOnly => "ReadOnly",
        ReadWrite::WriteOnly => "WriteOnly",
    }
}

// ---------------------------------------------------------------------------
// Basic mode
// ---------------------------------------------------------------------------

/// The basic selectors with our values merged in.
struct BasicMerge {
    selectors: Vec<BasicSelector>,
    /// Declared prefixes already logged by a selector of the declared kind.
    present: Vec<String>,
    /// Whether a selector of the declared kind had to be added.
    added_selector: bool,
}

/// A selector logs our buckets as declared when its read/write type and
/// management-event flag are the declared ones.
fn matches_declared(selector: &BasicSelector, desired: &DesiredSelectors) -> bool {
    selector.read_write_type == read_write_name(desired.read_write)
        && selector.include_management_events == desired.include_management_events
}

fn logs_s3_prefix(selector: &BasicSelector, prefix: &str) -> bool {
    selector.data_resources.iter().any(|resource| {
        resource.resource_type == S3_OBJECT && resource.values.iter().any(|v| v == prefix)
    })
}

/// Adds each declared prefix missing from the selectors of the declared kind:
/// to the first such selector that already logs S3 objects, else to the first
/// such selector, else to a new one. Nothing is ever removed: in basic mode a
/// value carries no owner, so xacct cannot tell the values it added from
/// those of others, and removing a bucket from the spec leaves its value.
fn merge_basic(desired: &DesiredSelectors, observed: &[BasicSelector]) -> BasicMerge {
    let mut selectors = observed.to_vec();
    let (present, missing): (Vec<String>, Vec<String>) =
        desired.bucket_prefixes.iter().cloned().partition(|prefix| {
            selectors
                .iter()
                .any(|s| matches_declared(s, desired) && logs_s3_prefix(s, prefix))
        });
    let mut added_selector = false;
    if !missing.is_empty() {
        let target = selectors
            .iter()
            .position(|s| {
                matches_declared(s, desired)
                    && s.data_resources
                        .iter()
                        .any(|r| r.resource_type == S3_OBJECT)
            })
            .or_else(|| selectors.iter().position(|s| matches_declared(s, desired)));
        let index = match target {
            Some(index) => index,
            None => {
                selectors.push(BasicSelector {
                    read_write_type: read_write_name(desired.read_write).to_string(),
                    include_management_events: desired.include_management_events,
                    data_resources: Vec::new(),
                    exclude_management_event_sources: Vec::new(),
                });
                added_selector = true;
                selectors.len() - 1
            }
        };
        let selector = &mut selectors[index];
        match selector
            .data_resources
            .iter_mut()
            .find(|r| r.resource_type == S3_OBJECT)
        {
            Some(resource) => resource.values.extend(missing),
            None => selector.data_resources.push(DataResource {
                resource_type: S3_OBJECT.to_string(),
                values: missing,
            }),
        }
    }
    BasicMerge {
        selectors,
        present,
        added_selector,
    }
}

/// What exceeds CloudTrail's basic limits, if anything.
fn basic_excess(selectors: &[BasicSelector]) -> Option<String> {
    let values: usize = selectors
        .iter()
        .flat_map(|s| &s.data_resources)
        .map(|r| r.values.len())
        .sum();
    if selectors.len() > BASIC_SELECTOR_LIMIT || values > BASIC_VALUE_LIMIT {
        Some(format!(
            "the trail's basic event selectors would be {} selectors with {values} data resource \
             values, over CloudTrail's basic limits of {BASIC_SELECTOR_LIMIT} selectors and \
             {BASIC_VALUE_LIMIT} values",
            selectors.len()
        ))
    } else {
        None
    }
}

/// Our part of a basic trail, for the diff: the declared values found in (or
/// going into) selectors of the declared kind.
fn basic_slice(desired: &DesiredSelectors, values: &[String]) -> Value {
    if values.is_empty() {
        return Value::Null;
    }
    let read_write = read_write_name(desired.read_write);
    json!([{
        "Name": format!("basic ReadWriteType={read_write}"),
        "IncludeManagementEvents": desired.include_management_events,
        "Values": values,
    }])
}

fn plan_basic(desired: &DesiredSelectors, merge: BasicMerge) -> Planned<EventSelectorsWrite> {
    let before = basic_slice(desired, &merge.present);
    let after = basic_slice(desired, &desired.bucket_prefixes);
    let action = if merge.present.len() == desired.bucket_prefixes.len() {
        ChangeAction::NoOp
    } else if merge.present.is_empty() {
        ChangeAction::Create
    } else {
        ChangeAction::Update
    };
    let mut notes = Vec::new();
    let write = if action == ChangeAction::NoOp {
        None
    } else {
        let kept = merge.selectors.len() - usize::from(merge.added_selector);
        notes.push(format!(
            "basic selectors: {kept} existing selector(s) kept with all their values; \
             xacct only adds values in basic mode and never removes any"
        ));
        if merge.added_selector {
            notes.push(format!(
                "a new selector (ReadWriteType {}, IncludeManagementEvents {}) is added for the buckets",
                read_write_name(desired.read_write),
                desired.include_management_events
            ));
        }
        Some(EventSelectorsWrite::PutEventSelectors {
            trail: desired.trail.clone(),
            selectors: EventSelectors {
                basic: merge.selectors,
                advanced: Vec::new(),
            },
        })
    };
    Planned {
        action,
        before,
        after,
        write,
        notes,
    }
}

// ---------------------------------------------------------------------------
// Advanced mode
// ---------------------------------------------------------------------------

fn field(name: &str, equals: &[&str]) -> FieldSelector {
    FieldSelector {
        field: name.to_string(),
        equals: equals.iter().map(|v| v.to_string()).collect(),
        ..FieldSelector::default()
    }
}

/// `readOnly` as an advanced condition; `All` needs none.
fn read_only_field(read_write_type: &str) -> Option<FieldSelector> {
    match read_write_type {
        "ReadOnly" => Some(field("readOnly", &["true"])),
        "WriteOnly" => Some(field("readOnly", &["false"])),
        _ => None,
    }
}

/// The selector xacct owns: S3 object events of exactly the declared
/// buckets. `StartsWith` on `arn:aws:s3:::<bucket>/` (with `Equals`, or
/// without the slash, no object events would be logged). With `scope: all`
/// there is no ARN condition: every object the trail sees.
fn managed_selector(name: &str, desired: &DesiredSelectors) -> AdvancedSelector {
    let mut field_selectors = vec![
        field("eventCategory", &["Data"]),
        field("resources.type", &[S3_OBJECT]),
    ];
    if !desired.all {
        field_selectors.push(FieldSelector {
            field: "resources.ARN".into(),
            starts_with: desired.bucket_prefixes.clone(),
            ..FieldSelector::default()
        });
    }
    field_selectors.extend(read_only_field(read_write_name(desired.read_write)));
    AdvancedSelector {
        name: Some(name.to_string()),
        field_selectors,
    }
}

/// What a trail logs by default: management events. Written back when
/// removing our selector would leave none (an empty selector set is invalid).
fn default_management_selector() -> AdvancedSelector {
    AdvancedSelector {
        name: Some(DEFAULT_ADVANCED_NAME.to_string()),
        field_selectors: vec![field("eventCategory", &["Management"])],
    }
}

/// Basic selectors as advanced selectors logging exactly the same events:
/// one for a selector's management events, one per data resource.
fn convert_basic(basic: &[BasicSelector]) -> Vec<AdvancedSelector> {
    let managing = basic.iter().filter(|s| s.include_management_events).count();
    let mut converted = Vec::new();
    for (index, selector) in basic.iter().enumerate() {
        let number = index + 1;
        let read_only = read_only_field(&selector.read_write_type);
        if selector.include_management_events {
            let mut fields = vec![field("eventCategory", &["Management"])];
            fields.extend(read_only.clone());
            if !selector.exclude_management_event_sources.is_empty() {
                fields.push(FieldSelector {
                    field: "eventSource".into(),
                    not_equals: selector.exclude_management_event_sources.clone(),
                    ..FieldSelector::default()
                });
            }
            let name = if managing == 1 {
                DEFAULT_ADVANCED_NAME.to_string()
            } else {
                format!("{DEFAULT_ADVANCED_NAME} (basic selector {number})")
            };
            converted.push(AdvancedSelector {
                name: Some(name),
                field_selectors: fields,
            });
        }
        for resource in &selector.data_resources {
            let mut fields = vec![
                field("eventCategory", &["Data"]),
                field("resources.type", &[resource.resource_type.as_str()]),
            ];
            fields.extend(resource_arn_field(resource));
            fields.extend(read_only.clone());
            converted.push(AdvancedSelector {
                name: Some(format!(
                    "{} data events (basic selector {number})",
                    resource.resource_type
                )),
                field_selectors: fields,
            });
        }
    }
    converted
}

/// A basic data resource's values as a `resources.ARN` condition. S3 values
/// are prefixes (of a bucket's objects, or `arn:aws:s3` for all buckets), so
/// they stay prefixes; other types name exact resources, unless one of them is
/// a whole service (`arn:aws:lambda`), which only a prefix can say.
fn resource_arn_field(resource: &DataResource) -> Option<FieldSelector> {
    if resource.values.is_empty() {
        return None;
    }
    let service_wide = resource
        .values
        .iter()
        .any(|value| value.matches(':').count() < 3);
    let values = resource.values.clone();
    Some(
        if resource.resource_type.starts_with("AWS::S3::") || service_wide {
            FieldSelector {
                field: "resources.ARN".into(),
                starts_with: values,
                ..FieldSelector::default()
            }
        } else {
            FieldSelector {
                field: "resources.ARN".into(),
                equals: values,
                ..FieldSelector::default()
            }
        },
    )
}

fn value_count(selectors: &[AdvancedSelector]) -> usize {
    selectors
        .iter()
        .flat_map(|s| &s.field_selectors)
        .map(|f| {
            f.equals.len()
                + f.starts_with.len()
                + f.ends_with.len()
                + f.not_equals.len()
                + f.not_starts_with.len()
                + f.not_ends_with.len()
        })
        .sum()
}

/// A selector's meaning: conditions by field, values as sorted sets.
fn meaning(selector: &AdvancedSelector) -> AdvancedSelector {
    let set = |values: &[String]| {
        let mut values = values.to_vec();
        values.sort();
        values.dedup();
        values
    };
    let mut field_selectors: Vec<FieldSelector> = selector
        .field_selectors
        .iter()
        .map(|f| FieldSelector {
            field: f.field.clone(),
            equals: set(&f.equals),
            starts_with: set(&f.starts_with),
            ends_with: set(&f.ends_with),
            not_equals: set(&f.not_equals),
            not_starts_with: set(&f.not_starts_with),
            not_ends_with: set(&f.not_ends_with),
        })
        .collect();
    field_selectors.sort_by(|a, b| a.field.cmp(&b.field));
    AdvancedSelector {
        name: selector.name.clone(),
        field_selectors,
    }
}

/// An advanced selector as CloudTrail spells it, for the diff.
fn advanced_json(selector: &AdvancedSelector) -> Value {
    let fields: Vec<Value> = selector
        .field_selectors
        .iter()
        .map(|f| {
            let mut object = serde_json::Map::new();
            object.insert("Field".into(), json!(f.field));
            for (key, values) in [
                ("Equals", &f.equals),
                ("StartsWith", &f.starts_with),
                ("EndsWith", &f.ends_with),
                ("NotEquals", &f.not_equals),
                ("NotStartsWith", &f.not_starts_with),
                ("NotEndsWith", &f.not_ends_with),
            ] {
                if !values.is_empty() {
                    object.insert(key.into(), json!(values));
                }
            }
            Value::Object(object)
        })
        .collect();
    json!({ "Name": selector.name, "FieldSelectors": fields })
}

fn slice(selectors: &[AdvancedSelector]) -> Value {
    if selectors.is_empty() {
        Value::Null
    } else {
        Value::Array(selectors.iter().map(advanced_json).collect())
    }
}

/// Sets our selector among the trail's advanced selectors (converting a
/// basic trail first); `conversion_reason` says why auto mode converts.
fn plan_advanced(
    prefix: &str,
    desired: &DesiredSelectors,
    observed: &EventSelectors,
    conversion_reason: Option<String>,
) -> Result<Planned<EventSelectorsWrite>, SliceError> {
    let name = managed_selector_name(prefix);
    let wanted = (desired.all || !desired.bucket_prefixes.is_empty())
        .then(|| managed_selector(&name, desired));
    let converting = observed.advanced.is_empty() && !observed.basic.is_empty();
    if converting && wanted.is_none() {
        // Nothing of ours is on the trail or wanted: leave its basic selectors be.
        return Ok(Planned {
            action: ChangeAction::NoOp,
            before: Value::Null,
            after: Value::Null,
            write: None,
            notes: Vec::new(),
        });
    }
    let converted = if converting {
        convert_basic(&observed.basic)
    } else {
        Vec::new()
    };
    let current: &[AdvancedSelector] = if converting {
        &converted
    } else {
        &observed.advanced
    };
    let is_ours = |selector: &AdvancedSelector| selector.name.as_deref() == Some(name.as_str());
    let ours_before: Vec<AdvancedSelector> =
        current.iter().filter(|s| is_ours(s)).cloned().collect();

    // Ours stays where it was, so others' selectors keep their order.
    let mut selectors = Vec::with_capacity(current.len() + 1);
    let mut placed = false;
    for selector in current {
        if !is_ours(selector) {
            selectors.push(selector.clone());
        } else if !placed {
            selectors.extend(wanted.clone());
            placed = true;
        }
    }
    if !placed {
        selectors.extend(wanted.clone());
    }
    let others = current.iter().filter(|s| !is_ours(s)).count();

    let action = match (ours_before.as_slice(), &wanted) {
        ([], None) => ChangeAction::NoOp,
        ([], Some(_)) => ChangeAction::Create,
        (_, None) => ChangeAction::Delete,
        ([found], Some(wanted)) if meaning(found) == meaning(wanted) => ChangeAction::NoOp,
        (_, Some(_)) => ChangeAction::Update,
    };
    let mut notes = Vec::new();
    if selectors.is_empty() {
        selectors.push(default_management_selector());
        notes.push(format!(
            "no other selector is left on the trail, so the default {DEFAULT_ADVANCED_NAME:?} \
             (management events) is written back"
        ));
    }
    let count = value_count(&selectors);
    if count > ADVANCED_VALUE_LIMIT {
        return Err(invalid(format!(
            "the trail's advanced event selectors would hold {count} values, over CloudTrail's \
                 limit of {ADVANCED_VALUE_LIMIT}; set `scope: all` under `cloudtrail:` to log \
                 every bucket's data events with one selector (any number of buckets), log fewer \
                 buckets (`cloudtrail: true`), or trim the trail's other selectors"
        )));
    }
    if action == ChangeAction::NoOp {
        return Ok(Planned {
            action,
            before: slice(&ours_before),
            after: slice(&ours_before),
            write: None,
            notes: Vec::new(),
        });
    }
    let mut after: Vec<AdvancedSelector> = wanted.into_iter().collect();
    if converting {
        after.extend(converted.iter().cloned());
        let why = match conversion_reason {
            Some(excess) => format!("{excess}, so "),
            None => String::new(),
        };
        notes.push(format!(
            "{why}the trail is converted from basic to advanced event selectors (the two cannot be \
             mixed): every existing basic selector is carried over as the {} advanced selector(s) \
             listed, logging the same events",
            converted.len()
        ));
    } else if others > 0 {
        notes.push(format!(
            "{others} advanced selector(s) of others kept unchanged"
        ));
    }
    Ok(Planned {
        action,
        before: slice(&ours_before),
        after: slice(&after),
        write: Some(EventSelectorsWrite::PutEventSelectors {
            trail: desired.trail.clone(),
            selectors: EventSelectors {
                basic: Vec::new(),
                advanced: selectors,
            },
        }),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plans with the default prefix.
    fn plan_quilt(
        desired: &DesiredSelectors,
        observed: &EventSelectors,
    ) -> Result<Planned<EventSelectorsWrite>, SliceError> {
        plan("Quilt", desired, observed)
    }

    const OTHER: &str = "arn:aws:s3:::other-team-bucket/";
    const LAMBDA: &str = "arn:aws:lambda:us-east-1:111111111111:function:audit";

    fn wanted(mode: SelectorMode, buckets: &[&str]) -> DesiredSelectors {
        DesiredSelectors {
            trail: "quilt-trail".into(),
            bucket_prefixes: buckets
                .iter()
                .map(|b| format!("arn:aws:s3:::{b}/"))
                .collect(),
            read_write: ReadWrite::All,
            include_management_events: true,
            mode,
            all: false,
        }
    }

    #[test]
    fn scope_all_is_one_advanced_selector_without_an_arn_condition() {
        // 600 buckets: over the basic limits and the advanced value limit
        // one by one, and nothing for a selector of every object.
        let many: Vec<String> = (0..600).map(|n| format!("b{n}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let by_bucket = plan_quilt(
            &wanted(SelectorMode::Auto, &names),
            &EventSelectors::default(),
        )
        .expect_err("over the advanced limit");
        assert!(
            by_bucket.to_string().contains("set `scope: all`"),
            "{by_bucket}"
        );
        let all = DesiredSelectors {
            all: true,
            ..wanted(SelectorMode::Auto, &names)
        };
        let planned = plan_quilt(&all, &EventSelectors::default()).expect("plans");
        let written = written(&planned);
        let ours = written
            .advanced
            .iter()
            .find(|selector| selector.name.as_deref() == Some("QuiltS3DataEvents"))
            .expect("our selector");
        assert!(
            ours.field_selectors
                .iter()
                .all(|field| field.field != "resources.ARN"),
            "{ours:?}"
        );
        // Converged: the same selector read back plans nothing.
        let again = plan_quilt(&all, written).expect("plans");
        assert_eq!(again.action, ChangeAction::NoOp);
    }

    fn basic(read_write: &str, management: bool, resources: &[(&str, &[&str])]) -> BasicSelector {
        BasicSelector {
            read_write_type: read_write.into(),
            include_management_events: management,
            data_resources: resources
                .iter()
                .map(|(kind, values)| DataResource {
                    resource_type: kind.to_string(),
                    values: values.iter().map(|v| v.to_string()).collect(),
                })
                .collect(),
            exclude_management_event_sources: Vec::new(),
        }
    }

    /// What AWS gives a new trail.
    fn default_only() -> EventSelectors {
        EventSelectors {
            basic: vec![basic("All", true, &[])],
            advanced: Vec::new(),
        }
    }

    fn lambda_selector() -> AdvancedSelector {
        AdvancedSelector {
            name: Some("SecurityTeamLambdaEvents".into()),
            field_selectors: vec![
                field("eventCategory", &["Data"]),
                field("resources.type", &["AWS::Lambda::Function"]),
            ],
        }
    }

    fn advanced(selectors: Vec<AdvancedSelector>) -> EventSelectors {
        EventSelectors {
            basic: Vec::new(),
            advanced: selectors,
        }
    }

    fn written(planned: &Planned<EventSelectorsWrite>) -> &EventSelectors {
        match &planned.write {
            Some(EventSelectorsWrite::PutEventSelectors { trail, selectors }) => {
                assert_eq!(trail, "quilt-trail");
                selectors
            }
            other => panic!("expected PutEventSelectors, got {other:?}"),
        }
    }

    fn named<'a>(selectors: &'a [AdvancedSelector], name: &str) -> &'a AdvancedSelector {
        selectors
            .iter()
            .find(|s| s.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no selector {name:?} in {selectors:#?}"))
    }

    fn condition<'a>(selector: &'a AdvancedSelector, name: &str) -> &'a FieldSelector {
        selector
            .field_selectors
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("no field {name:?} in {selector:#?}"))
    }

    #[test]
    fn desired_names_each_logged_bucket_as_an_object_prefix() {
        let spec = xacct_spec::load_str(
            r#"version: 1
accounts:
  control: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
buckets:
  zeta-data: { account: data, cloudtrail: true }
  alpha-data: { account: data, cloudtrail: true }
  quiet-data: { account: data }
cloudtrail:
  trail: arn:aws:cloudtrail:eu-west-1:111111111111:trail/quilt-trail
  account: control
  region: eu-west-1
  selector_mode: advanced
"#,
            "deploy.yaml",
        )
        .unwrap();
        let resource = desired(&spec).expect("a trail is declared");
        assert_eq!(resource.name, "quilt-trail");
        assert_eq!(resource.location.region.as_deref(), Some("eu-west-1"));
        let selectors = resource.desired;
        assert_eq!(
            selectors.trail,
            "arn:aws:cloudtrail:eu-west-1:111111111111:trail/quilt-trail"
        );
        assert_eq!(
            selectors.bucket_prefixes,
            ["arn:aws:s3:::alpha-data/", "arn:aws:s3:::zeta-data/"]
        );
        assert_eq!(selectors.mode, SelectorMode::Advanced);
    }

    #[test]
    fn basic_adds_our_values_beside_another_teams_and_keeps_every_selector() {
        let observed = EventSelectors {
            basic: vec![
                basic("All", true, &[(S3_OBJECT, &[OTHER])]),
                basic("ReadOnly", false, &[("AWS::Lambda::Function", &[LAMBDA])]),
            ],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(
            &wanted(SelectorMode::Basic, &["b-data", "a-data"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(planned.before, Value::Null);
        assert_eq!(
            planned.after,
            json!([{"Name": "basic ReadWriteType=All", "IncludeManagementEvents": true,
                    "Values": ["arn:aws:s3:::b-data/", "arn:aws:s3:::a-data/"]}])
        );
        let selectors = written(&planned);
        assert!(selectors.advanced.is_empty());
        assert_eq!(selectors.basic.len(), 2);
        assert_eq!(
            selectors.basic[0].data_resources[0].values,
            [OTHER, "arn:aws:s3:::b-data/", "arn:aws:s3:::a-data/"]
        );
        assert_eq!(selectors.basic[1], observed.basic[1]);
    }

    #[test]
    fn basic_with_every_value_present_in_any_order_is_no_change() {
        let observed = EventSelectors {
            basic: vec![basic(
                "All",
                true,
                &[(
                    S3_OBJECT,
                    &["arn:aws:s3:::b-data/", OTHER, "arn:aws:s3:::a-data/"],
                )],
            )],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(
            &wanted(SelectorMode::Basic, &["a-data", "b-data"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
        assert_eq!(planned.before, planned.after);
    }

    #[test]
    fn basic_restores_a_removed_value_as_an_update() {
        let observed = EventSelectors {
            basic: vec![basic(
                "All",
                true,
                &[(S3_OBJECT, &["arn:aws:s3:::a-data/"])],
            )],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(
            &wanted(SelectorMode::Basic, &["a-data", "b-data"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(
            written(&planned).basic[0].data_resources[0].values,
            ["arn:aws:s3:::a-data/", "arn:aws:s3:::b-data/"]
        );
    }

    #[test]
    fn basic_adds_a_selector_when_none_has_the_declared_read_write_type() {
        let mut desired = wanted(SelectorMode::Basic, &["a-data"]);
        desired.read_write = ReadWrite::WriteOnly;
        desired.include_management_events = false;
        let planned = plan_quilt(&desired, &default_only()).unwrap();
        let selectors = written(&planned);
        assert_eq!(selectors.basic[0], basic("All", true, &[]));
        assert_eq!(
            selectors.basic[1],
            basic(
                "WriteOnly",
                false,
                &[(S3_OBJECT, &["arn:aws:s3:::a-data/"])]
            )
        );
        assert!(planned.notes.iter().any(|n| n.contains("new selector")));
    }

    #[test]
    fn basic_never_removes_values_of_buckets_left_out_of_the_spec() {
        let observed = EventSelectors {
            basic: vec![basic("All", true, &[(S3_OBJECT, &["arn:aws:s3:::gone/"])])],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(&wanted(SelectorMode::Basic, &[]), &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
    }

    #[test]
    fn basic_mode_on_an_advanced_trail_says_to_choose_advanced_or_auto() {
        let error = plan_quilt(
            &wanted(SelectorMode::Basic, &["a-data"]),
            &advanced(vec![lambda_selector()]),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("uses advanced event selectors"), "{text}");
        assert!(text.contains("selector_mode: advanced"), "{text}");
        assert!(text.contains("selector_mode: auto"), "{text}");
    }

    #[test]
    fn basic_limits_are_checked_with_what_to_do() {
        let buckets: Vec<String> = (0..251).map(|n| format!("bucket-{n}")).collect();
        let names: Vec<&str> = buckets.iter().map(String::as_str).collect();
        let error = plan_quilt(&wanted(SelectorMode::Basic, &names), &default_only()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("251 data resource values"), "{text}");
        assert!(text.contains("selector_mode: advanced"), "{text}");

        let crowded = EventSelectors {
            basic: (0..5).map(|_| basic("ReadOnly", false, &[])).collect(),
            advanced: Vec::new(),
        };
        let error = plan_quilt(&wanted(SelectorMode::Basic, &["a-data"]), &crowded).unwrap_err();
        assert!(error.to_string().contains("6 selectors"), "{error}");
    }

    #[test]
    fn advanced_adds_our_selector_and_keeps_the_foreign_one() {
        let observed = advanced(vec![default_management_selector(), lambda_selector()]);
        let planned = plan_quilt(
            &wanted(SelectorMode::Advanced, &["a-data", "b-data"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(planned.before, Value::Null);
        assert_eq!(planned.after[0]["Name"], "QuiltS3DataEvents");
        let selectors = &written(&planned).advanced;
        assert_eq!(selectors[..2], observed.advanced[..]);
        let ours = named(selectors, "QuiltS3DataEvents");
        assert_eq!(condition(ours, "eventCategory").equals, ["Data"]);
        assert_eq!(condition(ours, "resources.type").equals, [S3_OBJECT]);
        let arn = condition(ours, "resources.ARN");
        assert_eq!(
            arn.starts_with,
            ["arn:aws:s3:::a-data/", "arn:aws:s3:::b-data/"]
        );
        assert!(arn.equals.is_empty());
        assert!(ours.field_selectors.iter().all(|f| f.field != "readOnly"));
        assert!(planned
            .notes
            .iter()
            .any(|n| n.contains("2 advanced selector(s) of others")));
    }

    #[test]
    fn advanced_read_only_and_write_only_add_a_read_only_condition() {
        for (read_write, value) in [
            (ReadWrite::ReadOnly, "true"),
            (ReadWrite::WriteOnly, "false"),
        ] {
            let mut desired = wanted(SelectorMode::Advanced, &["a-data"]);
            desired.read_write = read_write;
            let planned = plan_quilt(&desired, &advanced(vec![lambda_selector()])).unwrap();
            let ours = named(&written(&planned).advanced, "QuiltS3DataEvents");
            assert_eq!(condition(ours, "readOnly").equals, [value]);
        }
    }

    #[test]
    fn advanced_with_the_same_meaning_in_another_order_is_no_change() {
        let ours = AdvancedSelector {
            name: Some("QuiltS3DataEvents".into()),
            field_selectors: vec![
                FieldSelector {
                    field: "resources.ARN".into(),
                    starts_with: vec!["arn:aws:s3:::b-data/".into(), "arn:aws:s3:::a-data/".into()],
                    ..FieldSelector::default()
                },
                field("resources.type", &[S3_OBJECT]),
                field("eventCategory", &["Data"]),
            ],
        };
        let planned = plan_quilt(
            &wanted(SelectorMode::Auto, &["a-data", "b-data"]),
            &advanced(vec![lambda_selector(), ours]),
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
    }

    #[test]
    fn advanced_sets_exactly_the_declared_buckets_in_place() {
        let stale = managed_selector(
            "QuiltS3DataEvents",
            &wanted(SelectorMode::Advanced, &["a-data", "old-data"]),
        );
        let planned = plan_quilt(
            &wanted(SelectorMode::Advanced, &["a-data", "b-data"]),
            &advanced(vec![stale, lambda_selector()]),
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Update);
        let selectors = &written(&planned).advanced;
        assert_eq!(selectors[0].name.as_deref(), Some("QuiltS3DataEvents"));
        assert_eq!(
            condition(&selectors[0], "resources.ARN").starts_with,
            ["arn:aws:s3:::a-data/", "arn:aws:s3:::b-data/"]
        );
        assert_eq!(selectors[1], lambda_selector());
    }

    #[test]
    fn removal_deletes_our_selector_and_keeps_the_others() {
        let ours = managed_selector("QuiltS3DataEvents", &wanted(SelectorMode::Advanced, &["a"]));
        let planned = plan_quilt(
            &wanted(SelectorMode::Advanced, &[]),
            &advanced(vec![lambda_selector(), ours]),
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(planned.after, Value::Null);
        assert_eq!(planned.before[0]["Name"], "QuiltS3DataEvents");
        assert_eq!(written(&planned).advanced, [lambda_selector()]);
    }

    #[test]
    fn removal_leaving_no_selector_writes_back_the_default_management_selector() {
        let ours = managed_selector("QuiltS3DataEvents", &wanted(SelectorMode::Advanced, &["a"]));
        let planned = plan_quilt(&wanted(SelectorMode::Auto, &[]), &advanced(vec![ours])).unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        let selectors = &written(&planned).advanced;
        assert_eq!(selectors.len(), 1);
        assert_eq!(
            selectors[0].name.as_deref(),
            Some("Management events selector")
        );
        assert_eq!(
            selectors[0].field_selectors,
            [field("eventCategory", &["Management"])]
        );
        assert!(planned.notes.iter().any(|n| n.contains("written back")));
    }

    #[test]
    fn advanced_mode_converts_every_basic_selector_faithfully() {
        let mut management = basic(
            "ReadOnly",
            true,
            &[
                (S3_OBJECT, &[OTHER, "arn:aws:s3"]),
                ("AWS::Lambda::Function", &[LAMBDA]),
            ],
        );
        management.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let observed = EventSelectors {
            basic: vec![
                management,
                basic(
                    "WriteOnly",
                    false,
                    &[("AWS::Lambda::Function", &["arn:aws:lambda"])],
                ),
            ],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(&wanted(SelectorMode::Advanced, &["a-data"]), &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        let selectors = written(&planned);
        assert!(selectors.basic.is_empty());
        let all = &selectors.advanced;
        assert_eq!(all.len(), 5, "{all:#?}");

        let management = named(all, "Management events selector");
        assert_eq!(
            condition(management, "eventCategory").equals,
            ["Management"]
        );
        assert_eq!(condition(management, "readOnly").equals, ["true"]);
        assert_eq!(
            condition(management, "eventSource").not_equals,
            ["kms.amazonaws.com"]
        );

        let s3 = named(all, "AWS::S3::Object data events (basic selector 1)");
        assert_eq!(condition(s3, "eventCategory").equals, ["Data"]);
        assert_eq!(condition(s3, "resources.type").equals, [S3_OBJECT]);
        assert_eq!(
            condition(s3, "resources.ARN").starts_with,
            [OTHER, "arn:aws:s3"]
        );
        assert_eq!(condition(s3, "readOnly").equals, ["true"]);

        let lambda = named(all, "AWS::Lambda::Function data events (basic selector 1)");
        assert_eq!(condition(lambda, "resources.ARN").equals, [LAMBDA]);
        let every_lambda = named(all, "AWS::Lambda::Function data events (basic selector 2)");
        assert_eq!(
            condition(every_lambda, "resources.ARN").starts_with,
            ["arn:aws:lambda"]
        );
        assert_eq!(condition(every_lambda, "readOnly").equals, ["false"]);

        named(all, "QuiltS3DataEvents");
        // The diff lists ours and every converted selector; the notes say why.
        assert_eq!(planned.after.as_array().map(Vec::len), Some(5));
        assert!(
            planned
                .notes
                .iter()
                .any(|n| n.contains("converted") && n.contains("every existing basic selector")),
            "{:?}",
            planned.notes
        );
    }

    #[test]
    fn advanced_mode_leaves_a_basic_trail_alone_when_nothing_is_declared() {
        let planned = plan_quilt(&wanted(SelectorMode::Advanced, &[]), &default_only()).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
    }

    #[test]
    fn auto_follows_a_trail_using_basic_data_resources() {
        let observed = EventSelectors {
            basic: vec![basic("All", true, &[(S3_OBJECT, &[OTHER])])],
            advanced: Vec::new(),
        };
        let planned = plan_quilt(&wanted(SelectorMode::Auto, &["a-data"]), &observed).unwrap();
        let selectors = written(&planned);
        assert!(selectors.advanced.is_empty());
        assert_eq!(
            selectors.basic[0].data_resources[0].values,
            [OTHER, "arn:aws:s3:::a-data/"]
        );
    }

    #[test]
    fn auto_follows_a_trail_using_advanced_selectors() {
        let planned = plan_quilt(
            &wanted(SelectorMode::Auto, &["a-data"]),
            &advanced(vec![lambda_selector()]),
        )
        .unwrap();
        let selectors = written(&planned);
        assert!(selectors.basic.is_empty());
        assert_eq!(selectors.advanced[0], lambda_selector());
        named(&selectors.advanced, "QuiltS3DataEvents");
    }

    #[test]
    fn auto_on_a_default_only_trail_uses_basic() {
        let planned =
            plan_quilt(&wanted(SelectorMode::Auto, &["a-data"]), &default_only()).unwrap();
        let selectors = written(&planned);
        assert_eq!(
            selectors.basic,
            [basic(
                "All",
                true,
                &[(S3_OBJECT, &["arn:aws:s3:::a-data/"])]
            )]
        );
    }

    #[test]
    fn auto_on_a_default_only_trail_converts_when_basic_limits_would_be_exceeded() {
        let buckets: Vec<String> = (0..300).map(|n| format!("bucket-{n:03}")).collect();
        let names: Vec<&str> = buckets.iter().map(String::as_str).collect();
        let planned = plan_quilt(&wanted(SelectorMode::Auto, &names), &default_only()).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        let selectors = written(&planned);
        assert!(selectors.basic.is_empty());
        assert_eq!(selectors.advanced.len(), 2);
        assert_eq!(selectors.advanced[0], default_management_selector());
        let ours = named(&selectors.advanced, "QuiltS3DataEvents");
        assert_eq!(condition(ours, "resources.ARN").starts_with.len(), 300);
        let note = planned.notes.join("\n");
        assert!(note.contains("basic limits"), "{note}");
        assert!(note.contains("converted"), "{note}");
        assert!(note.contains("every existing basic selector"), "{note}");
    }

    #[test]
    fn advanced_value_limit_is_checked_with_what_to_do() {
        let buckets: Vec<String> = (0..499).map(|n| format!("bucket-{n:03}")).collect();
        let names: Vec<&str> = buckets.iter().map(String::as_str).collect();
        let error = plan_quilt(
            &wanted(SelectorMode::Advanced, &names),
            &advanced(vec![lambda_selector()]),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("limit of 500"), "{text}");
        assert!(text.contains("fewer buckets"), "{text}");
    }

    #[test]
    fn a_trail_reporting_both_kinds_is_refused() {
        let observed = EventSelectors {
            basic: vec![basic("All", true, &[])],
            advanced: vec![lambda_selector()],
        };
        let error = plan_quilt(&wanted(SelectorMode::Auto, &["a"]), &observed).unwrap_err();
        assert!(
            error.to_string().contains("both basic and advanced"),
            "{error}"
        );
    }
}
