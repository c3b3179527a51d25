//! Merging xacct's owned statements into a document others share.

use crate::document::PolicyDocument;
use crate::statement::Statement;

/// Replace/insert/remove exactly the owned statements (Sid starts with `prefix`).
///
/// An owned statement with the same Sid as a desired one is replaced in place
/// (kept as read if semantically equal, so a converged document is written
/// back byte-identical); desired statements with no owned counterpart are
/// appended in the order given; owned statements not desired (including a
/// second owned statement with an already-matched Sid) are removed. Every
/// foreign statement stays, in place, as read; Version and Id are never
/// rewritten. With no observed document the result is a new document.
/// `None` means nothing is left, and the caller deletes the document.
///
/// `desired` statements are expected to be owned; one that is not would be
/// appended on every merge, since it can never be recognised afterwards.
pub fn merge_owned(
    observed: Option<&PolicyDocument>,
    prefix: &str,
    desired: &[Statement],
) -> Option<PolicyDocument> {
    let Some(observed) = observed else {
        return (!desired.is_empty()).then(|| PolicyDocument::new(desired.to_vec()));
    };
    let mut placed = vec![false; desired.len()];
    let mut merged = Vec::with_capacity(observed.statements().len() + desired.len());
    for statement in observed.statements() {
        if !statement.is_owned(prefix) {
            merged.push(statement.clone());
            continue;
        }
        let replacement = desired
            .iter()
            .enumerate()
            .find(|(index, wanted)| !placed[*index] && wanted.sid() == statement.sid());
        if let Some((index, wanted)) = replacement {
            placed[index] = true;
            merged.push(if wanted.semantically_eq(statement) {
                statement.clone()
            } else {
                wanted.clone()
            });
        }
    }
    merged.extend(
        desired
            .iter()
            .zip(&placed)
            .filter(|(_, placed)| !**placed)
            .map(|(wanted, _)| wanted.clone()),
    );
    (!merged.is_empty()).then(|| observed.with_statements(merged))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const SHARED: &str = include_str!("../tests/fixtures/shared_topic_policy.json");
    const TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:quilt-events";

    fn shared() -> PolicyDocument {
        PolicyDocument::parse(SHARED).expect("fixture is a policy")
    }

    fn statement(value: Value) -> Statement {
        Statement::from_value(value).expect("valid statement")
    }

    /// The two owned statements of the fixture, as xacct would build them:
    /// different shapes, same meaning.
    fn desired_converged() -> Vec<Statement> {
        vec![
            statement(json!({
                "Sid": "QuiltCrossAccountSNSAccess", "Effect": "Allow",
                "Principal": {"AWS": ["111111111111"]},
                "Action": ["sns:GetTopicAttributes", "sns:Subscribe"], "Resource": [TOPIC]
            })),
            statement(json!({
                "Sid": "QuiltS3Publish", "Effect": "Allow",
                "Principal": {"Service": ["s3.amazonaws.com"]}, "Action": ["sns:Publish"], "Resource": [TOPIC],
                "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::data-bucket"]},
                              "StringEquals": {"aws:SourceAccount": ["222222222222"]}}
            })),
        ]
    }

    fn raw_statements(document: &PolicyDocument) -> Vec<Value> {
        document
            .statements()
            .iter()
            .map(Statement::to_value)
            .collect()
    }

    /// Foreign statements of `document`, with their positions.
    fn foreign(document: &PolicyDocument) -> Vec<(usize, Value)> {
        document
            .statements()
            .iter()
            .enumerate()
            .filter(|(_, statement)| !statement.is_owned("Quilt"))
            .map(|(index, statement)| (index, statement.to_value()))
            .collect()
    }

    #[test]
    fn converged_merge_changes_no_byte() {
        let observed = shared();
        let merged = merge_owned(Some(&observed), "Quilt", &desired_converged()).expect("document");
        assert_eq!(merged.to_json(), observed.to_json());
        assert_eq!(merged.to_json(), SHARED.trim_end());
    }

    #[test]
    fn changed_owned_statement_is_replaced_in_place() {
        let observed = shared();
        let mut desired = desired_converged();
        desired[0] = statement(json!({
            "Sid": "QuiltCrossAccountSNSAccess", "Effect": "Allow",
            "Principal": {"AWS": ["111111111111"]},
            "Action": ["sns:GetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe"], "Resource": [TOPIC]
        }));
        let merged = merge_owned(Some(&observed), "Quilt", &desired).expect("document");
        let raw = raw_statements(&merged);
        assert_eq!(raw.len(), 6);
        assert_eq!(raw[1], desired[0].to_value());
        assert_eq!(
            raw[4],
            observed.statements()[4].to_value(),
            "unchanged owned kept as read"
        );
        assert_eq!(foreign(&merged), foreign(&observed));
    }

    #[test]
    fn new_owned_statement_is_appended() {
        let observed = shared();
        let mut desired = desired_converged();
        let extra = statement(json!({"Sid": "QuiltExtra", "Effect": "Allow",
            "Principal": {"AWS": "333333333333"}, "Action": "sns:Subscribe", "Resource": TOPIC}));
        desired.insert(0, extra.clone());
        let merged = merge_owned(Some(&observed), "Quilt", &desired).expect("document");
        let raw = raw_statements(&merged);
        assert_eq!(raw.len(), 7);
        assert_eq!(raw[..6], raw_statements(&observed)[..]);
        assert_eq!(raw[6], extra.to_value());
    }

    #[test]
    fn undesired_owned_statement_is_removed_and_foreign_ones_stay_in_order() {
        let observed = shared();
        let merged =
            merge_owned(Some(&observed), "Quilt", &desired_converged()[1..]).expect("document");
        let raw = raw_statements(&merged);
        let observed_raw = raw_statements(&observed);
        assert_eq!(
            raw,
            [0, 2, 3, 4, 5].map(|index| observed_raw[index].clone())
        );
        let none_desired = merge_owned(Some(&observed), "Quilt", &[]).expect("foreign remain");
        let expected: Vec<Value> = foreign(&observed).into_iter().map(|(_, raw)| raw).collect();
        assert_eq!(raw_statements(&none_desired), expected);
        assert_eq!(none_desired.version(), Some("2008-10-17"));
        assert_eq!(none_desired.id(), Some("__default_policy_ID"));
    }

    #[test]
    fn version_and_id_are_never_rewritten() {
        let observed = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:A"},{"Sid":"QuiltOld","Effect":"Allow","Action":"s3:B"}],"Id":"keep"}"#,
        )
        .expect("policy");
        let desired = [statement(
            json!({"Sid": "QuiltNew", "Effect": "Allow", "Action": "s3:C"}),
        )];
        let merged = merge_owned(Some(&observed), "Quilt", &desired).expect("document");
        assert_eq!(
            merged.to_json(),
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:A"},{"Sid":"QuiltNew","Effect":"Allow","Action":"s3:C"}],"Id":"keep"}"#
        );
        assert_eq!(merged.version(), None);
    }

    #[test]
    fn nothing_left_is_none() {
        let only_owned = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":{"Sid":"QuiltOnly","Effect":"Allow","Action":"s3:A"}}"#,
        )
        .expect("policy");
        assert!(merge_owned(Some(&only_owned), "Quilt", &[]).is_none());
        assert!(merge_owned(None, "Quilt", &[]).is_none());
    }

    #[test]
    fn single_object_document_keeps_its_shape_when_converged() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Sid":"QuiltOnly","Effect":"Allow","Action":"s3:A"}}"#;
        let observed = PolicyDocument::parse(text).expect("policy");
        let desired = [statement(
            json!({"Sid": "QuiltOnly", "Effect": "Allow", "Action": ["S3:a"]}),
        )];
        let merged = merge_owned(Some(&observed), "Quilt", &desired).expect("document");
        assert_eq!(merged.to_json(), text);
    }

    #[test]
    fn no_observed_document_gives_a_new_one() {
        let desired = desired_converged();
        let created = merge_owned(None, "Quilt", &desired).expect("document");
        assert_eq!(created.version(), Some("2012-10-17"));
        assert_eq!(
            raw_statements(&created),
            raw_statements(&PolicyDocument::new(desired))
        );
    }

    #[test]
    fn duplicate_owned_sid_converges_to_one() {
        let observed = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"QuiltA","Effect":"Allow","Action":"s3:A"},{"Sid":"Foreign","Effect":"Allow","Action":"s3:F"},{"Sid":"QuiltA","Effect":"Allow","Action":"s3:A"}]}"#,
        )
        .expect("policy");
        let desired = [statement(
            json!({"Sid": "QuiltA", "Effect": "Allow", "Action": "s3:A"}),
        )];
        let merged = merge_owned(Some(&observed), "Quilt", &desired).expect("document");
        let sids: Vec<_> = merged
            .statements()
            .iter()
            .filter_map(Statement::sid)
            .collect();
        assert_eq!(sids, ["QuiltA", "Foreign"]);
    }
}
