//! Every AWS operation xacct calls, with the IAM action that allows it: the
//! source of `xacct permissions`, kept honest by a test that reads this
//! crate's own calls.

/// Whether an operation only reads (enough for `plan` and `drift`) or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// Made only by `xacct verify`: the control account's probes (which
    /// write and delete a test object) and the owner's cleanup.
    Verify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The API operation, as the SDK and CloudTrail name it.
    pub api: &'static str,
    /// The IAM action that allows it (not always the same name).
    pub iam_action: &'static str,
    pub access: Access,
}

const fn op(api: &'static str, iam_action: &'static str, access: Access) -> Operation {
    Operation {
        api,
        iam_action,
        access,
    }
}

pub const OPERATIONS: &[Operation] = &[
    op("GetCallerIdentity", "sts:GetCallerIdentity", Access::Read),
    op("AssumeRole", "sts:AssumeRole", Access::Read),
    op(
        "GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        Access::Read,
    ),
    op(
        "PutBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        Access::Write,
    ),
    op("GetBucketPolicy", "s3:GetBucketPolicy", Access::Read),
    op("PutBucketPolicy", "s3:PutBucketPolicy", Access::Write),
    op("DeleteBucketPolicy", "s3:DeleteBucketPolicy", Access::Write),
    op(
        "GetBucketNotificationConfiguration",
        "s3:GetBucketNotification",
        Access::Read,
    ),
    op(
        "PutBucketNotificationConfiguration",
        "s3:PutBucketNotification",
        Access::Write,
    ),
    op("GetTopicAttributes", "sns:GetTopicAttributes", Access::Read),
    op(
        "SetTopicAttributes",
        "sns:SetTopicAttributes",
        Access::Write,
    ),
    op(
        "GetEventSelectors",
        "cloudtrail:GetEventSelectors",
        Access::Read,
    ),
    op(
        "PutEventSelectors",
        "cloudtrail:PutEventSelectors",
        Access::Write,
    ),
    op(
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        Access::Read,
    ),
    op(
        "PutPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        Access::Write,
    ),
    op(
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        Access::Read,
    ),
    op(
        "PutBucketEncryption",
        "s3:PutEncryptionConfiguration",
        Access::Write,
    ),
    op(
        "GetBucketVersioning",
        "s3:GetBucketVersioning",
        Access::Read,
    ),
    op(
        "PutBucketVersioning",
        "s3:PutBucketVersioning",
        Access::Write,
    ),
    op("GetBucketLogging", "s3:GetBucketLogging", Access::Read),
    op("PutBucketLogging", "s3:PutBucketLogging", Access::Write),
    op("GetBucketTagging", "s3:GetBucketTagging", Access::Read),
    op("PutBucketTagging", "s3:PutBucketTagging", Access::Write),
    op("DeleteBucketTagging", "s3:PutBucketTagging", Access::Write),
    // xacct verify: the control account's probes, the owner's ownership
    // check and cleanup (every version and delete marker of a test key,
    // listed then deleted by version id), the trail's status.
    op("ListObjectsV2", "s3:ListBucket", Access::Verify),
    op(
        "ListObjectVersions",
        "s3:ListBucketVersions",
        Access::Verify,
    ),
    op("PutObject", "s3:PutObject", Access::Verify),
    op("GetObject", "s3:GetObject", Access::Verify),
    op("DeleteObject", "s3:DeleteObject", Access::Verify),
    // The owner's cleanup deletes each version and delete marker by id.
    op("DeleteObject", "s3:DeleteObjectVersion", Access::Verify),
    op("GetBucketAcl", "s3:GetBucketAcl", Access::Verify),
    op("GetObjectAcl", "s3:GetObjectAcl", Access::Verify),
    op(
        "GetTrailStatus",
        "cloudtrail:GetTrailStatus",
        Access::Verify,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The SDK calls made by this crate's sources: `.get_bucket_policy()` ->
    /// `GetBucketPolicy`. AssumeRole is made by aws-config's provider.
    fn calls_in_sources() -> Vec<String> {
        let sources = [
            include_str!("session.rs"),
            include_str!("s3_ownership_controls.rs"),
            include_str!("s3_bucket_policy.rs"),
            include_str!("s3_bucket_notification.rs"),
            include_str!("sns_topic_policy.rs"),
            include_str!("cloudtrail_event_selectors.rs"),
            include_str!("s3_public_access_block.rs"),
            include_str!("s3_encryption.rs"),
            include_str!("s3_versioning.rs"),
            include_str!("s3_logging.rs"),
            include_str!("s3_tags.rs"),
            include_str!("verify.rs"),
        ];
        let verbs = ["get_", "put_", "delete_", "set_", "list_"];
        let mut calls = Vec::new();
        for source in sources {
            for (index, _) in source.match_indices('.') {
                let rest = &source[index + 1..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                let is_call = rest[name.len()..].starts_with("()");
                if is_call && verbs.iter().any(|verb| name.starts_with(verb)) {
                    let api: String = name
                        .split('_')
                        .map(|word| {
                            let mut chars = word.chars();
                            chars
                                .next()
                                .map(|first| {
                                    first.to_ascii_uppercase().to_string() + chars.as_str()
                                })
                                .unwrap_or_default()
                        })
                        .collect();
                    calls.push(api);
                }
            }
        }
        calls.sort();
        calls.dedup();
        calls
    }

    #[test]
    fn every_call_in_the_code_is_listed_and_nothing_else() {
        let mut listed: Vec<String> = OPERATIONS
            .iter()
            .filter(|operation| operation.api != "AssumeRole")
            .map(|operation| operation.api.to_string())
            .collect();
        listed.sort();
        // One call can need several IAM actions (DeleteObject with a version id).
        listed.dedup();
        assert_eq!(calls_in_sources(), listed);
    }
}
