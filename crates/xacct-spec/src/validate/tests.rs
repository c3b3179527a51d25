//! One test per validation rule: the error names the offending key or value, at
//! the right line and column, and every problem of a file is reported.

use crate::{load_str, SpecError};

/// Two accounts, used by most tests; lines 1-7.
pub(super) const HEAD: &str = "version: 1
accounts:
  control:
    id: \"111111111111\"
    region: us-east-1
  data:
    id: \"222222222222\"
";

pub(super) fn errors(yaml: &str) -> Vec<SpecError> {
    match load_str(yaml, "deploy.yaml") {
        Ok(spec) => panic!("expected errors, got {spec:#?}"),
        Err(error) => {
            let errors = error.spec_errors().to_vec();
            assert!(!errors.is_empty(), "{error}");
            errors
        }
    }
}

/// Asserts one error at `line:column` whose message contains every part of `parts`.
#[track_caller]
pub(super) fn assert_error(yaml: &str, at: (usize, usize), parts: &[&str]) {
    let errors = errors(yaml);
    let found = errors.iter().any(|error| {
        (error.line, error.column) == at && parts.iter().all(|part| error.message.contains(part))
    });
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        found,
        "no error at {at:?} containing {parts:?} in:\n{}",
        all.join("\n")
    );
}

pub(super) fn with_head(rest: &str) -> String {
    format!("{HEAD}{rest}")
}

#[test]
fn yaml_syntax_errors_have_a_position() {
    let errors = errors("version: 1\nbuckets:\n  a: [1, 2\n  b: 3\n");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.starts_with("invalid YAML"),
        "{}",
        errors[0]
    );
    assert!(errors[0].line >= 3, "{}", errors[0]);
    let errors = errors_of("version: 1\n\tbad: tab\n");
    assert!(errors[0].message.contains("invalid YAML"), "{}", errors[0]);
}

fn errors_of(yaml: &str) -> Vec<SpecError> {
    errors(yaml)
}

#[test]
fn unknown_keys_are_named_with_the_expected_ones() {
    let yaml = with_head("buckets:\n  my-bucket:\n    account: data\n    acess: []\n");
    assert_error(
        &yaml,
        (11, 5),
        &[
            "unknown key \"acess\" in bucket \"my-bucket\"",
            "expected one of: account, region, object_ownership, access",
        ],
    );
    assert_error(
        "version: 1\nbucket: {}\n",
        (2, 1),
        &["unknown key \"bucket\" in the spec"],
    );
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    access:\n      - sid: QuiltA\n        principal: [control]\n        actions: quilt\n"),
        (13, 9),
        &["unknown key \"principal\"", "access entry 1 of bucket \"b-1\""],
    );
}

#[test]
fn the_full_message_reads_as_documented() {
    let errors = errors(&with_head(
        "buckets:\n  my-bucket:\n    account: data\n    acess: []\n",
    ));
    assert_eq!(
        errors[0].to_string(),
        "deploy.yaml:11:5: unknown key \"acess\" in bucket \"my-bucket\" (expected one of: \
         account, region, object_ownership, access, notifications, cloudtrail, catalog, \
         public_access_block, encryption, versioning, logging, tags)"
    );
}

#[test]
fn duplicate_keys_are_errors_with_both_positions() {
    let yaml = with_head(
        "buckets:\n  my-bucket:\n    account: data\n  other-bucket:\n    account: data\n  my-bucket:\n    account: control\n",
    );
    assert_error(
        &yaml,
        (13, 3),
        &[
            "duplicate key \"my-bucket\" in buckets",
            "first at line 9, column 3",
        ],
    );
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    account: control\n"),
        (11, 5),
        &[
            "duplicate key \"account\" in bucket \"b-1\"",
            "line 10, column 5",
        ],
    );
    assert_error(
        "version: 1\nversion: 1\n",
        (2, 1),
        &["duplicate key \"version\""],
    );
}

