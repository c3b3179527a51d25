//! `s3_public_access_block.<bucket>`: the bucket's four Block Public Access
//! settings, managed whole. Leaving the key out of the spec stops managing it;
//! xacct never deletes the configuration.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use xacct_spec::{PublicAccessBlock, Spec};

use crate::kind::{
    each_bucket, Declarations, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
};
use crate::slice::setting;

pub struct S3PublicAccessBlock;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum PublicAccessBlockWrite {
    PutPublicAccessBlock {
        bucket: String,
        configuration: PublicAccessBlock,
    },
}

impl Kind for S3PublicAccessBlock {
    const NAME: &'static str = "s3_public_access_block";
    const STAGE: u8 = 0;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Bucket;
    type Desired = PublicAccessBlock;
    /// `None`: the bucket has no public access block configuration.
    type Observed = Option<PublicAccessBlock>;
    type Write = PublicAccessBlockWrite;

    fn desired(spec: &Spec) -> Declarations<'_, PublicAccessBlock> {
        each_bucket(spec, |bucket| bucket.hardening.public_access_block)
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &PublicAccessBlock,
        observed: &Option<PublicAccessBlock>,
    ) -> Result<Planned<PublicAccessBlockWrite>, SliceError> {
        Ok(plan(subject.aws_id, *desired, *observed))
    }

    fn meaning(observed: &Option<PublicAccessBlock>) -> String {
        format!("public-access-block:{observed:?}")
    }

    fn expected(write: &PublicAccessBlockWrite) -> Option<PublicAccessBlock> {
        let PublicAccessBlockWrite::PutPublicAccessBlock { configuration, .. } = write;
        Some(*configuration)
    }

    fn operation(write: &PublicAccessBlockWrite) -> &'static str {
        match write {
            PublicAccessBlockWrite::PutPublicAccessBlock { .. } => "PutPublicAccessBlock",
        }
    }
}

/// S3 treats a bucket without a configuration as having every setting off,
/// so `public_access_block: false` is already satisfied there.
fn plan(
    bucket: &str,
    desired: PublicAccessBlock,
    observed: Option<PublicAccessBlock>,
) -> Planned<PublicAccessBlockWrite> {
    let before = slice(observed);
    let after = if observed.is_none() && desired == PublicAccessBlock::NONE {
        Value::Null
    } else {
        slice(Some(desired))
    };
    setting::plan(before, after, false, || {
        PublicAccessBlockWrite::PutPublicAccessBlock {
            bucket: bucket.to_string(),
            configuration: desired,
        }
    })
}

fn slice(block: Option<PublicAccessBlock>) -> Value {
    block
        .and_then(|block| serde_json::to_value(block).ok())
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;

    #[test]
    fn a_bucket_without_the_configuration_gets_it_and_a_weaker_one_is_tightened() {
        let planned = plan("b", PublicAccessBlock::ALL, None);
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(
            planned.write,
            Some(PublicAccessBlockWrite::PutPublicAccessBlock {
                bucket: "b".into(),
                configuration: PublicAccessBlock::ALL
            })
        );
        let weaker = PublicAccessBlock {
            block_public_policy: false,
            ..PublicAccessBlock::ALL
        };
        let planned = plan("b", PublicAccessBlock::ALL, Some(weaker));
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(planned.before["block_public_policy"], false);
        assert_eq!(
            plan("b", PublicAccessBlock::ALL, Some(PublicAccessBlock::ALL)).action,
            ChangeAction::NoOp
        );
        assert_eq!(
            plan("b", PublicAccessBlock::NONE, None).action,
            ChangeAction::NoOp,
            "no configuration is all settings off"
        );
        assert_eq!(
            plan("b", PublicAccessBlock::NONE, Some(PublicAccessBlock::ALL)).action,
            ChangeAction::Update
        );
    }
}
