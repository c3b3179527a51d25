use std::collections::BTreeMap;

use xacct_spec::QUILT_ACTIONS;

use super::*;

const SPEC: &str = r#"version: 1
accounts:
  control: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
buckets:
  data-bucket:
    account: data
    object_ownership: BucketOwnerEnforced
    access:
      - sid: QuiltCrossAccountAccess
        principals: [control]
        actions: quilt
    notifications: { sns_topic: quilt-events, events: ["s3:ObjectCreated:*"] }
    cloudtrail: true
  narrow-bucket:
    account: data
    access:
      - sid: QuiltRoles
        principals: [arn:aws:iam::111111111111:role/QuiltLambdaRole]
        actions: [s3:GetObject, s3:ListBucket, s3:PutObject]
sns_topics:
  quilt-events:
    account: data
    name: quilt-events
    access:
      - sid: QuiltSns
        principals: [control]
        actions: [sns:GetTopicAttributes, sns:Subscribe]
cloudtrail:
  trail: quilt-trail
  account: control
"#;

const ROOT: &str = "arn:aws:iam::111111111111:root";
const ROLE: &str = "arn:aws:iam::111111111111:role/QuiltLambdaRole";
const TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:quilt-events";

fn spec(text: &str) -> Spec {
    xacct_spec::load_str(text, "deploy.yaml").expect("valid spec")
}

fn verification() -> Verification {
    let spec = spec(SPEC);
    let control = control_account(&spec, None).unwrap();
    Verification::new(&spec, control)
}

fn allow(sid: &str, principal: &str, actions: &[&str], bucket: &str) -> serde_json::Value {
    serde_json::json!({
        "Sid": sid, "Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions,
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
    })
}

fn policy(statements: &[serde_json::Value]) -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn topic_policy() -> String {
    serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "QuiltSns", "Effect": "Allow", "Principal": {"AWS": ROOT},
         "Action": ["sns:GetTopicAttributes", "sns:Subscribe"], "Resource": TOPIC},
        {"Sid": "QuiltS3Publish", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
         "Action": "SNS:Publish", "Resource": TOPIC,
         "Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::data-bucket"]},
                       "StringEquals": {"aws:SourceAccount": ["222222222222"]}}},
    ]})
    .to_string()
}

/// The live documents of a correct setup.
fn converged() -> BTreeMap<Address, Observed> {
    let quilt: Vec<&str> = QUILT_ACTIONS.to_vec();
    let mut observed = BTreeMap::new();
    let mut put = |kind, name: &str, document| {
        observed.insert(Address::new(kind, name), document);
    };
    put(
        ResourceKind::S3BucketPolicy,
        "data-bucket",
        Observed::S3BucketPolicy(Some(policy(&[allow(
            "QuiltCrossAccountAccess",
            "111111111111",
            &quilt,
            "data-bucket",
        )]))),
    );
    put(
        ResourceKind::S3BucketPolicy,
        "narrow-bucket",
        Observed::S3BucketPolicy(Some(policy(&[allow(
            "QuiltRoles",
            ROLE,
            &["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
            "narrow-bucket",
        )]))),
    );
    for bucket in ["data-bucket", "narrow-bucket"] {
        put(
            ResourceKind::S3OwnershipControls,
            bucket,
            Observed::S3OwnershipControls(Some("BucketOwnerEnforced".into())),
        );
    }
    put(
        ResourceKind::SnsTopicPolicy,
        "quilt-events",
        Observed::SnsTopicPolicy(topic_policy()),
    );
    put(
        ResourceKind::CloudTrailEventSelectors,
        "quilt-trail",
        Observed::CloudTrailEventSelectors(
            crate::kinds::cloudtrail_event_selectors::EventSelectors {
                basic: vec![crate::kinds::cloudtrail_event_selectors::BasicSelector {
                    read_write_type: "All".into(),
                    include_management_events: true,
                    data_resources: vec![crate::kinds::cloudtrail_event_selectors::DataResource {
                        resource_type: "AWS::S3::Object".into(),
                        values: vec!["arn:aws:s3:::data-bucket/".into()],
                    }],
                    exclude_management_event_sources: vec![],
                }],
                advanced: vec![],
            },
        ),
    );
    observed
}

fn lines(results: &[CheckResult]) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            let status = format!("{:?}", r.status).to_lowercase();
            match &r.cause {
                Some(cause) => format!("{status} {}: {} -- {cause}", r.subject, r.check),
                None => format!("{status} {}: {}", r.subject, r.check),
            }
        })
        .collect()
}