#[test]
fn wrong_types_are_named() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    cloudtrail: yes\n"),
        (11, 17),
        &[
            "cloudtrail of bucket \"b-1\" must be true or false",
            "\"yes\"",
        ],
    );
    assert_error(
        &with_head("buckets:\n  b-1: [account, data]\n"),
        (9, 8),
        &["bucket \"b-1\" must be a mapping, found a list"],
    );
    assert_error(
        "version: 1\naccounts: [a]\n",
        (2, 11),
        &["accounts must be a mapping"],
    );
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: 12\n"),
        (10, 14),
        &["account of bucket \"b-1\" must be a string", "quote it"],
    );
    assert_error("[1, 2]\n", (1, 1), &["the spec must be a mapping"]);
}

#[test]
fn version_is_required_and_must_be_one() {
    assert_error("accounts: {}\n", (1, 1), &["missing key \"version\""]);
    assert_error("version: 2\n", (1, 10), &["unsupported version 2"]);
    assert_error(
        "version: \"1\"\n",
        (1, 10),
        &["version must be the number 1", "\"1\""],
    );
    assert_error("", (1, 1), &["the spec is empty"]);
}

#[test]
fn sid_prefix_must_be_alphanumeric_and_non_empty() {
    assert_error(
        "version: 1\nsid_prefix: Quilt-X\n",
        (2, 13),
        &["sid_prefix \"Quilt-X\"", "letters and digits"],
    );
    assert_error(
        "version: 1\nsid_prefix: \"\"\n",
        (2, 13),
        &["sid_prefix \"\"", "non-empty"],
    );
}

#[test]
fn account_ids_are_twelve_digits() {
    assert_error(
        "version: 1\naccounts:\n  a:\n    id: \"12345\"\n",
        (4, 9),
        &["id \"12345\" of account \"a\" must be exactly 12 digits"],
    );
    // Unquoted, a leading zero is lost: the message says to quote ids.
    assert_error(
        "version: 1\naccounts:\n  a:\n    id: 012345678901\n",
        (4, 9),
        &["id of account \"a\"", "not 12 digits", "quoted strings"],
    );
    assert_error(
        "version: 1\naccounts:\n  a:\n    id: 1234567890123\n",
        (4, 9),
        &["the number 1234567890123", "quoted strings"],
    );
    assert_error(
        "version: 1\naccounts:\n  a:\n    region: us-east-1\n",
        (3, 3),
        &["missing key \"id\" in account \"a\""],
    );
    let spec = load_str(
        "version: 1\naccounts:\n  a:\n    id: 123456789012\n",
        "d.yaml",
    )
    .expect("12-digit number");
    assert_eq!(spec.accounts["a"].id, "123456789012");
}

#[test]
fn account_names_cannot_look_like_ids() {
    assert_error(
        "version: 1\naccounts:\n  \"123\":\n    id: \"123456789012\"\n",
        (3, 3),
        &["account name \"123\""],
    );
    assert_error(
        "version: 1\naccounts:\n  123:\n    id: \"123456789012\"\n",
        (3, 3),
        &["keys of accounts must be strings"],
    );
}

#[test]
fn credentials_are_one_of_profile_and_role() {
    let yaml = "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    profile: p\n    role_arn: arn:aws:iam::123456789012:role/R\n";
    assert_error(
        yaml,
        (6, 5),
        &["account \"a\" has both profile and role_arn"],
    );
    let yaml = "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    profile: p\n    external_id: xyz\n";
    assert_error(
        yaml,
        (6, 5),
        &["external_id of account \"a\" is only used with role_arn"],
    );
}

#[test]
fn role_arns_are_checked_and_match_the_account() {
    let yaml = "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    role_arn: arn:aws:iam::999999999999:role/R\n";
    assert_error(
        yaml,
        (5, 15),
        &[
            "role_arn \"arn:aws:iam::999999999999:role/R\" of account \"a\"",
            "is in account 999999999999",
            "123456789012",
        ],
    );
    let yaml = "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    role_arn: arn:aws:iam::123456789012:user/R\n";
    assert_error(
        yaml,
        (5, 15),
        &[
            "\"arn:aws:iam::123456789012:user/R\"",
            "is not an IAM role ARN",
        ],
    );
    let spec = load_str(
        "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    role_arn: arn:aws-us-gov:iam::123456789012:role/path/R\n",
        "d.yaml",
    )
    .expect("gov role");
    assert!(matches!(
        spec.accounts["a"].credentials,
        crate::Credentials::AssumeRole {
            external_id: None,
            ..
        }
    ));
}

