//! `s3_logging.<bucket>`: where the bucket's server access logs go, managed
//! whole. The target bucket's policy gets the derived statement letting
//! `logging.s3.amazonaws.com` write (see [`access_logs_statement`]), planned
//! before the logging configuration that needs it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_policy::Statement;
use xacct_spec::{Bucket, Logging, Spec};

use super::s3_bucket_policy::S3BucketPolicy;
use crate::kind::{
    Declared, Dependency, DiffStyle, Kind, PlanOptions, Planned, SliceError, Subject,
    Undeclarable,
};
use crate::location::bucket_arn;
use crate::slice::setting;

/// The service principal that delivers S3 server access logs.
pub const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingTarget {
    pub target_bucket: String,
    pub target_prefix: String,
    /// How S3 names the log objects (`SimplePrefix`, or `PartitionedPrefix`
    /// with its date source): not managed by xacct, written back as read
    /// since PutBucketLogging replaces the whole configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_format: Option<String>,
}

pub struct S3Logging;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum LoggingWrite {
    /// `None` turns logging off.
    PutBucketLogging {
        bucket: String,
        target: Option<LoggingTarget>,
    },
}

impl Kind for S3Logging {
    const NAME: &'static str = "s3_logging";
    /// After the bucket policies: S3 checks that the target grants the
    /// logging service before it accepts the configuration.
    const STAGE: u8 = 3;
    const DIFF: DiffStyle = DiffStyle::Fields;
    /// `None`: logging off.
    type Desired = Option<LoggingTarget>;
    /// `None`: logging off.
    type Observed = Option<LoggingTarget>;
    type Write = LoggingWrite;

    fn desired(spec: &Spec) -> Vec<Result<Declared<Option<LoggingTarget>>, Undeclarable>> {
        spec.buckets
            .values()
            .filter_map(|bucket| desired(spec, bucket).map(Ok))
            .collect()
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &Option<LoggingTarget>,
        observed: &Option<LoggingTarget>,
    ) -> Result<Planned<LoggingWrite>, SliceError> {
        Ok(plan(subject.aws_id, desired.as_ref(), observed.as_ref()))
    }

    fn meaning(observed: &Option<LoggingTarget>) -> String {
        format!("logging:{observed:?}")
    }

    fn expected(write: &LoggingWrite) -> Option<LoggingTarget> {
        let LoggingWrite::PutBucketLogging { target, .. } = write;
        target.clone()
    }

    fn operation(write: &LoggingWrite) -> &'static str {
        match write {
            LoggingWrite::PutBucketLogging { .. } => "PutBucketLogging",
        }
    }
}

fn desired(spec: &Spec, bucket: &Bucket) -> Option<Declared<Option<LoggingTarget>>> {
    let (target, depends_on) = match bucket.hardening.logging.as_ref()? {
        Logging::Disabled => (None, Vec::new()),
        Logging::To {
            target_bucket,
            prefix,
        } => (
            Some(LoggingTarget {
                target_bucket: target_bucket.clone(),
                target_prefix: prefix.clone(),
                key_format: None,
            }),
            vec![Dependency::on::<S3BucketPolicy>(target_bucket)],
        ),
    };
    Some(Declared::of_bucket(spec, bucket, depends_on, target))
}

fn plan(
    bucket: &str,
    desired: Option<&LoggingTarget>,
    observed: Option<&LoggingTarget>,
) -> Planned<LoggingWrite> {
    let key_format = observed.and_then(|target| target.key_format.clone());
    setting::plan(slice(observed), slice(desired), false, || {
        LoggingWrite::PutBucketLogging {
            bucket: bucket.to_string(),
            target: desired.map(|target| LoggingTarget {
                key_format: key_format.clone(),
                ..target.clone()
            }),
        }
    })
}

/// The managed slice: where the logs go, not how their keys are formed.
fn slice(target: Option<&LoggingTarget>) -> Value {
    match target {
        Some(target) => json!({
            "target_bucket": target.target_bucket,
            "target_prefix": target.target_prefix,
        }),
        None => Value::Null,
    }
}

/// The Sid of the derived statement on a logging target bucket.
pub fn access_logs_sid(prefix: &str) -> String {
    format!("{prefix}{}", xacct_spec::S3_ACCESS_LOGS_SID_SUFFIX)
}

/// Lets the logging service put objects under the prefixes the spec's
/// buckets log to in `target`, scoped to exactly those source buckets and
/// their account; `None` when no bucket logs to `target`. Single values are
/// written as strings, as AWS's own examples do.
pub fn access_logs_statement(spec: &Spec, target: &Bucket) -> Option<Statement> {
    let mut sources = Vec::new();
    let mut resources = Vec::new();
    let mut accounts = Vec::new();
    let target_arn = bucket_arn(spec, target);
    for source in spec.buckets.values() {
        let Some(Logging::To {
            target_bucket,
            prefix,
        }) = &source.hardening.logging
        else {
            continue;
        };
        if *target_bucket != target.name {
            continue;
        }
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
mod tests {
    use super::*;
    use crate::kind::ChangeAction;

    fn spec() -> Spec {
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
        let spec = spec();
        let statement = access_logs_statement(&spec, &spec.buckets["logs"]).expect("derived");
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
        assert!(access_logs_statement(&spec, &spec.buckets["src-a"]).is_none());
    }

    #[test]
    fn logging_depends_on_the_target_policy_and_disabling_is_a_delete() {
        let spec = spec();
        let resource = desired(&spec, &spec.buckets["src-a"]).expect("managed");
        assert_eq!(
            resource.depends_on,
            vec![Dependency::on::<S3BucketPolicy>("logs")]
        );
        let on = LoggingTarget {
            target_bucket: "logs".into(),
            target_prefix: "c/".into(),
            key_format: None,
        };
        let planned = plan("src-c", None, Some(&on));
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(
            planned.write,
            Some(LoggingWrite::PutBucketLogging {
                bucket: "src-c".into(),
                target: None
            })
        );
        assert_eq!(plan("src-c", None, None).action, ChangeAction::NoOp);
        assert_eq!(plan("src-a", Some(&on), None).action, ChangeAction::Create);
    }

    #[test]
    fn a_partitioned_key_format_set_by_others_is_kept_when_the_prefix_changes() {
        let partitioned = LoggingTarget {
            target_bucket: "logs".into(),
            target_prefix: "old/".into(),
            key_format: Some("PartitionedPrefix:EventTime".into()),
        };
        let wanted = LoggingTarget {
            target_prefix: "new/".into(),
            key_format: None,
            ..partitioned.clone()
        };
        let planned = plan("src-a", Some(&wanted), Some(&partitioned));
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(
            planned.write,
            Some(LoggingWrite::PutBucketLogging {
                bucket: "src-a".into(),
                target: Some(LoggingTarget {
                    target_prefix: "new/".into(),
                    ..partitioned.clone()
                }),
            })
        );
        let same_place = LoggingTarget {
            target_prefix: "old/".into(),
            ..wanted
        };
        assert_eq!(
            plan("src-a", Some(&same_place), Some(&partitioned)).action,
            ChangeAction::NoOp
        );
    }
}
