//! The only crate that talks to AWS: per-account credentials and clients
//! ([`Session`]), reading one document and making one write ([`read`],
//! [`write`]), and verify's probes. One module per resource kind (in
//! `kinds/`) holds its AWS calls; the reconcile loop around them lives in
//! `xacct-reconcile`.

mod document;
mod error;
mod kinds;
mod permissions;
mod session;
mod verify;

pub use document::{read, write, DocumentRef};
pub use error::Error;
pub use permissions::{operations, Access, Operation};
pub use session::Session;
pub use verify::probe;
