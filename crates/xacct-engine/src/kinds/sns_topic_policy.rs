//! `sns_topic_policy.<topic>`: the statements of an existing topic's policy
//! whose Sid starts with the prefix: one per `access:` grant, plus the derived
//! `<prefix>S3Publish` statement that lets the spec's buckets publish their
//! event notifications. AWS's default statement and everyone else's are kept.

use serde::{Deserialize, Serialize};
use serde_json::json;
use xacct_policy::Statement;
use xacct_spec::{Grant, SnsTopic, Spec, TopicRef};

use crate::kind::{
    Declarations, Declared, DiffStyle, Holder, Kind, PlanOptions, Planned, SliceError, Subject,
    Undeclarable,
};
use crate::location::{bucket_arn, location, partition};
use crate::slice::policy::{self, Limits};

/// SNS refuses topic policies over 30 KB or with more than 100 statements.
pub const SIZE_LIMIT: usize = 30 * 1024;
pub const STATEMENT_LIMIT: usize = 100;

/// The Sid of the derived statement letting S3 publish to the topic.
pub fn publish_sid(prefix: &str) -> String {
    format!("{prefix}{}", xacct_spec::S3_PUBLISH_SID_SUFFIX)
}

/// `arn:<partition>:sns:<region>:<account id>:<name>`, or `None` when no
/// region is known for the topic.
pub fn topic_arn(spec: &Spec, topic: &SnsTopic) -> Option<String> {
    let location = location(spec, &topic.account, topic.region.as_deref());
    let region = location.region?;
    Some(format!(
        "arn:{}:sns:{region}:{}:{}",
        partition(Some(&region)),
        location.account_id,
        topic.name
    ))
}

pub struct SnsTopicPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum TopicPolicyWrite {
    /// The whole merged topic policy (never deleted: a topic always has one).
    PutTopicPolicy { topic_arn: String, policy: String },
}

impl Kind for SnsTopicPolicy {
    const NAME: &'static str = "sns_topic_policy";
    /// After the bucket policies, before the notifications that need it.
    const STAGE: u8 = 2;
    const DIFF: DiffStyle = DiffStyle::Keyed {
        key: "Sid",
        noun: "statement",
    };
    const HOLDER: Holder = Holder::Topic;
    /// Exactly the statements xacct owns in the topic policy (grants and the
    /// derived S3 publish statement).
    type Desired = Vec<Statement>;
    /// The topic's policy text (a topic always has one).
    type Observed = String;
    type Write = TopicPolicyWrite;

    fn desired(spec: &Spec) -> Declarations<'_, Vec<Statement>> {
        Box::new(spec.sns_topics.values().map(|topic| desired(spec, topic)))
    }

    fn plan(
        options: &PlanOptions,
        subject: &Subject<'_>,
        desired: &Vec<Statement>,
        observed: &String,
    ) -> Result<Planned<TopicPolicyWrite>, SliceError> {
        plan(
            &options.sid_prefix,
            desired,
            observed,
            subject.aws_id,
            &subject.location.account_id,
        )
    }

    fn meaning(observed: &String) -> String {
        policy::meaning(observed)
    }

    fn expected(write: &TopicPolicyWrite) -> String {
        let TopicPolicyWrite::PutTopicPolicy { policy, .. } = write;
        policy.clone()
    }

    fn operation(write: &TopicPolicyWrite) -> &'static str {
        match write {
            TopicPolicyWrite::PutTopicPolicy { .. } => "SetTopicAttributes",
        }
    }

    fn unlisted() -> Option<Vec<Statement>> {
        Some(Vec::new())
    }
}

fn desired(spec: &Spec, topic: &SnsTopic) -> Result<Declared<Vec<Statement>>, Undeclarable> {
    let Some(arn) = topic_arn(spec, topic) else {
        return Err(Undeclarable {
            name: topic.key.clone(),
            error: SliceError::Invalid(format!(
                "no region for topic {:?}: set `region:` on the topic or on account {:?}",
                topic.name, topic.account
            )),
        });
    };
    let mut statements: Vec<Statement> = topic
        .access
        .iter()
        .flatten()
        .filter_map(|grant| grant_statement(grant, &arn))
        .collect();
    statements.extend(publish_statement(spec, topic, &arn));
    Ok(Declared {
        name: topic.key.clone(),
        location: location(spec, &topic.account, topic.region.as_deref()),
        aws_id: arn,
        depends_on: Vec::new(),
        desired: statements,
    })
}

fn grant_statement(grant: &Grant, topic_arn: &str) -> Option<Statement> {
    Statement::from_value(json!({
        "Sid": grant.sid,
        "Effect": "Allow",
        "Principal": { "AWS": grant.principals },
        "Action": grant.actions,
        "Resource": topic_arn,
    }))
    .ok()
}

/// The spec's buckets that send notifications to `topic` (named by its key
/// or by its ARN).
pub(crate) fn senders<'a>(
    spec: &'a Spec,
    topic: &'a SnsTopic,
    topic_arn: &'a str,
) -> impl Iterator<Item = &'a xacct_spec::Bucket> {
    spec.buckets.values().filter(move |bucket| {
        let Some(sns) = bucket.notifications.as_ref().and_then(|n| n.sns.as_ref()) else {
            return false;
        };
        match &sns.topic {
            TopicRef::Key(key) => *key == topic.key,
            TopicRef::Arn(arn) => arn == topic_arn,
        }
    })
}

