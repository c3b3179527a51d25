//! The bucket hardening settings of the guide's compliance section:
//! `public_access_block`, `encryption`, `versioning`, `logging` and `tags`.
//! Each is optional and, when present, becomes its own resource kind.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    boolean, fields, one_of, quoted, string, with_value, wrong_type, Fields, KnownAccount, Problems,
};
use crate::model::{Bucket, Encryption, Hardening, Logging, PublicAccessBlock, SseAlgorithm};
use crate::raw::{Node, Pos, Value};

/// The bucket keys read here, one per hardening setting.
pub(crate) const KEYS: &[&str] = &[
    "public_access_block",
    "encryption",
    "versioning",
    "logging",
    "tags",
];

pub(crate) const PUBLIC_ACCESS_BLOCK_KEYS: &[&str] = &[
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
];
pub(crate) const ENCRYPTION_KEYS: &[&str] = &["algorithm", "kms_key", "bucket_key"];
pub(crate) const LOGGING_KEYS: &[&str] = &["target_bucket", "prefix"];

const MAX_TAG_KEY: usize = 128;
const MAX_TAG_VALUE: usize = 256;
/// S3 keeps log object keys under 1024 bytes; a long prefix leaves no room.
const MAX_LOG_PREFIX: usize = 512;

/// A `logging:` target as written, checked against the other buckets once all
/// are read.
#[derive(Debug)]
pub(super) struct LoggingTarget {
    pub source: String,
    pub target: String,
    pub pos: Pos,
}

/// Reads the hardening keys of a bucket's mapping.
pub(super) fn hardening(
    problems: &mut Problems,
    bucket: &Fields<'_>,
    bucket_name: &str,
    bucket_region: Option<&str>,
    logging_targets: &mut Vec<LoggingTarget>,
) -> Hardening {
    let public_access_block = bucket
        .get("public_access_block")
        .and_then(|node| public_access_block(problems, node, bucket));
    let encryption = bucket
        .get("encryption")
        .and_then(|node| encryption(problems, node, bucket, bucket_region));
    let versioning = bucket
        .get("versioning")
        .and_then(|node| boolean(problems, node, &bucket.what("versioning")));
    let logging = bucket.get("logging").and_then(|node| {
        let logging = logging(problems, node, bucket)?;
        if let Logging::To { target_bucket, .. } = &logging {
            let pos = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(key, _)| key.value == Value::Str("target_bucket".into()))
                    .map_or(node.pos, |(_, value)| value.pos),
                _ => node.pos,
            };
            logging_targets.push(LoggingTarget {
                source: bucket_name.to_owned(),
                target: target_bucket.clone(),
                pos,
            });
        }
        Some(logging)
    });
    let tags = bucket
        .get("tags")
        .and_then(|node| tags(problems, node, &bucket.what("tags")));
    Hardening {
        public_access_block,
        encryption,
        versioning,
        logging,
        tags,
    }
}

/// `true` (all four settings on), `false` (all off), or a mapping of the four
/// settings where an omitted one is on: hardening is the point of the key.
fn public_access_block(
    problems: &mut Problems,
    node: &Node,
    bucket: &Fields<'_>,
) -> Option<PublicAccessBlock> {
    let what = bucket.what("public_access_block");
    match &node.value {
        Value::Bool(true) => Some(PublicAccessBlock::ALL),
        Value::Bool(false) => Some(PublicAccessBlock::NONE),
        Value::Map(_) => {
            let at = bucket.key_pos("public_access_block").unwrap_or(node.pos);
            let settings = fields(problems, node, what, PUBLIC_ACCESS_BLOCK_KEYS, at)?;
            let mut flag = |key: &str| {
                settings.get(key).map_or(Some(true), |node| {
                    boolean(problems, node, &settings.what(key))
                })
            };
            Some(PublicAccessBlock {
                block_public_acls: flag("block_public_acls")?,
                ignore_public_acls: flag("ignore_public_acls")?,
                block_public_policy: flag("block_public_policy")?,
                restrict_public_buckets: flag("restrict_public_buckets")?,
            })
        }
        _ => {
            wrong_type(
                problems,
                node,
                &what,
                "true, false, or a mapping of block_public_acls, ignore_public_acls, \
                 block_public_policy, restrict_public_buckets",
            );
            None
        }
    }
}