#[test]
fn a_correct_setup_passes_every_static_check_but_warns_of_quilt_needs_not_granted() {
    let results = verification().judge(&converged());
    assert_eq!(
        lines(&results),
        [
            "pass bucket data-bucket: grants name the control account control (111111111111)",
            "pass bucket data-bucket: bucket policy lets arn:aws:iam::111111111111:root all 14 granted actions (grant QuiltCrossAccountAccess)",
            "pass bucket data-bucket: object ownership is BucketOwnerEnforced",
            "pass bucket narrow-bucket: grants name the control account control (111111111111)",
            "pass bucket narrow-bucket: bucket policy lets arn:aws:iam::111111111111:role/QuiltLambdaRole s3:GetObject, s3:ListBucket, s3:PutObject (grant QuiltRoles)",
            "warn bucket narrow-bucket: Quilt needs s3:GetObjectAttributes, s3:GetObjectTagging, s3:GetObjectVersion, s3:GetObjectVersionAttributes, s3:GetObjectVersionTagging, s3:ListBucketVersions, s3:DeleteObject, s3:DeleteObjectVersion, s3:PutObjectTagging, s3:GetBucketNotification, s3:PutBucketNotification for arn:aws:iam::111111111111:role/QuiltLambdaRole, which grant QuiltRoles does not give -- the spec grants fewer actions than the `quilt` preset: some catalog features will not work on this bucket",
            "pass bucket narrow-bucket: object ownership is BucketOwnerEnforced",
            "pass topic quilt-events: grants name the control account control (111111111111)",
            "pass topic quilt-events: topic policy lets arn:aws:iam::111111111111:root sns:GetTopicAttributes, sns:Subscribe (grant QuiltSns)",
            "pass topic quilt-events: S3 may publish arn:aws:s3:::data-bucket's event notifications",
            "pass trail quilt-trail: data events of bucket data-bucket are selected",
        ]
    );
}

#[test]
fn a_live_grant_missing_put_object_fails_naming_the_action_and_principal() {
    let mut observed = converged();
    let without_put: Vec<&str> = QUILT_ACTIONS
        .into_iter()
        .filter(|action| *action != "s3:PutObject")
        .collect();
    observed.insert(
        Address::new(ResourceKind::S3BucketPolicy, "data-bucket"),
        Observed::S3BucketPolicy(Some(policy(&[allow(
            "QuiltCrossAccountAccess",
            ROOT,
            &without_put,
            "data-bucket",
        )]))),
    );
    let results = verification().judge(&observed);
    let failed: Vec<String> = lines(&results)
        .into_iter()
        .filter(|line| line.starts_with("fail"))
        .collect();
    assert_eq!(
        failed,
        ["fail bucket data-bucket: bucket policy does not let arn:aws:iam::111111111111:root s3:PutObject (grant QuiltCrossAccountAccess) -- the bucket policy is missing s3:PutObject for arn:aws:iam::111111111111:root: policy missing an action (apply the spec, and check the account id)"]
    );
}

