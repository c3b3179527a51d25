//! `xacct verify`: whether the setup *works*, not just whether it was applied.
//!
//! Pure. From the spec this module derives what to check ([`Verification`]):
//! static checks judged here from the live documents (bucket and topic
//! policies evaluated as AWS would, ownership controls, the trail's
//! selectors), and live probes that xacct-aws runs with the control
//! account's credentials ([`live`]), judged here too. Every result is one
//! [`CheckResult`] with, on a failure, the likely cause from the guide's
//! troubleshooting list.

mod grants;
pub mod live;
pub mod report;
pub mod trail;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use xacct_policy::{Decision, Effect, PolicyDocument, Request};
use xacct_spec::{principal_account, Catalog, Grant, ObjectOwnership, Spec, SseAlgorithm};

use crate::address::{Address, ResourceKind};
use crate::kinds::cloudtrail_event_selectors::trail_name;
use crate::kinds::quilt_bucket::{self, CatalogConfig};
use crate::kinds::sns_topic_policy::{senders, topic_arn};
use crate::kinds::Observed;
use crate::location::{bucket_arn, bucket_location, location, Location};

pub use grants::{action_matches, is_object_action};
use grants::{checked_actions, describe_refusal, evaluate_all, judge_grant, judge_quilt_needs};
pub use live::{BucketProbe, LiveOutcome, ProbeFailure, ProbeStep, StepOutcome};
pub use report::{in_report_order, verify_json, verify_text};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Advisory: works, but not everything the platform may need.
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub status: Status,
    /// What was checked on: `bucket data-bucket`, `topic quilt-events`, `trail quilt-trail`.
    pub subject: String,
    /// What was checked (and, on a failure, what was found).
    pub check: String,
    /// For a warning or failure: the likely cause and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl CheckResult {
    fn new(status: Status, subject: &str, check: String, cause: Option<String>) -> Self {
        CheckResult {
            status,
            subject: subject.to_string(),
            check,
            cause,
        }
    }
}

/// The account the data platform runs in: whose credentials make the live
/// probes, and whom the data accounts' grants must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The spec's name for it.
    pub name: String,
    pub id: String,
    /// The principal the control credentials act as (a role ARN, or an STS
    /// assumed-role ARN), once connected; `None`: unknown, any principal of
    /// the account is taken to be reachable.
    pub caller: Option<String>,
}

impl Control {
    /// Whether a grant to `principal` reaches the control credentials: a
    /// grant to the account (its root) does, as the account's own IAM
    /// policies decide; a grant to a role only when the credentials act as
    /// that role (an assumed-role session of it); any other principal (a
    /// user) only when it is the caller itself. Two non-role ARNs both have
    /// no role name, which must not count as the same role.
    pub fn reaches(&self, principal: &str) -> bool {
        if principal_account(principal) != Some(self.id.as_str()) {
            return false;
        }
        match &self.caller {
            None => true,
            Some(caller) => {
                is_root(principal)
                    || principal == caller
                    || role_name(principal).is_some_and(|role| Some(role) == role_name(caller))
            }
        }
    }
}

/// The role's name of `arn:aws:iam::<id>:role/<path/>Name` or
/// `arn:aws:sts::<id>:assumed-role/Name/<session>`; `None` for other ARNs.
fn role_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if let Some(path) = resource.strip_prefix("role/") {
        return path.rsplit('/').next();
    }
    resource.strip_prefix("assumed-role/")?.split('/').next()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("--control {name:?} is not an account of the spec (accounts: {known})")]
    UnknownControl { name: String, known: String },
    #[error(
        "cannot tell which account is the control account: {reason}; \
         name it with --control NAME (accounts: {known})"
    )]
    AmbiguousControl { reason: String, known: String },
    #[error("no bucket, topic or trail matches --target {target:?}; known: {known}")]
    UnknownTarget { target: String, known: String },
}

/// Likely causes, in the words of the guide's troubleshooting list.
mod cause {
    pub const WRONG_ACCOUNT: &str = "wrong account id";
    pub const OWNERSHIP: &str = "ownership not enforced";
    pub const TRAIL: &str = "trail not logging data events";
}

