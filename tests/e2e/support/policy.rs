//! Reading policy documents (bucket and topic policies) in assertions, and
//! the foreign statements tests put next to xacct's.

use serde_json::Value;

/// The statements of a policy document (Statement may be an object or array).
pub fn statements(policy: &Value) -> Vec<Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    }
}

pub fn statement_by_sid(policy: &Value, sid: &str) -> Option<Value> {
    statements(policy)
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
}

pub fn sids(policy: &Value) -> Vec<String> {
    statements(policy)
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// A string-or-array field as a list of strings.
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The actions of a statement, lower-cased and sorted.
pub fn actions(statement: &Value) -> Vec<String> {
    let mut out: Vec<String> = string_list(statement.get("Action"))
        .into_iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The AWS principals of a statement, sorted, with bare account ids widened
/// to root ARNs.
pub fn aws_principals(statement: &Value) -> Vec<String> {
    let mut out: Vec<String> = string_list(statement.get("Principal").and_then(|p| p.get("AWS")))
        .into_iter()
        .map(|p| {
            if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                format!("arn:aws:iam::{p}:root")
            } else {
                p
            }
        })
        .collect();
    out.sort();
    out
}

/// The 14 actions of the `quilt` preset (DESIGN.md).
pub const QUILT_ACTIONS: [&str; 14] = [
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionTagging",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:GetBucketNotification",
    "s3:PutBucketNotification",
];

/// A foreign statement of the kind security teams add: deny non-TLS access.
pub fn deny_insecure_transport(bucket: &str) -> Value {
    serde_json::json!({
        "Sid": "SecurityTeamDenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}
