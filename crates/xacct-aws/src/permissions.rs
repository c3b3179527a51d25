//! Every AWS operation xacct calls, with the IAM action that allows it: the
//! source of `xacct permissions`, kept honest by tests that read this
//! crate's own calls, kind by kind from the registry.

use crate::kinds::KIND_OPERATIONS;
use crate::operation::{op, Access, Operation};

/// Made for every account: who am I, and the role to assume.
const SESSION_OPERATIONS: &[Operation] = &[
    op("GetCallerIdentity", "sts:GetCallerIdentity", Access::Read),
    op("AssumeRole", "sts:AssumeRole", Access::Read),
];

/// `xacct verify`: the control account's probes, the owner's ownership
/// check and cleanup (every version and delete marker of a test key, listed
/// then deleted by version id), the trail's status.
const VERIFY_OPERATIONS: &[Operation] = &[
    op("ListObjectsV2", "s3:ListBucket", Access::Verify),
    op(
        "ListObjectVersions",
        "s3:ListBucketVersions",
        Access::Verify,
    ),
    op("PutObject", "s3:PutObject", Access::Verify),
    op("GetObject", "s3:GetObject", Access::Verify),
    op("DeleteObject", "s3:DeleteObject", Access::Verify),
    // The owner's cleanup deletes each version and delete marker by id.
    op("DeleteObject", "s3:DeleteObjectVersion", Access::Verify),
    op("GetBucketAcl", "s3:GetBucketAcl", Access::Verify),
    op("GetObjectAcl", "s3:GetObjectAcl", Access::Verify),
    op(
        "GetTrailStatus",
        "cloudtrail:GetTrailStatus",
        Access::Verify,
    ),
    // The control account's probe of each topic it was granted.
    op(
        "GetTopicAttributes",
        "sns:GetTopicAttributes",
        Access::Verify,
    ),
];

/// Pruning's discovery, for an account with `prune: true`.
const PRUNE_OPERATIONS: &[Operation] = &[
    op("ListBuckets", "s3:ListAllMyBuckets", Access::Prune),
    // Only for a bucket whose region ListBuckets leaves out.
    op("GetBucketLocation", "s3:GetBucketLocation", Access::Prune),
    op("ListTopics", "sns:ListTopics", Access::Prune),
];

/// Every AWS operation xacct may call: the session's, every registered
/// kind's, pruning's and verify's.
pub fn operations() -> impl Iterator<Item = &'static Operation> {
    let kinds = KIND_OPERATIONS
        .iter()
        .flat_map(|(_, operations)| operations.iter());
    SESSION_OPERATIONS
        .iter()
        .chain(kinds)
        .chain(PRUNE_OPERATIONS)
        .chain(VERIFY_OPERATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::KIND_SOURCES;

    /// The SDK calls made in `source`: `.get_bucket_policy()` ->
    /// `GetBucketPolicy`.
    fn calls_in(source: &str) -> Vec<String> {
        let verbs = ["get_", "put_", "delete_", "set_", "list_"];
        let mut calls = Vec::new();
        for (index, _) in source.match_indices('.') {
            let rest = &source[index + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            let is_call = rest[name.len()..].starts_with("()");
            if is_call && verbs.iter().any(|verb| name.starts_with(verb)) {
                let api: String = name
                    .split('_')
                    .map(|word| {
                        let mut chars = word.chars();
                        chars
                            .next()
                            .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                calls.push(api);
            }
        }
        calls.sort();
        calls.dedup();
        calls
    }

    /// The catalog's operations called in `source`: `.bucket_add(` ->
    /// `bucketAdd`, in a module that uses the catalog client.
    fn catalog_calls_in(source: &str) -> Vec<String> {
        if !source.contains("use crate::catalog::Catalog;") {
            return Vec::new();
        }
        let mut calls: Vec<String> = source
            .match_indices(".bucket_")
            .filter_map(|(index, _)| {
                let name: String = source[index + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                source[index + 1 + name.len()..]
                    .starts_with('(')
                    .then(|| camel_case(&name))
            })
            .collect();
        calls.sort();
        calls.dedup();
        calls
    }

    fn camel_case(snake: &str) -> String {
        let mut words = snake.split('_');
        let first = words.next().unwrap_or_default().to_string();
        words.fold(first, |mut camel, word| {
            let mut chars = word.chars();
            if let Some(initial) = chars.next() {
                camel.push(initial.to_ascii_uppercase());
                camel.push_str(chars.as_str());
            }
            camel
        })
    }

    /// Whether an operation is the Quilt catalog's (authorised by its admin
    /// key), not an AWS call.
    fn is_catalog(operation: &Operation) -> bool {
        operation.iam_action.starts_with("quilt:")
    }

    fn apis(operations: &[Operation]) -> Vec<String> {
        let mut apis: Vec<String> = operations
            .iter()
            .filter(|operation| !is_catalog(operation))
            .map(|operation| operation.api.to_string())
            // Made by aws-config's credential provider, not by our code.
            .filter(|api| api != "AssumeRole")
            .collect();
        apis.sort();
        // One call can need several IAM actions (DeleteObject with a version id).
        apis.dedup();
        apis
    }

    #[test]
    fn every_registered_kind_declares_exactly_the_calls_its_module_makes() {
        assert_eq!(KIND_SOURCES.len(), KIND_OPERATIONS.len());
        for ((kind, source), (declared_kind, operations)) in
            KIND_SOURCES.iter().zip(KIND_OPERATIONS)
        {
            assert_eq!(kind, declared_kind);
            assert_eq!(calls_in(source), apis(operations), "kind {kind}");
            let mut catalog: Vec<String> = operations
                .iter()
                .filter(|operation| is_catalog(operation))
                .map(|operation| operation.api.to_string())
                .collect();
            catalog.sort();
            assert_eq!(catalog_calls_in(source), catalog, "kind {kind}");
            assert!(
                operations
                    .iter()
                    .any(|operation| operation.access == Access::Read)
                    && operations
                        .iter()
                        .any(|operation| operation.access == Access::Write),
                "kind {kind} reads and writes"
            );
        }
    }

    /// Every module in `kinds/` is a registered kind's AWS module: one
    /// without its registry line would never be compiled.
    #[test]
    fn every_module_in_kinds_is_a_registered_kind() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/kinds");
        let files = std::fs::read_dir(dir)
            .expect("src/kinds is readable")
            .count();
        assert_eq!(
            files,
            KIND_SOURCES.len(),
            "src/kinds/*.rs against the registry"
        );
    }

    #[test]
    fn the_session_verify_and_discovery_declare_exactly_the_calls_they_make() {
        assert_eq!(
            calls_in(include_str!("session.rs")),
            apis(SESSION_OPERATIONS)
        );
        assert_eq!(calls_in(include_str!("verify.rs")), apis(VERIFY_OPERATIONS));
        assert_eq!(
            calls_in(include_str!("discovery.rs")),
            apis(PRUNE_OPERATIONS)
        );
    }

    #[test]
    fn no_other_module_calls_aws() {
        let modules = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
            .expect("src is readable");
        for entry in modules {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir()
                || ["session.rs", "verify.rs", "discovery.rs", "permissions.rs"].contains(&name)
            {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("readable source");
            assert_eq!(calls_in(&source), Vec::<String>::new(), "{name} calls AWS");
        }
    }
}