#[test]
fn regions_are_checked() {
    assert_error(
        "version: 1\naccounts:\n  a:\n    id: \"123456789012\"\n    region: US-East-1\n",
        (5, 13),
        &["region \"US-East-1\" of account \"a\" is not a region name"],
    );
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    region: useast1\n"),
        (11, 13),
        &["region \"useast1\" of bucket \"b-1\""],
    );
}

#[test]
fn bucket_names_follow_s3_rules() {
    for (name, reason) in [
        ("My_Bucket", "lowercase"),
        ("ab", "3 to 63"),
        ("a..b", "adjacent periods"),
        ("10.0.0.1", "IP address"),
        ("xn--abc", "xn--"),
        ("data-s3alias", "-s3alias"),
    ] {
        assert_error(
            &with_head(&format!("buckets:\n  \"{name}\":\n    account: data\n")),
            (9, 3),
            &[&format!("bucket name \"{name}\""), reason],
        );
    }
}

#[test]
fn references_must_resolve() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: dta\n"),
        (10, 14),
        &[
            "account \"dta\" of bucket \"b-1\" is not declared under accounts",
            "control, data",
        ],
    );
    assert_error(
        &with_head("sns_topics:\n  t:\n    account: nobody\n"),
        (10, 14),
        &["account \"nobody\" of sns topic \"t\""],
    );
    assert_error(
        &with_head("cloudtrail:\n  trail: t-1\n  account: nobody\n"),
        (10, 12),
        &["account \"nobody\" of cloudtrail"],
    );
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    notifications:\n      sns_topic: missing\n      events: [\"s3:ObjectCreated:*\"]\n"),
        (12, 18),
        &["sns_topic \"missing\" of notifications of bucket \"b-1\" is neither a key of sns_topics"],
    );
}

#[test]
fn a_bucket_missing_its_account_says_so() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    region: us-east-1\n"),
        (9, 3),
        &["missing key \"account\" in bucket \"b-1\""],
    );
}

#[test]
fn topic_arns_are_accepted_and_checked() {
    let yaml = with_head("buckets:\n  b-1:\n    account: data\n    region: us-east-1\n    notifications:\n      sns_topic: arn:aws:sns:us-east-1:333333333333:events\n      events: [\"s3:ObjectCreated:*\"]\n");
    let spec = load_str(&yaml, "d.yaml").expect("topic ARN");
    let sns = spec.buckets["b-1"]
        .notifications
        .clone()
        .and_then(|n| n.sns)
        .expect("sns");
    assert_eq!(
        sns.topic,
        crate::TopicRef::Arn("arn:aws:sns:us-east-1:333333333333:events".into())
    );
    let yaml = with_head("buckets:\n  b-1:\n    account: data\n    notifications:\n      sns_topic: arn:aws:sns:us-east-1:3333:events\n      events: [\"s3:ObjectCreated:*\"]\n");
    assert_error(&yaml, (12, 18), &["is not an SNS topic ARN"]);
}

#[test]
fn topics_must_be_in_the_buckets_region() {
    let yaml = with_head("buckets:\n  b-1:\n    account: data\n    region: eu-west-1\n    notifications:\n      sns_topic: arn:aws:sns:us-east-1:333333333333:events\n      events: [\"s3:ObjectCreated:*\"]\n");
    assert_error(
        &yaml,
        (13, 18),
        &["is in region us-east-1 but the bucket is in eu-west-1"],
    );
}

