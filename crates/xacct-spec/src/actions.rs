//! The S3 and SNS actions xacct knows, from the AWS Service Authorization
//! Reference ("Actions defined by Amazon S3" / "... Amazon SNS"), with each
//! action's access level and, for S3, whether it acts on a bucket or on
//! objects. The lint uses them to catch typos (`unknown-action`), grants that
//! silently do nothing (`resource-mismatch`) and writes granted to read-only
//! accounts (`write-to-read-only`). AWS adds actions over time, so an action
//! missing here is a warning, never an error.

/// The access level the Service Authorization Reference gives an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// List and Read: what an account that only reads may be granted.
    pub fn is_read(self) -> bool {
        matches!(self, AccessLevel::List | AccessLevel::Read)
    }
}

/// What an S3 action needs in a statement's `Resource` to take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceLevel {
    /// The bucket ARN, `arn:aws:s3:::bucket`.
    Bucket,
    /// Object ARNs, `arn:aws:s3:::bucket/*`.
    Object,
    /// Neither (account-level, access points, jobs, ...; every SNS action).
    Other,
}

/// One known action, spelled as AWS documents it (`s3:GetObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownAction {
    pub name: &'static str,
    pub access: AccessLevel,
    pub resource: ResourceLevel,
}

use AccessLevel::{List, PermissionsManagement as Perm, Read, Tagging, Write};
use ResourceLevel::{Bucket, Object, Other};

const fn known(name: &'static str, access: AccessLevel, resource: ResourceLevel) -> KnownAction {
    KnownAction {
        name,
        access,
        resource,
    }
}

