//! What planning decides for one resource: the action, the managed slice before
//! and after, and the exact write that makes it so.

use std::borrow::Cow;
use std::sync::Arc;

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
    /// Shared: the thousands of changes of a large run live in a handful of
    /// places.
    pub location: Arc<Location>,
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: String,
    /// Pending changes that must succeed before this one is written; if one
    /// fails, this one is skipped.
    pub depends_on: Vec<Address>,
    pub action: ChangeAction,
    /// The managed slice before and after: read them with
    /// [`ResourceChange::before`] and [`ResourceChange::after`].
    pub slices: Slices,
    /// Boxed, like a changed slice: most changes of a large run write
    /// nothing, and each change is held until the plan is shown.
    pub write: Option<Box<Write>>,
    pub notes: Vec<String>,
    /// Digest of the document this change was computed from; apply refuses to
    /// write over a document whose digest has changed since.
    pub observed_fingerprint: String,
    /// Found by pruning: the object is not in the spec, and xacct's slice on
    /// it is removed.
    pub pruned: bool,
}

/// A change's managed slice, before and after (`null` when absent). A
/// slice that does not change is kept once, as compact JSON text: a converged
/// run of thousands of resources holds a few hundred bytes for each instead
/// of two JSON trees, and only a JSON plan ever reads it back.
#[derive(Debug, Clone, PartialEq)]
pub enum Slices {
    /// Before, then after.
    Changed(Box<(Value, Value)>),
    Unchanged(Box<str>),
}

impl Slices {
    /// The slices of a change with `action`: a no-op keeps `before` only.
    pub fn new(action: ChangeAction, before: Value, after: Value) -> Slices {
        match action {
            ChangeAction::NoOp => Slices::Unchanged(before.to_string().into_boxed_str()),
            _ => Slices::Changed(Box::new((before, after))),
        }
    }
}

impl ResourceChange {
    /// The managed slice as it is.
    pub fn before(&self) -> Cow<'_, Value> {
        match &self.slices {
            Slices::Changed(slices) => Cow::Borrowed(&slices.0),
            Slices::Unchanged(text) => Cow::Owned(unchanged(text)),
        }
    }

    /// The managed slice as it will be.
    pub fn after(&self) -> Cow<'_, Value> {
        match &self.slices {
            Slices::Changed(slices) => Cow::Borrowed(&slices.1),
            Slices::Unchanged(text) => Cow::Owned(unchanged(text)),
        }
    }
}

/// An unchanged slice read back: it was written from a JSON value.
fn unchanged(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
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
            before: Cow<'a, Value>,
            after: Cow<'a, Value>,
            write: Option<&'a Write>,
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
            before: self.before(),
            after: self.after(),
            write: self.write.as_deref(),
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
            .map(|value| Write::from_value(saved.address.kind, value).map(Box::new))
            .transpose()
            .map_err(|error| format!("{}: not a write of its kind: {error}", saved.address))?;
        Ok(ResourceChange {
            address: saved.address,
            location: Arc::new(saved.location),
            aws_id: saved.aws_id,
            depends_on: saved.depends_on,
            action: saved.action,
            slices: Slices::new(saved.action, saved.before, saved.after),
            write,
            notes: saved.notes,
            observed_fingerprint: saved.observed_fingerprint,
            pruned: saved.pruned,
        })
    }
}