#[test]
fn an_explicit_deny_names_its_statement_and_a_tls_only_deny_passes() {
    let mut observed = converged();
    let quilt: Vec<&str> = QUILT_ACTIONS.to_vec();
    let statements = [
        allow("QuiltCrossAccountAccess", ROOT, &quilt, "data-bucket"),
        serde_json::json!({"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "arn:aws:s3:::data-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        serde_json::json!({"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*",
            "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"], "Resource": "arn:aws:s3:::data-bucket/*"}),
    ];
    observed.insert(
        Address::new(ResourceKind::S3BucketPolicy, "data-bucket"),
        Observed::S3BucketPolicy(Some(policy(&statements))),
    );
    let results = verification().judge(&observed);
    let bucket: Vec<String> = lines(&results)
        .into_iter()
        .filter(|line| line.contains("bucket data-bucket: bucket policy"))
        .collect();
    assert_eq!(
        bucket,
        [
            "pass bucket data-bucket: bucket policy lets arn:aws:iam::111111111111:root 12 of 14 granted actions (grant QuiltCrossAccountAccess)",
            "fail bucket data-bucket: bucket policy does not let arn:aws:iam::111111111111:root s3:DeleteObject, s3:DeleteObjectVersion (grant QuiltCrossAccountAccess) -- statement \"NoDeletes\" of the bucket policy denies s3:DeleteObject, s3:DeleteObjectVersion to arn:aws:iam::111111111111:root",
        ]
    );
}

#[test]
fn a_deny_on_an_undecidable_condition_is_a_warning_naming_it() {
    let mut observed = converged();
    let statements = [
        allow(
            "QuiltCrossAccountAccess",
            ROOT,
            &QUILT_ACTIONS,
            "data-bucket",
        ),
        serde_json::json!({"Sid": "VpcOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::data-bucket/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}),
    ];
    observed.insert(
        Address::new(ResourceKind::S3BucketPolicy, "data-bucket"),
        Observed::S3BucketPolicy(Some(policy(&statements))),
    );
    let results = verification().judge(&observed);
    let warning = results
        .iter()
        .find(|r| r.status == Status::Warn && r.subject == "bucket data-bucket")
        .expect("a warning");
    assert!(warning.check.contains("s3:GetObject"), "{warning:?}");
    assert!(warning.check.contains("only unless"), "{warning:?}");
    assert!(
        warning.check.to_lowercase().contains("aws:sourcevpce"),
        "{warning:?}"
    );
}

#[test]
fn no_bucket_policy_fails_every_granted_action() {
    let mut observed = converged();
    observed.insert(
        Address::new(ResourceKind::S3BucketPolicy, "data-bucket"),
        Observed::S3BucketPolicy(None),
    );
    let results = verification().judge(&observed);
    let failure = results
        .iter()
        .find(|r| r.status == Status::Fail)
        .expect("a failure");
    for action in QUILT_ACTIONS {
        assert!(failure.check.contains(action), "{action} in {failure:?}");
    }
    assert!(
        failure
            .check
            .contains("does not let arn:aws:iam::111111111111:root"),
        "{failure:?}"
    );
}

#[test]
fn a_grant_to_another_account_instead_of_the_control_account_is_a_wrong_account_id() {
    let text = SPEC.replace(
        "principals: [control]\n        actions: quilt",
        "principals: [\"333333333333\"]\n        actions: quilt",
    );
    let spec = spec(&text);
    let verification = Verification::new(&spec, control_account(&spec, None).unwrap());
    let results = verification.judge(&BTreeMap::new());
    assert_eq!(
        lines(&results)[0],
        "fail bucket data-bucket: no grant names the control account control (111111111111); they name 333333333333 -- wrong account id: grant the control account 111111111111 or a role in it"
    );
}

#[test]
fn ownership_not_enforced_fails_unless_the_spec_chose_otherwise() {
    let mut observed = converged();
    observed.insert(
        Address::new(ResourceKind::S3OwnershipControls, "data-bucket"),
        Observed::S3OwnershipControls(Some("ObjectWriter".into())),
    );
    observed.insert(
        Address::new(ResourceKind::S3OwnershipControls, "narrow-bucket"),
        Observed::S3OwnershipControls(None),
    );
    let results = verification().judge(&observed);
    let ownership: Vec<(Status, String)> = results
        .iter()
        .filter(|r| r.check.starts_with("object ownership"))
        .map(|r| (r.status, r.cause.clone().unwrap_or_default()))
        .collect();
    assert_eq!(ownership.len(), 2);
    assert!(
        ownership
            .iter()
            .all(|(status, cause)| *status == Status::Fail
                && cause.starts_with("ownership not enforced")),
        "{ownership:?}"
    );

    let chosen = SPEC.replace(
        "object_ownership: BucketOwnerEnforced",
        "object_ownership: ObjectWriter",
    );
    let spec = spec(&chosen);
    let verification = Verification::new(&spec, control_account(&spec, None).unwrap());
    let results = verification.judge(&observed);
    let data = results
        .iter()
        .find(|r| r.subject == "bucket data-bucket" && r.check.starts_with("object ownership"))
        .unwrap();
    assert_eq!(data.status, Status::Warn);
}

#[test]
fn a_topic_policy_without_the_publish_statement_fails_the_publish_check() {
    let mut observed = converged();
    let only_grant = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "QuiltSns", "Effect": "Allow", "Principal": {"AWS": ROOT},
         "Action": ["sns:GetTopicAttributes", "sns:Subscribe"], "Resource": TOPIC}]});
    observed.insert(
        Address::new(ResourceKind::SnsTopicPolicy, "quilt-events"),
        Observed::SnsTopicPolicy(only_grant.to_string()),
    );
    let results = verification().judge(&observed);
    let publish = results
        .iter()
        .find(|r| r.check.starts_with("S3 may publish"))
        .unwrap();
    assert_eq!(publish.status, Status::Fail);
    assert!(publish
        .cause
        .as_deref()
        .unwrap()
        .contains("missing sns:Publish for s3.amazonaws.com"));
}

