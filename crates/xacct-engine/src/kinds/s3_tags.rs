//! `s3_tags.<bucket>`: the tag keys the spec names. S3 replaces a bucket's
//! whole tag set on every write, so xacct writes back every other key as
//! read; the managed slice is only the spec's keys. A key set to `null` in the
//! spec is removed; a key dropped from the spec is no longer managed (xacct
//! keeps no state, so it cannot tell a key it once wrote from anyone else's).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xacct_spec::{Hardening, Spec};

use crate::kind::{
    each_bucket, Declarations, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
};
use crate::slice::setting;

pub struct S3Tags;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum TagsWrite {
    /// The whole tag set: others' keys as read, ours as wanted.
    PutBucketTagging {
        bucket: String,
        tags: BTreeMap<String, String>,
    },
    /// Nothing is left in the tag set once our keys are gone.
    DeleteBucketTagging { bucket: String },
}

impl Kind for S3Tags {
    const NAME: &'static str = "s3_tags";
    const STAGE: u8 = 0;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Bucket;
    /// Key -> value; `None`: the key must be absent.
    type Desired = BTreeMap<String, Option<String>>;
    /// The whole tag set (empty when the bucket has none).
    type Observed = BTreeMap<String, String>;
    type Write = TagsWrite;

    fn desired(spec: &Spec) -> Declarations<'_, Self::Desired> {
        each_bucket(spec, |bucket| bucket.hardening.tags.clone())
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &Self::Desired,
        observed: &Self::Observed,
    ) -> Result<Planned<TagsWrite>, SliceError> {
        plan(subject.aws_id, desired, observed)
    }

    fn meaning(observed: &Self::Observed) -> String {
        format!("tags:{observed:?}")
    }

    fn expected(write: &TagsWrite) -> Self::Observed {
        match write {
            TagsWrite::PutBucketTagging { tags, .. } => tags.clone(),
            TagsWrite::DeleteBucketTagging { .. } => BTreeMap::new(),
        }
    }

    fn operation(write: &TagsWrite) -> &'static str {
        match write {
            TagsWrite::PutBucketTagging { .. } => "PutBucketTagging",
            TagsWrite::DeleteBucketTagging { .. } => "DeleteBucketTagging",
        }
    }
}

/// `desired`: key -> value, `None` = must be absent; `observed`: the whole tag set.
fn plan(
    bucket: &str,
    desired: &BTreeMap<String, Option<String>>,
    observed: &BTreeMap<String, String>,
) -> Result<Planned<TagsWrite>, SliceError> {
    let mut merged = observed.clone();
    for (key, value) in desired {
        match value {
            Some(value) => merged.insert(key.clone(), value.clone()),
            None => merged.remove(key),
        };
    }
    let foreign = observed
        .keys()
        .filter(|key| !desired.contains_key(*key))
        .count();
    if merged.len() > Hardening::MAX_TAGS {
        return Err(SliceError::Invalid(format!(
            "the bucket would have {} tags, over S3's limit of {} (the spec's plus {} of \
             others); remove tags",
            merged.len(),
            Hardening::MAX_TAGS,
            foreign
        )));
    }
    let managed = |tags: &BTreeMap<String, String>| -> Value {
        let slice: Map<String, Value> = desired
            .keys()
            .filter_map(|key| Some((key.clone(), Value::String(tags.get(key)?.clone()))))
            .collect();
        if slice.is_empty() {
            Value::Null
        } else {
            Value::Object(slice)
        }
    };
    let bucket = bucket.to_string();
    let others_stay = !merged.is_empty();
    let mut planned = setting::plan(managed(observed), managed(&merged), others_stay, || {
        if others_stay {
            TagsWrite::PutBucketTagging {
                bucket,
                tags: merged.clone(),
            }
        } else {
            TagsWrite::DeleteBucketTagging { bucket }
        }
    });
    if foreign > 0 {
        planned.notes.push(format!(
            "{foreign} tag{} of others kept unchanged",
            if foreign == 1 { "" } else { "s" }
        ));
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;
    use serde_json::json;

    fn address() -> &'static str {
        "b"
    }

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn wanted(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn others_tags_are_written_back_with_ours() {
        let observed = tags(&[("owner", "security"), ("team", "old")]);
        let planned =
            plan(address(), &wanted(&[("team", Some("data"))]), &observed).expect("plans");
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(planned.before, json!({"team": "old"}));
        assert_eq!(planned.after, json!({"team": "data"}));
        assert_eq!(
            planned.write,
            Some(TagsWrite::PutBucketTagging {
                bucket: "b".into(),
                tags: tags(&[("owner", "security"), ("team", "data")])
            })
        );
        assert_eq!(
            planned.notes,
            vec!["1 tag of others kept unchanged".to_string()]
        );
    }

    #[test]
    fn a_null_key_is_removed_and_an_emptied_set_is_deleted() {
        let planned = plan(
            address(),
            &wanted(&[("legacy", None)]),
            &tags(&[("legacy", "x"), ("owner", "security")]),
        )
        .expect("plans");
        assert_eq!(planned.action, ChangeAction::Update, "others' tags stay");
        assert_eq!(
            planned.write,
            Some(TagsWrite::PutBucketTagging {
                bucket: "b".into(),
                tags: tags(&[("owner", "security")])
            })
        );
        let planned = plan(
            address(),
            &wanted(&[("legacy", None)]),
            &tags(&[("legacy", "x")]),
        )
        .expect("plans");
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(
            planned.write,
            Some(TagsWrite::DeleteBucketTagging { bucket: "b".into() })
        );
        let absent = plan(address(), &wanted(&[("legacy", None)]), &tags(&[])).expect("plans");
        assert_eq!(absent.action, ChangeAction::NoOp);
    }

    #[test]
    fn converged_tags_are_left_alone_and_the_limit_is_checked_before_apply() {
        let observed = tags(&[("team", "data")]);
        let planned =
            plan(address(), &wanted(&[("team", Some("data"))]), &observed).expect("plans");
        assert_eq!(planned.action, ChangeAction::NoOp);
        let full: BTreeMap<String, String> = (0..50)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect();
        let error =
            plan(address(), &wanted(&[("team", Some("data"))]), &full).expect_err("over the limit");
        assert!(
            error.to_string().contains("51 tags, over S3's limit of 50"),
            "{error}"
        );
    }
}
