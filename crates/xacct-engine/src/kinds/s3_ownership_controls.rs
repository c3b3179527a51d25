//! `s3_ownership_controls.<bucket>`: the bucket's Object Ownership rule.
//!
//! The document has one field, so the whole of it is the managed slice. It is
//! never deleted: leaving `object_ownership` out of the spec stops managing it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_spec::{ObjectOwnership, Spec};

use crate::kind::{
    each_bucket, ChangeAction, Declarations, DiffStyle, Holder, Kind, PlanOptions, Planned,
    SliceError, Subject,
};

pub struct S3OwnershipControls;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum OwnershipWrite {
    PutOwnershipControls {
        bucket: String,
        #[serde(with = "ownership_text")]
        ownership: ObjectOwnership,
    },
}

impl Kind for S3OwnershipControls {
    const NAME: &'static str = "s3_ownership_controls";
    const STAGE: u8 = 0;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Bucket;
    type Desired = ObjectOwnership;
    /// The bucket's ownership rule, as S3 spells it; `None`: no controls set.
    type Observed = Option<String>;
    type Write = OwnershipWrite;

    fn desired(spec: &Spec) -> Declarations<'_, ObjectOwnership> {
        each_bucket(spec, |bucket| bucket.object_ownership)
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &ObjectOwnership,
        observed: &Option<String>,
    ) -> Result<Planned<OwnershipWrite>, SliceError> {
        Ok(plan(subject.aws_id, *desired, observed.as_deref()))
    }

    fn meaning(observed: &Option<String>) -> String {
        format!("ownership:{observed:?}")
    }

    fn expected(write: &OwnershipWrite) -> Option<String> {
        let OwnershipWrite::PutOwnershipControls { ownership, .. } = write;
        Some(ownership.as_str().to_string())
    }

    fn operation(write: &OwnershipWrite) -> &'static str {
        match write {
            OwnershipWrite::PutOwnershipControls { .. } => "PutBucketOwnershipControls",
        }
    }
}

fn plan(bucket: &str, desired: ObjectOwnership, observed: Option<&str>) -> Planned<OwnershipWrite> {
    let after = slice(Some(desired.as_str()));
    let action = match observed {
        None => ChangeAction::Create,
        Some(rule) if rule == desired.as_str() => ChangeAction::NoOp,
        Some(_) => ChangeAction::Update,
    };
    let write = (action != ChangeAction::NoOp).then(|| OwnershipWrite::PutOwnershipControls {
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

mod ownership_text {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use xacct_spec::ObjectOwnership;

    pub fn serialize<S: Serializer>(value: &ObjectOwnership, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectOwnership, D::Error> {
        let text = String::deserialize(d)?;
        ObjectOwnership::parse(&text)
            .ok_or_else(|| D::Error::custom(format!("unknown object ownership {text:?}")))
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
            Some(OwnershipWrite::PutOwnershipControls {
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