#[test]
fn the_control_account_is_chosen_by_flag_name_or_the_grants() {
    let spec_ = spec(SPEC);
    assert_eq!(
        control_account(&spec_, Some("data")).unwrap().id,
        "222222222222"
    );
    assert!(matches!(
        control_account(&spec_, Some("nope")),
        Err(VerifyError::UnknownControl { .. })
    ));
    let renamed = spec(
        &SPEC
            .replace("  control: { id", "  platform: { id")
            .replace("[control]", "[platform]")
            .replace("account: control", "account: platform"),
    );
    assert_eq!(control_account(&renamed, None).unwrap().name, "platform");
    let two = spec(&renamed_with_third_account());
    let error = control_account(&two, None).unwrap_err().to_string();
    assert!(error.contains("--control NAME"), "{error}");
}

fn renamed_with_third_account() -> String {
    SPEC.replace("  control: { id", "  platform: { id")
        .replace("account: control", "account: platform")
        .replace("[control]", "[platform]")
        .replace("  data: { id: \"222222222222\", region: us-east-1 }",
            "  data: { id: \"222222222222\", region: us-east-1 }\n  partner: { id: \"333333333333\", region: us-east-1 }")
        .replace("principals: [arn:aws:iam::111111111111:role/QuiltLambdaRole]", "principals: [partner]")
}

#[test]
fn probes_try_only_what_the_grants_give_the_control_account() {
    let probes = verification().probes();
    let steps: Vec<(&str, &[ProbeStep])> = probes
        .buckets
        .iter()
        .map(|probe| (probe.bucket.as_str(), probe.steps.as_slice()))
        .collect();
    use ProbeStep::*;
    assert_eq!(
        steps,
        [
            ("data-bucket", &[List, Put, Get, Owner, Delete][..]),
            ("narrow-bucket", &[List, Put, Get, Owner][..]),
        ]
    );
    assert_eq!(probes.buckets[0].control.account, "control");
    assert_eq!(probes.buckets[0].owner.account, "data");
    assert_eq!(probes.topics.len(), 1);
    assert_eq!(
        probes.trail.as_ref().map(|t| t.name.as_str()),
        Some("quilt-trail")
    );
}

#[test]
fn live_failures_name_the_likely_cause() {
    let outcome = LiveOutcome {
        buckets: vec![(
            "data-bucket".into(),
            vec![
                StepOutcome {
                    step: ProbeStep::List,
                    result: Ok(()),
                },
                StepOutcome {
                    step: ProbeStep::Put,
                    result: Err(ProbeFailure {
                        code: Some("AccessDenied".into()),
                        message: "Access Denied".into(),
                    }),
                },
            ],
        )],
        topics: vec![],
        trail: Some(("quilt-trail".into(), Ok(false))),
        leftovers: vec![live::Leftover {
            bucket: "data-bucket".into(),
            key: ".xacct-verify/abc".into(),
            message: "AccessDenied".into(),
        }],
        interrupted: false,
    };
    let results = verification().judge_live(&outcome);
    assert_eq!(
        lines(&results),
        [
            "pass bucket data-bucket: the control account lists the bucket (ListObjectsV2)",
            "fail bucket data-bucket: the control account writes a test object (PutObject): AccessDenied: Access Denied -- Access Denied: the bucket policy is missing s3:PutObject for the control account 111111111111, a grant names a wrong account id, or the control credentials are not a principal the grants name (an SCP or the role's own policy may deny it too)",
            "fail trail quilt-trail: the trail is not logging (GetTrailStatus: IsLogging false) -- trail not logging data events: start it (aws cloudtrail start-logging --name quilt-trail)",
            "fail bucket data-bucket: the test object .xacct-verify/abc could not be deleted: AccessDenied -- delete every version of it by hand: aws s3api list-object-versions --bucket data-bucket --prefix .xacct-verify/abc, then aws s3api delete-object --bucket data-bucket --key .xacct-verify/abc --version-id <id> for each version and delete marker",
        ]
    );
}

