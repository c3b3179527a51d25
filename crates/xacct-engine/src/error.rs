use crate::address::Address;
use crate::kind::SliceError;

/// Why a resource cannot be planned. Each names the address.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{address}: {source}")]
    Slice {
        address: Address,
        source: SliceError,
    },
    #[error("{address}: no live state was observed for it")]
    NotObserved { address: Address },
    #[error("{address}: the observed document is of another kind ({found})")]
    KindMismatch { address: Address, found: String },
}

impl PlanError {
    /// The resource that cannot be planned.
    pub fn address(&self) -> &Address {
        match self {
            PlanError::Slice { address, .. }
            | PlanError::NotObserved { address }
            | PlanError::KindMismatch { address, .. } => address,
        }
    }
}