/// S3 actions a bucket policy can grant.
pub const S3_ACTIONS: &[KnownAction] = &[
    // On objects (resource type `object`).
    known("s3:AbortMultipartUpload", Write, Object),
    known("s3:BypassGovernanceRetention", Perm, Object),
    known("s3:DeleteObject", Write, Object),
    known("s3:DeleteObjectTagging", Tagging, Object),
    known("s3:DeleteObjectVersion", Write, Object),
    known("s3:DeleteObjectVersionTagging", Tagging, Object),
    known("s3:GetObject", Read, Object),
    known("s3:GetObjectAcl", Read, Object),
    known("s3:GetObjectAttributes", Read, Object),
    known("s3:GetObjectLegalHold", Read, Object),
    known("s3:GetObjectRetention", Read, Object),
    known("s3:GetObjectTagging", Read, Object),
    known("s3:GetObjectTorrent", Read, Object),
    known("s3:GetObjectVersion", Read, Object),
    known("s3:GetObjectVersionAcl", Read, Object),
    known("s3:GetObjectVersionAttributes", Read, Object),
    known("s3:GetObjectVersionForReplication", Read, Object),
    known("s3:GetObjectVersionTagging", Read, Object),
    known("s3:GetObjectVersionTorrent", Read, Object),
    known("s3:InitiateReplication", Write, Object),
    known("s3:ListMultipartUploadParts", List, Object),
    known("s3:ObjectOwnerOverrideToBucketOwner", Perm, Object),
    known("s3:PutObject", Write, Object),
    known("s3:PutObjectAcl", Perm, Object),
    known("s3:PutObjectLegalHold", Write, Object),
    known("s3:PutObjectRetention", Write, Object),
    known("s3:PutObjectTagging", Tagging, Object),
    known("s3:PutObjectVersionAcl", Perm, Object),
    known("s3:PutObjectVersionTagging", Tagging, Object),
    known("s3:ReplicateDelete", Write, Object),
    known("s3:ReplicateObject", Write, Object),
    known("s3:ReplicateTags", Tagging, Object),
    known("s3:RestoreObject", Write, Object),
    // On the bucket (resource type `bucket`).
    known("s3:CreateBucket", Write, Bucket),
    known("s3:CreateBucketMetadataTableConfiguration", Write, Bucket),
    known("s3:DeleteBucket", Write, Bucket),
    known("s3:DeleteBucketMetadataTableConfiguration", Write, Bucket),
    known("s3:DeleteBucketOwnershipControls", Write, Bucket),
    known("s3:DeleteBucketPolicy", Perm, Bucket),
    known("s3:DeleteBucketWebsite", Write, Bucket),
    known("s3:GetAccelerateConfiguration", Read, Bucket),
    known("s3:GetAnalyticsConfiguration", Read, Bucket),
    known("s3:GetBucketAcl", Read, Bucket),
    known("s3:GetBucketCORS", Read, Bucket),
    known("s3:GetBucketLocation", Read, Bucket),
    known("s3:GetBucketLogging", Read, Bucket),
    known("s3:GetBucketMetadataTableConfiguration", Read, Bucket),
    known("s3:GetBucketNotification", Read, Bucket),
    known("s3:GetBucketObjectLockConfiguration", Read, Bucket),
    known("s3:GetBucketOwnershipControls", Read, Bucket),
    known("s3:GetBucketPolicy", Read, Bucket),
    known("s3:GetBucketPolicyStatus", Read, Bucket),
    known("s3:GetBucketPublicAccessBlock", Read, Bucket),
    known("s3:GetBucketRequestPayment", Read, Bucket),
    known("s3:GetBucketTagging", Read, Bucket),
    known("s3:GetBucketVersioning", Read, Bucket),
    known("s3:GetBucketWebsite", Read, Bucket),
    known("s3:GetEncryptionConfiguration", Read, Bucket),
    known("s3:GetIntelligentTieringConfiguration", Read, Bucket),
    known("s3:GetInventoryConfiguration", Read, Bucket),
    known("s3:GetLifecycleConfiguration", Read, Bucket),
    known("s3:GetMetricsConfiguration", Read, Bucket),
    known("s3:GetReplicationConfiguration", Read, Bucket),
    known("s3:ListBucket", List, Bucket),
    known("s3:ListBucketMultipartUploads", List, Bucket),
    known("s3:ListBucketVersions", List, Bucket),
    known("s3:PutAccelerateConfiguration", Write, Bucket),
    known("s3:PutAnalyticsConfiguration", Write, Bucket),
    known("s3:PutBucketAcl", Perm, Bucket),
    known("s3:PutBucketCORS", Write, Bucket),
    known("s3:PutBucketLogging", Write, Bucket),
    known("s3:PutBucketNotification", Write, Bucket),
    known("s3:PutBucketObjectLockConfiguration", Write, Bucket),
    known("s3:PutBucketOwnershipControls", Write, Bucket),
    known("s3:PutBucketPolicy", Perm, Bucket),
    known("s3:PutBucketPublicAccessBlock", Perm, Bucket),
    known("s3:PutBucketRequestPayment", Write, Bucket),
    known("s3:PutBucketTagging", Tagging, Bucket),
    known("s3:PutBucketVersioning", Write, Bucket),
    known("s3:PutBucketWebsite", Write, Bucket),
    known("s3:PutEncryptionConfiguration", Write, Bucket),
    known("s3:PutIntelligentTieringConfiguration", Write, Bucket),
    known("s3:PutInventoryConfiguration", Write, Bucket),
    known("s3:PutLifecycleConfiguration", Write, Bucket),
    known("s3:PutMetricsConfiguration", Write, Bucket),
    known("s3:PutReplicationConfiguration", Write, Bucket),
    // Neither: the account, access points, batch jobs, Storage Lens.
    known("s3:CreateAccessPoint", Write, Other),
    known("s3:CreateAccessPointForObjectLambda", Write, Other),
    known("s3:CreateJob", Write, Other),
    known("s3:CreateMultiRegionAccessPoint", Write, Other),
    known("s3:DeleteAccessPoint", Write, Other),
    known("s3:DeleteAccessPointForObjectLambda", Write, Other),
    known("s3:DeleteAccessPointPolicy", Perm, Other),
    known("s3:DeleteAccessPointPolicyForObjectLambda", Perm, Other),
    known("s3:DeleteJobTagging", Tagging, Other),
    known("s3:DeleteMultiRegionAccessPoint", Write, Other),
    known("s3:DeleteStorageLensConfiguration", Write, Other),
    known("s3:DeleteStorageLensConfigurationTagging", Tagging, Other),
    known("s3:DescribeJob", Read, Other),
    known("s3:DescribeMultiRegionAccessPointOperation", Read, Other),
    known("s3:GetAccessPoint", Read, Other),
    known("s3:GetAccessPointConfigurationForObjectLambda", Read, Other),
    known("s3:GetAccessPointForObjectLambda", Read, Other),
    known("s3:GetAccessPointPolicy", Read, Other),
    known("s3:GetAccessPointPolicyForObjectLambda", Read, Other),
    known("s3:GetAccessPointPolicyStatus", Read, Other),
    known("s3:GetAccessPointPolicyStatusForObjectLambda", Read, Other),
    known("s3:GetAccountPublicAccessBlock", Read, Other),
    known("s3:GetJobTagging", Read, Other),
    known("s3:GetMultiRegionAccessPoint", Read, Other),
    known("s3:GetMultiRegionAccessPointPolicy", Read, Other),
    known("s3:GetMultiRegionAccessPointPolicyStatus", Read, Other),
    known("s3:GetMultiRegionAccessPointRoutes", Read, Other),
    known("s3:GetStorageLensConfiguration", Read, Other),
    known("s3:GetStorageLensConfigurationTagging", Read, Other),
    known("s3:GetStorageLensDashboard", Read, Other),
    known("s3:ListAccessPoints", List, Other),
    known("s3:ListAccessPointsForObjectLambda", List, Other),
    known("s3:ListAllMyBuckets", List, Other),
    known("s3:ListJobs", List, Other),
    known("s3:ListMultiRegionAccessPoints", List, Other),
    known("s3:ListStorageLensConfigurations", List, Other),
    known("s3:ListTagsForResource", Read, Other),
    known(
        "s3:PutAccessPointConfigurationForObjectLambda",
        Write,
        Other,
    ),
    known("s3:PutAccessPointPolicy", Perm, Other),
    known("s3:PutAccessPointPolicyForObjectLambda", Perm, Other),
    known("s3:PutAccessPointPublicAccessBlock", Perm, Other),
    known("s3:PutAccountPublicAccessBlock", Perm, Other),
    known("s3:PutJobTagging", Tagging, Other),
    known("s3:PutMultiRegionAccessPointPolicy", Perm, Other),
    known("s3:PutStorageLensConfiguration", Write, Other),
    known("s3:PutStorageLensConfigurationTagging", Tagging, Other),
    known("s3:SubmitMultiRegionAccessPointRoutes", Write, Other),
    known("s3:TagResource", Tagging, Other),
    known("s3:UntagResource", Tagging, Other),
    known("s3:UpdateJobPriority", Write, Other),
    known("s3:UpdateJobStatus", Write, Other),
];