fn encryption(
    problems: &mut Problems,
    node: &Node,
    bucket: &Fields<'_>,
    bucket_region: Option<&str>,
) -> Option<Encryption> {
    let at = bucket.key_pos("encryption").unwrap_or(node.pos);
    let settings = fields(
        problems,
        node,
        bucket.what("encryption"),
        ENCRYPTION_KEYS,
        at,
    )?;
    let kms_key = settings.get("kms_key").and_then(|node| {
        let what = settings.what("kms_key");
        let key = string(problems, node, &what)?;
        match check_kms_key(key, bucket_region) {
            Ok(()) => Some(key.to_owned()),
            Err(reason) => {
                problems.add(node.pos, format!("{} {reason}", with_value(&what, key)));
                None
            }
        }
    });
    let algorithm = match settings.get("algorithm") {
        None if settings.get("kms_key").is_some() => SseAlgorithm::Kms,
        None => SseAlgorithm::Aes256,
        Some(node) => one_of(
            problems,
            node,
            &settings.what("algorithm"),
            &SseAlgorithm::ALL.map(|algorithm| (algorithm.as_str(), algorithm)),
        )?,
    };
    let bucket_key = match settings.get("bucket_key") {
        None => algorithm == SseAlgorithm::Kms,
        Some(node) => boolean(problems, node, &settings.what("bucket_key"))?,
    };
    let mut valid = true;
    if algorithm == SseAlgorithm::Aes256 {
        if let Some(pos) = settings.key_pos("kms_key") {
            problems.add(
                pos,
                format!(
                    "kms_key of {} needs algorithm aws:kms or aws:kms:dsse (AES256 uses \
                     S3-managed keys)",
                    settings.context
                ),
            );
            valid = false;
        }
    }
    if bucket_key && algorithm != SseAlgorithm::Kms {
        if let Some(pos) = settings.key_pos("bucket_key") {
            problems.add(
                pos,
                format!(
                    "bucket_key: true of {} needs algorithm aws:kms (S3 Bucket Keys exist only \
                     for SSE-KMS)",
                    settings.context
                ),
            );
            valid = false;
        }
    }
    if settings.get("kms_key").is_some() && kms_key.is_none() {
        valid = false;
    }
    valid.then_some(Encryption {
        algorithm,
        kms_key,
        bucket_key,
    })
}

