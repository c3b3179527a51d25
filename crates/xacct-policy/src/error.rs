//! The one error type of the crate.

/// Why a policy could not be read, or cannot be written back.
///
/// Messages name the offending element so a user can find it in a document
/// they did not write (e.g. `Statement #2: Effect must be "Allow" or "Deny"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not JSON at all (message carries serde_json's line/column).
    #[error("policy is not valid JSON: {message}")]
    InvalidJson { message: String },

    /// The document's top level has the wrong shape.
    #[error("{message}")]
    InvalidDocument { message: String },

    /// One statement has the wrong shape. `index` is 1-based within the
    /// document; `None` for a statement built on its own.
    #[error("{}: {reason}", statement_label(*.index))]
    InvalidStatement {
        index: Option<usize>,
        reason: String,
    },

    /// The serialised document is over the service's size limit.
    #[error("policy is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
}

fn statement_label(index: Option<usize>) -> String {
    match index {
        Some(index) => format!("Statement #{index}"),
        None => "Statement".to_owned(),
    }
}