/// A spec topic is compared by its region, else its account's; so is the bucket.
#[test]
fn spec_topics_must_be_in_the_buckets_region() {
    let spec = |topic_region: &str| {
        with_head(&format!(
            "sns_topics:\n  events:\n    account: data\n    region: {topic_region}\n    name: events\n\
             buckets:\n  b-1:\n    account: control\n    notifications:\n      sns_topic: events\n      \
             events: [\"s3:ObjectCreated:*\"]\n"
        ))
    };
    // Line 17: `sns_topic: events` of a bucket in the control account's us-east-1.
    assert_error(
        &spec("eu-west-1"),
        (17, 18),
        &["sns_topic \"events\" of notifications of bucket \"b-1\" is in region eu-west-1 but the bucket is in us-east-1"],
    );
    load_str(&spec("us-east-1"), "d.yaml").expect("same region");
}

/// A trail given by ARN must be reached in its home region: the cloudtrail's
/// `region`, else its account's.
#[test]
fn a_trail_arn_must_be_reached_in_its_home_region() {
    let arn = "arn:aws:cloudtrail:us-west-2:111111111111:trail/quilt-trail";
    // Line 9: `trail: <arn>`; the control account's region is us-east-1.
    assert_error(
        &with_head(&format!(
            "cloudtrail:\n  trail: {arn}\n  account: control\n"
        )),
        (9, 10),
        &[
            "is in region us-west-2, but the spec reaches it in us-east-1",
            "(set region: us-west-2 under cloudtrail)",
        ],
    );
    assert_error(
        &with_head(&format!(
            "cloudtrail:\n  trail: {arn}\n  account: data\n  region: eu-west-1\n"
        )),
        (9, 10),
        &["is in region us-west-2, but the spec reaches it in eu-west-1"],
    );
    load_str(
        &with_head(&format!(
            "cloudtrail:\n  trail: {arn}\n  account: control\n  region: us-west-2\n"
        )),
        "d.yaml",
    )
    .expect("home region");
}

const GRANT_BUCKET: &str = "buckets:\n  b-1:\n    account: data\n    access:\n";

/// A spec whose bucket b-1 has the given access entries (starting at line 12).
fn bucket_access(entries: &str) -> String {
    with_head(&format!("{GRANT_BUCKET}{entries}"))
}

#[test]
fn sids_start_with_the_prefix_are_alphanumeric_and_unique() {
    assert_error(
        &bucket_access(
            "      - sid: CrossAccount\n        principals: [control]\n        actions: quilt\n",
        ),
        (12, 14),
        &["sid \"CrossAccount\" in bucket \"b-1\" must start with the sid_prefix \"Quilt\""],
    );
    assert_error(
        &bucket_access(
            "      - sid: Quilt-Access\n        principals: [control]\n        actions: quilt\n",
        ),
        (12, 14),
        &["sid \"Quilt-Access\"", "only letters and digits"],
    );
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals: [control]\n        actions: quilt\n      - sid: QuiltA\n        principals: [data]\n        actions: quilt\n"),
        (15, 14),
        &["duplicate sid \"QuiltA\" in bucket \"b-1\"", "first at line 12, column 14"],
    );
    // The same sid in two different documents is fine.
    let yaml = with_head("buckets:\n  b-1:\n    account: data\n    access:\n      - sid: QuiltA\n        principals: [control]\n        actions: quilt\n  b-2:\n    account: data\n    access:\n      - sid: QuiltA\n        principals: [control]\n        actions: quilt\n");
    assert!(load_str(&yaml, "d.yaml").is_ok());
}

#[test]
fn the_derived_topic_sid_is_reserved() {
    let yaml = with_head("sns_topics:\n  t:\n    account: data\n    access:\n      - sid: QuiltS3Publish\n        principals: [control]\n        actions: [sns:Subscribe]\n");
    assert_error(
        &yaml,
        (12, 14),
        &["sid \"QuiltS3Publish\" in sns topic \"t\" is reserved"],
    );
}

#[test]
fn principals_resolve_to_root_arns_and_keep_arns() {
    let yaml = bucket_access("      - sid: QuiltA\n        principals: [data, control, \"111111111111\", arn:aws:sts::444444444444:assumed-role/R/s]\n        actions: [s3:GetObject]\n");
    let spec = load_str(&yaml, "d.yaml").expect("valid");
    let grant = &spec.buckets["b-1"].access.as_ref().expect("access")[0];
    assert_eq!(
        grant.principals,
        [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::222222222222:root",
            "arn:aws:sts::444444444444:assumed-role/R/s",
        ]
    );
}

