//! Lint of the live documents `plan` reads: what the spec's own lint cannot
//! see because it is only in AWS, such as another team's statement that
//! grants object actions on the bucket ARN (and so grants nothing).
//!
//! It lives here rather than in xacct-policy because it needs S3's action
//! levels (xacct-spec's table) and addresses and statement ownership (this
//! crate's); xacct-policy stays a plain IAM document library.

use std::fmt;

use serde_json::{json, Value};
use xacct_policy::{PolicyDocument, Statement};
use xacct_spec::actions::{self, ResourceLevel};
use xacct_spec::{Rule, Severity};

use crate::address::Address;
use crate::kinds::Observed;

/// One finding in a live document, named by address and statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFinding {
    pub address: Address,
    /// The statement's Sid, if it has one.
    pub sid: Option<String>,
    /// The statement's 1-based position in the document (how one without a Sid is named).
    pub statement_index: usize,
    pub rule: Rule,
    /// What is wrong, where, and what to do instead.
    pub message: String,
}

impl DocumentFinding {
    /// `address: warning[rule]: message` (or `error[rule]` under `--strict`).
    pub fn report(&self, severity: Severity) -> String {
        format!(
            "{}: {severity}[{}]: {}",
            self.address, self.rule, self.message
        )
    }

    pub fn to_json(&self) -> Value {
        json!({
            "rule": self.rule.id(),
            "address": self.address.to_string(),
            "sid": self.sid,
            "statement_index": self.statement_index,
            "message": self.message,
        })
    }
}

impl fmt::Display for DocumentFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report(Severity::Warning))
    }
}

