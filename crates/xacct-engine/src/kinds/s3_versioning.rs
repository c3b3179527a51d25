//! `s3_versioning.<bucket>`: whether the bucket keeps object versions.
//! `versioning: false` means "not versioning": a bucket that never had
//! versioning already satisfies it, one that has it is suspended (S3 cannot
//! turn versioning off once on).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_spec::Spec;

use crate::kind::{
    each_bucket, Declarations, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
};
use crate::slice::setting;

pub const ENABLED: &str = "Enabled";
pub const SUSPENDED: &str = "Suspended";

pub struct S3Versioning;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum VersioningWrite {
    /// `Enabled` or `Suspended`.
    PutBucketVersioning { bucket: String, status: String },
}

impl Kind for S3Versioning {
    const NAME: &'static str = "s3_versioning";
    const STAGE: u8 = 0;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Bucket;
    /// `true`: Enabled; `false`: not versioning.
    type Desired = bool;
    /// Versioning status as S3 spells it; `None`: never versioned.
    type Observed = Option<String>;
    type Write = VersioningWrite;

    fn desired(spec: &Spec) -> Declarations<'_, bool> {
        each_bucket(spec, |bucket| bucket.hardening.versioning)
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        enabled: &bool,
        observed: &Option<String>,
    ) -> Result<Planned<VersioningWrite>, SliceError> {
        Ok(plan(subject.aws_id, *enabled, observed.as_deref()))
    }

    fn meaning(observed: &Option<String>) -> String {
        format!("versioning:{observed:?}")
    }

    fn expected(write: &VersioningWrite) -> Option<String> {
        let VersioningWrite::PutBucketVersioning { status, .. } = write;
        Some(status.clone())
    }

    fn operation(write: &VersioningWrite) -> &'static str {
        match write {
            VersioningWrite::PutBucketVersioning { .. } => "PutBucketVersioning",
        }
    }
}

/// `observed`: the status S3 reports, `None` for a bucket never versioned.
fn plan(bucket: &str, enabled: bool, observed: Option<&str>) -> Planned<VersioningWrite> {
    let before = slice(observed);
    let wanted = if enabled { ENABLED } else { SUSPENDED };
    let satisfied = match observed {
        Some(status) => status == wanted,
        None => !enabled,
    };
    let after = if satisfied {
        before.clone()
    } else {
        slice(Some(wanted))
    };
    setting::plan(before, after, false, || {
        VersioningWrite::PutBucketVersioning {
            bucket: bucket.to_string(),
            status: wanted.to_string(),
        }
    })
}

fn slice(status: Option<&str>) -> Value {
    match status {
        Some(status) => json!({ "status": status }),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;

    #[test]
    fn enabling_writes_enabled_and_an_enabled_bucket_is_left_alone() {
        let planned = plan("b", true, None);
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(
            planned.write,
            Some(VersioningWrite::PutBucketVersioning {
                bucket: "b".into(),
                status: ENABLED.into()
            })
        );
        assert_eq!(
            plan("b", true, Some(SUSPENDED)).action,
            ChangeAction::Update
        );
        assert_eq!(plan("b", true, Some(ENABLED)).action, ChangeAction::NoOp);
    }

    #[test]
    fn not_versioning_is_satisfied_by_a_never_versioned_bucket_and_suspends_an_enabled_one() {
        assert_eq!(plan("b", false, None).action, ChangeAction::NoOp);
        assert_eq!(plan("b", false, Some(SUSPENDED)).action, ChangeAction::NoOp);
        let planned = plan("b", false, Some(ENABLED));
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(planned.after, json!({"status": "Suspended"}));
    }
}
