//! What one resource kind must tell the engine. Each module of `kinds/`
//! implements [`Kind`] for one type; the registry (`kinds.rs`) ties them
//! together. A kind sees only this module, [`crate::location`] and the
//! shared slice rules: never addresses, plans or other kinds' enums, so
//! kinds stay independent of each other and of the registry.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use xacct_spec::Spec;

use crate::location::{bucket_location, Location};

/// One kind of managed slice: how the spec declares it, how it is planned
/// against a live document, and what a write of it leaves behind.
pub trait Kind {
    /// The address prefix, as users type it in `--target`.
    const NAME: &'static str;
    /// Apply order between kinds: lower stages are written first, and
    /// removals run in reverse, so a grant exists before what needs it and
    /// outlives it.
    const STAGE: u8;
    /// How renderers show a change of the slice.
    const DIFF: DiffStyle;
    /// What kind of AWS object holds the document.
    const HOLDER: Holder;

    /// The slice as the spec wants it.
    type Desired: Clone + Debug;
    /// The whole document as read; absent documents are values, not errors.
    type Observed: Clone + Debug + PartialEq;
    /// The writes this kind makes, serialised with an `operation` tag into
    /// saved plans.
    type Write: Clone + Debug + PartialEq + Serialize + DeserializeOwned;

    /// Every slice of this kind the spec declares, each built as it is
    /// taken: a run holds a slice only while planning it.
    fn desired(spec: &Spec) -> Declarations<'_, Self::Desired>;

    /// The change that makes `observed` hold `desired`, fully decided.
    fn plan(
        options: &PlanOptions,
        subject: &Subject<'_>,
        desired: &Self::Desired,
        observed: &Self::Observed,
    ) -> Result<Planned<Self::Write>, SliceError>;

    /// A text of the document's meaning (not its bytes): apply compares
    /// digests of it to tell whether a document changed since planning.
    fn meaning(observed: &Self::Observed) -> String;

    /// The document as it reads once `write` has landed.
    fn expected(write: &Self::Write) -> Self::Observed;

    /// The AWS operation of `write`, as named in IAM and CloudTrail.
    fn operation(write: &Self::Write) -> &'static str;

    /// What an object of a pruning account that the spec does not list
    /// wants of this slice (none of xacct's); `None`: this kind is not
    /// pruned (single-valued settings, and basic trail selector values,
    /// carry no owner).
    fn unlisted() -> Option<Self::Desired> {
        None
    }
}

/// The kind of object whose document a slice lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Bucket,
    Topic,
    Trail,
    /// The Quilt catalog's listing of a bucket.
    Catalog,
}

/// How a kind's slice is diffed for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffStyle {
    /// A flat object: one `+ - ~` line per field.
    Fields,
    /// A list of entries identified by `key`, each shown as a `noun` block.
    Keyed {
        key: &'static str,
        noun: &'static str,
    },
}

/// How to plan: what xacct owns, and what the user allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Statements, notification ids and selectors starting with this are ours.
    pub sid_prefix: String,
    /// Write a bucket policy even if it would deny the owner account
    /// everything on the bucket (`--allow-lockout`).
    pub allow_lockout: bool,
}

impl PlanOptions {
    pub fn new(sid_prefix: &str) -> Self {
        PlanOptions {
            sid_prefix: sid_prefix.to_string(),
            allow_lockout: false,
        }
    }
}

/// The object a slice lives on, as planning needs it.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: &'a str,
    pub location: &'a Location,
}

/// One slice the spec declares, before the registry gives it an address.
#[derive(Debug, Clone)]
pub struct Declared<D> {
    pub name: String,
    pub location: Location,
    pub aws_id: String,
    /// Slices whose writes must succeed before this one is written.
    pub depends_on: Vec<Dependency>,
    pub desired: D,
}

impl<D> Declared<D> {
    /// A slice of one of `bucket`'s documents: named and located by the bucket.
    pub fn of_bucket(
        spec: &Spec,
        bucket: &xacct_spec::Bucket,
        depends_on: Vec<Dependency>,
        desired: D,
    ) -> Self {
        Declared {
            name: bucket.name.clone(),
            location: bucket_location(spec, bucket),
            aws_id: bucket.name.clone(),
            depends_on,
            desired,
        }
    }
}

/// One slice per bucket for which `wanted` says what it wants, without
/// dependencies: the shape of most bucket settings.
pub fn each_bucket<'a, D>(
    spec: &'a Spec,
    wanted: impl Fn(&xacct_spec::Bucket) -> Option<D> + 'a,
) -> Declarations<'a, D> {
    Box::new(spec.buckets.values().filter_map(move |bucket| {
        let desired = wanted(bucket)?;
        Some(Ok(Declared::of_bucket(spec, bucket, Vec::new(), desired)))
    }))
}

/// The slices of one kind a spec declares, built one at a time as iterated.
pub type Declarations<'a, D> = Box<dyn Iterator<Item = Result<Declared<D>, Undeclarable>> + 'a>;

/// A slice of another kind that must be written first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The other kind's [`Kind::NAME`].
    pub kind: &'static str,
    pub name: String,
}

impl Dependency {
    pub fn on<K: Kind>(name: impl Into<String>) -> Self {
        Dependency {
            kind: K::NAME,
            name: name.into(),
        }
    }
}

/// A slice the spec declares but leaves undecidable.
#[derive(Debug)]
pub struct Undeclarable {
    pub name: String,
    pub error: SliceError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeAction {
    /// The managed slice does not exist yet.
    Create,
    Update,
    /// The managed slice is removed (the document may stay, holding others' content).
    Delete,
    NoOp,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Create => "create",
            ChangeAction::Update => "update",
            ChangeAction::Delete => "delete",
            ChangeAction::NoOp => "no-op",
        }
    }
}

/// A kind's planning result, before the plan adds where and what from.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned<W> {
    pub action: ChangeAction,
    /// The managed slice as observed (`null` when absent).
    pub before: Value,
    /// The managed slice as it will be (`null` when absent).
    pub after: Value,
    pub write: Option<W>,
    /// Things a reviewer should know, e.g. how many foreign statements are kept.
    pub notes: Vec<String>,
}

impl<W> Planned<W> {
    pub fn map_write<V>(self, wrap: impl FnOnce(W) -> V) -> Planned<V> {
        Planned {
            action: self.action,
            before: self.before,
            after: self.after,
            write: self.write.map(wrap),
            notes: self.notes,
        }
    }
}

/// Why a slice cannot be planned; the registry adds the address.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    #[error("the live policy cannot be read as an IAM policy: {0}")]
    UnreadablePolicy(xacct_policy::PolicyError),
    #[error(
        "statement {statement:?} (not managed by xacct) names principal {principal:?}, \
         which AWS refuses when the policy is written back (the unique id of a deleted role or user?); \
         remove or fix that principal in the live policy, then plan again"
    )]
    InvalidForeignPrincipal {
        statement: String,
        principal: String,
    },
    #[error("{0}")]
    TooLarge(xacct_policy::PolicyError),
    #[error(
        "the policy would have {count} statements, over AWS's limit of {limit}; \
         merge grants (fewer `access:` entries) or remove statements of others"
    )]
    TooManyStatements { count: usize, limit: usize },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "the policy to write would deny the bucket owner's account everything on the \
         bucket (statement{} {}), locking its own roles out; fix the live policy, or pass \
         --allow-lockout if that is really wanted",
        if statements.len() == 1 { "" } else { "s" },
        statements.join(", ")
    )]
    Lockout { statements: Vec<String> },
}
