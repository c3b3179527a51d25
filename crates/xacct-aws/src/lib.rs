//! The only crate that talks to AWS (and, in `catalog`, to the Quilt
//! catalog's admin API): per-account credentials and clients
//! ([`Session`]), reading one document and making one write ([`read`],
//! [`write`]), and verify's probes. One module per resource kind (in
//! `kinds/`) holds its AWS calls; the reconcile loop around them lives in
//! `xacct-reconcile`.

mod catalog;
mod discovery;
mod document;
mod error;
mod https;
mod kinds;
mod operation;
mod permissions;
mod session;
mod verify;
mod webhook;

pub use catalog::Catalog;
pub use discovery::discover;
pub use document::{read, write, DocumentRef};
pub use error::Error;
pub use operation::{Access, Operation};
pub use permissions::operations;
pub use session::Session;
pub use verify::probe;
pub use webhook::{post_json, WebhookError};