/// A KMS key ARN or alias ARN in the bucket's region. A bare key id or
/// `alias/name` is refused: S3 resolves those in the account of whoever
/// writes the object, so the control account's writes would use a key of its
/// own, and AWS answers such a rule with the resolved ARN, which would never
/// compare equal to what was written.
fn check_kms_key(key: &str, bucket_region: Option<&str>) -> Result<(), String> {
    const SHAPE: &str = "is not a KMS key ARN: write the key's or alias's full ARN \
                         (arn:aws:kms:<region>:<account>:key/<id> or .../alias/<name>), since \
                         S3 resolves a bare key id or alias in the account of whoever writes";
    let Some(rest) = key.strip_prefix("arn:") else {
        return Err(SHAPE.into());
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [_partition, service, region, account, resource] = parts.as_slice() else {
        return Err(SHAPE.into());
    };
    let resource_ok = resource
        .strip_prefix("key/")
        .or_else(|| resource.strip_prefix("alias/"))
        .is_some_and(|name| !name.is_empty());
    if *service != "kms" || account.len() != 12 || !resource_ok {
        return Err(SHAPE.into());
    }
    if let Some(bucket_region) = bucket_region {
        if region != &bucket_region {
            return Err(format!(
                "is in region {region}, but the bucket is in {bucket_region}: S3 only uses \
                 KMS keys of the bucket's own region"
            ));
        }
    }
    Ok(())
}

/// `false`, or a mapping with `target_bucket` and `prefix`.
fn logging(problems: &mut Problems, node: &Node, bucket: &Fields<'_>) -> Option<Logging> {
    let what = bucket.what("logging");
    match &node.value {
        Value::Bool(false) => Some(Logging::Disabled),
        Value::Map(_) => {
            let at = bucket.key_pos("logging").unwrap_or(node.pos);
            let settings = fields(problems, node, what, LOGGING_KEYS, at)?;
            let target_bucket = settings
                .required(problems, "target_bucket")
                .and_then(|node| string(problems, node, &settings.what("target_bucket")));
            let prefix = settings.required(problems, "prefix").and_then(|node| {
                let what = settings.what("prefix");
                let prefix = string(problems, node, &what)?;
                if prefix.len() > MAX_LOG_PREFIX || prefix.chars().any(char::is_control) {
                    problems.add(
                        node.pos,
                        format!(
                            "{} must be at most {MAX_LOG_PREFIX} bytes without control \
                             characters",
                            with_value(&what, prefix)
                        ),
                    );
                    return None;
                }
                Some(prefix)
            });
            Some(Logging::To {
                target_bucket: target_bucket?.to_owned(),
                prefix: prefix?.to_owned(),
            })
        }
        _ => {
            wrong_type(
                problems,
                node,
                &what,
                "false or a mapping with target_bucket and prefix",
            );
            None
        }
    }
}

/// Tag keys and values as S3 accepts them; `null` means "remove this key".
/// Values must be strings: YAML reads `01234` or `0x1F` as numbers and would
/// lose how they were written.
fn tags(
    problems: &mut Problems,
    node: &Node,
    what: &str,
) -> Option<BTreeMap<String, Option<String>>> {
    let Value::Map(entries) = &node.value else {
        wrong_type(problems, node, what, "a mapping of tag keys to values");
        return None;
    };
    let mut tags = BTreeMap::new();
    let mut valid = true;
    for (key, value) in entries {
        let Value::Str(key_text) = &key.value else {
            wrong_type(problems, key, &format!("a key of {what}"), "a string");
            valid = false;
            continue;
        };
        if let Err(reason) = check_tag_text(key_text, MAX_TAG_KEY, false) {
            problems.add(
                key.pos,
                format!("tag key {} of {what} {reason}", quoted(key_text)),
            );
            valid = false;
        }
        if tags.contains_key(key_text) {
            problems.add(
                key.pos,
                format!("duplicate tag key {} in {what}", quoted(key_text)),
            );
            valid = false;
            continue;
        }
        let value_text = match &value.value {
            Value::Null => None,
            Value::Str(text) => Some(text.clone()),
            _ => {
                wrong_type(
                    problems,
                    value,
                    &format!("tag {} of {what}", quoted(key_text)),
                    "a string (or null to remove the tag)",
                );
                valid = false;
                continue;
            }
        };
        if let Some(text) = &value_text {
            if let Err(reason) = check_tag_text(text, MAX_TAG_VALUE, true) {
                problems.add(
                    value.pos,
                    format!(
                        "value {} of tag {} of {what} {reason}",
                        quoted(text),
                        quoted(key_text)
                    ),
                );
                valid = false;
            }
        }
        tags.insert(key_text.clone(), value_text);
    }
    let set = tags.values().filter(|value| value.is_some()).count();
    if set > Hardening::MAX_TAGS {
        problems.add(
            node.pos,
            format!(
                "{what} sets {set} tags; S3 allows at most {} per bucket",
                Hardening::MAX_TAGS
            ),
        );
        valid = false;
    }
    valid.then_some(tags)
}

/// S3's tag rules: length limits, letters, digits, spaces and `+ - = . _ : / @`,
/// and no `aws:` prefix on keys (reserved for AWS).
fn check_tag_text(text: &str, max: usize, may_be_empty: bool) -> Result<(), String> {
    if text.is_empty() && !may_be_empty {
        return Err("must not be empty".into());
    }
    if text.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    if !may_be_empty && text.to_ascii_lowercase().starts_with("aws:") {
        return Err("starts with aws:, which is reserved for AWS".into());
    }
    let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "+-=._:/@".contains(c);
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "contains {bad:?}; S3 allows letters, digits, spaces and + - = . _ : / @"
        ));
    }
    Ok(())
}

