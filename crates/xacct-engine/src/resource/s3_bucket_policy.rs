//! `s3_bucket_policy.<bucket>`: the statements of a bucket policy whose Sid
//! starts with the spec's prefix. Everything else in the policy belongs to
//! someone else and is written back as read.

use serde_json::json;
use xacct_policy::Statement;
use xacct_spec::{Bucket, Grant, Spec};

use crate::address::ResourceKind;
use crate::change::{Planned, Write};
use crate::error::PlanError;
use crate::plan::PlanOptions;
use crate::resource::bucket_resource;
use crate::resource::policy_slice::{self, Limits};
use crate::resource::{bucket_arn, s3_arn, s3_logging, DesiredResource};

use super::Desired;

/// S3 refuses bucket policies over 20 KB.
pub const SIZE_LIMIT: usize = 20 * 1024;

/// The policy is managed when the spec grants access on the bucket or when a
/// bucket of the spec delivers its access logs to it.
pub fn desired(spec: &Spec, bucket: &Bucket) -> Option<DesiredResource> {
    let access_logs = s3_logging::access_logs_statement(spec, bucket);
    if bucket.access.is_none() && access_logs.is_none() {
        return None;
    }
    let arn = bucket_arn(spec, bucket);
    let statements = bucket
        .access
        .iter()
        .flatten()
        .filter_map(|grant| grant_statement(grant, &arn))
        .chain(access_logs)
        .collect();
    Some(bucket_resource(
        spec,
        bucket,
        ResourceKind::S3BucketPolicy,
        Vec::new(),
        Desired::BucketPolicy(statements),
    ))
}

/// One grant = one Allow on the bucket and its objects: S3 ignores object
/// actions granted on the bucket ARN and bucket actions granted on `/*`, so
/// both resources are always named.
fn grant_statement(grant: &Grant, bucket_arn: &str) -> Option<Statement> {
    let value = json!({
        "Sid": grant.sid,
        "Effect": "Allow",
        "Principal": { "AWS": grant.principals },
        "Action": grant.actions,
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
    });
    // Built from validated input, so this cannot fail; a failure would drop
    // the statement rather than panic, and the plan would show it missing.
    Statement::from_value(value).ok()
}

pub fn plan(
    resource: &DesiredResource,
    options: &PlanOptions,
    desired: &[Statement],
    observed: Option<&str>,
) -> Result<Planned, PlanError> {
    let address = &resource.address;
    let bucket = resource.aws_id.clone();
    let bucket_arn = s3_arn(resource.location.region.as_deref(), &bucket);
    let limits = Limits {
        bytes: SIZE_LIMIT,
        statements: None,
    };
    let mut lockout = Vec::new();
    let planned = policy_slice::plan(
        address,
        &options.sid_prefix,
        desired,
        observed,
        &limits,
        |merged| match merged {
            Some(document) => {
                lockout = document.lockout_statements(&resource.location.account_id, &bucket_arn);
                Write::PutBucketPolicy {
                    bucket,
                    policy: document.to_json(),
                }
            }
            None => Write::DeleteBucketPolicy { bucket },
        },
    )?;
    if !lockout.is_empty() && !options.allow_lockout {
        return Err(PlanError::Lockout {
            address: address.clone(),
            statements: lockout,
        });
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Address;
    use crate::change::ChangeAction;
    use serde_json::Value;

    fn address() -> Address {
        Address::new(ResourceKind::S3BucketPolicy, "data-bucket")
    }

    fn resource() -> DesiredResource {
        DesiredResource {
            address: address(),
            location: crate::resource::Location {
                account: "data".into(),
                account_id: "222222222222".into(),
                region: Some("us-east-1".into()),
            },
            aws_id: "data-bucket".into(),
            depends_on: vec![],
            desired: Desired::BucketPolicy(vec![]),
        }
    }

    fn options() -> PlanOptions {
        PlanOptions::new("Quilt")
    }

    #[test]
    fn a_policy_that_would_lock_the_owner_out_is_refused_unless_allowed() {
        let observed = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let error = plan(
            &resource(),
            &options(),
            &[ours(&["s3:GetObject"])],
            Some(observed),
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("Guard") && message.contains("--allow-lockout"),
            "{message}"
        );
        let allowed = PlanOptions {
            allow_lockout: true,
            ..options()
        };
        let planned = plan(
            &resource(),
            &allowed,
            &[ours(&["s3:GetObject"])],
            Some(observed),
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
    }

    fn ours(actions: &[&str]) -> Statement {
        Statement::from_value(json!({
            "Sid": "QuiltAccess",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
            "Action": actions,
            "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
        }))
        .unwrap()
    }

    const FOREIGN: &str = r#"{"Sid":"SecurityDenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;

    #[test]
    fn no_policy_and_grants_creates_the_slice() {
        let planned = plan(&resource(), &options(), &[ours(&["s3:GetObject"])], None).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        let Some(Write::PutBucketPolicy { policy, .. }) = planned.write else {
            panic!("expected a put, got {:?}", planned.write);
        };
        assert!(policy.contains("QuiltAccess"), "{policy}");
    }

    #[test]
    fn aws_rewrite_of_our_statement_plans_nothing() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{FOREIGN},{{"Action":"s3:getobject","Resource":["arn:aws:s3:::data-bucket/*","arn:aws:s3:::data-bucket"],"Principal":{{"AWS":"111111111111"}},"Effect":"Allow","Sid":"QuiltAccess"}}]}}"#
        );
        let planned = plan(
            &resource(),
            &options(),
            &[ours(&["s3:GetObject"])],
            Some(&observed),
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
        assert_eq!(planned.notes, ["1 statement of others kept unchanged"]);
    }

    #[test]
    fn removing_the_last_grant_keeps_foreign_statements() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{FOREIGN},{}]}}"#,
            ours(&["s3:GetObject"]).to_value()
        );
        let planned = plan(&resource(), &options(), &[], Some(&observed)).unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        let Some(Write::PutBucketPolicy { policy, .. }) = planned.write else {
            panic!("expected a put, got {:?}", planned.write);
        };
        let written: Value = serde_json::from_str(&policy).unwrap();
        let foreign: Value = serde_json::from_str(FOREIGN).unwrap();
        assert_eq!(written["Statement"], json!([foreign]));
    }

    #[test]
    fn removing_the_only_statement_deletes_the_policy() {
        let observed = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            ours(&["s3:GetObject"]).to_value()
        );
        let planned = plan(&resource(), &options(), &[], Some(&observed)).unwrap();
        assert_eq!(
            planned.write,
            Some(Write::DeleteBucketPolicy {
                bucket: "data-bucket".into()
            })
        );
    }

    #[test]
    fn a_deleted_role_in_a_foreign_statement_is_refused_before_writing() {
        let observed = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Legacy","Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEDELETED01"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/*"}]}"#;
        let error = plan(
            &resource(),
            &options(),
            &[ours(&["s3:GetObject"])],
            Some(observed),
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("Legacy"), "{message}");
        assert!(message.contains("AROAEXAMPLEDELETED01"), "{message}");
    }

    #[test]
    fn an_oversized_policy_is_refused() {
        let many: Vec<String> = (0..2000).map(|n| format!("s3:GetObject{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let error = plan(&resource(), &options(), &[ours(&many)], None).unwrap_err();
        assert!(matches!(error, PlanError::TooLarge { .. }), "{error}");
    }

    #[test]
    fn an_unparseable_live_policy_is_an_error_naming_the_address() {
        let error = plan(&resource(), &options(), &[], Some("{not json")).unwrap_err();
        assert!(error.to_string().contains("s3_bucket_policy.data-bucket"));
    }
}
