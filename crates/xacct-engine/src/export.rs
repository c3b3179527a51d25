//! Exports of the spec's desired state into other deployment tools' formats,
//! for teams that must deploy through them.
//!
//! Not part of `render`: those render a plan (desired against observed);
//! an export renders desired state alone, without reading AWS. Built from
//! [`desired`](crate::desired), so the statements are exactly the ones
//! `apply` writes (derived statements included), never re-derived here.

pub mod cloudformation;
mod yaml;
