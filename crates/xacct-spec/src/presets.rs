//! Named action presets a grant may use instead of a list.

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

/// The actions of a preset by name, and the service they belong to.
pub(crate) fn preset(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    match name {
        "quilt" => Some(("s3", &QUILT_ACTIONS)),
        _ => None,
    }
}

/// Preset names, for error messages.
pub(crate) const PRESET_NAMES: &[&str] = &["quilt"];
