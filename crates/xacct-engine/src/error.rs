use crate::address::Address;

/// Why a resource cannot be planned. Each names the address.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{address}: the live policy cannot be read as an IAM policy: {source}")]
    UnreadablePolicy {
        address: Address,
        source: xacct_policy::PolicyError,
    },
    #[error(
        "{address}: statement {statement:?} (not managed by xacct) names principal {principal:?}, \
         which AWS refuses when the policy is written back (the unique id of a deleted role or user?); \
         remove or fix that principal in the live policy, then plan again"
    )]
    InvalidForeignPrincipal {
        address: Address,
        statement: String,
        principal: String,
    },
    #[error("{address}: {source}")]
    TooLarge {
        address: Address,
        source: xacct_policy::PolicyError,
    },
    #[error(
        "{address}: the policy would have {count} statements, over AWS's limit of {limit}; \
         merge grants (fewer `access:` entries) or remove statements of others"
    )]
    TooManyStatements {
        address: Address,
        count: usize,
        limit: usize,
    },
    #[error("{address}: {reason}")]
    Invalid { address: Address, reason: String },
    #[error(
        "{address}: the policy to write would deny the bucket owner's account everything on the \
         bucket (statement{} {}), locking its own roles out; fix the live policy, or pass \
         --allow-lockout if that is really wanted",
        if statements.len() == 1 { "" } else { "s" },
        statements.join(", ")
    )]
    Lockout {
        address: Address,
        statements: Vec<String>,
    },
    #[error("{address}: no live state was observed for it")]
    NotObserved { address: Address },
    #[error("{address}: the observed document is of another kind ({found})")]
    KindMismatch { address: Address, found: String },
}
