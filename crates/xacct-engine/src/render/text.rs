//! Terraform-style text: a header per address, `+ - ~` lines, a summary line.

use std::fmt::Write as _;

use super::diff::{self, Line};
use super::Style;
use crate::change::ResourceChange;
use crate::kind::ChangeAction;
use crate::kind::DiffStyle;
use crate::plan::Plan;

pub fn plan_text(plan: &Plan, style: Style) -> String {
    let mut out = plan_changes_text(plan, style);
    out.push_str(&ignored_text(plan));
    out
}

/// The set-apart changes of `ignore:` entries, after the plan or drift
/// report: shown, never counted.
pub(super) fn ignored_text(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.ignored.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nIgnored ({} accepted until their date; not counted, not applied):",
        plan.ignored.len()
    );
    for ignored in &plan.ignored {
        let change = &ignored.change;
        let _ = writeln!(
            out,
            "  {} {} until {}: {} ({})",
            change.address,
            described(change, "would be"),
            ignored.until,
            ignored.reason,
            changed_lines(change).join("; ")
        );
    }
    out
}

fn plan_changes_text(plan: &Plan, style: Style) -> String {
    if !plan.has_changes() {
        return format!(
            "No changes. Live state matches the spec ({} managed resource{} checked).\n",
            plan.changes.len(),
            plural(plan.changes.len())
        );
    }
    let mut out = String::from("xacct will perform the following actions:\n");
    for change in plan.pending() {
        out.push('\n');
        let _ = writeln!(
            out,
            "  {}",
            style.paint(
                marker(change.action),
                &format!("# {} {}", change.address, verb(change))
            )
        );
        for line in lines(change) {
            let indent = "    ".repeat(line.depth);
            let text = format!("{} {}", line.marker, line.text);
            let _ = writeln!(out, "  {indent}{}", style.paint(line.marker, &text));
        }
        for note in &change.notes {
            let _ = writeln!(out, "    ({note})");
        }
    }
    let summary = plan.summary();
    let _ = write!(
        out,
        "\nPlan: {} to add, {} to change, {} to destroy.\n",
        summary.add, summary.change, summary.destroy
    );
    out
}

/// One line per drifted address saying what differs, then a count.
pub fn drift_text(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let drifted: Vec<&ResourceChange> = plan.pending().collect();
    for change in &drifted {
        let what = changed_lines(change);
        let _ = writeln!(
            out,
            "{}",
            style.paint(
                '~',
                &format!(
                    "{}: drifted ({}): {}",
                    change.address,
                    drift_kind(change),
                    what.join("; ")
                )
            )
        );
    }
    let total = plan.changes.len();
    if drifted.is_empty() {
        let _ = writeln!(
            out,
            "No drift: all {total} managed resource{} match the spec.",
            plural(total)
        );
    } else {
        let _ = writeln!(
            out,
            "Drift: {} of {total} managed resource{} differ from the spec.",
            drifted.len(),
            plural(total)
        );
    }
    out.push_str(&ignored_text(plan));
    out
}

/// What changed, one `+ - ~` line each without block punctuation: the drift
/// report's summary of an address, in text and JSON alike.
pub(super) fn changed_lines(change: &ResourceChange) -> Vec<String> {
    lines(change)
        .into_iter()
        .filter(|line| line.marker != ' ')
        .map(|line| format!("{} {}", line.marker, line.text.trim_end_matches(" {")))
        .collect()
}

pub(super) fn lines(change: &ResourceChange) -> Vec<Line> {
    match change.address.kind.diff_style() {
        DiffStyle::Fields => diff::fields(&change.before(), &change.after()),
        DiffStyle::Keyed { key, noun } => diff::keyed(&change.before(), &change.after(), key, noun),
    }
}

/// What happens to a resource, and for a pruned one why: its object is not
/// in the spec.
pub(super) fn verb(change: &ResourceChange) -> String {
    described(change, "will be")
}

/// `<address> <tense> created` and the like; a change with nothing to do
/// is up to date whatever the tense.
fn described(change: &ResourceChange, tense: &str) -> String {
    let outcome = match change.action {
        ChangeAction::Create => "created",
        ChangeAction::Update => "updated in-place",
        ChangeAction::Delete => "destroyed",
        ChangeAction::NoOp => return "is up to date".to_string(),
    };
    if change.pruned {
        format!("{tense} {outcome} (pruned: the spec does not list it)")
    } else {
        format!("{tense} {outcome}")
    }
}

fn drift_kind(change: &ResourceChange) -> &'static str {
    match change.action {
        _ if change.pruned => "pruned: the spec does not list it",
        ChangeAction::Create => "missing",
        ChangeAction::Update => "differs",
        ChangeAction::Delete => "not in the spec",
        ChangeAction::NoOp => "in sync",
    }
}

