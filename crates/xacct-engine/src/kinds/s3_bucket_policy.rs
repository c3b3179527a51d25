//! `s3_bucket_policy.<bucket>`: the statements of a bucket policy whose Sid
//! starts with the spec's prefix. Everything else in the policy belongs to
//! someone else and is written back as read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_policy::Statement;
use xacct_spec::{Bucket, Grant, Logging, Spec};

use crate::kind::{
    Declarations, Declared, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
};
use crate::location::{bucket_arn, s3_arn};
use crate::slice::policy::{self, Limits};

/// The service principal that delivers S3 server access logs.
pub const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";

/// S3 refuses bucket policies over 20 KB.
pub const SIZE_LIMIT: usize = 20 * 1024;

pub struct S3BucketPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum BucketPolicyWrite {
    /// The whole merged policy: others' statements as read, ours as wanted.
    PutBucketPolicy { bucket: String, policy: String },
    /// Nothing is left in the policy once our statements are gone.
    DeleteBucketPolicy { bucket: String },
}

impl Kind for S3BucketPolicy {
    const NAME: &'static str = "s3_bucket_policy";
    const STAGE: u8 = 1;
    const DIFF: DiffStyle = DiffStyle::Keyed {
        key: "Sid",
        noun: "statement",
    };
    const HOLDER: Holder = Holder::Bucket;
    /// Exactly the statements xacct owns in the bucket policy.
    type Desired = Vec<Statement>;
    /// The policy text as returned; `None`: the bucket has no policy.
    type Observed = Option<String>;
    type Write = BucketPolicyWrite;

    fn desired(spec: &Spec) -> Declarations<'_, Vec<Statement>> {
        let sources = logging_sources(spec);
        Box::new(spec.buckets.values().map(move |bucket| {
            let logging_here = sources
                .get(bucket.name.as_str())
                .map_or(&[][..], Vec::as_slice);
            Ok(desired(spec, bucket, logging_here))
        }))
    }

    fn plan(
        options: &PlanOptions,
        subject: &Subject<'_>,
        desired: &Vec<Statement>,
        observed: &Option<String>,
    ) -> Result<Planned<BucketPolicyWrite>, SliceError> {
        plan(subject, options, desired, observed.as_deref())
    }

    fn meaning(observed: &Option<String>) -> String {
        match observed {
            None => "policy:none".to_string(),
            Some(text) => policy::meaning(text),
        }
    }

    fn expected(write: &BucketPolicyWrite) -> Option<String> {
        match write {
            BucketPolicyWrite::PutBucketPolicy { policy, .. } => Some(policy.clone()),
            BucketPolicyWrite::DeleteBucketPolicy { .. } => None,
        }
    }

    fn operation(write: &BucketPolicyWrite) -> &'static str {
        match write {
            BucketPolicyWrite::PutBucketPolicy { .. } => "PutBucketPolicy",
            BucketPolicyWrite::DeleteBucketPolicy { .. } => "DeleteBucketPolicy",
        }
    }

    fn unlisted() -> Option<Vec<Statement>> {
        Some(Vec::new())
    }
}

/// Every listed bucket's policy is managed: the prefixed statements are
/// xacct's whether or not the entry has `access:`, so a bucket without it
/// wants none of them (what xacct granted, it takes back), plus the derived
/// statement when a bucket of the spec delivers its access logs to it.
fn desired(spec: &Spec, bucket: &Bucket, logging_here: &[&Bucket]) -> Declared<Vec<Statement>> {
    let access_logs = access_logs_statement(spec, bucket, logging_here);
    let arn = bucket_arn(spec, bucket);
    let statements = bucket
        .access
        .iter()
        .flatten()
        .filter_map(|grant| grant_statement(grant, &arn))
        .chain(access_logs)
        .collect();
    Declared::of_bucket(spec, bucket, Vec::new(), statements)
}

/// One grant = one Allow on the bucket and its objects: S3 ignores object
/// actions granted on the bucket ARN and bucket actions granted on `/*`, so
/// both resources are always named.
fn grant_statement(grant: &Grant, bucket_arn: &str) -> Option<Statement> {
    let value = json!({
        "Sid": grant.sid,
        "Effect": "Allow",
        "Principal": { "AWS": grant.principals },
        "Action": grant.actions,
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
    });
    // Built from validated input, so this cannot fail; a failure would drop
    // the statement rather than panic, and the plan would show it missing.
    Statement::from_value(value).ok()
}

