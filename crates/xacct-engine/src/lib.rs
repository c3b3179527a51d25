//! Addresses, desired vs observed state, and the pure planner.
//!
//! Data flows one way: spec -> [`desired`] -> (observe, in xacct-aws) ->
//! [`plan()`] -> [`render`] / apply. Each resource kind is one module of
//! [`kinds`], registered once in its registry. Nothing here does I/O, so every decision
//! xacct makes can be tested without AWS.

pub mod address;
pub mod change;
mod error;
pub mod export;
pub mod ignore;
pub mod kind;
pub mod kinds;
pub mod lint;
pub mod location;
pub mod plan;
pub mod plan_file;
pub mod prune;
pub mod render;
pub mod scope;
mod slice;
pub mod target;
pub mod verify;

pub use address::{Address, ResourceKind};
pub use change::{ResourceChange, Slices};
pub use error::PlanError;
pub use kind::{ChangeAction, Kind, PlanOptions, SliceError};
pub use kinds::s3_encryption::DefaultEncryption;
pub use kinds::s3_logging::LoggingTarget;
pub use kinds::{declared, desired, Desired, DesiredResource, Observed, Write};
pub use lint::{lint_document, DocumentFinding};
pub use location::Location;
pub use plan::{plan, plan_resource, Plan, Planning, Replanner, Summary};
pub use plan_file::{PlanFile, PlanFileError};
pub use scope::{AccountScope, Shard, UnknownAccount};
pub use target::{select, Selection, UnknownTarget};
