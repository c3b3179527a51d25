//! Renderers of a [`Plan`](crate::Plan): terraform-style text for people, JSON
//! for machines, and the drift report. Pure string building.

mod diff;
mod json;
mod junit;
mod markdown;
mod metrics;
pub(crate) mod text;
mod warnings;

pub use json::{drift_json, drift_notification, plan_json, PlanDocument, FORMAT_VERSION};
pub use junit::{drift_junit, ReadError};
pub use markdown::{plan_markdown, plan_markdown_within, COMMENT_LIMIT};
pub use metrics::{metrics_text, RunFacts, Tally};
pub use text::{drift_text, plan_text};
pub use warnings::{plan_document_with_warnings, plan_markdown_with_warnings, Warnings};

/// Whether to paint `+ - ~` lines with ANSI colors (decided by the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
}
