//! `s3_public_access_block.<bucket>`: the bucket's four Block Public Access
//! settings, managed whole. Leaving the key out of the spec stops managing it;
//! xacct never deletes the configuration.

use serde_json::Value;
use xacct_spec::{Bucket, PublicAccessBlock, Spec};

use crate::address::ResourceKind;
use crate::change::{Planned, Write};
use crate::resource::bucket_resource;
use crate::resource::{bucket_setting, Desired, DesiredResource};

pub fn desired(spec: &Spec, bucket: &Bucket) -> Option<DesiredResource> {
    let block = bucket.hardening.public_access_block?;
    Some(bucket_resource(
        spec,
        bucket,
        ResourceKind::S3PublicAccessBlock,
        Vec::new(),
        Desired::PublicAccessBlock(block),
    ))
}

/// S3 treats a bucket without a configuration as having every setting off,
/// so `public_access_block: false` is already satisfied there.
pub fn plan(
    bucket: &str,
    desired: PublicAccessBlock,
    observed: Option<PublicAccessBlock>,
) -> Planned {
    let before = slice(observed);
    let after = if observed.is_none() && desired == PublicAccessBlock::NONE {
        Value::Null
    } else {
        slice(Some(desired))
    };
    bucket_setting::plan(before, after, false, || Write::PutPublicAccessBlock {
        bucket: bucket.to_string(),
        configuration: desired,
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
    use crate::change::ChangeAction;

    #[test]
    fn a_bucket_without_the_configuration_gets_it_and_a_weaker_one_is_tightened() {
        let planned = plan("b", PublicAccessBlock::ALL, None);
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(
            planned.write,
            Some(Write::PutPublicAccessBlock {
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
