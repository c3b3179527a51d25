use super::*;
use crate::load_str_linted;

const HEAD: &str = r#"version: 1
accounts:
  control:
    id: "111111111111"
  data:
    id: "222222222222"
  analytics:
    id: "333333333333"
    access: read-only
"#;

/// Findings of a spec made of HEAD plus `rest`, as `(line, column, rule)`.
fn findings(rest: &str) -> Vec<Finding> {
    let source = format!("{HEAD}{rest}");
    match load_str_linted(&source, "deploy.yaml") {
        Ok(linted) => linted.findings,
        Err(error) => panic!("spec must be valid:\n{error}\n{source}"),
    }
}

fn rules(found: &[Finding]) -> Vec<(usize, usize, Rule)> {
    found.iter().map(|f| (f.line, f.column, f.rule)).collect()
}

/// A bucket with one grant; HEAD is 9 lines, so the grant's principals are on
/// line 15 and its actions on line 16.
fn bucket_grant(principals: &str, actions: &str) -> String {
    format!(
        "buckets:\n  b-data:\n    account: data\n    access:\n      - sid: QuiltGrant\n        \
         principals: {principals}\n        actions: {actions}\n"
    )
}

#[test]
fn named_roles_with_known_actions_are_clean() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::111111111111:role/QuiltLambdaRole]",
        "[s3:GetObject, s3:ListBucket, s3:PutObject]",
    ));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn root_principal_by_name_id_and_root_arn() {
    let found = findings(&bucket_grant(
        r#"[control, "111111111111", "arn:aws:iam::222222222222:root", arn:aws:iam::111111111111:role/R]"#,
        "[s3:GetObject]",
    ));
    assert_eq!(
        rules(&found),
        [
            (15, 22, Rule::RootPrincipal),
            (15, 31, Rule::RootPrincipal),
            (15, 47, Rule::RootPrincipal)
        ]
    );
    let first = found[0].to_string();
    assert!(
        first.starts_with("deploy.yaml:15:22: warning[root-principal]: principal \"control\""),
        "{first}"
    );
    assert!(
        first.contains("access entry 1 of bucket \"b-data\""),
        "{first}"
    );
    assert!(first.contains("\"control\" (111111111111)"), "{first}");
    assert!(
        first.contains("arn:aws:iam::111111111111:role/QuiltLambdaRole"),
        "{first}"
    );
    assert!(
        found[2].message.contains("\"data\" (222222222222)"),
        "{}",
        found[2]
    );
    // A number written for an id is named as the id.
    let found = findings(&bucket_grant("[111111111111]", "[s3:GetObject]"));
    assert!(
        found[0].message.contains("principal \"111111111111\""),
        "{:?}",
        found
    );
}

#[test]
fn root_principal_applies_to_topic_grants_too() {
    let found = findings(
        "sns_topics:\n  events:\n    account: data\n    region: us-east-1\n    access:\n      \
         - sid: QuiltTopic\n        principals: [control]\n        actions: [sns:Subscribe]\n",
    );
    assert_eq!(rules(&found), [(16, 22, Rule::RootPrincipal)]);
    assert!(
        found[0].message.contains("sns topic \"events\""),
        "{:?}",
        found
    );
}

#[test]
fn writes_to_a_read_only_account_are_named() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::333333333333:role/Reader]",
        "[s3:GetObject, s3:ListBucket, s3:PutObject, s3:deleteobject, s3:PutObjectTagging]",
    ));
    assert_eq!(rules(&found), [(15, 22, Rule::WriteToReadOnly)]);
    let message = &found[0].message;
    assert!(
        message.contains("grants s3:PutObject, s3:DeleteObject, s3:PutObjectTagging to principal"),
        "{message}"
    );
    assert!(
        message.contains("account \"analytics\" is read-only"),
        "{message}"
    );
    let granted = message.split(" to principal").next().unwrap_or_default();
    assert!(!granted.contains("s3:GetObject"), "{message}");
    assert!(message.contains("read-write"), "{message}");
}

#[test]
fn reads_to_a_read_only_account_are_fine() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::333333333333:role/Reader]",
        "[s3:GetObject, s3:GetObjectVersion, s3:ListBucket, s3:ListBucketVersions]",
    ));
    assert!(found.is_empty(), "{found:?}");
    // Writes to a read-write account are fine too.
    let found = findings(&bucket_grant(
        "[arn:aws:iam::111111111111:role/Writer]",
        "[s3:PutObject]",
    ));
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_preset_to_a_read_only_account_names_its_writes() {
    let found = findings(&bucket_grant("[analytics]", "quilt"));
    assert_eq!(
        rules(&found),
        [
            (15, 22, Rule::RootPrincipal),
            (15, 22, Rule::WriteToReadOnly)
        ]
    );
    let message = &found[1].message;
    for write in [
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutBucketNotification",
        "s3:PutObject",
        "s3:PutObjectTagging",
    ] {
        assert!(message.contains(write), "{write}: {message}");
    }
    let granted = message.split(" to principal").next().unwrap_or_default();
    assert!(!granted.contains("s3:GetObject"), "{message}");
}

#[test]
fn a_wildcard_to_a_read_only_account_counts_when_it_covers_writes() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::333333333333:role/Reader]",
        "[s3:Get*, s3:Put*]",
    ));
    let read_only: Vec<&Finding> = found
        .iter()
        .filter(|f| f.rule == Rule::WriteToReadOnly)
        .collect();
    assert_eq!(read_only.len(), 1, "{found:?}");
    assert!(
        read_only[0].message.contains("grants s3:Put* to"),
        "{:?}",
        read_only
    );
}

