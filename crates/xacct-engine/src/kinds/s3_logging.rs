//! `s3_logging.<bucket>`: where the bucket's server access logs go, managed
//! whole. The target bucket's policy gets the derived statement letting
//! `logging.s3.amazonaws.com` write (see
//! [`super::s3_bucket_policy::access_logs_statement`]), planned
//! before the logging configuration that needs it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_spec::{Bucket, Logging, Spec};

use super::s3_bucket_policy::S3BucketPolicy;
use crate::kind::{
    Declarations, Declared, Dependency, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError,
    Subject,
};
use crate::slice::setting;

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
    const HOLDER: Holder = Holder::Bucket;
    /// `None`: logging off.
    type Desired = Option<LoggingTarget>;
    /// `None`: logging off.
    type Observed = Option<LoggingTarget>;
    type Write = LoggingWrite;

    fn desired(spec: &Spec) -> Declarations<'_, Option<LoggingTarget>> {
        Box::new(
            spec.buckets
                .values()
                .filter_map(|bucket| desired(spec, bucket).map(Ok)),
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;
    use crate::kinds::s3_bucket_policy::tests::logging_spec as spec;

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
