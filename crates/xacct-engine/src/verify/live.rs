//! The live probes: what the control account actually can do, made with its
//! own credentials (xacct-aws runs them), and how their outcomes are judged.
//! A setup can look right on paper and still fail here: an SCP, a wrong role,
//! a KMS key, a stale policy cached nowhere else.

use std::collections::BTreeSet;

use xacct_spec::ObjectOwnership;

use super::{cause, BucketVerification, CheckResult, Status, Verification};
use crate::location::Location;

/// One call of a bucket probe, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeStep {
    /// ListObjectsV2, one key at most.
    List,
    /// PutObject of a small uniquely named test object.
    Put,
    /// GetObject of it, checking the bytes.
    Get,
    /// Its owner, read with the bucket owner's credentials, is the bucket
    /// owner. Only where the spec wants the bucket owner to own every object
    /// (BucketOwnerEnforced, or ownership not declared): a deliberate
    /// ObjectWriter or BucketOwnerPreferred is already a static warning.
    Owner,
    /// DeleteObject of it (with the control account's credentials).
    Delete,
}

impl ProbeStep {
    /// The IAM action the step needs: the control account's, except for
    /// [`ProbeStep::Owner`], made with the bucket owner's credentials.
    pub fn action(self) -> &'static str {
        match self {
            ProbeStep::List => "s3:ListBucket",
            ProbeStep::Put => "s3:PutObject",
            ProbeStep::Get => "s3:GetObject",
            ProbeStep::Owner => "s3:GetObjectAcl",
            ProbeStep::Delete => "s3:DeleteObject",
        }
    }
}

/// What to try on one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketProbe {
    pub bucket: String,
    /// The control account, in the bucket's region.
    pub control: Location,
    /// The bucket owner: reads the test object's owner and removes whatever
    /// the control account could not.
    pub owner: Location,
    /// Only what the spec grants the control account: a grant of reads only
    /// is not probed with a write.
    pub steps: Vec<ProbeStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicProbe {
    pub key: String,
    pub arn: String,
    /// The control account, in the topic's region.
    pub control: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailProbe {
    pub name: String,
    /// As written in the spec (name or ARN).
    pub trail: String,
    pub location: Location,
}

/// Every live probe of a verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveProbes {
    pub buckets: Vec<BucketProbe>,
    pub topics: Vec<TopicProbe>,
    pub trail: Option<TrailProbe>,
}

/// A failed probe call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFailure {
    /// AWS's error code, or one of xacct's own: `BodyMismatch`, `OwnedByWriter`.
    pub code: Option<String>,
    pub message: String,
}

impl ProbeFailure {
    /// `Code: message`, as a check line shows it.
    pub fn text(&self) -> String {
        match &self.code {
            Some(code) if self.message.is_empty() => code.clone(),
            Some(code) => format!("{code}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub step: ProbeStep,
    pub result: Result<(), ProbeFailure>,
}

/// A test object that could not be removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    pub bucket: String,
    pub key: String,
    pub message: String,
}

/// What the probes found (as far as they got, when interrupted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveOutcome {
    /// Per bucket, the steps that ran (a failed write ends its probe).
    pub buckets: Vec<(String, Vec<StepOutcome>)>,
    pub topics: Vec<(String, Result<(), ProbeFailure>)>,
    /// Whether the trail is logging.
    pub trail: Option<(String, Result<bool, ProbeFailure>)>,
    pub leftovers: Vec<Leftover>,
    pub interrupted: bool,
}

impl Verification {
    /// The probes the spec implies: per bucket granted to the control
    /// account, the calls its grants allow; per topic granted to it,
    /// GetTopicAttributes; the trail's status.
    pub fn probes(&self) -> LiveProbes {
        let control_in = |location: &Location| Location {
            account: self.control.name.clone(),
            account_id: self.control.id.clone(),
            region: location.region.clone(),
        };
        let buckets = self
            .buckets
            .iter()
            .filter_map(|bucket| {
                let steps = self.bucket_steps(bucket);
                (!steps.is_empty()).then(|| BucketProbe {
                    bucket: bucket.name.clone(),
                    control: control_in(&bucket.location),
                    owner: bucket.location.clone(),
                    steps,
                })
            })
            .collect();
        let topics = self
            .topics
            .iter()
            .filter(|topic| {
                self.granted_to_control(topic.grants.iter())
                    .iter()
                    .any(|action| super::action_matches(action, "sns:GetTopicAttributes"))
            })
            .map(|topic| TopicProbe {
                key: topic.key.clone(),
                arn: topic.arn.clone(),
                control: control_in(&topic.location),
            })
            .collect();
        let trail = self.trail.as_ref().map(|trail| TrailProbe {
            name: trail.name.clone(),
            trail: trail.trail.clone(),
            location: trail.location.clone(),
        });
        LiveProbes {
            buckets,
            topics,
            trail,
        }
    }