fn plan(
    subject: &Subject<'_>,
    options: &PlanOptions,
    desired: &[Statement],
    observed: Option<&str>,
) -> Result<Planned<BucketPolicyWrite>, SliceError> {
    let bucket = subject.aws_id.to_string();
    let bucket_arn = s3_arn(subject.location.region.as_deref(), &bucket);
    let limits = Limits {
        bytes: SIZE_LIMIT,
        statements: None,
    };
    let mut lockout = Vec::new();
    let planned =
        policy::plan(
            &options.sid_prefix,
            desired,
            observed,
            &limits,
            |merged| match merged {
                Some(document) => {
                    lockout =
                        document.lockout_statements(&subject.location.account_id, &bucket_arn);
                    BucketPolicyWrite::PutBucketPolicy {
                        bucket,
                        policy: document.to_json(),
                    }
                }
                None => BucketPolicyWrite::DeleteBucketPolicy { bucket },
            },
        )?;
    if !lockout.is_empty() && !options.allow_lockout {
        return Err(SliceError::Lockout {
            statements: lockout,
        });
    }
    Ok(planned)
}

/// The Sid of the derived statement on a logging target bucket (see
/// `s3_logging`).
pub fn access_logs_sid(prefix: &str) -> String {
    format!("{prefix}{}", xacct_spec::S3_ACCESS_LOGS_SID_SUFFIX)
}

/// The spec's buckets by the bucket they log to: one pass over the spec, so
/// deriving every target's statement stays linear in the number of buckets.
fn logging_sources(spec: &Spec) -> BTreeMap<&str, Vec<&Bucket>> {
    let mut sources: BTreeMap<&str, Vec<&Bucket>> = BTreeMap::new();
    for source in spec.buckets.values() {
        if let Some(Logging::To { target_bucket, .. }) = &source.hardening.logging {
            sources.entry(target_bucket).or_default().push(source);
        }
    }
    sources
}

/// Lets the logging service put objects under the prefixes that
/// `logging_here` (the spec's buckets logging to `target`) log to, scoped to
/// exactly those source buckets and their account; `None` when no bucket
/// logs to `target`. Single values are written as strings, as AWS's own
/// examples do.
pub fn access_logs_statement(
    spec: &Spec,
    target: &Bucket,
    logging_here: &[&Bucket],
) -> Option<Statement> {
    let mut sources = Vec::new();
    let mut resources = Vec::new();
    let mut accounts = Vec::new();
    let target_arn = bucket_arn(spec, target);
    for source in logging_here {
        let Some(Logging::To { prefix, .. }) = &source.hardening.logging else {
            continue;
        };
        sources.push(bucket_arn(spec, source));
        resources.push(format!("{target_arn}/{prefix}*"));
        if let Some(account) = spec.accounts.get(&source.account) {
            accounts.push(account.id.clone());
        }
    }
    if sources.is_empty() {
        return None;
    }
    Statement::from_value(json!({
        "Sid": access_logs_sid(&spec.sid_prefix),
        "Effect": "Allow",
        "Principal": { "Service": LOGGING_SERVICE },
        "Action": "s3:PutObject",
        "Resource": one_or_many(resources),
        "Condition": {
            "ArnLike": { "aws:SourceArn": one_or_many(sources) },
            "StringEquals": { "aws:SourceAccount": one_or_many(accounts) },
        },
    }))
    .ok()
}

