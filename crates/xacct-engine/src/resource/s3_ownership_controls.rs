//! `s3_ownership_controls.<bucket>`: the bucket's Object Ownership rule.
//!
//! The document has one field, so the whole of it is the managed slice. It is
//! never deleted: leaving `object_ownership` out of the spec stops managing it.

use serde_json::{json, Value};
use xacct_spec::{Bucket, ObjectOwnership, Spec};

use crate::address::ResourceKind;
use crate::change::{ChangeAction, Planned, Write};
use crate::resource::bucket_resource;
use crate::resource::DesiredResource;

use super::Desired;

pub fn desired(spec: &Spec, bucket: &Bucket) -> Option<DesiredResource> {
    let ownership = bucket.object_ownership?;
    Some(bucket_resource(
        spec,
        bucket,
        ResourceKind::S3OwnershipControls,
        Vec::new(),
        Desired::OwnershipControls(ownership),
    ))
}

pub fn plan(bucket: &str, desired: ObjectOwnership, observed: Option<&str>) -> Planned {
    let after = slice(Some(desired.as_str()));
    let action = match observed {
        None => ChangeAction::Create,
        Some(rule) if rule == desired.as_str() => ChangeAction::NoOp,
        Some(_) => ChangeAction::Update,
    };
    let write = (action != ChangeAction::NoOp).then(|| Write::PutOwnershipControls {
        bucket: bucket.to_string(),
        ownership: desired,
    });
    Planned {
        action,
        before: slice(observed),
        after,
        write,
        notes: Vec::new(),
    }
}

fn slice(rule: Option<&str>) -> Value {
    match rule {
        Some(rule) => json!({ "object_ownership": rule }),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_controls_are_created() {
        let planned = plan("b", ObjectOwnership::BucketOwnerEnforced, None);
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(
            planned.write,
            Some(Write::PutOwnershipControls {
                bucket: "b".into(),
                ownership: ObjectOwnership::BucketOwnerEnforced
            })
        );
    }

    #[test]
    fn another_rule_is_updated_and_the_same_rule_is_left_alone() {
        let planned = plan(
            "b",
            ObjectOwnership::BucketOwnerEnforced,
            Some("ObjectWriter"),
        );
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(planned.before, json!({"object_ownership": "ObjectWriter"}));
        let planned = plan(
            "b",
            ObjectOwnership::BucketOwnerEnforced,
            Some("BucketOwnerEnforced"),
        );
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
    }
}
