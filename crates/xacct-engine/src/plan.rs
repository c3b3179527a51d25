//! The pure diff: (desired, observed) -> ordered [`Plan`]. No I/O, no clock,
//! no randomness: the same inputs always give the same plan.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::address::{Address, ResourceKind};
use crate::change::{ResourceChange, Slices};
use crate::error::PlanError;
use crate::ignore::Ignored;
use crate::kind::{ChangeAction, PlanOptions};
use crate::kinds::{plan_slice, DesiredResource, Observed};
use crate::location::Location;

/// Every managed resource with what will happen to it, in apply order.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, Serialize)]
pub struct Plan {
    pub changes: Vec<ResourceChange>,
    /// Pending changes an `ignore:` entry sets apart until its date: shown,
    /// not counted, not applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<Ignored>,
    /// Unlisted documents pruning had to leave alone, and why (it cannot
    /// read or plan them). Pruning is a clean-up, not the declared state, so
    /// they are named rather than stopping the plan. Not part of saved plans.
    #[serde(skip)]
    pub not_pruned: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                ChangeAction::Create => summary.add += 1,
                ChangeAction::Update => summary.change += 1,
                ChangeAction::Delete => summary.destroy += 1,
                ChangeAction::NoOp => {}
            }
        }
        summary
    }

    pub fn has_changes(&self) -> bool {
        self.pending().next().is_some()
    }

    /// The changes that write something, in apply order.
    pub fn pending(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|change| change.write.is_some())
    }

    /// The pending writes grouped for execution: stages run one after another;
    /// within a stage, lanes may run in parallel; within a lane, changes run in
    /// order. A lane is one AWS object (bucket, topic, trail), because S3
    /// answers concurrent configuration writes to one bucket with 409
    /// OperationAborted.
    pub fn stages(&self) -> Vec<Vec<Vec<&ResourceChange>>> {
        let mut stages: BTreeMap<u8, BTreeMap<&str, Vec<&ResourceChange>>> = BTreeMap::new();
        for change in self.pending() {
            stages
                .entry(stage(change.address.kind, change.action))
                .or_default()
                .entry(&change.aws_id)
                .or_default()
                .push(change);
        }
        stages
            .into_values()
            .map(|lanes| lanes.into_values().collect())
            .collect()
    }
}

/// Dependency order: each kind's stage (the bucket settings, then bucket
/// policies, topic policies, notifications and logging, trail selectors);
/// removals in reverse, so a topic's publish grant (or a log target's write
/// grant) is added before what needs it (S3 validates the destination) and
/// removed after it.
fn stage(kind: ResourceKind, action: ChangeAction) -> u8 {
    let order = kind.stage();
    match action {
        ChangeAction::Delete => u8::MAX - order,
        ChangeAction::Create | ChangeAction::Update | ChangeAction::NoOp => order,
    }
}

/// Plans every desired resource against its observed document. All errors are
/// returned together, so one run shows everything that blocks the plan.
pub fn plan(
    options: &PlanOptions,
    desired: &[DesiredResource],
    observed: &BTreeMap<Address, Observed>,
) -> Result<Plan, Vec<PlanError>> {
    let mut planning = Planning::new(options);
    for resource in desired {
        match observed.get(&resource.address) {
            Some(found) => {
                planning.add(resource, found);
            }
            None => planning.errors.push(PlanError::NotObserved {
                address: resource.address.clone(),
            }),
        }
    }
    planning.finish()
}

/// A plan made one resource at a time, as each document arrives, so a run
/// holds no document longer than its own planning. [`Planning::finish`]
/// puts the changes in apply order: the plan does not depend on the order
/// the documents came in.
#[derive(Debug)]
pub struct Planning<'a> {
    options: &'a PlanOptions,
    changes: Vec<ResourceChange>,
    errors: Vec<PlanError>,
    not_pruned: Vec<String>,
    /// The distinct locations of the changes so far, each held once.
    locations: Vec<Arc<Location>>,
}

impl<'a> Planning<'a> {
    pub fn new(options: &'a PlanOptions) -> Self {
        Planning::with_capacity(options, 0)
    }

    /// For `resources` resources: their changes are held in one allocation
    /// of that size, never grown by doubling and copying.
    pub fn with_capacity(options: &'a PlanOptions, resources: usize) -> Self {
        Planning {
            options,
            changes: Vec::with_capacity(resources),
            errors: Vec::new(),
            not_pruned: Vec::new(),
            locations: Vec::new(),
        }
    }

    /// Plans `resource` against `observed`; whether the change writes.
    pub fn add(&mut self, resource: &DesiredResource, observed: &Observed) -> bool {
        match plan_resource(self.options, resource, observed) {
            // An unlisted object without any of xacct's slice is not managed.
            Ok(change) if change.pruned && change.write.is_none() => false,
            Ok(mut change) => {
                change.location = self.shared(change.location);
                let writes = change.write.is_some();
                self.changes.push(change);
                writes
            }
            Err(error) if resource.pruned => {
                self.not_pruned.push(error.to_string());
                false
            }
            Err(error) => {
                self.errors.push(error);
                false
            }
        }
    }