#[test]
fn public_and_unknown_principals_are_refused() {
    assert_error(
        &bucket_access(
            "      - sid: QuiltA\n        principals: [\"*\"]\n        actions: quilt\n",
        ),
        (13, 22),
        &["principal \"*\"", "public grants are not allowed"],
    );
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals:\n          - arn:aws:iam::*:root\n        actions: quilt\n"),
        (14, 13),
        &["principal \"arn:aws:iam::*:root\"", "wildcard", "public grants are not allowed"],
    );
    assert_error(
        &bucket_access(
            "      - sid: QuiltA\n        principals: [contrl]\n        actions: quilt\n",
        ),
        (13, 22),
        &[
            "principal \"contrl\"",
            "not an account name (declared: control, data)",
        ],
    );
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals: [arn:aws:iam::111111111111:group/G]\n        actions: quilt\n"),
        (13, 22),
        &["principal \"arn:aws:iam::111111111111:group/G\"", "not an IAM principal ARN"],
    );
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals: []\n        actions: quilt\n"),
        (13, 21),
        &["principals of access entry 1 of bucket \"b-1\" must not be empty"],
    );
}

#[test]
fn actions_are_a_preset_or_a_list_of_the_right_service() {
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals: [control]\n        actions: [s3:GetObject, sns:Publish]\n"),
        (14, 33),
        &["action \"sns:Publish\"", "not an s3: action"],
    );
    let topic = |actions: &str| {
        with_head(&format!(
            "sns_topics:\n  t:\n    account: data\n    access:\n      - sid: QuiltA\n        principals: [control]\n        actions: {actions}\n"
        ))
    };
    assert_error(
        &topic("[s3:GetObject]"),
        (14, 19),
        &["action \"s3:GetObject\"", "not an sns: action"],
    );
    assert_error(
        &topic("quilt"),
        (14, 18),
        &["preset \"quilt\" holds s3: actions"],
    );
    assert_error(
        &bucket_access(
            "      - sid: QuiltA\n        principals: [control]\n        actions: quilty\n",
        ),
        (14, 18),
        &["actions \"quilty\" of access entry 1 of bucket \"b-1\" is not a preset"],
    );
    assert_error(
        &bucket_access(
            "      - sid: QuiltA\n        principals: [control]\n        actions: [GetObject]\n",
        ),
        (14, 19),
        &["action \"GetObject\"", "service:Action"],
    );
    assert_error(
        &bucket_access("      - sid: QuiltA\n        principals: [control]\n        actions: []\n"),
        (14, 18),
        &["must not be empty"],
    );
    // Wildcards in the action name are allowed, and lists are sorted and deduplicated.
    let yaml = bucket_access("      - sid: QuiltA\n        principals: [control]\n        actions: [s3:Put*, s3:Get*, s3:Get*]\n");
    let spec = load_str(&yaml, "d.yaml").expect("wildcard actions");
    assert_eq!(
        spec.buckets["b-1"].access.as_ref().expect("access")[0].actions[..],
        ["s3:Get*", "s3:Put*"]
    );
}

#[test]
fn access_null_is_not_an_empty_list() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    access:\n"),
        (11, 11),
        &["access of bucket \"b-1\" has no value", "access: []"],
    );
}

#[test]
fn object_ownership_is_one_of_three() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    object_ownership: BucketOwner\n"),
        (11, 23),
        &["object_ownership \"BucketOwner\" of bucket \"b-1\" must be one of"],
    );
}

