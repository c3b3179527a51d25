//! `s3_versioning.<bucket>`: whether the bucket keeps object versions.
//! `versioning: false` means "not versioning": a bucket that never had
//! versioning already satisfies it, one that has it is suspended (S3 cannot
//! turn versioning off once on).

use serde_json::{json, Value};
use xacct_spec::{Bucket, Spec};

use crate::address::ResourceKind;
use crate::change::{Planned, Write};
use crate::resource::bucket_resource;
use crate::resource::{bucket_setting, Desired, DesiredResource};

pub const ENABLED: &str = "Enabled";
pub const SUSPENDED: &str = "Suspended";

pub fn desired(spec: &Spec, bucket: &Bucket) -> Option<DesiredResource> {
    let enabled = bucket.hardening.versioning?;
    Some(bucket_resource(
        spec,
        bucket,
        ResourceKind::S3Versioning,
        Vec::new(),
        Desired::Versioning(enabled),
    ))
}

/// `observed`: the status S3 reports, `None` for a bucket never versioned.
pub fn plan(bucket: &str, enabled: bool, observed: Option<&str>) -> Planned {
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
    bucket_setting::plan(before, after, false, || Write::PutBucketVersioning {
        bucket: bucket.to_string(),
        status: wanted.to_string(),
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
    use crate::change::ChangeAction;

    #[test]
    fn enabling_writes_enabled_and_an_enabled_bucket_is_left_alone() {
        let planned = plan("b", true, None);
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(
            planned.write,
            Some(Write::PutBucketVersioning {
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