/// SNS actions.
pub const SNS_ACTIONS: &[KnownAction] = &[
    known("sns:AddPermission", Perm, Other),
    known("sns:CheckIfPhoneNumberIsOptedOut", Read, Other),
    known("sns:ConfirmSubscription", Write, Other),
    known("sns:CreatePlatformApplication", Write, Other),
    known("sns:CreatePlatformEndpoint", Write, Other),
    known("sns:CreateSMSSandboxPhoneNumber", Write, Other),
    known("sns:CreateTopic", Write, Other),
    known("sns:DeleteEndpoint", Write, Other),
    known("sns:DeletePlatformApplication", Write, Other),
    known("sns:DeleteSMSSandboxPhoneNumber", Write, Other),
    known("sns:DeleteTopic", Write, Other),
    known("sns:GetDataProtectionPolicy", Read, Other),
    known("sns:GetEndpointAttributes", Read, Other),
    known("sns:GetPlatformApplicationAttributes", Read, Other),
    known("sns:GetSMSAttributes", Read, Other),
    known("sns:GetSMSSandboxAccountStatus", Read, Other),
    known("sns:GetSubscriptionAttributes", Read, Other),
    known("sns:GetTopicAttributes", Read, Other),
    known("sns:ListEndpointsByPlatformApplication", List, Other),
    known("sns:ListOriginationNumbers", List, Other),
    known("sns:ListPhoneNumbersOptedOut", List, Other),
    known("sns:ListPlatformApplications", List, Other),
    known("sns:ListSMSSandboxPhoneNumbers", List, Other),
    known("sns:ListSubscriptions", List, Other),
    known("sns:ListSubscriptionsByTopic", List, Other),
    known("sns:ListTagsForResource", Read, Other),
    known("sns:ListTopics", List, Other),
    known("sns:OptInPhoneNumber", Write, Other),
    known("sns:Publish", Write, Other),
    known("sns:PutDataProtectionPolicy", Write, Other),
    known("sns:RemovePermission", Perm, Other),
    known("sns:SetEndpointAttributes", Write, Other),
    known("sns:SetPlatformApplicationAttributes", Write, Other),
    known("sns:SetSMSAttributes", Write, Other),
    known("sns:SetSubscriptionAttributes", Write, Other),
    known("sns:SetTopicAttributes", Write, Other),
    known("sns:Subscribe", Write, Other),
    known("sns:TagResource", Tagging, Other),
    known("sns:UntagResource", Tagging, Other),
    known("sns:Unsubscribe", Write, Other),
    known("sns:VerifySMSSandboxPhoneNumber", Write, Other),
];

