//! AWS and S3 naming rules, checked offline so that a typo fails `validate`
//! instead of an API call halfway through an apply.
//!
//! Each check returns `Err(reason)` with a short human reason, which validation
//! combines with where the value was written.

/// AWS partitions an ARN may name.
const PARTITIONS: &[&str] = &["aws", "aws-cn", "aws-us-gov"];

/// The ARN partition of a region: China and GovCloud have their own; no
/// region (the SDK's default) is taken as the commercial partition.
pub fn partition(region: Option<&str>) -> &'static str {
    match region {
        Some(region) if region.starts_with("cn-") => "aws-cn",
        Some(region) if region.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
}

/// The partition an ARN names; `None` for anything else.
pub fn arn_partition(value: &str) -> Option<&str> {
    arn_parts(value).map(|[partition, ..]| partition)
}

/// S3 event types a bucket notification may subscribe to.
pub(crate) const S3_EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

fn is_digits(value: &str, count: usize) -> bool {
    value.len() == count && value.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS account id: exactly 12 digits (leading zeros are significant).
/// The account id of an IAM ARN (`arn:aws:iam::<id>:role/...`); `None`
/// for what has none (a service principal, `*`).
pub fn principal_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|id| !id.is_empty())
}

pub(crate) fn is_account_id(value: &str) -> bool {
    is_digits(value, 12)
}

/// A region name like `us-east-1` or `us-gov-west-1`: `^[a-z]{2}(-[a-z]+)+-\d+$`.
pub(crate) fn check_region(value: &str) -> Result<(), String> {
    let parts: Vec<&str> = value.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        Ok(())
    } else {
        Err("is not a region name like us-east-1".to_owned())
    }
}