    /// Actions the grants give to a principal the control credentials act as.
    fn granted_to_control<'a>(
        &self,
        grants: impl Iterator<Item = &'a xacct_spec::Grant>,
    ) -> Vec<&'a str> {
        grants
            .filter(|grant| grant.principals.iter().any(|p| self.control.reaches(p)))
            .flat_map(|grant| grant.actions.iter().map(AsRef::as_ref))
            .collect()
    }

    /// Buckets granted to principals of the control account none of which
    /// the control credentials act as: probing them would only show
    /// AccessDenied. Each with the principals that could probe it. A bucket
    /// whose reachable grants only give actions no probe tries (say
    /// s3:GetObject alone) is not one of them: its grant does reach.
    fn unprobed_buckets(&self) -> Vec<(&str, Vec<&str>)> {
        self.buckets
            .iter()
            .filter(|bucket| {
                !bucket
                    .grants()
                    .iter()
                    .flat_map(|grant| &grant.principals)
                    .any(|principal| self.control.reaches(principal))
            })
            .filter_map(|bucket| {
                let principals: Vec<&str> = bucket
                    .grants()
                    .iter()
                    .flat_map(|grant| grant.principals.iter().map(String::as_str))
                    .filter(|p| xacct_spec::principal_account(p) == Some(self.control.id.as_str()))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                (!principals.is_empty()).then_some((bucket.name.as_str(), principals))
            })
            .collect()
    }

    fn bucket_steps(&self, bucket: &BucketVerification) -> Vec<ProbeStep> {
        let actions = self.granted_to_control(bucket.grants().iter());
        let granted = |wanted: &str| actions.iter().any(|a| super::action_matches(a, wanted));
        let mut steps = Vec::new();
        if granted("s3:ListBucket") {
            steps.push(ProbeStep::List);
        }
        if granted("s3:PutObject") {
            steps.push(ProbeStep::Put);
            if granted("s3:GetObject") {
                steps.push(ProbeStep::Get);
            }
            let owner_owns = matches!(
                bucket.declared_ownership,
                None | Some(ObjectOwnership::BucketOwnerEnforced)
            );
            if owner_owns {
                steps.push(ProbeStep::Owner);
            }
            if granted("s3:DeleteObject") {
                steps.push(ProbeStep::Delete);
            }
        }
        steps
    }

    /// Judges what the probes found.
    pub fn judge_live(&self, outcome: &LiveOutcome) -> Vec<CheckResult> {
        let mut results = Vec::new();
        if let Some(caller) = &self.control.caller {
            for (bucket, principals) in self.unprobed_buckets() {
                results.push(CheckResult::new(
                    Status::Warn,
                    &format!("bucket {bucket}"),
                    format!(
                        "live probes skipped: the grants name {}, and the control credentials \
                         act as {caller}",
                        principals.join(", ")
                    ),
                    Some(
                        "the control credentials are not a principal the grants name: to probe \
                         this bucket, make them act as one of those roles (the control account's \
                         role_arn or profile)"
                            .to_string(),
                    ),
                ));
            }
        }
        for (bucket, steps) in &outcome.buckets {
            let subject = format!("bucket {bucket}");
            let verification = self.buckets.iter().find(|b| b.name == *bucket);
            for step in steps {
                results.push(self.judge_step(&subject, verification, step));
            }
        }
        for (topic, result) in &outcome.topics {
            let subject = format!("topic {topic}");
            let check = "the control account reads the topic's attributes (GetTopicAttributes)";
            results.push(match result {
                Ok(()) => CheckResult::new(Status::Pass, &subject, check.to_string(), None),
                Err(failure) => CheckResult::new(
                    Status::Fail,
                    &subject,
                    format!("{check}: {}", failure.text()),
                    Some(self.refusal_cause(
                        failure,
                        "the topic policy",
                        "sns:GetTopicAttributes",
                        None,
                    )),
                ),
            });
        }
        if let Some((trail, result)) = &outcome.trail {
            let subject = format!("trail {trail}");
            results.push(match result {
                Ok(true) => CheckResult::new(
                    Status::Pass,
                    &subject,
                    "the trail is logging".to_string(),
                    None,
                ),
                Ok(false) => CheckResult::new(
                    Status::Fail,
                    &subject,
                    "the trail is not logging (GetTrailStatus: IsLogging false)".to_string(),
                    Some(format!(
                        "{}: start it (aws cloudtrail start-logging --name {trail})",
                        cause::TRAIL
                    )),
                ),
                Err(failure) => CheckResult::new(
                    Status::Fail,
                    &subject,
                    format!("cannot read the trail's status: {}", failure.text()),
                    None,
                ),
            });
        }
        for leftover in &outcome.leftovers {
            results.push(CheckResult::new(
                Status::Fail,
                &format!("bucket {}", leftover.bucket),
                format!(
                    "the test object {} could not be deleted: {}",
                    leftover.key, leftover.message
                ),
                // `aws s3 rm` would only add a delete marker on a versioned
                // bucket: every version and marker goes, by version id.
                Some(format!(
                    "delete every version of it by hand: aws s3api list-object-versions \
                     --bucket {bucket} --prefix {key}, then aws s3api delete-object --bucket \
                     {bucket} --key {key} --version-id <id> for each version and delete marker",
                    bucket = leftover.bucket,
                    key = leftover.key
                )),
            ));
        }
        results
    }

    fn judge_step(
        &self,
        subject: &str,
        bucket: Option<&BucketVerification>,
        outcome: &StepOutcome,
    ) -> CheckResult {
        let check = match outcome.step {
            ProbeStep::List => "the control account lists the bucket (ListObjectsV2)",
            ProbeStep::Put => "the control account writes a test object (PutObject)",
            ProbeStep::Get => "the control account reads it back (GetObject)",
            ProbeStep::Owner => "the object it wrote is owned by the bucket owner",
            ProbeStep::Delete => "the control account deletes it (DeleteObject)",
        };
        let Err(failure) = &outcome.result else {
            return CheckResult::new(Status::Pass, subject, check.to_string(), None);
        };
        let cause = match (outcome.step, failure.code.as_deref()) {
            (ProbeStep::Owner, Some("OwnedByWriter")) => format!(
                "{}: set object_ownership: BucketOwnerEnforced and apply",
                cause::OWNERSHIP
            ),
            // The owner's own calls: no grant of the spec is involved.
            (ProbeStep::Owner, _) => "the bucket owner's credentials could not read the \
                                      bucket's or the object's ACL (s3:GetBucketAcl, \
                                      s3:GetObjectAcl): see AWS's answer"
                .to_string(),
            (_, Some("BodyMismatch")) => {
                "the object read back is not the one written (something rewrites objects: \
                 a Lambda, replication?)"
                    .to_string()
            }
            (step, _) => {
                // Only writing and reading an object use the bucket's KMS key.
                let kms_key = bucket
                    .and_then(|bucket| bucket.kms_key.as_deref())
                    .filter(|_| matches!(step, ProbeStep::Put | ProbeStep::Get));
                self.refusal_cause(failure, "the bucket policy", step.action(), kms_key)
            }
        };
        CheckResult::new(
            Status::Fail,
            subject,
            format!("{check}: {}", failure.text()),
            Some(cause),
        )
    }

    /// `kms_key`: the KMS key the request used (objects of a bucket whose
    /// default encryption is SSE-KMS), whose key policy must let the control
    /// account use it too: a refusal by KMS reads as AccessDenied from S3.
    fn refusal_cause(
        &self,
        failure: &ProbeFailure,
        document: &str,
        action: &str,
        kms_key: Option<&str>,
    ) -> String {
        match failure.code.as_deref() {
            Some("AccessDenied" | "AccessDeniedException" | "AuthorizationError") => format!(
                "Access Denied: {document} is missing {action} for the control account {}, a \
                 grant names a wrong account id, or the control credentials are not a \
                 principal the grants name (an SCP or the role's own policy may deny it \
                 too){}",
                self.control.id,
                kms_key.map_or(String::new(), |key| format!(
                    ", or the KMS key's policy does not let the control account use the key \
                     {key} (kms:GenerateDataKey, kms:Decrypt)"
                ))
            ),
            Some("NoSuchBucket" | "NotFound" | "NotFoundException") => {
                "it does not exist (as seen from the control account)".to_string()
            }
            _ => "see AWS's answer".to_string(),
        }
    }
}