/// `resource-mismatch` findings of one live document, as it is read (only
/// bucket policies are linted). A document that does not parse is left to
/// the planner, which reports it.
pub fn lint_document(
    sid_prefix: &str,
    address: &Address,
    observed: &Observed,
) -> Vec<DocumentFinding> {
    match observed {
        Observed::S3BucketPolicy(Some(text)) => PolicyDocument::parse(text)
            .map(|document| resource_mismatches(address, sid_prefix, &document))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `resource-mismatch` on a bucket policy: a statement whose S3 actions of
/// one level (bucket or object) have no resource of that level, so they
/// grant (or deny) nothing. Wildcard actions cover both levels and are skipped.
pub fn resource_mismatches(
    address: &Address,
    sid_prefix: &str,
    document: &PolicyDocument,
) -> Vec<DocumentFinding> {
    let mut found = Vec::new();
    for (index, statement) in document.statements().iter().enumerate() {
        let canonical = statement.canonical();
        let (Some(action_values), Some(resource_values)) =
            (canonical.get("Action"), canonical.get("Resource"))
        else {
            // NotAction / NotResource: what they cover is everything else.
            continue;
        };
        let resources = strings(resource_values);
        let reaches_bucket = resources.iter().any(|r| !r.contains('/'));
        let reaches_objects = resources.iter().any(|r| r.contains(['/', '*']));
        let mut object_actions = Vec::new();
        let mut bucket_actions = Vec::new();
        for action in strings(action_values) {
            match actions::find(&action) {
                Some(known) if known.resource == ResourceLevel::Object => {
                    object_actions.push(known.name)
                }
                Some(known) if known.resource == ResourceLevel::Bucket => {
                    bucket_actions.push(known.name)
                }
                _ => {}
            }
        }
        let label = statement_label(statement, index);
        let whose = whose(statement, sid_prefix);
        let verb = match canonical["Effect"].as_str() {
            Some("Deny") => ("denies", "denies nothing: those requests are not blocked"),
            _ => ("allows", "grants nothing"),
        };
        let finding = |message: String| DocumentFinding {
            address: address.clone(),
            sid: statement.sid().map(str::to_owned),
            statement_index: index + 1,
            rule: Rule::ResourceMismatch,
            message,
        };
        if !object_actions.is_empty() && !reaches_objects {
            let buckets = resources.join(", ");
            let objects: Vec<String> = resources.iter().map(|r| format!("{r}/*")).collect();
            found.push(finding(format!(
                "statement {label} ({whose}) {} {} on {buckets} only, but {} on objects, \
                     so it {}. Add {} to its Resource, or drop the action{}",
                verb.0,
                object_actions.join(", "),
                acts(&object_actions),
                verb.1,
                objects.join(", "),
                plural(&object_actions)
            )));
        }
        if !bucket_actions.is_empty() && !reaches_bucket {
            let objects = resources.join(", ");
            let mut buckets: Vec<String> = resources
                .iter()
                .map(|r| r.split('/').next().unwrap_or(r).to_owned())
                .collect();
            buckets.dedup();
            found.push(finding(format!(
                "statement {label} ({whose}) {} {} on {objects} only, but {} on the bucket, \
                     so it {}. Add {} to its Resource, or drop the action{}",
                verb.0,
                bucket_actions.join(", "),
                acts(&bucket_actions),
                verb.1,
                buckets.join(", "),
                plural(&bucket_actions)
            )));
        }
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        Value::String(text) => vec![text.clone()],
        _ => Vec::new(),
    }
}

/// `"Sid"` in quotes, or `#3` for a statement without a Sid.
fn statement_label(statement: &Statement, index: usize) -> String {
    match statement.sid() {
        Some(sid) => format!("\"{}\"", sid.escape_debug()),
        None => format!("#{}", index + 1),
    }
}

/// Whose statement it is, so the reader knows whom to ask for the fix.
fn whose(statement: &Statement, sid_prefix: &str) -> String {
    if statement.is_owned(sid_prefix) {
        format!("managed by xacct: its Sid starts with \"{sid_prefix}\"")
    } else {
        format!("someone else's: its Sid does not start with \"{sid_prefix}\"")
    }
}

fn acts(names: &[&str]) -> &'static str {
    if names.len() == 1 {
        "that action acts"
    } else {
        "those actions act"
    }
}

fn plural(names: &[&str]) -> &'static str {
    if names.len() == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::ResourceKind;

    fn address() -> Address {
        Address::new(ResourceKind::S3BucketPolicy, "b")
    }

    fn lint(policy: Value) -> Vec<DocumentFinding> {
        let document = PolicyDocument::parse(&policy.to_string()).expect("valid policy");
        resource_mismatches(&address(), "Quilt", &document)
    }

    fn statement(sid: &str, effect: &str, action: Value, resource: Value) -> Value {
        json!({
            "Sid": sid,
            "Effect": effect,
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": action,
            "Resource": resource,
        })
    }

    fn policy(statements: Vec<Value>) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    #[test]
    fn object_actions_on_the_bucket_arn_only_grant_nothing() {
        let found = lint(policy(vec![statement(
            "SecurityRead",
            "Allow",
            json!("s3:GetObject"),
            json!("arn:aws:s3:::b"),
        )]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, Rule::ResourceMismatch);
        assert_eq!(found[0].sid.as_deref(), Some("SecurityRead"));
        assert_eq!(
            found[0].to_string(),
            "s3_bucket_policy.b: warning[resource-mismatch]: statement \"SecurityRead\" \
             (someone else's: its Sid does not start with \"Quilt\") allows s3:GetObject on \
             arn:aws:s3:::b only, but that action acts on objects, so it grants nothing. Add \
             arn:aws:s3:::b/* to its Resource, or drop the action"
        );
    }

    #[test]
    fn bucket_actions_on_objects_only_grant_nothing() {
        let found = lint(policy(vec![statement(
            "QuiltList",
            "Allow",
            json!(["S3:LISTBUCKET", "s3:GetObject", "s3:ListBucketVersions"]),
            json!(["arn:aws:s3:::b/*"]),
        )]));
        assert_eq!(found.len(), 1, "{found:?}");
        let message = &found[0].message;
        assert!(
            message.contains("(managed by xacct: its Sid starts with \"Quilt\")"),
            "{message}"
        );
        assert!(
            message
                .contains("allows s3:ListBucket, s3:ListBucketVersions on arn:aws:s3:::b/* only"),
            "{message}"
        );
        assert!(
            message.contains("Add arn:aws:s3:::b to its Resource"),
            "{message}"
        );
    }

    #[test]
    fn statements_naming_both_or_wildcards_are_fine() {
        let found = lint(policy(vec![
            statement(
                "QuiltBoth",
                "Allow",
                json!(["s3:GetObject", "s3:ListBucket"]),
                json!(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]),
            ),
            statement("All", "Allow", json!("s3:GetObject"), json!("*")),
            statement("Star", "Allow", json!("s3:*"), json!("arn:aws:s3:::b")),
            statement(
                "Prefix",
                "Allow",
                json!("s3:GetObject"),
                json!("arn:aws:s3:::b/data/*"),
            ),
            statement(
                "Other",
                "Allow",
                json!("s3:ListAllMyBuckets"),
                json!("arn:aws:s3:::b/*"),
            ),
            json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject",
                   "Resource": "arn:aws:s3:::b"}),
        ]));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn deny_statements_and_statements_without_a_sid_are_named() {
        let found = lint(policy(vec![json!({
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:DeleteObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::b",
        })]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].sid.as_deref(), found[0].statement_index),
            (None, 1)
        );
        let message = &found[0].message;
        assert!(
            message.starts_with("statement #1 (someone else's"),
            "{message}"
        );
        assert!(
            message.contains("denies s3:DeleteObject, s3:PutObject on arn:aws:s3:::b only"),
            "{message}"
        );
        assert!(
            message.contains("those actions act on objects"),
            "{message}"
        );
        assert!(message.contains("drop the actions"), "{message}");
    }

    #[test]
    fn only_bucket_policies_that_exist_and_parse_are_linted() {
        let mismatch = policy(vec![statement(
            "SecurityRead",
            "Allow",
            json!("s3:GetObject"),
            json!("arn:aws:s3:::b"),
        )])
        .to_string();
        let mut observed = std::collections::BTreeMap::new();
        observed.insert(address(), Observed::S3BucketPolicy(Some(mismatch.clone())));
        observed.insert(
            Address::new(ResourceKind::S3BucketPolicy, "none"),
            Observed::S3BucketPolicy(None),
        );
        observed.insert(
            Address::new(ResourceKind::S3BucketPolicy, "broken"),
            Observed::S3BucketPolicy(Some("not json".into())),
        );
        observed.insert(
            Address::new(ResourceKind::SnsTopicPolicy, "t"),
            Observed::SnsTopicPolicy(mismatch),
        );
        let found: Vec<DocumentFinding> = observed
            .iter()
            .flat_map(|(address, observed)| lint_document("Quilt", address, observed))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].address, address());
        assert_eq!(
            found[0].to_json(),
            json!({
                "rule": "resource-mismatch",
                "address": "s3_bucket_policy.b",
                "sid": "SecurityRead",
                "statement_index": 1,
                "message": found[0].message,
            })
        );
        assert!(found[0]
            .report(Severity::Error)
            .starts_with("s3_bucket_policy.b: error[resource-mismatch]: "));
    }
}