/// Sorted, deduplicated; a string when there is one.
fn one_or_many(mut values: Vec<String>) -> Value {
    values.sort();
    values.dedup();
    match values.as_slice() {
        [one] => Value::String(one.clone()),
        _ => json!(values),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kind::ChangeAction;
    use crate::location::Location;
    use serde_json::Value;

    fn location() -> Location {
        Location {
            account: "data".into(),
            account_id: "222222222222".into(),
            region: Some("us-east-1".into()),
        }
    }

    fn with_subject<T>(then: impl FnOnce(&Subject<'_>) -> T) -> T {
        let location = location();
        then(&Subject {
            aws_id: "data-bucket",
            location: &location,
        })
    }

    fn plan(
        options: &PlanOptions,
        desired: &[Statement],
        observed: Option<&str>,
    ) -> Result<Planned<BucketPolicyWrite>, SliceError> {
        with_subject(|subject| super::plan(subject, options, desired, observed))
    }

    fn options() -> PlanOptions {
        PlanOptions::new("Quilt")
    }

    #[test]
    fn a_policy_that_would_lock_the_owner_out_is_refused_unless_allowed() {
        let observed = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let error = plan(&options(), &[ours(&["s3:GetObject"])], Some(observed)).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("Guard") && message.contains("--allow-lockout"),
            "{message}"
        );
        let allowed = PlanOptions {
            allow_lockout: true,
            ..options()
        };
        let planned = plan(&allowed, &[ours(&["s3:GetObject"])], Some(observed)).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
    }

    fn ours(actions: &[&str]) -> Statement {
        Statement::from_value(json!({
            "Sid": "QuiltAccess",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
            "Action": actions,
            "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
        }))
        .unwrap()
    }

    const FOREIGN: &str = r#"{"Sid":"SecurityDenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;

    #[test]
    fn no_policy_and_grants_creates_the_slice() {
        let planned = plan(&options(), &[ours(&["s3:GetObject"])], None).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        let Some(BucketPolicyWrite::PutBucketPolicy { policy, .. }) = planned.write else {
            panic!("expected a put, got {:?}", planned.write);
        };
        assert!(policy.contains("QuiltAccess"), "{policy}");
    }

    #[test]
    fn aws_rewrite_of_our_statement_plans_nothing() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{FOREIGN},{{"Action":"s3:getobject","Resource":["arn:aws:s3:::data-bucket/*","arn:aws:s3:::data-bucket"],"Principal":{{"AWS":"111111111111"}},"Effect":"Allow","Sid":"QuiltAccess"}}]}}"#
        );
        let planned = plan(&options(), &[ours(&["s3:GetObject"])], Some(&observed)).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
        assert_eq!(planned.notes, ["1 statement of others kept unchanged"]);
    }

    #[test]
    fn removing_the_last_grant_keeps_foreign_statements() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{FOREIGN},{}]}}"#,
            ours(&["s3:GetObject"]).to_value()
        );
        let planned = plan(&options(), &[], Some(&observed)).unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        let Some(BucketPolicyWrite::PutBucketPolicy { policy, .. }) = planned.write else {
            panic!("expected a put, got {:?}", planned.write);
        };
        let written: Value = serde_json::from_str(&policy).unwrap();
        let foreign: Value = serde_json::from_str(FOREIGN).unwrap();
        assert_eq!(written["Statement"], json!([foreign]));
    }

    #[test]
    fn removing_the_only_statement_deletes_the_policy() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            ours(&["s3:GetObject"]).to_value()
        );
        let planned = plan(&options(), &[], Some(&observed)).unwrap();
        assert_eq!(
            planned.write,
            Some(BucketPolicyWrite::DeleteBucketPolicy {
                bucket: "data-bucket".into()
            })
        );
    }

    #[test]
    fn a_deleted_role_in_a_foreign_statement_is_refused_before_writing() {
        let observed = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Legacy","Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEDELETED01"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/*"}]}"#;
        let error = plan(&options(), &[ours(&["s3:GetObject"])], Some(observed)).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("Legacy"), "{message}");
        assert!(message.contains("AROAEXAMPLEDELETED01"), "{message}");
    }

    #[test]
    fn an_oversized_policy_is_refused() {
        let many: Vec<String> = (0..2000).map(|n| format!("s3:GetObject{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let error = plan(&options(), &[ours(&many)], None).unwrap_err();
        assert!(matches!(error, SliceError::TooLarge(_)), "{error}");
    }

    #[test]
    fn an_unparseable_live_policy_is_an_error_saying_so() {
        let error = plan(&options(), &[], Some("{not json")).unwrap_err();
        assert!(matches!(error, SliceError::UnreadablePolicy(_)), "{error}");
    }

    /// Three buckets logging to `logs` (one with logging turned off): shared
    /// with the logging kind's tests.
    pub(crate) fn logging_spec() -> Spec {
        xacct_spec::load_str(
            "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    region: us-east-1\n\
             buckets:\n  logs:\n    account: data\n  src-a:\n    account: data\n    logging:\n      \
             target_bucket: logs\n      prefix: a/\n  src-b:\n    account: data\n    logging:\n      \
             target_bucket: logs\n      prefix: b/\n  src-c:\n    account: data\n    logging: false\n",
            "deploy.yaml",
        )
        .expect("valid spec")
    }

    #[test]
    fn the_derived_statement_names_every_source_and_prefix() {
        let spec = logging_spec();
        let sources = logging_sources(&spec);
        let statement =
            access_logs_statement(&spec, &spec.buckets["logs"], &sources["logs"]).expect("derived");
        let value = statement.to_value();
        assert_eq!(value["Sid"], "QuiltS3ServerAccessLogs");
        assert_eq!(value["Principal"]["Service"], LOGGING_SERVICE);
        assert_eq!(
            value["Resource"],
            json!(["arn:aws:s3:::logs/a/*", "arn:aws:s3:::logs/b/*"])
        );
        assert_eq!(
            value["Condition"]["ArnLike"]["aws:SourceArn"],
            json!(["arn:aws:s3:::src-a", "arn:aws:s3:::src-b"])
        );
        assert_eq!(
            value["Condition"]["StringEquals"]["aws:SourceAccount"],
            "222222222222"
        );
        assert!(!sources.contains_key("src-a"));
        assert!(access_logs_statement(&spec, &spec.buckets["src-a"], &[]).is_none());
    }
}