/// SNS actions that only change who *receives* a topic's messages: the
/// Reference calls them Write, but an account that only reads needs them to
/// hear about new objects, so `write-to-read-only` lets them pass.
pub const SNS_RECEIVE_ACTIONS: &[&str] = &[
    "sns:ConfirmSubscription",
    "sns:Subscribe",
    "sns:Unsubscribe",
];

/// The known actions of a service (`s3`, `sns`; any case); empty for others.
pub fn of_service(service: &str) -> &'static [KnownAction] {
    if service.eq_ignore_ascii_case("s3") {
        S3_ACTIONS
    } else if service.eq_ignore_ascii_case("sns") {
        SNS_ACTIONS
    } else {
        &[]
    }
}

fn service_of(action: &str) -> &str {
    action.split_once(':').map_or("", |(service, _)| service)
}

/// The known action `action` names, compared case-insensitively like IAM.
pub fn find(action: &str) -> Option<&'static KnownAction> {
    of_service(service_of(action))
        .iter()
        .find(|known| known.name.eq_ignore_ascii_case(action))
}

/// Whether `action` uses IAM wildcards (`*` any run of characters, `?` one).
pub fn is_wildcard(action: &str) -> bool {
    action.contains(['*', '?'])
}

/// The known actions an action or wildcard pattern covers (case-insensitive).
pub fn matching(pattern: &str) -> Vec<&'static KnownAction> {
    of_service(service_of(pattern))
        .iter()
        .filter(|known| xacct_policy::action_matches(pattern, known.name))
        .collect()
}

/// Whether `action` is one an account that only reads may be granted: a List
/// or Read action, or an SNS subscription action (see [`SNS_RECEIVE_ACTIONS`]).
pub fn is_read_only_use(action: &KnownAction) -> bool {
    action.access.is_read() || SNS_RECEIVE_ACTIONS.contains(&action.name)
}

