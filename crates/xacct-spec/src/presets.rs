//! Named action presets a grant may use instead of a list.

use std::borrow::Cow;
use std::sync::LazyLock;

/// The 14 actions of the Quilt cross-account bucket policy (the guide's list):
/// read, list, write and delete objects and their versions and tags, and manage
/// the bucket's notifications so the catalog can wire up its indexer.
pub const QUILT_ACTIONS: [&str; 14] = [
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionTagging",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:GetBucketNotification",
    "s3:PutBucketNotification",
];

/// A named preset.
pub(crate) struct Preset {
    /// The service its actions belong to.
    pub service: &'static str,
    /// In the guide's order (lint points at them).
    pub actions: &'static [&'static str],
    /// As a grant holds them, sorted: one list for the whole run, so a spec
    /// of 10,000 buckets naming the preset holds its names once, not once per
    /// grant (3.4 MB at that size).
    pub grant_actions: &'static [Cow<'static, str>],
}

/// A preset by name.
pub(crate) fn preset(name: &str) -> Option<Preset> {
    match name {
        "quilt" => Some(Preset {
            service: "s3",
            actions: &QUILT_ACTIONS,
            grant_actions: QUILT_GRANT_ACTIONS.as_slice(),
        }),
        _ => None,
    }
}

static QUILT_GRANT_ACTIONS: LazyLock<Vec<Cow<'static, str>>> =
    LazyLock::new(|| sorted(&QUILT_ACTIONS));

fn sorted(actions: &'static [&'static str]) -> Vec<Cow<'static, str>> {
    let mut sorted: Vec<Cow<'static, str>> = actions.iter().copied().map(Cow::Borrowed).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

/// Preset names, for error messages.
pub(crate) const PRESET_NAMES: &[&str] = &["quilt"];