/// `--control NAME`, else the account named `control`, else the one spec
/// account that the data buckets' grants name (other than the buckets' own).
pub fn control_account(spec: &Spec, chosen: Option<&str>) -> Result<Control, VerifyError> {
    let known = || spec.accounts.keys().cloned().collect::<Vec<_>>().join(", ");
    let control = |name: &str| {
        spec.accounts.get(name).map(|account| Control {
            name: account.name.clone(),
            id: account.id.clone(),
            caller: None,
        })
    };
    if let Some(name) = chosen {
        return control(name).ok_or_else(|| VerifyError::UnknownControl {
            name: name.to_string(),
            known: known(),
        });
    }
    if let Some(found) = control("control") {
        return Ok(found);
    }
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for bucket in spec.buckets.values() {
        let own = spec.accounts.get(&bucket.account).map(|a| a.id.as_str());
        for grant in bucket.access.iter().flatten() {
            for principal in &grant.principals {
                if let Some(id) = principal_account(principal) {
                    if Some(id) != own {
                        named.insert(id);
                    }
                }
            }
        }
    }
    let candidates: Vec<&xacct_spec::Account> = spec
        .accounts
        .values()
        .filter(|account| named.contains(account.id.as_str()))
        .collect();
    match candidates.as_slice() {
        [only] => Ok(Control {
            name: only.name.clone(),
            id: only.id.clone(),
            caller: None,
        }),
        [] => Err(VerifyError::AmbiguousControl {
            reason:
                "no account is named `control` and no bucket grant names an account of the spec"
                    .to_string(),
            known: known(),
        }),
        many => Err(VerifyError::AmbiguousControl {
            reason: format!(
                "no account is named `control` and the bucket grants name several accounts ({})",
                many.iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            known: known(),
        }),
    }
}

fn is_root(principal: &str) -> bool {
    principal.ends_with(":root")
}

/// What to verify of one bucket.
#[derive(Debug, Clone)]
pub struct BucketVerification {
    pub name: String,
    pub arn: String,
    /// The bucket owner's account and the bucket's region.
    pub location: Location,
    /// `None`: the spec does not manage access; `Some(empty)`: no access granted.
    pub grants: Option<Vec<Grant>>,
    pub declared_ownership: Option<ObjectOwnership>,
    /// Logged on the spec's trail.
    pub logged: bool,
    /// The KMS key of the spec's default encryption, when it is SSE-KMS (the
    /// AWS managed `aws/s3` when no key is named): the control account's
    /// writes and reads need the key's policy too, so a refused probe may be
    /// the key's doing.
    pub kms_key: Option<String>,
    /// `None`: the catalog's listing is not managed.
    pub catalog: Option<CatalogListing>,
}

/// What the catalog should say of a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogListing {
    /// `catalog: false`.
    Unlisted,
    /// Listed, with this topic when the spec sets one.
    Listed { topic: Option<String> },
}

impl BucketVerification {
    fn grants(&self) -> &[Grant] {
        self.grants.as_deref().unwrap_or_default()
    }

