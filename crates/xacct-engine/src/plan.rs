//! The pure diff: (desired, observed) -> ordered [`Plan`]. No I/O, no clock,
//! no randomness: the same inputs always give the same plan.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::address::{Address, ResourceKind};
use crate::change::{ChangeAction, Planned, ResourceChange};
use crate::error::PlanError;
use crate::resource::{
    s3_bucket_policy, s3_ownership_controls, Desired, DesiredResource, Observed,
};

/// Every managed resource with what will happen to it, in apply order.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, Serialize)]
pub struct Plan {
    pub changes: Vec<ResourceChange>,
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
    /// order. A lane is one bucket, because S3 answers concurrent configuration
    /// writes to one bucket with 409 OperationAborted.
    pub fn stages(&self) -> Vec<Vec<Vec<&ResourceChange>>> {
        let mut stages: BTreeMap<u8, BTreeMap<&str, Vec<&ResourceChange>>> = BTreeMap::new();
        for change in self.pending() {
            stages
                .entry(stage(change.address.kind))
                .or_default()
                .entry(lane(&change.address))
                .or_default()
                .push(change);
        }
        stages
            .into_values()
            .map(|lanes| lanes.into_values().collect())
            .collect()
    }
}

/// Dependency order between kinds: lower stages are written first.
fn stage(kind: ResourceKind) -> u8 {
    match kind {
        ResourceKind::S3OwnershipControls | ResourceKind::S3BucketPolicy => 0,
    }
}

/// The AWS object whose writes must not overlap.
fn lane(address: &Address) -> &str {
    match address.kind {
        ResourceKind::S3OwnershipControls | ResourceKind::S3BucketPolicy => &address.name,
    }
}

/// Plans every desired resource against its observed document. All errors are
/// returned together, so one run shows everything that blocks the plan.
pub fn plan(
    sid_prefix: &str,
    desired: &[DesiredResource],
    observed: &BTreeMap<Address, Observed>,
) -> Result<Plan, Vec<PlanError>> {
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for resource in desired {
        let Some(found) = observed.get(&resource.address) else {
            errors.push(PlanError::NotObserved {
                address: resource.address.clone(),
            });
            continue;
        };
        match plan_one(sid_prefix, resource, found) {
            Ok(planned) => changes.push(ResourceChange {
                address: resource.address.clone(),
                location: resource.location.clone(),
                action: planned.action,
                before: planned.before,
                after: planned.after,
                write: planned.write,
                notes: planned.notes,
                observed_fingerprint: found.fingerprint(),
            }),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    changes.sort_by(|a, b| {
        (stage(a.address.kind), lane(&a.address), a.address.kind).cmp(&(
            stage(b.address.kind),
            lane(&b.address),
            b.address.kind,
        ))
    });
    Ok(Plan { changes })
}

fn plan_one(
    sid_prefix: &str,
    resource: &DesiredResource,
    observed: &Observed,
) -> Result<Planned, PlanError> {
    let address = &resource.address;
    match (&resource.desired, observed) {
        (Desired::OwnershipControls(wanted), Observed::OwnershipControls(found)) => Ok(
            s3_ownership_controls::plan(&address.name, *wanted, found.as_deref()),
        ),
        (Desired::BucketPolicy(statements), Observed::BucketPolicy(found)) => {
            s3_bucket_policy::plan(address, sid_prefix, statements, found.as_deref())
        }
        (Desired::OwnershipControls(_) | Desired::BucketPolicy(_), other) => {
            Err(PlanError::KindMismatch {
                address: address.clone(),
                found: other.kind().to_string(),
            })
        }
    }
}
