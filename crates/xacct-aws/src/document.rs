//! One document: read it, or make one write to it. The reconcile loop
//! (concurrency, re-reads, retries) is the caller's; this is the transport.

use xacct_engine::{Address, DesiredResource, Location, Observed, ResourceChange, Write};

use crate::error::{CallFailure, Error};
use crate::kinds;
use crate::session::Session;

/// One document to read: which resource it is for, where it lives and what
/// AWS calls it.
#[derive(Debug, Clone)]
pub struct DocumentRef {
    pub address: Address,
    pub location: Location,
    pub aws_id: String,
}

impl DocumentRef {
    pub fn of_resource(resource: &DesiredResource) -> Self {
        DocumentRef {
            address: resource.address.clone(),
            location: resource.location.clone(),
            aws_id: resource.aws_id.clone(),
        }
    }

    pub fn of_change(change: &ResourceChange) -> Self {
        DocumentRef {
            address: change.address.clone(),
            location: (*change.location).clone(),
            aws_id: change.aws_id.clone(),
        }
    }
}

/// Reads the whole document, once.
pub async fn read(session: &Session, document: &DocumentRef) -> Result<Observed, Error> {
    let clients = session.clients(&document.location)?;
    tracing::debug!(address = %document.address, "reading");
    kinds::read(&clients, document.address.kind, &document.aws_id)
        .await
        .map_err(|failure| {
            Error::at(
                &document.address,
                &document.location,
                Some(&clients.region),
                failure,
            )
        })
}

/// Makes one write, once: S3 writes are sent without the SDK's own retries,
/// so a write whose answer was lost is never repeated blindly. Whether to try
/// again is the caller's choice ([`Error::is_transient`]).
pub async fn write(session: &Session, document: &DocumentRef, write: &Write) -> Result<(), Error> {
    let clients = session.clients(&document.location).map_err(|error| {
        let failure = CallFailure::invalid(write.operation(), error.to_string());
        Error::at(&document.address, &document.location, None, failure)
    })?;
    tracing::info!(address = %document.address, operation = write.operation(), "writing");
    kinds::write(&clients, write)
        .await
        .map_err(|failure| Error::at(&document.address, &document.location, None, failure))
}