    /// Cross-account access is declared: its ownership matters.
    fn shared(&self) -> bool {
        !self.grants().is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct TopicVerification {
    pub key: String,
    pub arn: String,
    pub location: Location,
    pub grants: Vec<Grant>,
    /// Buckets notifying the topic: (bucket ARN, bucket account id).
    pub publishers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct TrailVerification {
    /// As written in the spec (name or ARN).
    pub trail: String,
    pub name: String,
    pub location: Location,
    /// (bucket name, `arn:aws:s3:::<bucket>/`) of each logged bucket.
    pub buckets: Vec<(String, String)>,
}

/// Everything `verify` checks for a spec.
#[derive(Debug, Clone)]
pub struct Verification {
    pub control: Control,
    pub buckets: Vec<BucketVerification>,
    pub topics: Vec<TopicVerification>,
    pub trail: Option<TrailVerification>,
}

/// A document to read for the static checks: (address, location, AWS id).
pub type DocumentToRead = (Address, Location, String);

impl Verification {
    pub fn new(spec: &Spec, control: Control) -> Verification {
        let buckets = spec
            .buckets
            .values()
            .map(|bucket| BucketVerification {
                name: bucket.name.clone(),
                arn: bucket_arn(spec, bucket),
                location: bucket_location(spec, bucket),
                grants: bucket.access.clone(),
                declared_ownership: bucket.object_ownership,
                logged: bucket.cloudtrail,
                kms_key: bucket
                    .hardening
                    .encryption
                    .as_ref()
                    .filter(|encryption| encryption.algorithm != SseAlgorithm::Aes256)
                    .map(|encryption| {
                        encryption
                            .kms_key
                            .clone()
                            .unwrap_or_else(|| "aws/s3".to_string())
                    }),
                catalog: bucket.catalog.as_ref().map(|catalog| match catalog {
                    Catalog::Removed => CatalogListing::Unlisted,
                    Catalog::Listed(settings) => CatalogListing::Listed {
                        topic: quilt_bucket::topic(spec, bucket, &settings.sns_notification_arn),
                    },
                }),
            })
            .collect();
        let topics = spec
            .sns_topics
            .values()
            .filter_map(|topic| {
                // A topic without a region is already a plan error; it has nothing to verify.
                let arn = topic_arn(spec, topic)?;
                let publishers = senders(spec, topic, &arn)
                    .map(|bucket| {
                        (
                            bucket_arn(spec, bucket),
                            bucket_location(spec, bucket).account_id,
                        )
                    })
                    .collect();
                Some(TopicVerification {
                    key: topic.key.clone(),
                    location: location(spec, &topic.account, topic.region.as_deref()),
                    arn,
                    grants: topic.access.clone().unwrap_or_default(),
                    publishers,
                })
            })
            .collect();
        let trail = spec.cloudtrail.as_ref().and_then(|trail| {
            // The trail's location as planning resolves it (a trail ARN names its region).
            let resource = crate::kinds::cloudtrail_event_selectors::desired(spec)?;
            Some(TrailVerification {
                name: trail_name(&trail.trail).to_string(),
                trail: trail.trail.clone(),
                location: resource.location,
                buckets: spec
                    .buckets
                    .values()
                    .filter(|bucket| bucket.cloudtrail)
                    .map(|bucket| {
                        (
                            bucket.name.clone(),
                            format!("{}/", bucket_arn(spec, bucket)),
                        )
                    })
                    .collect(),
            })
        });
        Verification {
            control,
            buckets,
            topics,
            trail,
        }
    }

    /// Keeps what `targets` name: a bucket, topic key or trail name, or an
    /// address whose name is one of those. No targets: everything.
    pub fn retain_targets(&mut self, targets: &[String]) -> Result<(), Vec<VerifyError>> {
        if targets.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = targets
            .iter()
            .map(|target| Address::parse(target).map_or(target.clone(), |address| address.name))
            .collect();
        let mut known: Vec<&str> = self.buckets.iter().map(|b| b.name.as_str()).collect();
        known.extend(self.topics.iter().map(|t| t.key.as_str()));
        known.extend(self.trail.iter().map(|t| t.name.as_str()));
        let unknown: Vec<VerifyError> = targets
            .iter()
            .zip(&names)
            .filter(|(_, name)| !known.contains(&name.as_str()))
            .map(|(target, _)| VerifyError::UnknownTarget {
                target: target.clone(),
                known: known.join(", "),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        self.buckets.retain(|b| names.contains(&b.name));
        self.topics.retain(|t| names.contains(&t.key));
        // A targeted trail keeps every bucket it should log; a targeted
        // bucket keeps its own logging check on the trail.
        let keep_trail = self.trail.as_mut().is_some_and(|trail| {
            if names.contains(&trail.name) {
                return true;
            }
            trail.buckets.retain(|(bucket, _)| names.contains(bucket));
            !trail.buckets.is_empty()
        });
        if !keep_trail {
            self.trail = None;
        }
        Ok(())
    }

    /// Keeps the buckets, topics and trail stored in `accounts` (a shard's).
    pub fn retain_accounts(&mut self, accounts: &[String]) {
        self.buckets
            .retain(|bucket| accounts.contains(&bucket.location.account));
        self.topics
            .retain(|topic| accounts.contains(&topic.location.account));
        if self
            .trail
            .as_ref()
            .is_some_and(|trail| !accounts.contains(&trail.location.account))
        {
            self.trail = None;
        }
    }

    /// The accounts whose credentials the checks need: the owners of what
    /// is read, and the control account for the live probes.
    pub fn accounts(&self, probes: bool) -> BTreeSet<String> {
        let mut accounts = BTreeSet::new();
        if probes {
            accounts.insert(self.control.name.clone());
        }
        accounts.extend(self.buckets.iter().map(|b| b.location.account.clone()));
        accounts.extend(self.topics.iter().map(|t| t.location.account.clone()));
        accounts.extend(self.trail.iter().map(|t| t.location.account.clone()));
        accounts
    }

    /// The documents the static checks read, each once.
    pub fn documents(&self) -> Vec<DocumentToRead> {
        let mut documents = Vec::new();
        for bucket in &self.buckets {
            if bucket.shared() {
                documents.push((
                    Address::new(ResourceKind::S3BucketPolicy, &bucket.name),
                    bucket.location.clone(),
                    bucket.name.clone(),
                ));
            }
            if bucket.shared() || bucket.declared_ownership.is_some() {
                documents.push((
                    Address::new(ResourceKind::S3OwnershipControls, &bucket.name),
                    bucket.location.clone(),
                    bucket.name.clone(),
                ));
            }
            if bucket.catalog.is_some() {
                documents.push((
                    Address::new(ResourceKind::QuiltBucket, &bucket.name),
                    bucket.location.clone(),
                    bucket.name.clone(),
                ));
            }
        }
        for topic in &self.topics {
            if !topic.grants.is_empty() || !topic.publishers.is_empty() {
                documents.push((
                    Address::new(ResourceKind::SnsTopicPolicy, &topic.key),
                    topic.location.clone(),
                    topic.arn.clone(),
                ));
            }
        }
        if let Some(trail) = &self.trail {
            documents.push((
                Address::new(ResourceKind::CloudTrailEventSelectors, &trail.name),
                trail.location.clone(),
                trail.trail.clone(),
            ));
        }
        documents
    }

    /// Judges the documents read for [`Verification::documents`].
    pub fn judge(&self, observed: &BTreeMap<Address, Observed>) -> Vec<CheckResult> {
        let mut results = Vec::new();
        for bucket in &self.buckets {
            results.extend(self.judge_bucket(bucket, observed));
        }
        for topic in &self.topics {
            results.extend(self.judge_topic(topic, observed));
        }
        if let Some(trail) = &self.trail {
            let address = Address::new(ResourceKind::CloudTrailEventSelectors, &trail.name);
            if let Some(Observed::CloudTrailEventSelectors(selectors)) = observed.get(&address) {
                results.extend(trail::judge_selectors(trail, selectors));
            }
        }
        results
    }

    fn judge_bucket(
        &self,
        bucket: &BucketVerification,
        observed: &BTreeMap<Address, Observed>,
    ) -> Vec<CheckResult> {
        let subject = format!("bucket {}", bucket.name);
        let mut results = Vec::new();
        if bucket.shared() {
            results.extend(self.account_rule(&subject, &bucket.location, bucket.grants()));
            let address = Address::new(ResourceKind::S3BucketPolicy, &bucket.name);
            if let Some(Observed::S3BucketPolicy(text)) = observed.get(&address) {
                match text.as_deref().map(PolicyDocument::parse).transpose() {
                    Ok(document) => results.extend(self.judge_bucket_policy(
                        bucket,
                        &subject,
                        document.as_ref(),
                    )),
                    Err(error) => results.push(CheckResult::new(
                        Status::Fail,
                        &subject,
                        "the bucket policy cannot be read as an IAM policy".to_string(),
                        Some(error.to_string()),
                    )),
                }
            }
        }
        let address = Address::new(ResourceKind::S3OwnershipControls, &bucket.name);
        if let Some(Observed::S3OwnershipControls(rule)) = observed.get(&address) {
            results.push(judge_ownership(bucket, &subject, rule.as_deref()));
        }
        let address = Address::new(ResourceKind::QuiltBucket, &bucket.name);
        if let (Some(wanted), Some(Observed::QuiltBucket(listing))) =
            (&bucket.catalog, observed.get(&address))
        {
            results.push(judge_catalog(
                &bucket.name,
                &subject,
                wanted,
                listing.as_deref(),
            ));
        }
        results
    }

    /// A resource in a data account must be granted to the control account
    /// (or a role in it): a grant naming only other accounts is most likely a
    /// wrong account id.
    fn account_rule(
        &self,
        subject: &str,
        owner: &Location,
        grants: &[Grant],
    ) -> Option<CheckResult> {
        if owner.account_id == self.control.id || grants.is_empty() {
            return None;
        }
        let accounts: BTreeSet<&str> = grants
            .iter()
            .flat_map(|grant| &grant.principals)
            .filter_map(|principal| principal_account(principal))
            .collect();
        Some(if accounts.contains(self.control.id.as_str()) {
            CheckResult::new(
                Status::Pass,
                subject,
                format!(
                    "grants name the control account {} ({})",
                    self.control.name, self.control.id
                ),
                None,
            )
        } else {
            CheckResult::new(
                Status::Fail,
                subject,
                format!(
                    "no grant names the control account {} ({}); they name {}",
                    self.control.name,
                    self.control.id,
                    accounts.into_iter().collect::<Vec<_>>().join(", ")
                ),
                Some(format!(
                    "{}: grant the control account {} or a role in it",
                    cause::WRONG_ACCOUNT,
                    self.control.id
                )),
            )
        })
    }

    fn judge_bucket_policy(
        &self,
        bucket: &BucketVerification,
        subject: &str,
        document: Option<&PolicyDocument>,
    ) -> Vec<CheckResult> {
        let mut results = Vec::new();
        let resource_of = |action: &str| {
            if is_object_action(action) {
                // Any key would do (grants are on `bucket/*`): one under the probes' prefix.
                format!("{}/{PROBE_PREFIX}probe", bucket.arn)
            } else {
                bucket.arn.clone()
            }
        };
        // Grants per control-account principal, for what Quilt needs: once
        // per principal, over all the grants that name it.
        let mut by_principal: BTreeMap<&str, Vec<&Grant>> = BTreeMap::new();
        for grant in bucket.grants() {
            let actions = checked_actions(&grant.actions);
            for principal in &grant.principals {
                let decisions = evaluate_all(document, principal, &actions, &resource_of);
                results.extend(judge_grant(
                    subject,
                    "bucket policy",
                    &grant.sid,
                    principal,
                    &decisions,
                ));
                if principal_account(principal) == Some(self.control.id.as_str()) {
                    by_principal.entry(principal).or_default().push(grant);
                }
            }
        }
        for (principal, grants) in by_principal {
            results.extend(judge_quilt_needs(
                subject,
                &grants,
                principal,
                document,
                &resource_of,
            ));
        }
        results
    }

    fn judge_topic(
        &self,
        topic: &TopicVerification,
        observed: &BTreeMap<Address, Observed>,
    ) -> Vec<CheckResult> {
        let subject = format!("topic {}", topic.key);
        let mut results = Vec::new();
        results.extend(self.account_rule(&subject, &topic.location, &topic.grants));
        let address = Address::new(ResourceKind::SnsTopicPolicy, &topic.key);
        let Some(Observed::SnsTopicPolicy(text)) = observed.get(&address) else {
            return results;
        };
        let document = match PolicyDocument::parse(text) {
            Ok(document) => document,
            Err(error) => {
                results.push(CheckResult::new(
                    Status::Fail,
                    &subject,
                    "the topic policy cannot be read as an IAM policy".to_string(),
                    Some(error.to_string()),
                ));
                return results;
            }
        };
        let resource_of = |_: &str| topic.arn.clone();
        for grant in &topic.grants {
            let actions = checked_actions(&grant.actions);
            for principal in &grant.principals {
                let decisions = evaluate_all(Some(&document), principal, &actions, &resource_of);
                results.extend(judge_grant(
                    &subject,
                    "topic policy",
                    &grant.sid,
                    principal,
                    &decisions,
                ));
            }
        }
        for (bucket_arn, account_id) in &topic.publishers {
            let context = [
                ("aws:SecureTransport", "true"),
                ("aws:SourceArn", bucket_arn.as_str()),
                ("aws:SourceAccount", account_id.as_str()),
            ];
            let decision = document.evaluate(&Request {
                principal: "s3.amazonaws.com",
                action: "sns:Publish",
                resource: &topic.arn,
                context: &context,
            });
            let check = format!("S3 may publish {bucket_arn}'s event notifications");
            results.push(match decision {
                Decision::Allowed { .. } => CheckResult::new(Status::Pass, &subject, check, None),
                // Decided only by the live request (as for grants): advisory.
                Decision::DependsOnContext {
                    effect,
                    ref conditions,
                    ..
                } => CheckResult::new(
                    Status::Warn,
                    &subject,
                    format!(
                        "{check} only {} {}",
                        if effect == Effect::Deny { "unless" } else { "if" },
                        conditions.join(" and ")
                    ),
                    Some(describe_refusal(
                        "topic policy",
                        &decision,
                        "sns:Publish",
                        "s3.amazonaws.com",
                    )),
                ),
                other => CheckResult::new(
                    Status::Fail,
                    &subject,
                    check,
                    Some(format!(
                        "{}: verify the SNS configuration (apply the spec: it adds the publish statement)",
                        describe_refusal("topic policy", &other, "sns:Publish", "s3.amazonaws.com")
                    )),
                ),
            });
        }
        results
    }
}

/// Where the live probes write their test objects: one recognisable prefix,
/// so a leftover is easy to find (and a lifecycle rule could expire it).
pub const PROBE_PREFIX: &str = ".xacct-verify/";

fn judge_ownership(bucket: &BucketVerification, subject: &str, rule: Option<&str>) -> CheckResult {
    let enforced = ObjectOwnership::BucketOwnerEnforced.as_str();
    let found = rule.unwrap_or("no ownership controls");
    if rule == Some(enforced) {
        return CheckResult::new(
            Status::Pass,
            subject,
            format!("object ownership is {enforced}"),
            None,
        );
    }
    let check = format!("object ownership is {found}, not {enforced}");
    match bucket.declared_ownership {
        Some(declared) if declared != ObjectOwnership::BucketOwnerEnforced => CheckResult::new(
            Status::Warn,
            subject,
            check,
            Some(format!(
                "the spec sets {}: objects the control account writes stay owned by it",
                declared.as_str()
            )),
        ),
        _ => CheckResult::new(
            Status::Fail,
            subject,
            check,
            Some(format!(
                "{}: objects the control account writes stay owned by it; set \
                 object_ownership: {enforced} and apply",
                cause::OWNERSHIP
            )),
        ),
    }
}

#[cfg(test)]
mod tests;

/// Whether the catalog lists the bucket as the spec says, with its topic:
/// without the topic the catalog's index never hears of new objects.
fn judge_catalog(
    bucket: &str,
    subject: &str,
    wanted: &CatalogListing,
    listing: Option<&CatalogConfig>,
) -> CheckResult {
    let apply = Some(format!("run `xacct apply` (address quilt_bucket.{bucket})"));
    match (wanted, listing) {
        (CatalogListing::Unlisted, None) => CheckResult::new(
            Status::Pass,
            subject,
            "the catalog does not list it".into(),
            None,
        ),
        (CatalogListing::Unlisted, Some(_)) => CheckResult::new(
            Status::Fail,
            subject,
            "the catalog still lists it (the spec says catalog: false)".into(),
            apply,
        ),
        (CatalogListing::Listed { .. }, None) => CheckResult::new(
            Status::Fail,
            subject,
            "the catalog does not list it".into(),
            apply,
        ),
        (CatalogListing::Listed { topic: None }, Some(_)) => {
            CheckResult::new(Status::Pass, subject, "the catalog lists it".into(), None)
        }
        (CatalogListing::Listed { topic: Some(topic) }, Some(config)) => {
            match config.sns_notification_arn.as_deref() {
                Some(found) if found == topic => CheckResult::new(
                    Status::Pass,
                    subject,
                    format!("the catalog lists it with topic {topic}"),
                    None,
                ),
                found => CheckResult::new(
                    Status::Fail,
                    subject,
                    format!(
                        "the catalog lists it with topic {}, not {topic}",
                        found.unwrap_or("(none)")
                    ),
                    Some(
                        "the catalog's index misses the bucket's changes until its topic is                          right; "
                            .to_string()
                            + apply.as_deref().unwrap_or_default(),
                    ),
                ),
            }
        }
    }
}
