//! What planning decides for one resource: the action, the managed slice before
//! and after, and the exact write that makes it so.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::address::Address;
use crate::kind::ChangeAction;
use crate::kinds::Write;
use crate::location::Location;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "SavedChange")]
pub struct ResourceChange {
    pub address: Address,
    pub location: Location,
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: String,
    /// Pending changes that must succeed before this one is written; if one
    /// fails, this one is skipped.
    pub depends_on: Vec<Address>,
    pub action: ChangeAction,
    pub before: Value,
    /// `Null` for a no-op, whose slice stays `before`: a converged run keeps
    /// each slice once, not twice. Read it with [`ResourceChange::after`].
    pub after: Value,
    pub write: Option<Write>,
    pub notes: Vec<String>,
    /// Digest of the document this change was computed from; apply refuses to
    /// write over a document whose digest has changed since.
    pub observed_fingerprint: String,
    /// Found by pruning: the object is not in the spec, and xacct's slice on
    /// it is removed.
    pub pruned: bool,
}

impl ResourceChange {
    /// The managed slice as it will be (`null` when absent).
    pub fn after(&self) -> &Value {
        match self.action {
            ChangeAction::NoOp => &self.before,
            _ => &self.after,
        }
    }
}

/// A change as saved plans and JSON documents spell it: `after` in full.
impl Serialize for ResourceChange {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Saved<'a> {
            address: &'a Address,
            location: &'a Location,
            aws_id: &'a str,
            depends_on: &'a [Address],
            action: ChangeAction,
            before: &'a Value,
            after: &'a Value,
            write: &'a Option<Write>,
            notes: &'a [String],
            observed_fingerprint: &'a str,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            pruned: bool,
        }
        Saved {
            address: &self.address,
            location: &self.location,
            aws_id: &self.aws_id,
            depends_on: &self.depends_on,
            action: self.action,
            before: &self.before,
            after: self.after(),
            write: &self.write,
            notes: &self.notes,
            observed_fingerprint: &self.observed_fingerprint,
            pruned: self.pruned,
        }
        .serialize(serializer)
    }
}

/// A change as a saved plan holds it: the write is read with the rule of the
/// address's kind, so a write can only ever belong to its own kind.
#[derive(Deserialize)]
struct SavedChange {
    address: Address,
    location: Location,
    aws_id: String,
    depends_on: Vec<Address>,
    action: ChangeAction,
    before: Value,
    after: Value,
    write: Option<Value>,
    notes: Vec<String>,
    observed_fingerprint: String,
    #[serde(default)]
    pruned: bool,
}

impl TryFrom<SavedChange> for ResourceChange {
    type Error = String;

    fn try_from(saved: SavedChange) -> Result<Self, String> {
        let write = saved
            .write
            .map(|value| Write::from_value(saved.address.kind, value))
            .transpose()
            .map_err(|error| format!("{}: not a write of its kind: {error}", saved.address))?;
        Ok(ResourceChange {
            address: saved.address,
            location: saved.location,
            aws_id: saved.aws_id,
            depends_on: saved.depends_on,
            action: saved.action,
            before: saved.before,
            after: match saved.action {
                ChangeAction::NoOp => Value::Null,
                _ => saved.after,
            },
            write,
            notes: saved.notes,
            observed_fingerprint: saved.observed_fingerprint,
            pruned: saved.pruned,
        })
    }
}