#[test]
fn notification_rules() {
    let topic = "sns_topics:\n  events:\n    account: data\n";
    // Bucket at lines 9-.., topic appended after.
    let bucket = |body: &str| {
        with_head(&format!(
            "buckets:\n  b-1:\n    account: data\n    notifications:\n{body}{topic}"
        ))
    };
    assert_error(
        &bucket("      sns_topic: events\n      events: [\"s3:ObjectCreated\"]\n"),
        (13, 16),
        &["event \"s3:ObjectCreated\"", "not an S3 event type"],
    );
    assert_error(
        &bucket("      sns_topic: events\n      events: []\n"),
        (13, 15),
        &["events of notifications of bucket \"b-1\" must not be empty"],
    );
    assert_error(
        &bucket("      sns_topic: events\n      events: [\"s3:ObjectCreated:*\"]\n      eventbridge: true\n"),
        (12, 7),
        &["both sns_topic and eventbridge: true"],
    );
    assert_error(
        &bucket("      events: [\"s3:ObjectCreated:*\"]\n"),
        (12, 7),
        &["events of bucket \"b-1\" need an sns_topic"],
    );
    assert_error(
        &bucket("      sns_topic: events\n"),
        (12, 7),
        &["sns_topic of bucket \"b-1\" needs `events:`"],
    );
    assert_error(
        &bucket("      eventbridge: on\n"),
        (12, 20),
        &["eventbridge of notifications of bucket \"b-1\" must be true or false"],
    );
}

#[test]
fn bucket_cloudtrail_needs_the_section() {
    assert_error(
        &with_head("buckets:\n  b-1:\n    account: data\n    cloudtrail: true\n"),
        (11, 17),
        &["cloudtrail: true on bucket \"b-1\" needs a top-level `cloudtrail:` section"],
    );
}

#[test]
fn cloudtrail_section_rules_and_defaults() {
    assert_error(
        &with_head("cloudtrail:\n  trail: t-1\n  account: data\n  read_write: all\n"),
        (11, 15),
        &["read_write \"all\" of cloudtrail must be one of: All, ReadOnly, WriteOnly"],
    );
    assert_error(
        &with_head("cloudtrail:\n  trail: t-1\n  account: data\n  selector_mode: Advanced\n"),
        (11, 18),
        &["selector_mode \"Advanced\" of cloudtrail must be one of: auto, basic, advanced"],
    );
    assert_error(
        &with_head("cloudtrail:\n  account: data\n  include_management_events: 1\n"),
        (8, 1),
        &["missing key \"trail\" in cloudtrail"],
    );
    assert_error(
        &with_head("cloudtrail:\n  trail: a_-b\n  account: data\n"),
        (9, 10),
        &["trail \"a_-b\" of cloudtrail"],
    );
    let spec = load_str(
        &with_head("cloudtrail:\n  trail: t-1\n  account: data\n  read_write: WriteOnly\n  include_management_events: false\n  selector_mode: basic\n"),
        "d.yaml",
    )
    .expect("valid");
    let trail = spec.cloudtrail.expect("trail");
    assert_eq!(trail.read_write, crate::ReadWrite::WriteOnly);
    assert!(!trail.include_management_events);
    assert_eq!(trail.selector_mode, crate::SelectorMode::Basic);
}

#[test]
fn topic_names_are_checked_and_default_to_the_key() {
    assert_error(
        &with_head("sns_topics:\n  t:\n    account: data\n    name: \"bad name\"\n"),
        (11, 11),
        &["name \"bad name\" of sns topic \"t\""],
    );
    assert_error(
        &with_head("sns_topics:\n  my topic:\n    account: data\n"),
        (9, 3),
        &["sns topic \"my topic\" has no `name:`"],
    );
    let spec = load_str(
        &with_head("sns_topics:\n  events:\n    account: data\n"),
        "d.yaml",
    )
    .expect("valid");
    assert_eq!(spec.sns_topics["events"].name, "events");
}

#[test]
fn two_keys_for_one_topic_are_refused() {
    let yaml = with_head("sns_topics:\n  a:\n    account: data\n    region: us-east-1\n    name: events\n  b:\n    account: data\n    region: us-east-1\n    name: events\n");
    assert_error(
        &yaml,
        (13, 3),
        &[
            "sns topic \"b\" is the same topic as \"a\"",
            "first at line 9, column 3",
        ],
    );
}