    /// `location`, or the equal one an earlier change already holds.
    fn shared(&mut self, location: Arc<Location>) -> Arc<Location> {
        match self.locations.iter().find(|held| **held == location) {
            Some(held) => Arc::clone(held),
            None => {
                self.locations.push(Arc::clone(&location));
                location
            }
        }
    }

    /// The plan in apply order, or every error found.
    pub fn finish(self) -> Result<Plan, Vec<PlanError>> {
        let Planning {
            mut changes,
            errors,
            not_pruned,
            ..
        } = self;
        if !errors.is_empty() {
            return Err(errors);
        }
        // A dependency that writes nothing is already satisfied.
        let pending: BTreeSet<Address> = changes
            .iter()
            .filter(|change| change.write.is_some())
            .map(|change| change.address.clone())
            .collect();
        for change in &mut changes {
            change
                .depends_on
                .retain(|address| pending.contains(address));
        }
        // The address makes every key distinct, so the unstable sort (no
        // buffer the size of the plan) still gives one order.
        changes.sort_unstable_by(|a, b| {
            (stage(a.address.kind, a.action), &a.aws_id, &a.address).cmp(&(
                stage(b.address.kind, b.action),
                &b.aws_id,
                &b.address,
            ))
        });
        Ok(Plan {
            changes,
            ignored: Vec::new(),
            not_pruned,
        })
    }
}

/// Plans one resource against its observed document.
pub fn plan_resource(
    options: &PlanOptions,
    resource: &DesiredResource,
    observed: &Observed,
) -> Result<ResourceChange, PlanError> {
    let planned = plan_slice(options, resource, observed)?;
    Ok(ResourceChange {
        address: resource.address.clone(),
        location: Arc::new(resource.location.clone()),
        aws_id: resource.aws_id.clone(),
        depends_on: resource.depends_on.clone(),
        action: planned.action,
        slices: Slices::new(planned.action, planned.before, planned.after),
        write: planned.write.map(Box::new),
        notes: planned.notes,
        observed_fingerprint: observed.fingerprint(),
        pruned: resource.pruned,
    })
}

/// What apply needs to plan a resource again when its document changed after
/// planning (another run or person wrote it): the same intent, merged into
/// the fresher document, so concurrent runs that own different statements
/// end with the union of both.
#[derive(Debug, Clone)]
pub struct Replanner {
    options: PlanOptions,
    desired: BTreeMap<Address, DesiredResource>,
}

impl Replanner {
    /// Takes the run's resources: once planned, nothing else needs them.
    pub fn new(options: &PlanOptions, desired: Vec<DesiredResource>) -> Self {
        Replanner {
            options: options.clone(),
            desired: desired
                .into_iter()
                .map(|resource| (resource.address.clone(), resource))
                .collect(),
        }
    }

