//! Saved plans: what `plan --out` writes and `apply PLANFILE` executes, so a
//! merge applies exactly what was reviewed. Versioned and self-describing:
//! every change carries the full document to write and the fingerprint of the
//! document it was computed from, and a checksum covers the whole plan.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::Plan;

/// Bumped on any incompatible change of the file's shape.
pub const PLAN_FILE_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u32,
    /// The xacct that wrote it.
    pub xacct_version: String,
    /// When the live state was read (RFC 3339, UTC).
    pub created_at: String,
    /// The spec file the plan was made from, as given on the command line.
    pub spec_file: String,
    /// `sha256:<hex>` of the spec file's bytes.
    pub spec_digest: String,
    pub plan: Plan,
    /// `sha256:<hex>` of `plan` as serialised here: catches truncation and
    /// hand edits of the changes, which would otherwise be applied blindly.
    pub checksum: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("not a plan file: {0}")]
    Unreadable(String),
    #[error(
        "the plan file has format version {found}, this xacct reads version {supported}; \
         make the plan again with this xacct"
    )]
    UnsupportedFormat { found: u64, supported: u32 },
    #[error(
        "the plan file is corrupted (its checksum does not match its changes); make the plan again"
    )]
    Corrupted,
}

/// `sha256:<hex>` of some bytes.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

impl PlanFile {
    pub fn new(
        plan: Plan,
        spec_file: String,
        spec_digest: String,
        xacct_version: String,
        created_at: String,
    ) -> Self {
        let checksum = checksum(&plan);
        PlanFile {
            format_version: PLAN_FILE_FORMAT,
            xacct_version,
            created_at,
            spec_file,
            spec_digest,
            plan,
            checksum,
        }
    }

    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a plan file, refusing other format versions before anything
    /// else and any file whose checksum does not match its changes.
    pub fn parse(text: &str) -> Result<PlanFile, PlanFileError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| PlanFileError::Unreadable(error.to_string()))?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| PlanFileError::Unreadable("no format_version".into()))?;
        if found != u64::from(PLAN_FILE_FORMAT) {
            return Err(PlanFileError::UnsupportedFormat {
                found,
                supported: PLAN_FILE_FORMAT,
            });
        }
        let file: PlanFile = serde_json::from_value(value)
            .map_err(|error| PlanFileError::Unreadable(error.to_string()))?;
        if checksum(&file.plan) != file.checksum {
            return Err(PlanFileError::Corrupted);
        }
        Ok(file)
    }
}

fn checksum(plan: &Plan) -> String {
    digest(serde_json::to_string(plan).unwrap_or_default().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{Address, ResourceKind};
    use crate::change::{ResourceChange, Slices};
    use crate::kind::ChangeAction;
    use crate::kinds::s3_bucket_policy::BucketPolicyWrite;
    use crate::kinds::Write;
    use crate::location::Location;
    use serde_json::json;

    fn file() -> PlanFile {
        let plan = Plan {
            ignored: Vec::new(),
            not_pruned: Vec::new(),
            changes: vec![ResourceChange {
                address: Address::new(ResourceKind::S3BucketPolicy, "b"),
                location: Location {
                    account: "data".into(),
                    account_id: "222222222222".into(),
                    region: Some("us-east-1".into()),
                }
                .into(),
                aws_id: "b".into(),
                depends_on: vec![],
                action: ChangeAction::Create,
                slices: Slices::new(
                    ChangeAction::Create,
                    json!(null),
                    json!([{"Sid": "QuiltA"}]),
                ),
                write: Some(Box::new(Write::S3BucketPolicy(
                    BucketPolicyWrite::PutBucketPolicy {
                        bucket: "b".into(),
                        policy: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
                    },
                ))),
                notes: vec![],
                observed_fingerprint: "abc".into(),
                pruned: false,
            }],
        };
        PlanFile::new(
            plan,
            "deploy.yaml".into(),
            digest(b"version: 1\n"),
            "0.1.0".into(),
            "2026-11-29T00:00:00Z".into(),
        )
    }

    #[test]
    fn a_plan_file_round_trips() {
        let file = file();
        assert_eq!(PlanFile::parse(&file.to_json()).unwrap(), file);
        assert!(file.spec_digest.starts_with("sha256:"));
    }

    #[test]
    fn an_edited_change_is_refused_as_corrupted() {
        let text = file().to_json().replace("QuiltA", "QuiltB");
        assert!(matches!(
            PlanFile::parse(&text),
            Err(PlanFileError::Corrupted)
        ));
    }

    #[test]
    fn another_format_version_is_refused_before_reading_further() {
        let mut value: serde_json::Value = serde_json::from_str(&file().to_json()).unwrap();
        value["format_version"] = json!(2);
        value["plan"] = json!("a shape this version does not know");
        let error = PlanFile::parse(&value.to_string()).unwrap_err();
        assert!(
            matches!(error, PlanFileError::UnsupportedFormat { found: 2, .. }),
            "{error}"
        );
    }

    #[test]
    fn truncated_text_is_not_a_plan_file() {
        let text = file().to_json();
        let error = PlanFile::parse(&text[..text.len() / 2]).unwrap_err();
        assert!(matches!(error, PlanFileError::Unreadable(_)), "{error}");
    }
}
