//! Machine-readable plan and drift documents.

use std::io::Write as _;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::text::changed_lines;
use super::warnings::Warnings;
use crate::change::ResourceChange;
use crate::plan::Plan;

/// Bumped on any incompatible change of the JSON documents.
pub const FORMAT_VERSION: &str = "1.0";

/// Each resource change carries `changes`, the diff lines of the text
/// renderer, so a machine reader sees why too (`- statement "QuiltX" (no
/// longer in the spec)`).
pub fn plan_json(plan: &Plan) -> Value {
    serde_json::to_value(PlanDocument::new(plan, None)).unwrap_or(Value::Null)
}

/// `plan --format json` as it is written: each resource change is rendered
/// as it is serialised, so a plan of any size is streamed to its writer
/// rather than built as one JSON value first.
pub struct PlanDocument<'a> {
    plan: &'a Plan,
    warnings: Option<Warnings<'a>>,
}

impl<'a> PlanDocument<'a> {
    /// With `warnings`, the document has a `warnings` array last.
    pub fn new(plan: &'a Plan, warnings: Option<Warnings<'a>>) -> Self {
        PlanDocument { plan, warnings }
    }

    /// Writes the document, pretty-printed as `{:#}` prints a JSON value,
    /// and a newline.
    pub fn write_to(&self, out: impl std::io::Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, self)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

impl Serialize for PlanDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_map(None)?;
        document.serialize_entry("format_version", FORMAT_VERSION)?;
        document.serialize_entry("resource_changes", &Changes(&self.plan.changes))?;
        document.serialize_entry("ignored", &ignored(self.plan))?;
        document.serialize_entry("summary", &self.plan.summary())?;
        if let Some(warnings) = &self.warnings {
            document.serialize_entry("warnings", warnings)?;
        }
        document.end()
    }
}

/// The resource changes, each rendered only when it is written.
struct Changes<'a>(&'a [ResourceChange]);

impl Serialize for Changes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut changes = serializer.serialize_seq(Some(self.0.len()))?;
        for change in self.0 {
            changes.serialize_element(&with_changes(change))?;
        }
        changes.end()
    }
}

/// The drift report: which addresses drifted, what changed in each (the
/// diff lines of the text renderer), and when the live state was read.
pub fn drift_json(plan: &Plan, checked_at: &str) -> Value {
    let drifted: Vec<Value> = plan.pending().map(with_changes).collect();
    json!({
        "format_version": FORMAT_VERSION,
        "checked_at": checked_at,
        "in_sync": drifted.is_empty(),
        "checked": plan.changes.len(),
        "drifted": drifted,
        "ignored": ignored(plan),
        "summary": plan.summary(),
    })
}

/// The body of a drift alert for a webhook: `text`, a short summary that
/// Slack-style incoming webhooks show as is, and `drifted`, each drifted
/// address with its account and change lines.
pub fn drift_notification(plan: &Plan, checked_at: &str) -> Value {
    let drifted: Vec<&ResourceChange> = plan.pending().collect();
    let mut named: Vec<String> = drifted.iter().map(|c| c.address.to_string()).collect();
    const SHOWN: usize = 5;
    if named.len() > SHOWN {
        let more = named.len() - SHOWN;
        named.truncate(SHOWN);
        named.push(format!("and {more} more"));
    }
    json!({
        "text": format!(
            "xacct drift: {} of {} managed resources differ from the spec: {}",
            drifted.len(),
            plan.changes.len(),
            named.join(", ")
        ),
        "checked_at": checked_at,
        "drifted": drifted
            .iter()
            .map(|change| json!({
                "address": change.address.to_string(),
                "account": change.location.account,
                "changes": changed_lines(change),
            }))
            .collect::<Vec<_>>(),
    })
}

/// The changes `ignore:` entries set apart, with their reason and date.
fn ignored(plan: &Plan) -> Value {
    plan.ignored
        .iter()
        .map(|ignored| {
            let mut entry = with_changes(&ignored.change);
            entry["reason"] = ignored.reason.clone().into();
            entry["until"] = ignored.until.clone().into();
            entry
        })
        .collect()
}

/// A resource change with its diff lines.
fn with_changes(change: &ResourceChange) -> Value {
    let mut entry = resource_change(change);
    entry["changes"] = changed_lines(change).into();
    entry
}

fn resource_change(change: &ResourceChange) -> Value {
    let ResourceChange {
        address,
        location,
        aws_id,
        depends_on,
        action,
        slices: _,
        write,
        notes,
        observed_fingerprint: _,
        pruned,
    } = change;
    json!({
        "address": address.to_string(),
        "type": address.kind.as_str(),
        "name": address.name,
        "account": location.account,
        "account_id": location.account_id,
        "region": location.region,
        "aws_id": aws_id,
        "depends_on": depends_on,
        "action": action.as_str(),
        "operation": write.as_ref().map(|write| write.operation()),
        "before": change.before(),
        "after": change.after(),
        "notes": notes,
        "pruned": pruned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Address, ResourceKind};
    use crate::change::Slices;
    use crate::kind::ChangeAction;
    use crate::kinds::s3_bucket_policy::BucketPolicyWrite;
    use crate::kinds::Write;
    use crate::location::Location;

    #[test]
    fn plan_json_has_the_documented_shape() {
        let plan = Plan {
            ignored: Vec::new(),
            not_pruned: Vec::new(),
            changes: vec![ResourceChange {
                address: Address::new(ResourceKind::S3BucketPolicy, "b"),
                location: Location {
                    account: "data".into(),
                    account_id: "222222222222".into(),
                    region: None,
                }
                .into(),
                aws_id: "b".into(),
                depends_on: vec![],
                action: ChangeAction::Delete,
                slices: Slices::new(
                    ChangeAction::Delete,
                    json!([{"Sid": "QuiltA"}]),
                    Value::Null,
                ),
                write: Some(Box::new(Write::S3BucketPolicy(
                    BucketPolicyWrite::DeleteBucketPolicy { bucket: "b".into() },
                ))),
                notes: vec![],
                observed_fingerprint: "x".into(),
                pruned: false,
            }],
        };
        let document = plan_json(&plan);
        assert_eq!(document["format_version"], "1.0");
        assert_eq!(
            document["resource_changes"][0]["address"],
            "s3_bucket_policy.b"
        );
        assert_eq!(document["resource_changes"][0]["action"], "delete");
        assert_eq!(
            document["resource_changes"][0]["operation"],
            "DeleteBucketPolicy"
        );
        assert_eq!(
            document["summary"],
            json!({"add": 0, "change": 0, "destroy": 1})
        );
    }
}

#[cfg(test)]
mod drift_tests {
    use super::*;
    use crate::render::text::tests::sample_plan;

    #[test]
    fn drift_json_names_each_drifted_address_and_what_changed() {
        let document = drift_json(&sample_plan(), "2026-11-29T05:00:00Z");
        assert_eq!(document["checked_at"], "2026-11-29T05:00:00Z");
        assert_eq!(document["in_sync"], false);
        assert_eq!(document["checked"], 3);
        let drifted = document["drifted"].as_array().unwrap();
        assert_eq!(drifted.len(), 2);
        assert_eq!(drifted[1]["address"], "s3_bucket_policy.data-bucket");
        assert_eq!(drifted[1]["changes"][1], "+ Action = \"s3:PutObject\"");
    }
}