    /// The change for `address` planned from `observed`; `None` if the
    /// address is not one of this run's resources.
    pub fn replan(
        &self,
        address: &Address,
        observed: &Observed,
    ) -> Option<Result<ResourceChange, PlanError>> {
        let resource = self.desired.get(address)?;
        Some(plan_resource(&self.options, resource, observed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{desired, Write};
    use crate::plan_file::PlanFile;

    /// A data bucket with every hardening setting, logging to `logs-bucket`,
    /// planned against a world where none of it exists yet.
    fn hardened_plan() -> Plan {
        let spec = xacct_spec::load_str(
            "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    region: us-east-1\n\
             buckets:\n  logs-bucket:\n    account: data\n  data-bucket:\n    account: data\n    \
             public_access_block: true\n    encryption: {}\n    versioning: true\n    logging:\n      \
             target_bucket: logs-bucket\n      prefix: data/\n    tags:\n      team: data\n",
            "deploy.yaml",
        )
        .expect("valid spec");
        let resources = desired(&spec).expect("desired");
        let observed: BTreeMap<Address, Observed> = resources
            .iter()
            .map(|resource| {
                let absent = match resource.address.kind {
                    ResourceKind::S3PublicAccessBlock => Observed::S3PublicAccessBlock(None),
                    ResourceKind::S3Encryption => Observed::S3Encryption(None),
                    ResourceKind::S3Versioning => Observed::S3Versioning(None),
                    ResourceKind::S3Logging => Observed::S3Logging(None),
                    ResourceKind::S3Tags => Observed::S3Tags(BTreeMap::new()),
                    ResourceKind::S3BucketPolicy => Observed::S3BucketPolicy(None),
                    ResourceKind::S3BucketNotification => {
                        Observed::S3BucketNotification(Default::default())
                    }
                    other => panic!("unexpected {other}"),
                };
                (resource.address.clone(), absent)
            })
            .collect();
        plan(&PlanOptions::new("Quilt"), &resources, &observed).expect("plans")
    }

    /// `plan` written to a plan file and read back.
    fn saved_and_read(plan: &Plan) -> Plan {
        let file = PlanFile::new(
            plan.clone(),
            "deploy.yaml".into(),
            crate::plan_file::digest(b"version: 1\n"),
            "0.1.0".into(),
            "2026-11-29T00:00:00Z".into(),
        );
        PlanFile::parse(&file.to_json()).expect("round-trips").plan
    }

    /// Two buckets, one versioned as the spec wants, with what they hold.
    fn versioned_world() -> (Vec<DesiredResource>, BTreeMap<Address, Observed>) {
        let spec = xacct_spec::load_str(
            "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    region: us-east-1\n\
             buckets:\n  logs-bucket:\n    account: data\n  data-bucket:\n    account: data\n    \
             versioning: true\n",
            "deploy.yaml",
        )
        .expect("valid spec");
        let resources = desired(&spec).expect("desired");
        let observed = resources
            .iter()
            .map(|resource| {
                let found = match resource.address.kind {
                    ResourceKind::S3Versioning => Observed::S3Versioning(Some("Enabled".into())),
                    ResourceKind::S3BucketPolicy => Observed::S3BucketPolicy(None),
                    _ => Observed::S3BucketNotification(Default::default()),
                };
                (resource.address.clone(), found)
            })
            .collect();
        (resources, observed)
    }

    #[test]
    fn a_plan_made_as_documents_arrive_does_not_depend_on_their_order() {
        let options = PlanOptions::new("Quilt");
        let (resources, observed) = versioned_world();
        let in_order = plan(&options, &resources, &observed).expect("plans");
        let mut planning = Planning::new(&options);
        for resource in resources.iter().rev() {
            planning.add(resource, &observed[&resource.address]);
        }
        assert_eq!(planning.finish().expect("plans"), in_order);
    }

    #[test]
    fn a_no_op_keeps_its_slice_once_and_shows_it_as_after_everywhere() {
        let options = PlanOptions::new("Quilt");
        let (resources, observed) = versioned_world();
        let plan = plan(&options, &resources, &observed).expect("plans");
        let versioning = plan
            .changes
            .iter()
            .find(|change| change.address.kind == ResourceKind::S3Versioning)
            .expect("versioning is managed");
        assert_eq!(versioning.action, ChangeAction::NoOp);
        assert!(
            matches!(versioning.slices, Slices::Unchanged(_)),
            "kept once"
        );
        assert_eq!(versioning.after(), versioning.before());
        assert_eq!(versioning.before()["status"], "Enabled");
        let shown = serde_json::to_value(versioning).expect("serialises");
        assert_eq!(shown["after"], *versioning.before());
        assert_eq!(saved_and_read(&plan), plan);
    }

    #[test]
    fn logging_is_written_after_the_grant_on_its_target_and_depends_on_it() {
        let plan = hardened_plan();
        let stages = plan.stages();
        let stage_of = |address: &str| {
            stages
                .iter()
                .position(|lanes| {
                    lanes
                        .iter()
                        .flatten()
                        .any(|change| change.address.to_string() == address)
                })
                .unwrap_or_else(|| panic!("{address} not pending"))
        };
        assert!(stage_of("s3_bucket_policy.logs-bucket") < stage_of("s3_logging.data-bucket"));
        assert_eq!(
            stage_of("s3_versioning.data-bucket"),
            stage_of("s3_tags.data-bucket")
        );
        let logging = plan
            .changes
            .iter()
            .find(|change| change.address.kind == ResourceKind::S3Logging)
            .expect("logging change");
        assert_eq!(
            logging.depends_on,
            vec![Address::new(ResourceKind::S3BucketPolicy, "logs-bucket")]
        );
        // The four settings of one bucket share a lane: S3 refuses concurrent
        // configuration writes to one bucket.
        let first = &stages[0];
        assert_eq!(first.len(), 1, "one lane for data-bucket: {first:?}");
        assert_eq!(first[0].len(), 4);
    }

    #[test]
    fn a_saved_plan_carries_every_new_write_exactly() {
        let plan = hardened_plan();
        assert_eq!(saved_and_read(&plan), plan);
        let operations: Vec<&str> = plan
            .pending()
            .filter_map(|c| c.write.as_deref())
            .map(Write::operation)
            .collect();
        for operation in [
            "PutPublicAccessBlock",
            "PutBucketEncryption",
            "PutBucketVersioning",
            "PutBucketLogging",
            "PutBucketTagging",
            "PutBucketPolicy",
        ] {
            assert!(
                operations.contains(&operation),
                "{operation} in {operations:?}"
            );
        }
    }

    #[test]
    fn a_kind_that_cannot_plan_is_an_error_naming_the_address() {
        let spec = xacct_spec::load_str(
            "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    region: us-east-1\n\
             buckets:\n  data-bucket:\n    account: data\n    access: []\n",
            "deploy.yaml",
        )
        .expect("valid spec");
        let resources = desired(&spec).expect("desired");
        let observed: BTreeMap<Address, Observed> = resources
            .iter()
            .map(|resource| {
                let text = Some("{not json".to_string());
                (resource.address.clone(), Observed::S3BucketPolicy(text))
            })
            .collect();
        let errors = plan(&PlanOptions::new("Quilt"), &resources, &observed).unwrap_err();
        let message = errors[0].to_string();
        assert!(
            message.starts_with("s3_bucket_policy.data-bucket: the live policy cannot be read"),
            "{message}"
        );
    }
}
