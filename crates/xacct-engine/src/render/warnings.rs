//! Lint findings in the machine and pull-request renderings of a plan (the
//! text rendering leaves them to stderr, where the CLI prints them).

use std::fmt::Write as _;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use xacct_spec::Finding;

use super::markdown::plan_markdown_within;
use crate::lint::DocumentFinding;
use crate::plan::Plan;

/// Markdown lists at most this many findings; the rest are counted.
const MARKDOWN_SHOWN: usize = 20;

/// The `warnings` array of `plan --format json`: spec findings with their
/// file position, then live-document findings with their address, then any
/// others. Each is rendered only as it is written.
pub struct Warnings<'a> {
    spec: &'a [Finding],
    documents: &'a [DocumentFinding],
    extra: Vec<Value>,
}

impl Serialize for Warnings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut warnings = serializer.serialize_seq(Some(
            self.spec.len() + self.documents.len() + self.extra.len(),
        ))?;
        for finding in self.spec {
            warnings.serialize_element(&json!({
                "rule": finding.rule.id(),
                "file": finding.file,
                "line": finding.line,
                "column": finding.column,
                "message": finding.message,
            }))?;
        }
        for finding in self.documents {
            warnings.serialize_element(&finding.to_json())?;
        }
        for other in &self.extra {
            warnings.serialize_element(other)?;
        }
        warnings.end()
    }
}

/// `plan --format json`: the plan's keys as in [`super::plan_json`], then
/// `warnings` (spec findings, live-document findings, then `extra`).
pub fn plan_document_with_warnings<'a>(
    plan: &'a Plan,
    spec: &'a [Finding],
    documents: &'a [DocumentFinding],
    extra: impl IntoIterator<Item = Value>,
) -> super::json::PlanDocument<'a> {
    let warnings = Warnings {
        spec,
        documents,
        extra: extra.into_iter().collect(),
    };
    super::json::PlanDocument::new(plan, Some(warnings))
}

/// A plan as markdown with a short "Warnings" list after it, the whole kept
/// under GitHub's comment limit (the plan is cut first).
pub fn plan_markdown_with_warnings(
    plan: &Plan,
    spec: &[Finding],
    documents: &[DocumentFinding],
) -> String {
    let warnings = warnings_markdown(spec, documents);
    let mut out = plan_markdown_within(plan, super::COMMENT_LIMIT.saturating_sub(warnings.len()));
    out.push_str(&warnings);
    out
}

fn warnings_markdown(spec: &[Finding], documents: &[DocumentFinding]) -> String {
    let total = spec.len() + documents.len();
    if total == 0 {
        return String::new();
    }
    let lines = spec
        .iter()
        .map(|finding| {
            format!(
                "`{}:{}:{}` **{}**: {}",
                finding.file, finding.line, finding.column, finding.rule, finding.message
            )
        })
        .chain(documents.iter().map(|finding| {
            format!(
                "`{}` **{}**: {}",
                finding.address, finding.rule, finding.message
            )
        }));
    let mut out = format!("\n#### Warnings ({total})\n\n");
    for line in lines.take(MARKDOWN_SHOWN) {
        let _ = writeln!(out, "- {line}");
    }
    if total > MARKDOWN_SHOWN {
        let _ = writeln!(
            out,
            "- ... and {} more (`xacct plan` prints them all on stderr)",
            total - MARKDOWN_SHOWN
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Address, ResourceKind};
    use xacct_spec::Rule;

    fn spec_finding(line: usize) -> Finding {
        Finding {
            file: "deploy.yaml".into(),
            line,
            column: 22,
            rule: Rule::RootPrincipal,
            message: "use roles".into(),
        }
    }

    fn document_finding() -> DocumentFinding {
        DocumentFinding {
            address: Address::new(ResourceKind::S3BucketPolicy, "b"),
            sid: Some("SecurityRead".into()),
            statement_index: 2,
            rule: Rule::ResourceMismatch,
            message: "grants nothing".into(),
        }
    }

    #[test]
    fn json_keeps_the_plan_keys_and_adds_warnings() {
        let plan = Plan::default();
        let (spec, documents) = ([spec_finding(15)], [document_finding()]);
        let with_warnings = plan_document_with_warnings(&plan, &spec, &documents, []);
        let document = serde_json::to_value(with_warnings).expect("serialises");
        assert_eq!(document["format_version"], super::super::FORMAT_VERSION);
        assert!(document["resource_changes"].is_array());
        assert!(document["summary"].is_object());
        assert_eq!(
            document["warnings"],
            json!([
                {"rule": "root-principal", "file": "deploy.yaml", "line": 15, "column": 22,
                 "message": "use roles"},
                {"rule": "resource-mismatch", "address": "s3_bucket_policy.b",
                 "sid": "SecurityRead", "statement_index": 2, "message": "grants nothing"},
            ])
        );
        let clean = serde_json::to_value(plan_document_with_warnings(&plan, &[], &[], []))
            .expect("serialises");
        assert_eq!(clean["warnings"], json!([]));
    }

    #[test]
    fn markdown_lists_warnings_after_the_plan() {
        let plan = Plan::default();
        let out = plan_markdown_with_warnings(&plan, &[spec_finding(15)], &[document_finding()]);
        assert!(out.starts_with("### xacct plan\n"), "{out}");
        assert!(out.contains("#### Warnings (2)\n"), "{out}");
        assert!(
            out.contains("- `deploy.yaml:15:22` **root-principal**: use roles\n"),
            "{out}"
        );
        assert!(
            out.contains("- `s3_bucket_policy.b` **resource-mismatch**: grants nothing\n"),
            "{out}"
        );
        assert!(!plan_markdown_with_warnings(&plan, &[], &[]).contains("Warnings"));
    }

    #[test]
    fn markdown_counts_what_it_does_not_list() {
        let many: Vec<Finding> = (1..=25).map(spec_finding).collect();
        let out = plan_markdown_with_warnings(&Plan::default(), &many, &[]);
        assert_eq!(out.matches("**root-principal**").count(), MARKDOWN_SHOWN);
        assert!(out.contains("... and 5 more"), "{out}");
    }
}