/// The known action of the same service closest to `action` by edit distance
/// (case-insensitive), if it is close enough to be a likely typo.
pub fn closest(action: &str) -> Option<&'static str> {
    let lower = action.to_ascii_lowercase();
    // A typo changes a few characters; past that a suggestion is noise.
    let limit = (lower.chars().count() / 4).clamp(1, 4);
    of_service(service_of(action))
        .iter()
        .map(|known| {
            (
                edit_distance(&lower, &known.name.to_ascii_lowercase()),
                known.name,
            )
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance: insertions, deletions and substitutions, one each.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let deletion = previous[j + 1] + 1;
            let insertion = current[j] + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_of_their_service() {
        for (service, table) in [("s3", S3_ACTIONS), ("sns", SNS_ACTIONS)] {
            let mut seen = BTreeSet::new();
            for action in table {
                assert!(
                    seen.insert(action.name.to_ascii_lowercase()),
                    "{}",
                    action.name
                );
                assert_eq!(service_of(action.name), service, "{}", action.name);
                assert!(!is_wildcard(action.name), "{}", action.name);
            }
        }
        for action in SNS_RECEIVE_ACTIONS {
            assert!(find(action).is_some(), "{action}");
        }
    }

    #[test]
    fn every_quilt_action_is_known_with_its_level() {
        for action in crate::QUILT_ACTIONS {
            assert!(find(action).is_some(), "{action}");
        }
        let level = |name| find(name).map(|action| (action.access, action.resource));
        assert_eq!(level("s3:GetObject"), Some((Read, Object)));
        assert_eq!(level("s3:ListBucket"), Some((List, Bucket)));
        assert_eq!(level("s3:PutObjectTagging"), Some((Tagging, Object)));
        assert_eq!(level("s3:PutBucketNotification"), Some((Write, Bucket)));
        assert_eq!(level("s3:ListAllMyBuckets"), Some((List, Other)));
        assert_eq!(level("sns:Publish"), Some((Write, Other)));
    }

    #[test]
    fn lookup_is_case_insensitive_and_exact() {
        assert_eq!(find("S3:getobject").map(|a| a.name), Some("s3:GetObject"));
        assert_eq!(find("SNS:subscribe").map(|a| a.name), Some("sns:Subscribe"));
        assert!(find("s3:GetObjects").is_none());
        assert!(find("ec2:RunInstances").is_none());
        assert!(find("GetObject").is_none());
    }

    #[test]
    fn wildcards_match_like_iam() {
        let names = |pattern| -> Vec<&str> { matching(pattern).iter().map(|a| a.name).collect() };
        assert_eq!(names("s3:*").len(), S3_ACTIONS.len());
        assert_eq!(names("sns:*").len(), SNS_ACTIONS.len());
        assert!(names("s3:Get*").contains(&"s3:GetObject"));
        assert!(names("s3:get*").contains(&"s3:GetBucketPolicy"));
        assert!(!names("s3:Get*").contains(&"s3:PutObject"));
        assert_eq!(names("s3:?etObject"), ["s3:GetObject"]);
        assert_eq!(
            names("s3:*ObjectVersionTagging"),
            [
                "s3:DeleteObjectVersionTagging",
                "s3:GetObjectVersionTagging",
                "s3:PutObjectVersionTagging"
            ]
        );
        assert_eq!(names("s3:GetObject"), ["s3:GetObject"]);
        assert!(names("s3:Gett*").is_empty());
        assert!(xacct_policy::action_matches("a*b*c", "axxbyyc"));
        assert!(!xacct_policy::action_matches("a*b*c", "axxbyy"));
        assert!(xacct_policy::action_matches("**", ""));
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("getobjct", "getobject"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
    }

    #[test]
    fn the_closest_known_action_is_suggested_for_typos_only() {
        assert_eq!(closest("s3:GetObjct"), Some("s3:GetObject"));
        assert_eq!(closest("s3:getobjects"), Some("s3:GetObject"));
        assert_eq!(closest("s3:ListBuckets"), Some("s3:ListBucket"));
        assert_eq!(closest("s3:PutObjetTaging"), Some("s3:PutObjectTagging"));
        assert_eq!(closest("sns:Subscrbe"), Some("sns:Subscribe"));
        assert_eq!(closest("s3:LaunchRockets"), None);
        // Suggestions stay within the action's service.
        assert_eq!(closest("ec2:GetObject"), None);
    }

    #[test]
    fn read_only_use_is_list_and_read_and_sns_receiving() {
        let read_only = |name| find(name).is_some_and(is_read_only_use);
        assert!(read_only("s3:GetObject"));
        assert!(read_only("s3:ListBucketVersions"));
        assert!(!read_only("s3:PutObject"));
        assert!(!read_only("s3:PutObjectTagging"));
        assert!(!read_only("s3:PutBucketPolicy"));
        assert!(read_only("sns:Subscribe"));
        assert!(!read_only("sns:Publish"));
    }
}