#[test]
fn targets_keep_the_named_bucket_and_its_trail_check() {
    let mut verification = verification();
    verification
        .retain_targets(&["s3_bucket_policy.data-bucket".into()])
        .unwrap();
    assert_eq!(verification.buckets.len(), 1);
    assert!(verification.topics.is_empty());
    assert_eq!(
        verification.trail.as_ref().map(|t| t.buckets.len()),
        Some(1)
    );
    let mut other = self::verification();
    other.retain_targets(&["narrow-bucket".into()]).unwrap();
    assert!(other.trail.is_none());
    let errors = self::verification()
        .retain_targets(&["nope".into()])
        .unwrap_err();
    assert!(errors[0].to_string().contains("data-bucket"));
}

#[test]
fn object_and_bucket_actions_are_told_apart() {
    for action in [
        "s3:GetObject",
        "s3:PutObjectTagging",
        "s3:DeleteObjectVersion",
        "s3:getobjectattributes",
    ] {
        assert!(is_object_action(action), "{action}");
    }
    for action in [
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
    ] {
        assert!(!is_object_action(action), "{action}");
    }
}

#[test]
fn action_patterns_match_as_iam_does() {
    assert!(action_matches("s3:Get*", "s3:GetObject"));
    assert!(action_matches("S3:getobject", "s3:GetObject"));
    assert!(action_matches("s3:*", "s3:PutBucketNotification"));
    assert!(action_matches("s3:GetObject?ersion", "s3:GetObjectVersion"));
    assert!(!action_matches("s3:Get*", "s3:PutObject"));
    assert!(!action_matches("s3:GetObject", "s3:GetObjectTagging"));
}

#[test]
fn a_wildcard_grant_is_checked_through_the_quilt_actions_it_covers_and_probed() {
    let text = SPEC.replace(
        "actions: [s3:GetObject, s3:ListBucket, s3:PutObject]",
        "actions: [\"s3:Get*\", s3:ListBucket]",
    );
    let spec = spec(&text);
    let verification = Verification::new(&spec, control_account(&spec, None).unwrap());
    let results = verification.judge(&converged());
    let narrow: Vec<String> = lines(&results)
        .into_iter()
        .filter(|line| line.contains("narrow-bucket: bucket policy"))
        .collect();
    // The live policy allows GetObject and ListBucket, not the other Get* actions.
    assert_eq!(
        narrow,
        [
            "pass bucket narrow-bucket: bucket policy lets arn:aws:iam::111111111111:role/QuiltLambdaRole s3:GetObject, s3:ListBucket (grant QuiltRoles)",
            "fail bucket narrow-bucket: bucket policy does not let arn:aws:iam::111111111111:role/QuiltLambdaRole s3:GetObjectAttributes, s3:GetObjectTagging, s3:GetObjectVersion, s3:GetObjectVersionAttributes, s3:GetObjectVersionTagging, s3:GetBucketNotification (grant QuiltRoles) -- the bucket policy is missing s3:GetObjectAttributes, s3:GetObjectTagging, s3:GetObjectVersion, s3:GetObjectVersionAttributes, s3:GetObjectVersionTagging, s3:GetBucketNotification for arn:aws:iam::111111111111:role/QuiltLambdaRole: policy missing an action (apply the spec, and check the account id)",
        ]
    );
    let probe = verification
        .probes()
        .buckets
        .into_iter()
        .find(|probe| probe.bucket == "narrow-bucket")
        .unwrap();
    assert_eq!(probe.steps, [ProbeStep::List]);
}

