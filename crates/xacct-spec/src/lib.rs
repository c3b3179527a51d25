//! deploy.yaml -> validated [`Spec`].
//!
//! Pure: no I/O beyond reading the file in [`load`]. Every error names the file,
//! line and column and the offending key or value, and all errors of a file are
//! reported together. The YAML parser stays behind [`load`] and [`load_str`].

pub mod actions;
mod error;
mod lint;
mod model;
mod names;
mod presets;
mod raw;
mod schema;
mod validate;

use std::path::Path;

pub use error::{LoadError, SpecError};
pub use lint::{Finding, Rule, Severity};
pub use model::*;
pub use names::{arn_partition, partition, principal_account};
pub use presets::QUILT_ACTIONS;
pub use schema::json_schema;
pub use validate::ignore::Date;

/// Reads and validates a spec file; the file's path (as given) names it in errors.
pub fn load(path: &Path) -> Result<Spec, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file_name = path.display().to_string();
    match std::str::from_utf8(&bytes) {
        Ok(source) => load_str(source, &file_name),
        Err(error) => {
            // Point at the first byte that is not UTF-8.
            let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
            let valid = String::from_utf8_lossy(valid);
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(LoadError::Invalid(vec![SpecError {
                file: file_name,
                line,
                column,
                message: "the file is not valid UTF-8 text".to_owned(),
            }]))
        }
    }
}

/// Validates a spec given as text; `file_name` is what errors call the source.
pub fn load_str(source: &str, file_name: &str) -> Result<Spec, LoadError> {
    load_tree(source, file_name).map(|(spec, _)| spec)
}

/// A valid spec with its lint findings (least-privilege warnings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linted {
    pub spec: Spec,
    /// Sorted by position; empty when the spec follows every rule.
    pub findings: Vec<Finding>,
}

/// As [`load_str`], and lints the valid spec with the positions the
/// validator saw (findings are kept apart so [`Spec`] compares as before).
pub fn load_str_linted(source: &str, file_name: &str) -> Result<Linted, LoadError> {
    let (spec, grants) = load_tree(source, file_name)?;
    let findings = lint::lint(&spec, &grants, file_name);
    Ok(Linted { spec, findings })
}

fn load_tree(source: &str, file_name: &str) -> Result<(Spec, Vec<lint::GrantSite>), LoadError> {
    let spec_error = |pos: raw::Pos, message: String| SpecError {
        file: file_name.to_owned(),
        line: pos.line,
        column: pos.column,
        message,
    };
    let tree = raw::parse(source).map_err(|syntax| {
        LoadError::Invalid(vec![spec_error(
            syntax.pos,
            format!("invalid YAML: {}", syntax.message),
        )])
    })?;
    validate::validate(&tree).map_err(|problems| {
        let mut list = problems.list;
        // Stable: problems at one position keep the order they were found in.
        list.sort_by_key(|(pos, _)| *pos);
        list.dedup();
        LoadError::Invalid(
            list.into_iter()
                .map(|(pos, message)| spec_error(pos, message))
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests;