/// Lets `s3.amazonaws.com` publish, scoped to exactly the buckets that send
/// notifications to this topic and to their accounts, so no other bucket (in
/// any account) can use the grant.
fn publish_statement(spec: &Spec, topic: &SnsTopic, topic_arn: &str) -> Option<Statement> {
    let senders: Vec<&xacct_spec::Bucket> = senders(spec, topic, topic_arn).collect();
    if senders.is_empty() {
        return None;
    }
    let mut source_arns: Vec<String> = senders.iter().map(|b| bucket_arn(spec, b)).collect();
    source_arns.sort();
    let mut accounts: Vec<String> = senders
        .iter()
        .filter_map(|bucket| spec.accounts.get(&bucket.account))
        .map(|account| account.id.clone())
        .collect();
    accounts.sort();
    accounts.dedup();
    Statement::from_value(json!({
        "Sid": publish_sid(&spec.sid_prefix),
        "Effect": "Allow",
        "Principal": { "Service": "s3.amazonaws.com" },
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": {
            "ArnLike": { "aws:SourceArn": source_arns },
            "StringEquals": { "aws:SourceAccount": accounts },
        },
    }))
    .ok()
}

/// A topic always has a policy: when nothing but ours was in it, AWS's own
/// default policy for the topic is written back instead of an empty one.
fn plan(
    prefix: &str,
    desired: &[Statement],
    observed: &str,
    topic_arn: &str,
    account_id: &str,
) -> Result<Planned<TopicPolicyWrite>, SliceError> {
    let limits = Limits {
        bytes: SIZE_LIMIT,
        statements: Some(STATEMENT_LIMIT),
    };
    policy::plan(prefix, desired, Some(observed), &limits, |merged| {
        TopicPolicyWrite::PutTopicPolicy {
            topic_arn: topic_arn.to_string(),
            policy: match merged {
                Some(document) => document.to_json(),
                None => default_policy(topic_arn, account_id),
            },
        }
    })
}

/// The policy SNS gives every new topic: the owner account may manage and
/// publish.
fn default_policy(topic_arn: &str, account_id: &str) -> String {
    json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": { "AWS": "*" },
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": topic_arn,
            "Condition": { "StringEquals": { "AWS:SourceOwner": account_id } },
        }],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::ChangeAction;
    use serde_json::Value;

    const ARN: &str = "arn:aws:sns:us-east-1:222222222222:quilt-events";

    fn spec() -> Spec {
        xacct_spec::load_str(
            r#"version: 1
accounts:
  control: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
buckets:
  bucket-b:
    account: data
    notifications: { sns_topic: quilt-events, events: ["s3:ObjectCreated:*"] }
  bucket-a:
    account: data
    notifications: { sns_topic: "arn:aws:sns:us-east-1:222222222222:quilt-events", events: ["s3:ObjectRemoved:*"] }
  bucket-quiet:
    account: data
sns_topics:
  quilt-events:
    account: data
    name: quilt-events
    access:
      - sid: QuiltCrossAccountSNSAccess
        principals: [control]
        actions: [sns:Subscribe]
"#,
            "deploy.yaml",
        )
        .unwrap()
    }

    fn default_observed() -> String {
        default_policy(ARN, "222222222222")
    }

    #[test]
    fn derived_publish_statement_names_exactly_the_sending_buckets() {
        let spec = spec();
        let resource = desired(&spec, &spec.sns_topics["quilt-events"]).unwrap();
        assert_eq!(resource.aws_id, ARN);
        let statements = resource.desired;
        let publish = statements
            .iter()
            .find(|s| s.sid() == Some("QuiltS3Publish"))
            .expect("derived statement");
        let value = publish.to_value();
        assert_eq!(
            value["Condition"]["ArnLike"]["aws:SourceArn"],
            json!(["arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"])
        );
        assert_eq!(
            value["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!(["222222222222"])
        );
        assert_eq!(value["Principal"], json!({"Service": "s3.amazonaws.com"}));
        assert_eq!(statements.len(), 2);
    }

    #[test]
    fn the_default_statement_is_kept_when_ours_are_added() {
        let spec = spec();
        let statements = desired(&spec, &spec.sns_topics["quilt-events"])
            .unwrap()
            .desired;
        let planned = plan(
            "Quilt",
            &statements,
            &default_observed(),
            ARN,
            "222222222222",
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        let Some(TopicPolicyWrite::PutTopicPolicy { policy, .. }) = planned.write else {
            panic!("expected a put");
        };
        let written: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(written["Id"], "__default_policy_ID");
        assert_eq!(written["Statement"][0]["Sid"], "__default_statement_ID");
        assert_eq!(written["Statement"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn removing_our_only_statements_writes_back_the_default_policy() {
        let ours = r#"{"Version":"2012-10-17","Statement":[{"Sid":"QuiltS3Publish","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Resource":"arn:aws:sns:us-east-1:222222222222:quilt-events"}]}"#;
        let planned = plan("Quilt", &[], ours, ARN, "222222222222").unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(
            planned.write,
            Some(TopicPolicyWrite::PutTopicPolicy {
                topic_arn: ARN.into(),
                policy: default_observed()
            })
        );
    }

    #[test]
    fn more_than_a_hundred_statements_is_refused_before_apply() {
        let many: Vec<Statement> = (0..101)
            .map(|n| {
                Statement::from_value(json!({
                    "Sid": format!("Quilt{n}"), "Effect": "Allow",
                    "Principal": {"AWS": "111111111111"}, "Action": "sns:Subscribe", "Resource": ARN
                }))
                .unwrap()
            })
            .collect();
        let error = plan("Quilt", &many, &default_observed(), ARN, "222222222222").unwrap_err();
        assert!(error.to_string().contains("limit of 100"), "{error}");
    }
}