#[test]
fn probes_run_only_where_a_grant_reaches_the_role_the_control_credentials_act_as() {
    let mut deployer = verification();
    deployer.control.caller =
        Some("arn:aws:sts::111111111111:assumed-role/xacct-deployer/xacct".into());
    let probed: Vec<String> = deployer
        .probes()
        .buckets
        .iter()
        .map(|probe| probe.bucket.clone())
        .collect();
    assert_eq!(probed, ["data-bucket"], "the root grant reaches any role");
    let skipped = lines(&deployer.judge_live(&LiveOutcome::default()));
    assert_eq!(
        skipped,
        [format!(
            "warn bucket narrow-bucket: live probes skipped: the grants name {ROLE}, and the \
             control credentials act as arn:aws:sts::111111111111:assumed-role/xacct-deployer/xacct \
             -- the control credentials are not a principal the grants name: to probe this \
             bucket, make them act as one of those roles (the control account's role_arn or \
             profile)"
        )]
    );

    let mut lambda = verification();
    lambda.control.caller = Some("arn:aws:iam::111111111111:role/service/QuiltLambdaRole".into());
    assert_eq!(
        lambda.probes().buckets.len(),
        2,
        "a role path does not matter"
    );
    assert!(lambda.judge_live(&LiveOutcome::default()).is_empty());
}

#[test]
fn a_grant_reaches_the_caller_only_through_the_root_its_own_arn_or_its_role() {
    let control = |caller: &str| Control {
        name: "control".into(),
        id: "111111111111".into(),
        caller: Some(caller.into()),
    };
    let alice = control("arn:aws:iam::111111111111:user/Alice");
    // Two users have no role name: that is no common role.
    assert!(!alice.reaches("arn:aws:iam::111111111111:user/Bob"));
    assert!(!alice.reaches(ROLE));
    assert!(alice.reaches("arn:aws:iam::111111111111:user/Alice"));
    assert!(alice.reaches(ROOT));
    assert!(!alice.reaches("arn:aws:iam::222222222222:root"));

    let session = control("arn:aws:sts::111111111111:assumed-role/QuiltLambdaRole/s1");
    assert!(session.reaches(ROLE));
    assert!(!session.reaches("arn:aws:iam::111111111111:role/Other"));
    assert!(!session.reaches("arn:aws:iam::111111111111:user/Alice"));
    assert!(!session.reaches("arn:aws:iam::222222222222:role/QuiltLambdaRole"));
}

#[test]
fn a_reachable_grant_of_actions_no_probe_tries_is_not_reported_as_skipped() {
    let text = SPEC.replace(
        "actions: [s3:GetObject, s3:ListBucket, s3:PutObject]",
        "actions: [s3:GetObject]",
    );
    let spec = spec(&text);
    let mut lambda = Verification::new(&spec, control_account(&spec, None).unwrap());
    lambda.control.caller = Some(ROLE.into());
    let probed: Vec<String> = lambda
        .probes()
        .buckets
        .into_iter()
        .map(|probe| probe.bucket)
        .collect();
    assert_eq!(probed, ["data-bucket"]);
    assert_eq!(
        lines(&lambda.judge_live(&LiveOutcome::default())),
        Vec::<String>::new()
    );

    // The same grant, not reaching the caller, is.
    lambda.control.caller = Some("arn:aws:iam::111111111111:user/Alice".into());
    let skipped = lines(&lambda.judge_live(&LiveOutcome::default()));
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].starts_with(&format!(
            "warn bucket narrow-bucket: live probes skipped: the grants name {ROLE}, and"
        )),
        "{skipped:?}"
    );
}

#[test]
fn the_ownership_probe_runs_only_where_the_owner_should_own_every_object() {
    use ProbeStep::*;
    let steps_of = |ownership: &str| {
        let text = SPEC.replace(
            "object_ownership: BucketOwnerEnforced",
            &format!("object_ownership: {ownership}"),
        );
        let spec = spec(&text);
        let verification = Verification::new(&spec, control_account(&spec, None).unwrap());
        verification.probes().buckets[0].steps.clone()
    };
    assert_eq!(
        steps_of("BucketOwnerEnforced"),
        [List, Put, Get, Owner, Delete]
    );
    assert_eq!(steps_of("ObjectWriter"), [List, Put, Get, Delete]);
    assert_eq!(steps_of("BucketOwnerPreferred"), [List, Put, Get, Delete]);
    // Not declared (narrow-bucket): the owner should own them.
    let probes = verification().probes();
    assert_eq!(probes.buckets[1].steps, [List, Put, Get, Owner]);
    assert_eq!(Owner.action(), "s3:GetObjectAcl");
}

