//! The only crate that talks to AWS: per-account credentials and clients
//! ([`Session`]), the concurrent [`observe`] phase, and [`apply`], which
//! executes a plan. One module per resource kind holds its AWS calls.

mod apply;
mod cloudtrail_event_selectors;
mod error;
mod observe;
mod permissions;
mod s3_bucket_notification;
mod s3_bucket_policy;
mod s3_encryption;
mod s3_logging;
mod s3_ownership_controls;
mod s3_public_access_block;
mod s3_tags;
mod s3_versioning;
mod session;
mod sns_topic_policy;
mod verify;

pub use apply::{apply, Applied, WriteStatus};
pub use error::Error;
pub use observe::{observe, stale_changes, DocumentRef, Progress};
pub use permissions::{Access, Operation, OPERATIONS};
pub use session::Session;
pub use verify::probe;