#[test]
fn every_error_of_a_file_is_reported_sorted() {
    let yaml = "version: 3
sid_prefix: Quilt
accounts:
  control:
    id: \"1111\"
    profil: x
buckets:
  Bad_Bucket:
    account: nobody
    acess: []
  good-bucket:
    account: control
    access:
      - sid: Other
        principals: [\"*\"]
        actions: [sns:Publish]
";
    let errors = errors(yaml);
    let positions: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "sorted by position");
    for (at, part) in [
        ((1, 10), "unsupported version 3"),
        ((5, 9), "\"1111\""),
        ((6, 5), "unknown key \"profil\""),
        ((8, 3), "bucket name \"Bad_Bucket\""),
        ((9, 14), "\"nobody\""),
        ((10, 5), "unknown key \"acess\""),
        ((14, 14), "sid \"Other\""),
        ((15, 22), "public grants are not allowed"),
        ((16, 19), "\"sns:Publish\""),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| (e.line, e.column) == at && e.message.contains(part)),
            "missing {part} at {at:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), 9, "{errors:#?}");
}

#[test]
fn hostile_inputs_do_not_panic() {
    for yaml in [
        "\u{0}",
        "---\n---\n",
        "version: 1\n---\nversion: 1\n",
        "a: &a [*a]\n",
        "version: 1\naccounts:\n  ? [a, b]\n  : 1\n",
        "version: !!binary aGVsbG8=\n",
        "version: 1e999\n",
        "version: 1\nbuckets: {b-1: {account: data, access: [[1], {}, ~]}}\n",
        "version: 1\naccounts: {a: {id: -5}}\n",
        "version: 1\nsns_topics: {t: {account: ~, access: {}}}\n",
        "version: 1\nbuckets:\n  b-1:\n    account: x\n    notifications: []\n",
        "x: y\n<<: {a: 1}\n",
        "\"unterminated\n",
        "version: 1\n  x: 2\n",
        "version: 99999999999999999999999999999999999999999\n",
    ] {
        match load_str(yaml, "deploy.yaml") {
            Ok(_) => panic!("accepted {yaml:?}"),
            Err(error) => assert!(!error.spec_errors().is_empty(), "{yaml:?}"),
        }
    }
}

#[test]
fn account_principals_are_written_in_the_partition_of_their_document() {
    let spec = load_str(
        "version: 1
accounts:
  control: { id: \"111111111111\", region: us-east-1 }
  data: { id: \"222222222222\", region: us-gov-west-1 }
buckets:
  gov-data:
    account: data
    access:
      - { sid: QuiltA, principals: [control, \"111111111111\"], actions: [s3:GetObject] }
  cn-data:
    account: data
    region: cn-north-1
    access:
      - { sid: QuiltA, principals: [control], actions: [s3:GetObject] }
sns_topics:
  events:
    account: data
    access:
      - { sid: QuiltT, principals: [control], actions: [sns:Subscribe] }
",
        "deploy.yaml",
    )
    .expect("valid spec");
    let principals = |bucket: &str| {
        spec.buckets[bucket].access.as_ref().expect("grants")[0]
            .principals
            .clone()
    };
    // The name and the id are the same principal, written once.
    assert_eq!(
        principals("gov-data"),
        ["arn:aws-us-gov:iam::111111111111:root"]
    );
    assert_eq!(principals("cn-data"), ["arn:aws-cn:iam::111111111111:root"]);
    assert_eq!(
        spec.sns_topics["events"].access.as_ref().expect("grants")[0].principals,
        ["arn:aws-us-gov:iam::111111111111:root"]
    );
}

#[test]
fn an_iam_arn_of_another_partition_than_its_document_is_an_error() {
    assert_error(
        &format!(
            "{HEAD}    region: us-gov-west-1
buckets:
  gov-data:
    account: data
    access:
      - sid: QuiltA
        principals: [\"arn:aws:iam::111111111111:role/Reader\"]
        actions: [s3:GetObject]
"
        ),
        (14, 22),
        &[
            "\"arn:aws:iam::111111111111:role/Reader\"",
            "partition aws, but bucket \"gov-data\" is in partition aws-us-gov",
            "us-gov-west-1",
        ],
    );
}