fn marker(action: ChangeAction) -> char {
    match action {
        ChangeAction::Create => '+',
        ChangeAction::Update => '~',
        ChangeAction::Delete => '-',
        ChangeAction::NoOp => ' ',
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl Style {
    fn paint(self, marker: char, text: &str) -> String {
        let code = match marker {
            '+' => "32",
            '-' => "31",
            '~' => "33",
            _ => return text.to_string(),
        };
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::address::{Address, ResourceKind};
    use crate::change::Slices;
    use crate::kinds::s3_bucket_policy::BucketPolicyWrite;
    use crate::kinds::s3_ownership_controls::OwnershipWrite;
    use crate::kinds::Write;
    use crate::location::Location;
    use serde_json::json;
    use xacct_spec::ObjectOwnership;

    fn location() -> Location {
        Location {
            account: "data".into(),
            account_id: "222222222222".into(),
            region: Some("us-east-1".into()),
        }
    }

    pub(crate) fn sample_plan() -> Plan {
        Plan {
            ignored: Vec::new(),
            not_pruned: Vec::new(),
            changes: vec![
                ResourceChange {
                    address: Address::new(ResourceKind::S3OwnershipControls, "data-bucket"),
                    location: location().into(),
                    aws_id: "data-bucket".into(),
                    depends_on: vec![],
                    action: ChangeAction::Update,
                    slices: Slices::new(
                        ChangeAction::Update,
                        json!({"object_ownership": "ObjectWriter"}),
                        json!({"object_ownership": "BucketOwnerEnforced"}),
                    ),
                    write: Some(Box::new(Write::S3OwnershipControls(
                        OwnershipWrite::PutOwnershipControls {
                            bucket: "data-bucket".into(),
                            ownership: ObjectOwnership::BucketOwnerEnforced,
                        },
                    ))),
                    notes: vec![],
                    observed_fingerprint: "f1".into(),
                    pruned: false,
                },
                ResourceChange {
                    address: Address::new(ResourceKind::S3BucketPolicy, "data-bucket"),
                    location: location().into(),
                    aws_id: "data-bucket".into(),
                    depends_on: vec![],
                    action: ChangeAction::Update,
                    slices: Slices::new(
                        ChangeAction::Update,
                        json!([{"Sid": "QuiltAccess", "Effect": "Allow", "Action": ["s3:GetObject"]}]),
                        json!([
                            {"Sid": "QuiltAccess", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]},
                            {"Sid": "QuiltRoles", "Effect": "Allow", "Action": "s3:ListBucket"}
                        ]),
                    ),
                    write: Some(Box::new(Write::S3BucketPolicy(
                        BucketPolicyWrite::PutBucketPolicy {
                            bucket: "data-bucket".into(),
                            policy: "{}".into(),
                        },
                    ))),
                    notes: vec!["1 statement of others kept unchanged".into()],
                    observed_fingerprint: "f2".into(),
                    pruned: false,
                },
                ResourceChange {
                    address: Address::new(ResourceKind::S3BucketPolicy, "quiet-bucket"),
                    location: location().into(),
                    aws_id: "data-bucket".into(),
                    depends_on: vec![],
                    action: ChangeAction::NoOp,
                    slices: Slices::new(ChangeAction::NoOp, json!(null), json!(null)),
                    write: None,
                    notes: vec![],
                    observed_fingerprint: "f3".into(),
                    pruned: false,
                },
            ],
        }
    }

    #[test]
    fn plan_text_snapshot() {
        let expected = r#"xacct will perform the following actions:

  # s3_ownership_controls.data-bucket will be updated in-place
  ~ object_ownership = "ObjectWriter" -> "BucketOwnerEnforced"

  # s3_bucket_policy.data-bucket will be updated in-place
  ~ statement "QuiltAccess" {
      + Action = "s3:PutObject"
    }
  + statement "QuiltRoles" {
      + Effect = "Allow"
      + Action = "s3:ListBucket"
    }
    (1 statement of others kept unchanged)

Plan: 0 to add, 2 to change, 0 to destroy.
"#;
        assert_eq!(plan_text(&sample_plan(), Style::default()), expected);
    }

    #[test]
    fn drift_text_snapshot() {
        let expected = r#"s3_ownership_controls.data-bucket: drifted (differs): ~ object_ownership = "ObjectWriter" -> "BucketOwnerEnforced"
s3_bucket_policy.data-bucket: drifted (differs): ~ statement "QuiltAccess"; + Action = "s3:PutObject"; + statement "QuiltRoles"; + Effect = "Allow"; + Action = "s3:ListBucket"
Drift: 2 of 3 managed resources differ from the spec.
"#;
        assert_eq!(drift_text(&sample_plan(), Style::default()), expected);
    }

    #[test]
    fn a_converged_plan_says_no_changes() {
        let mut plan = sample_plan();
        plan.changes.truncate(0);
        assert!(plan_text(&plan, Style::default()).starts_with("No changes."));
    }

    #[test]
    fn color_only_when_asked() {
        let colored = plan_text(&sample_plan(), Style { color: true });
        assert!(colored.contains("\x1b[33m"));
        assert!(!plan_text(&sample_plan(), Style::default()).contains('\x1b'));
    }
}