/// S3 delivers access logs only to a bucket of the same account and region,
/// and xacct must manage that bucket's policy to let the logging service write.
pub(super) fn check_logging_targets(
    problems: &mut Problems,
    targets: &[LoggingTarget],
    buckets: &BTreeMap<String, Bucket>,
    accounts: &BTreeMap<String, KnownAccount>,
    declared: &BTreeSet<String>,
) {
    fn region<'a>(
        bucket: &'a Bucket,
        accounts: &'a BTreeMap<String, KnownAccount>,
    ) -> Option<&'a str> {
        bucket
            .region
            .as_deref()
            .or_else(|| accounts.get(&bucket.account)?.region.as_deref())
    }
    for target in targets {
        let Some(place) = buckets.get(&target.target) else {
            if !declared.contains(&target.target) {
                problems.add(
                    target.pos,
                    format!(
                        "logging target_bucket {} of bucket {} is not declared under buckets: \
                         declare it (with its account) so xacct can let logging.s3.amazonaws.com \
                         write to it",
                        quoted(&target.target),
                        quoted(&target.source)
                    ),
                );
            }
            continue;
        };
        let Some(source) = buckets.get(&target.source) else {
            continue;
        };
        if place
            .hardening
            .encryption
            .as_ref()
            .is_some_and(Encryption::uses_aws_managed_key)
        {
            problems.add(
                target.pos,
                format!(
                    "logging target_bucket {} is encrypted with the AWS managed key aws/s3, \
                     which S3 cannot use to deliver access logs: give it SSE-S3 (algorithm: \
                     AES256) or a customer managed key whose policy lets \
                     logging.s3.amazonaws.com use it",
                    quoted(&target.target)
                ),
            );
        }
        if source.account != place.account {
            problems.add(
                target.pos,
                format!(
                    "logging target_bucket {} is in account {}, but bucket {} is in account {}: \
                     S3 delivers access logs only within one account",
                    quoted(&target.target),
                    quoted(&place.account),
                    quoted(&target.source),
                    quoted(&source.account)
                ),
            );
        } else if let (Some(from), Some(to)) = (region(source, accounts), region(place, accounts)) {
            if from != to {
                problems.add(
                    target.pos,
                    format!(
                        "logging target_bucket {} is in region {to}, but bucket {} is in {from}: \
                         S3 delivers access logs only within one region",
                        quoted(&target.target),
                        quoted(&target.source)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_error, with_head};
    use crate::load_str;
    use crate::model::{Encryption, Logging, PublicAccessBlock, SseAlgorithm};

    fn bucket(settings: &str) -> crate::Bucket {
        let yaml = with_head(&format!(
            "buckets:\n  logs:\n    account: data\n  my-bucket:\n    account: data\n{settings}"
        ));
        let spec = load_str(&yaml, "deploy.yaml").unwrap_or_else(|error| panic!("{error}"));
        spec.buckets["my-bucket"].clone()
    }

    #[test]
    fn every_setting_is_read_with_its_defaults() {
        let bucket = bucket(
            "    public_access_block: true\n    encryption:\n      kms_key: arn:aws:kms:us-east-1:222222222222:alias/data\n    \
             versioning: true\n    logging:\n      target_bucket: logs\n      prefix: my-bucket/\n    \
             tags:\n      team: data\n      cost-center: \"1234\"\n      legacy: null\n",
        );
        let hardening = bucket.hardening;
        assert_eq!(hardening.public_access_block, Some(PublicAccessBlock::ALL));
        assert_eq!(
            hardening.encryption,
            Some(Encryption {
                algorithm: SseAlgorithm::Kms,
                kms_key: Some("arn:aws:kms:us-east-1:222222222222:alias/data".into()),
                bucket_key: true,
            })
        );
        assert_eq!(hardening.versioning, Some(true));
        assert_eq!(
            hardening.logging,
            Some(Logging::To {
                target_bucket: "logs".into(),
                prefix: "my-bucket/".into()
            })
        );
        let tags = hardening.tags.expect("tags");
        assert_eq!(tags["team"].as_deref(), Some("data"));
        assert_eq!(tags["cost-center"].as_deref(), Some("1234"));
        assert_eq!(tags["legacy"], None);
    }

    #[test]
    fn omitted_settings_are_not_managed_and_partial_blocks_default_to_on() {
        let bucket = bucket("    public_access_block:\n      block_public_acls: false\n");
        let block = bucket.hardening.public_access_block.expect("managed");
        assert!(!block.block_public_acls);
        assert!(block.ignore_public_acls && block.block_public_policy);
        assert_eq!(bucket.hardening.encryption, None);
        assert_eq!(bucket.hardening.tags, None);
        let plain = self::bucket("    encryption: {}\n    logging: false\n");
        let encryption = plain.hardening.encryption.expect("managed");
        assert_eq!(encryption.algorithm, SseAlgorithm::Aes256);
        assert!(!encryption.bucket_key);
        assert_eq!(plain.hardening.logging, Some(Logging::Disabled));
    }

    fn spec_with(settings: &str) -> String {
        with_head(&format!(
            "buckets:\n  logs:\n    account: data\n  my-bucket:\n    account: data\n{settings}"
        ))
    }

    #[test]
    fn wrong_shapes_and_values_name_the_key() {
        assert_error(
            &spec_with("    public_access_block: yes please\n"),
            (13, 26),
            &["public_access_block of bucket \"my-bucket\" must be true, false, or a mapping"],
        );
        assert_error(
            &spec_with("    public_access_block:\n      block_public_acl: true\n"),
            (14, 7),
            &["unknown key \"block_public_acl\""],
        );
        assert_error(
            &spec_with("    versioning: Enabled\n"),
            (13, 17),
            &["versioning of bucket \"my-bucket\" must be true or false"],
        );
        assert_error(
            &spec_with("    encryption:\n      algorithm: aws:kms:xyz\n"),
            (14, 18),
            &["must be one of: AES256, aws:kms, aws:kms:dsse"],
        );
    }

    #[test]
    fn kms_settings_must_fit_the_algorithm_and_region() {
        assert_error(
            &spec_with("    encryption:\n      algorithm: AES256\n      kms_key: arn:aws:kms:us-east-1:222222222222:alias/data\n"),
            (15, 7),
            &["kms_key of encryption of bucket \"my-bucket\" needs algorithm aws:kms"],
        );
        assert_error(
            &spec_with("    encryption:\n      algorithm: aws:kms:dsse\n      bucket_key: true\n"),
            (15, 7),
            &["S3 Bucket Keys exist only for SSE-KMS"],
        );
        assert_error(
            &spec_with(
                "    region: us-east-1\n    encryption:\n      kms_key: \
                 arn:aws:kms:eu-west-1:222222222222:key/1234abcd\n",
            ),
            (15, 16),
            &["is in region eu-west-1, but the bucket is in us-east-1"],
        );
        assert_error(
            &spec_with("    encryption:\n      kms_key: alias/data\n"),
            (14, 16),
            &["is not a KMS key"],
        );
    }

    #[test]
    fn logging_needs_a_declared_target_in_the_same_account_and_region() {
        assert_error(
            &spec_with("    logging:\n      target_bucket: elsewhere\n      prefix: x/\n"),
            (14, 22),
            &["target_bucket \"elsewhere\" of bucket \"my-bucket\" is not declared"],
        );
        assert_error(
            &with_head(
                "buckets:\n  logs:\n    account: control\n  my-bucket:\n    account: data\n    \
                 logging:\n      target_bucket: logs\n      prefix: x/\n",
            ),
            (14, 22),
            &["S3 delivers access logs only within one account"],
        );
        assert_error(
            &with_head(
                "buckets:\n  logs:\n    account: data\n    region: eu-west-1\n  my-bucket:\n    \
                 account: data\n    region: us-east-1\n    logging:\n      target_bucket: logs\n      \
                 prefix: x/\n",
            ),
            (16, 22),
            &["is in region eu-west-1, but bucket \"my-bucket\" is in us-east-1"],
        );
        assert_error(
            &spec_with("    logging:\n      target_bucket: logs\n"),
            (13, 5),
            &["missing key \"prefix\" in logging of bucket \"my-bucket\""],
        );
    }

    #[test]
    fn a_log_target_encrypted_with_the_aws_managed_key_is_refused() {
        assert_error(
            &with_head(
                "buckets:\n  logs:\n    account: data\n    encryption:\n      algorithm: aws:kms\n  \
                 my-bucket:\n    account: data\n    logging:\n      target_bucket: logs\n      \
                 prefix: x/\n",
            ),
            (16, 22),
            &["encrypted with the AWS managed key aws/s3"],
        );
    }

    #[test]
    fn tags_follow_s3_rules() {
        assert_error(
            &spec_with("    tags:\n      cost-center: 01234\n"),
            (14, 20),
            &["tag \"cost-center\" of tags of bucket \"my-bucket\" must be a string"],
        );
        assert_error(
            &spec_with("    tags:\n      aws:created-by: me\n"),
            (14, 7),
            &["tag key \"aws:created-by\"", "reserved for AWS"],
        );
        assert_error(
            &spec_with("    tags:\n      team: [a, b]\n"),
            (14, 13),
            &["tag \"team\" of tags of bucket \"my-bucket\" must be a string"],
        );
        assert_error(
            &spec_with("    tags:\n      \"team#1\": x\n"),
            (14, 7),
            &["contains '#'"],
        );
        let many: String = (0..51).map(|i| format!("      k{i}: v\n")).collect();
        assert_error(
            &spec_with(&format!("    tags:\n{many}")),
            (14, 7),
            &["sets 51 tags; S3 allows at most 50"],
        );
    }
}