#[test]
fn sns_subscriptions_are_reads_for_a_read_only_account() {
    let topic = |actions: &str| {
        format!(
            "sns_topics:\n  events:\n    account: data\n    region: us-east-1\n    access:\n      \
             - sid: QuiltTopic\n        principals: [arn:aws:iam::333333333333:role/Reader]\n        \
             actions: {actions}\n"
        )
    };
    let found = findings(&topic(
        "[sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe]",
    ));
    assert!(found.is_empty(), "{found:?}");
    let found = findings(&topic("[sns:Subscribe, sns:Publish]"));
    assert_eq!(rules(&found), [(16, 22, Rule::WriteToReadOnly)]);
    assert!(
        found[0].message.contains("grants sns:Publish to"),
        "{:?}",
        found
    );
}

#[test]
fn unknown_actions_suggest_the_closest_known_one() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::111111111111:role/R]",
        "[s3:GetObjct, s3:LaunchRockets, S3:GETOBJECT]",
    ));
    assert_eq!(
        rules(&found),
        [(16, 19, Rule::UnknownAction), (16, 32, Rule::UnknownAction)]
    );
    assert!(
        found[0].to_string().starts_with(
            "deploy.yaml:16:19: warning[unknown-action]: action \"s3:GetObjct\" of access entry 1 \
             of bucket \"b-data\" is not a known S3 action; did you mean s3:GetObject?"
        ),
        "{}",
        found[0]
    );
    assert!(!found[1].message.contains("did you mean"), "{}", found[1]);
}

#[test]
fn wildcards_are_named_with_what_they_cover() {
    let found = findings(&bucket_grant(
        "[arn:aws:iam::111111111111:role/R]",
        "[s3:*, s3:Get*, s3:Nothing*]",
    ));
    assert_eq!(
        rules(&found),
        [
            (16, 19, Rule::WildcardAction),
            (16, 25, Rule::WildcardAction),
            (16, 34, Rule::UnknownAction),
            (16, 34, Rule::WildcardAction)
        ]
    );
    assert!(found[0].message.contains("every S3 action"), "{}", found[0]);
    assert!(
        found[1].message.contains("known S3 actions today"),
        "{}",
        found[1]
    );
    assert!(
        found[2].message.contains("matches no known S3 action"),
        "{}",
        found[2]
    );
    let found = findings(
        "sns_topics:\n  events:\n    account: data\n    region: us-east-1\n    access:\n      \
         - sid: QuiltTopic\n        principals: [arn:aws:iam::111111111111:role/R]\n        \
         actions: [\"sns:*\"]\n",
    );
    assert_eq!(rules(&found), [(17, 19, Rule::WildcardAction)]);
    assert!(
        found[0].message.contains("every SNS action"),
        "{}",
        found[0]
    );
}

#[test]
fn severity_changes_only_the_label() {
    let found = findings(&bucket_grant("[control]", "[s3:GetObject]"));
    let error = found[0].report(Severity::Error);
    assert!(
        error.starts_with("deploy.yaml:15:22: error[root-principal]: "),
        "{error}"
    );
    assert_eq!(
        error.replacen("error[", "warning[", 1),
        found[0].report(Severity::Warning)
    );
}

#[test]
fn rule_ids_are_stable_and_distinct() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
    assert_eq!(
        ids,
        [
            "root-principal",
            "resource-mismatch",
            "write-to-read-only",
            "unknown-action",
            "wildcard-action"
        ]
    );
}

#[test]
fn account_access_is_read_only_or_read_write() {
    let spec = |access: &str| {
        format!("version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    access: {access}\n")
    };
    let linted = load_str_linted(&spec("read-only"), "deploy.yaml").expect("valid");
    assert_eq!(linted.spec.accounts["data"].access, AccountAccess::ReadOnly);
    let linted = load_str_linted(&spec("read-write"), "deploy.yaml").expect("valid");
    assert_eq!(
        linted.spec.accounts["data"].access,
        AccountAccess::ReadWrite
    );
    let linted = load_str_linted(
        "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n",
        "d",
    )
    .expect("valid");
    assert_eq!(
        linted.spec.accounts["data"].access,
        AccountAccess::ReadWrite
    );
    let error = crate::load_str(&spec("readonly"), "deploy.yaml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "deploy.yaml:5:13: access \"readonly\" of account \"data\" must be one of: read-only, \
         read-write"
    );
}

/// What the shipped examples are expected to say: the least-privilege one is
/// clean; the others grant the control account as a whole on purpose (the
/// guide's first steps), and say so as root-principal warnings only.
#[test]
fn the_examples_lint_as_documented() {
    for (path, source) in crate::tests::example_specs() {
        let linted = load_str_linted(&source, &path).expect("example is valid");
        let found: Vec<Rule> = linted.findings.iter().map(|f| f.rule).collect();
        if path.ends_with("least-privilege-roles.yaml") {
            assert!(found.is_empty(), "{path}: {:?}", linted.findings);
        } else {
            assert!(
                found.iter().all(|rule| *rule == Rule::RootPrincipal),
                "{path}: {:?}",
                linted.findings
            );
        }
    }
}