/// S3's bucket naming rules (general purpose buckets).
pub(crate) fn check_bucket_name(name: &str) -> Result<(), String> {
    if name.len() < 3 || name.len() > 63 {
        return Err(format!(
            "must be 3 to 63 characters long (it has {})",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Err(format!(
            "may contain only lowercase letters, digits, dots and hyphens (found {bad:?})"
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !alnum(name.chars().next()) || !alnum(name.chars().last()) {
        return Err("must begin and end with a letter or digit".to_owned());
    }
    if name.contains("..") {
        return Err("must not contain two adjacent periods".to_owned());
    }
    let octets: Vec<&str> = name.split('.').collect();
    if octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("must not be formatted as an IP address".to_owned());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Err(format!(
                "must not start with the reserved prefix {prefix:?}"
            ));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Err(format!("must not end with the reserved suffix {suffix:?}"));
        }
    }
    Ok(())
}

/// Splits `arn:<partition>:<service>:<region>:<account>:<resource>` and checks the
/// partition; the resource may itself contain colons.
fn arn_parts(value: &str) -> Option<[&str; 5]> {
    let rest = value.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    PARTITIONS
        .contains(&partition)
        .then_some([partition, service, region, account, resource])
}

/// Characters IAM allows in role and user names and paths (`\w+=,.@-` and `/`).
fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-/".contains(c)
}

/// A path-and-name like `path/to/Name`: non-empty, IAM characters, not ending in `/`.
fn is_iam_path_and_name(value: &str) -> bool {
    !value.is_empty() && !value.ends_with('/') && value.chars().all(is_iam_name_char)
}

/// An IAM role ARN `arn:aws(-cn|-us-gov)?:iam::<12 digits>:role/<path/name>`;
/// returns its account id.
pub(crate) fn role_arn_account(value: &str) -> Result<&str, String> {
    let shape = "is not an IAM role ARN like arn:aws:iam::123456789012:role/Name";
    let [_, service, region, account, resource] = arn_parts(value).ok_or(shape)?;
    let role = resource.strip_prefix("role/").ok_or(shape)?;
    if service != "iam"
        || !region.is_empty()
        || !is_account_id(account)
        || !is_iam_path_and_name(role)
    {
        return Err(shape.to_owned());
    }
    Ok(account)
}

/// A principal ARN: `arn:<p>:iam::<12>:(root|role/...|user/...)` or
/// `arn:<p>:sts::<12>:assumed-role/<role>/<session>`.
pub(crate) fn check_principal_arn(value: &str) -> Result<(), String> {
    let shape = "is not an IAM principal ARN (arn:aws:iam::<12 digits>:root, \
                 arn:aws:iam::<12 digits>:role/..., arn:aws:iam::<12 digits>:user/... \
                 or arn:aws:sts::<12 digits>:assumed-role/...)";
    let [_, service, region, account, resource] = arn_parts(value).ok_or(shape)?;
    if !region.is_empty() || !is_account_id(account) {
        return Err(shape.to_owned());
    }
    let valid = match service {
        "iam" => {
            resource == "root"
                || resource
                    .strip_prefix("role/")
                    .is_some_and(is_iam_path_and_name)
                || resource
                    .strip_prefix("user/")
                    .is_some_and(is_iam_path_and_name)
        }
        "sts" => resource.strip_prefix("assumed-role/").is_some_and(|rest| {
            rest.split_once('/').is_some_and(|(role, session)| {
                !role.is_empty()
                    && role.chars().all(is_iam_name_char)
                    && !session.is_empty()
                    && session.chars().all(is_iam_name_char)
            })
        }),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(shape.to_owned())
    }
}

/// An SNS topic name: 1-256 characters of `[A-Za-z0-9_-]` (a FIFO topic ends in `.fifo`).
pub(crate) fn check_topic_name(name: &str) -> Result<(), String> {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if name.is_empty() || name.len() > 256 {
        return Err("must be 1 to 256 characters long".to_owned());
    }
    if base.is_empty()
        || !base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("may contain only letters, digits, hyphens and underscores".to_owned());
    }
    Ok(())
}

/// An SNS topic ARN `arn:<p>:sns:<region>:<12 digits>:<name>`; returns its region.
pub(crate) fn topic_arn_region(value: &str) -> Result<&str, String> {
    let shape = "is not an SNS topic ARN like arn:aws:sns:us-east-1:123456789012:name";
    let [_, service, region, account, name] = arn_parts(value).ok_or(shape)?;
    if service != "sns" || check_region(region).is_err() || !is_account_id(account) {
        return Err(shape.to_owned());
    }
    check_topic_name(name).map_err(|reason| format!("has a topic name that {reason}"))?;
    Ok(region)
}

/// A CloudTrail trail name (3-128 of letters, digits, `._-`, starting and ending with
/// a letter or digit, no two adjacent `._-`) or a trail ARN, whose region it returns.
pub(crate) fn check_trail(value: &str) -> Result<Option<&str>, String> {
    if value.starts_with("arn:") {
        let shape = "is not a trail ARN like arn:aws:cloudtrail:us-east-1:123456789012:trail/name";
        let [_, service, region, account, resource] = arn_parts(value).ok_or(shape)?;
        let name = resource.strip_prefix("trail/").ok_or(shape)?;
        if service != "cloudtrail" || check_region(region).is_err() || !is_account_id(account) {
            return Err(shape.to_owned());
        }
        return check_trail_name(name).map(|()| Some(region));
    }
    check_trail_name(value).map(|()| None)
}

fn check_trail_name(name: &str) -> Result<(), String> {
    let special = |c: char| c == '.' || c == '_' || c == '-';
    if name.len() < 3 || name.len() > 128 {
        return Err("must be 3 to 128 characters long".to_owned());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || special(c))
    {
        return Err(
            "may contain only letters, digits, periods, underscores and hyphens".to_owned(),
        );
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(name.chars().next()) || !alnum(name.chars().last()) {
        return Err("must begin and end with a letter or digit".to_owned());
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.windows(2).any(|w| special(w[0]) && special(w[1])) {
        return Err("must not have two adjacent periods, underscores or hyphens".to_owned());
    }
    Ok(())
}

/// A Sid as AWS accepts it for S3 and SNS: letters and digits only.
pub(crate) fn is_alphanumeric(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An IAM action `service:Action`; wildcards (`*`, `?`) are allowed in the action
/// part. Returns the service prefix.
pub(crate) fn action_service(value: &str) -> Result<&str, String> {
    let shape = "is not an action like s3:GetObject (service:Action)";
    let (service, action) = value.split_once(':').ok_or(shape)?;
    let service_ok = !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let action_ok = !action.is_empty()
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?');
    if service_ok && action_ok {
        Ok(service)
    } else {
        Err(shape.to_owned())
    }
}

/// An STS external id: 2-1224 characters of `[\w+=,.@:/-]`.
pub(crate) fn check_external_id(value: &str) -> Result<(), String> {
    if value.len() < 2 || value.len() > 1224 {
        return Err("must be 2 to 1224 characters long".to_owned());
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c))
    {
        return Err("may contain only letters, digits and _+=,.@:/-".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-2",
            "eu-central-1",
        ] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "u-east-1",
            "us--1",
            "us-east-1a",
            "",
            "us-east-x",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bucket_names() {
        for good in [
            "abc",
            "my-data-bucket",
            "logs.example.com",
            "a1b",
            &"a".repeat(63),
        ] {
            assert!(check_bucket_name(good).is_ok(), "{good}");
        }
        let bad = [
            ("ab", "3 to 63"),
            ("MyBucket", "lowercase"),
            ("my_bucket", "lowercase"),
            ("-bucket", "begin and end"),
            ("bucket.", "begin and end"),
            ("my..bucket", "adjacent periods"),
            ("192.168.5.4", "IP address"),
            ("xn--bucket", "xn--"),
            ("sthree-bucket", "sthree-"),
            ("amzn-s3-demo-bucket", "amzn-s3-demo-"),
            ("bucket-s3alias", "-s3alias"),
            ("bucket--ol-s3", "--ol-s3"),
            ("bucket.mrap", ".mrap"),
            ("bucket--x-s3", "--x-s3"),
        ];
        for (name, reason) in bad {
            let error = check_bucket_name(name).unwrap_err();
            assert!(error.contains(reason), "{name}: {error}");
        }
        assert!(check_bucket_name(&"a".repeat(64)).is_err());
        assert!(check_bucket_name("1.2.3.a").is_ok());
    }

    #[test]
    fn role_arns() {
        assert_eq!(
            role_arn_account("arn:aws:iam::222222222222:role/xacct-deployer"),
            Ok("222222222222")
        );
        assert!(role_arn_account("arn:aws-cn:iam::222222222222:role/path/to/Role").is_ok());
        assert!(role_arn_account("arn:aws-us-gov:iam::222222222222:role/R").is_ok());
        for bad in [
            "arn:aws:iam::22222222222:role/R",
            "arn:aws:iam::222222222222:user/R",
            "arn:aws:iam::222222222222:role/",
            "arn:aws:sts::222222222222:role/R",
            "arn:other:iam::222222222222:role/R",
            "arn:aws:iam:us-east-1:222222222222:role/R",
            "role/R",
        ] {
            assert!(role_arn_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn principal_arns() {
        for good in [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::111111111111:role/QuiltLambdaRole",
            "arn:aws:iam::111111111111:role/service-role/x",
            "arn:aws:iam::111111111111:user/alice",
            "arn:aws:sts::111111111111:assumed-role/Admin/alice@example.com",
        ] {
            assert!(check_principal_arn(good).is_ok(), "{good}");
        }
        for bad in [
            "arn:aws:iam::111111111111:group/g",
            "arn:aws:iam::111111111111:rooted",
            "arn:aws:sts::111111111111:assumed-role/Admin",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::*:root",
        ] {
            assert!(check_principal_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn topics_and_trails() {
        assert!(check_topic_name("quilt-events_1").is_ok());
        assert!(check_topic_name("events.fifo").is_ok());
        assert!(check_topic_name("bad name").is_err());
        assert!(check_topic_name("").is_err());
        assert!(check_topic_name(&"a".repeat(257)).is_err());
        assert_eq!(
            topic_arn_region("arn:aws:sns:eu-west-1:222222222222:quilt-events"),
            Ok("eu-west-1")
        );
        assert!(topic_arn_region("arn:aws:sns:eu-west-1:222222222222:").is_err());
        assert!(topic_arn_region("arn:aws:sqs:eu-west-1:222222222222:q").is_err());
        assert!(check_trail("quilt-trail").is_ok());
        assert_eq!(
            check_trail("arn:aws:cloudtrail:us-east-1:111111111111:trail/quilt-trail"),
            Ok(Some("us-east-1"))
        );
        assert!(check_trail("my-_trail").is_err());
        assert!(check_trail("ab").is_err());
        assert!(check_trail("arn:aws:cloudtrail:us-east-1:111111111111:quilt-trail").is_err());
    }

    #[test]
    fn actions_and_sids() {
        assert_eq!(action_service("s3:GetObject"), Ok("s3"));
        assert_eq!(action_service("s3:Get*"), Ok("s3"));
        assert_eq!(action_service("sns:Subscribe"), Ok("sns"));
        for bad in [
            "GetObject",
            "s3:",
            ":Get",
            "s3:Get Object",
            "*",
            "s3:Get:Object",
        ] {
            assert!(action_service(bad).is_err(), "{bad}");
        }
        assert!(is_alphanumeric("QuiltAccess1"));
        assert!(!is_alphanumeric("Quilt-Access"));
        assert!(!is_alphanumeric(""));
        assert!(is_account_id("012345678901"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("１２３４５６７８９０１２"));
    }

    #[test]
    fn external_ids() {
        assert!(check_external_id("optional-external-id").is_ok());
        assert!(check_external_id("x").is_err());
        assert!(check_external_id("has space").is_err());
    }
}
