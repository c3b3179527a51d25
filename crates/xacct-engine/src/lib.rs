//! Addresses, desired vs observed state, and the pure planner.
//!
//! Data flows one way: spec -> [`desired`] -> (observe, in xacct-aws) ->
//! [`plan()`] -> [`render`] / apply. Nothing here does I/O, so every decision
//! xacct makes can be tested without AWS.

pub mod address;
pub mod change;
mod error;
pub mod export;
pub mod lint;
pub mod plan;
pub mod plan_file;
pub mod render;
pub mod resource;
pub mod target;
pub mod verify;

pub use address::{Address, ResourceKind};
pub use change::{ChangeAction, ResourceChange, Write};
pub use error::PlanError;
pub use lint::{lint_observed, DocumentFinding};
pub use plan::{plan, plan_resource, Plan, PlanOptions, Replanner, Summary};
pub use plan_file::{PlanFile, PlanFileError};
pub use resource::s3_encryption::DefaultEncryption;
pub use resource::s3_logging::LoggingTarget;
pub use resource::{desired, Desired, DesiredResource, Location, Observed};
pub use target::{select, Selection, UnknownTarget};
