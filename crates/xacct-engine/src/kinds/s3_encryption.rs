//! `s3_encryption.<bucket>`: the bucket's default encryption rule, managed
//! whole. Never deleted: S3 encrypts every bucket by default anyway, so
//! leaving the key out of the spec only stops managing it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xacct_spec::{Encryption, Spec};

use crate::kind::{
    each_bucket, Declarations, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
};
use crate::slice::setting;

pub struct S3Encryption;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum EncryptionWrite {
    PutBucketEncryption {
        bucket: String,
        configuration: DefaultEncryption,
    },
}

impl Kind for S3Encryption {
    const NAME: &'static str = "s3_encryption";
    const STAGE: u8 = 0;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Bucket;
    type Desired = DefaultEncryption;
    /// The first default encryption rule; `None`: no rule.
    type Observed = Option<DefaultEncryption>;
    type Write = EncryptionWrite;

    fn desired(spec: &Spec) -> Declarations<'_, DefaultEncryption> {
        each_bucket(spec, |bucket| {
            bucket.hardening.encryption.as_ref().map(Into::into)
        })
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &DefaultEncryption,
        observed: &Option<DefaultEncryption>,
    ) -> Result<Planned<EncryptionWrite>, SliceError> {
        Ok(plan(subject.aws_id, desired, observed.as_ref()))
    }

    fn meaning(observed: &Option<DefaultEncryption>) -> String {
        format!("encryption:{observed:?}")
    }

    fn expected(write: &EncryptionWrite) -> Option<DefaultEncryption> {
        let EncryptionWrite::PutBucketEncryption { configuration, .. } = write;
        Some(configuration.clone())
    }

    fn operation(write: &EncryptionWrite) -> &'static str {
        match write {
            EncryptionWrite::PutBucketEncryption { .. } => "PutBucketEncryption",
        }
    }
}

/// A default encryption rule as S3 reports and takes it. The algorithm stays
/// text so that one xacct does not know yet still reads (and differs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    pub bucket_key: bool,
    /// Encryption types the rule blocks (e.g. `SSE-C`): not managed by
    /// xacct, written back as read since PutBucketEncryption replaces the
    /// whole rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_encryption_types: Vec<String>,
}

impl From<&Encryption> for DefaultEncryption {
    fn from(encryption: &Encryption) -> Self {
        DefaultEncryption {
            algorithm: encryption.algorithm.as_str().to_string(),
            kms_key: encryption.kms_key.clone(),
            bucket_key: encryption.bucket_key,
            blocked_encryption_types: Vec::new(),
        }
    }
}

fn plan(
    bucket: &str,
    desired: &DefaultEncryption,
    observed: Option<&DefaultEncryption>,
) -> Planned<EncryptionWrite> {
    let kept = observed
        .map(|rule| rule.blocked_encryption_types.clone())
        .unwrap_or_default();
    let mut planned = setting::plan(slice(observed), slice(Some(desired)), false, || {
        EncryptionWrite::PutBucketEncryption {
            bucket: bucket.to_string(),
            configuration: DefaultEncryption {
                blocked_encryption_types: kept.clone(),
                ..desired.clone()
            },
        }
    });
    if !kept.is_empty() {
        planned.notes.push(format!(
            "blocked encryption types kept as they are: {}",
            kept.join(", ")
        ));
    }
    planned
}

/// The managed slice: what the spec decides, not the blocked types.
fn slice(rule: Option<&DefaultEncryption>) -> Value {
    match rule {
        Some(rule) => {
            let mut slice = json!({ "algorithm": rule.algorithm });
            if let Some(key) = &rule.kms_key {
                slice["kms_key"] = json!(key);
            }
            slice["bucket_key"] = json!(rule.bucket_key);
            slice
        }
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;

    fn kms(key: &str) -> DefaultEncryption {
        DefaultEncryption {
            algorithm: "aws:kms".into(),
            kms_key: Some(key.into()),
            bucket_key: true,
            blocked_encryption_types: vec![],
        }
    }

    #[test]
    fn s3_managed_default_is_replaced_by_the_wanted_kms_key() {
        // What AWS reports for every bucket since 2023.
        let default = DefaultEncryption {
            algorithm: "AES256".into(),
            kms_key: None,
            bucket_key: false,
            blocked_encryption_types: vec![],
        };
        let wanted = kms("arn:aws:kms:us-east-1:222222222222:key/k1");
        let planned = plan("b", &wanted, Some(&default));
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(planned.before["algorithm"], "AES256");
        assert_eq!(
            planned.after["kms_key"],
            "arn:aws:kms:us-east-1:222222222222:key/k1"
        );
        assert_eq!(
            planned.write,
            Some(EncryptionWrite::PutBucketEncryption {
                bucket: "b".into(),
                configuration: wanted.clone()
            })
        );
        assert_eq!(plan("b", &wanted, None).action, ChangeAction::Create);
        assert_eq!(plan("b", &wanted, Some(&wanted)).action, ChangeAction::NoOp);
    }

    #[test]
    fn another_key_or_bucket_key_setting_differs() {
        let wanted = kms("alias/data");
        assert_eq!(
            plan("b", &wanted, Some(&kms("alias/other"))).action,
            ChangeAction::Update
        );
        let without_bucket_key = DefaultEncryption {
            bucket_key: false,
            ..wanted.clone()
        };
        assert_eq!(
            plan("b", &wanted, Some(&without_bucket_key)).action,
            ChangeAction::Update
        );
    }

    #[test]
    fn blocked_encryption_types_of_others_are_written_back_and_never_differ() {
        let wanted = kms("arn:aws:kms:us-east-1:222222222222:key/k1");
        let blocking = DefaultEncryption {
            blocked_encryption_types: vec!["SSE-C".into()],
            ..wanted.clone()
        };
        assert_eq!(
            plan("b", &wanted, Some(&blocking)).action,
            ChangeAction::NoOp
        );
        let old_key = DefaultEncryption {
            kms_key: Some("arn:aws:kms:us-east-1:222222222222:key/k0".into()),
            ..blocking.clone()
        };
        let planned = plan("b", &wanted, Some(&old_key));
        assert_eq!(
            planned.write,
            Some(EncryptionWrite::PutBucketEncryption {
                bucket: "b".into(),
                configuration: blocking
            })
        );
        assert_eq!(
            planned.notes,
            vec!["blocked encryption types kept as they are: SSE-C".to_string()]
        );
    }
}