/// One bucket's probe outcome with one step failed.
fn failed_step(bucket: &str, step: ProbeStep, code: &str) -> LiveOutcome {
    LiveOutcome {
        buckets: vec![(
            bucket.into(),
            vec![StepOutcome {
                step,
                result: Err(ProbeFailure {
                    code: Some(code.into()),
                    message: "m".into(),
                }),
            }],
        )],
        ..LiveOutcome::default()
    }
}

#[test]
fn an_ownership_probe_the_owner_could_not_make_is_not_blamed_on_ownership() {
    let verification = verification();
    let judged = |code| {
        let outcome = failed_step("data-bucket", ProbeStep::Owner, code);
        lines(&verification.judge_live(&outcome))
    };
    assert_eq!(
        judged("OwnedByWriter"),
        [
            "fail bucket data-bucket: the object it wrote is owned by the bucket owner: \
          OwnedByWriter: m -- ownership not enforced: set object_ownership: \
          BucketOwnerEnforced and apply"
        ]
    );
    assert_eq!(
        judged("AccessDenied"),
        [
            "fail bucket data-bucket: the object it wrote is owned by the bucket owner: \
          AccessDenied: m -- the bucket owner's credentials could not read the bucket's or \
          the object's ACL (s3:GetBucketAcl, s3:GetObjectAcl): see AWS's answer"
        ]
    );
}

#[test]
fn a_refused_write_or_read_on_a_kms_encrypted_bucket_names_the_key_policy() {
    const KEY: &str = "arn:aws:kms:us-east-1:222222222222:key/0b2c7e4a-7d4f-4c55-9f1e-2f4d1a6c9e10";
    let text = SPEC.replace(
        "    cloudtrail: true\n",
        &format!("    cloudtrail: true\n    encryption:\n      kms_key: {KEY}\n"),
    );
    let spec = spec(&text);
    let verification = Verification::new(&spec, control_account(&spec, None).unwrap());
    let denied = "Access Denied: the bucket policy is missing s3:PutObject for the control \
                  account 111111111111, a grant names a wrong account id, or the control \
                  credentials are not a principal the grants name (an SCP or the role's own \
                  policy may deny it too)";
    let cause = |bucket, step| {
        let outcome = failed_step(bucket, step, "AccessDenied");
        verification.judge_live(&outcome)[0]
            .cause
            .clone()
            .unwrap_or_default()
    };
    assert_eq!(
        cause("data-bucket", ProbeStep::Put),
        format!(
            "{denied}, or the KMS key's policy does not let the control account use the key \
             {KEY} (kms:GenerateDataKey, kms:Decrypt)"
        )
    );
    assert!(cause("data-bucket", ProbeStep::Get).ends_with(&format!(
        "use the key {KEY} (kms:GenerateDataKey, kms:Decrypt)"
    )));
    // Listing uses no key; a bucket without SSE-KMS has no key to blame.
    assert!(!cause("data-bucket", ProbeStep::List).contains("KMS"));
    assert_eq!(cause("narrow-bucket", ProbeStep::Put), denied);
}

#[test]
fn a_publish_statement_decided_only_by_the_live_request_is_a_warning() {
    let mut observed = converged();
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "QuiltSns", "Effect": "Allow", "Principal": {"AWS": ROOT},
         "Action": ["sns:GetTopicAttributes", "sns:Subscribe"], "Resource": TOPIC},
        {"Sid": "QuiltS3Publish", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
         "Action": "SNS:Publish", "Resource": TOPIC,
         "Condition": {"StringEquals": {"aws:SourceOrgID": "o-abc"}}},
    ]});
    observed.insert(
        Address::new(ResourceKind::SnsTopicPolicy, "quilt-events"),
        Observed::SnsTopicPolicy(policy.to_string()),
    );
    let publish: Vec<String> = lines(&verification().judge(&observed))
        .into_iter()
        .filter(|line| line.contains("S3 may publish"))
        .collect();
    assert_eq!(
        publish,
        [
            "warn topic quilt-events: S3 may publish arn:aws:s3:::data-bucket's event \
          notifications only if StringEquals aws:SourceOrgID -- statement \"QuiltS3Publish\" \
          of the topic policy allows it depending on StringEquals aws:SourceOrgID of the \
          request, which cannot be decided offline"
        ]
    );
}
