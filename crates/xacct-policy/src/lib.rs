//! IAM policy documents as AWS returns them: parse, canonicalise, compare,
//! merge the statements xacct owns into a document others share, and evaluate
//! a resource policy offline for one request (what AWS would decide, or which
//! request context the answer depends on).
//!
//! Pure: no I/O. Comparison is on meaning, never bytes, because AWS rewrites
//! what it stores (one-element arrays become strings, keys reorder, account
//! ids become root ARNs); a converged world must compare equal. Statements
//! xacct does not own are kept exactly as read and written back unchanged.

mod canonical;
mod document;
mod error;
mod evaluate;
mod merge;
mod statement;

pub use document::{InvalidPrincipal, PolicyDocument, CURRENT_VERSION, DEFAULT_VERSION};
pub use error::PolicyError;
pub use evaluate::{action_matches, Decision, Effect, Request};
pub use merge::merge_owned;
pub use statement::Statement;
