//! Errors of loading a spec: the file could not be read, or it is invalid.

use std::fmt;
use std::path::PathBuf;

/// One problem in a spec, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct SpecError {
    /// The file name as given to [`crate::load`] / [`crate::load_str`].
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Names the offending key or value.
    pub message: String,
}

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Every problem found in the file, sorted by position; never empty.
    #[error("{}", Lines(.0))]
    Invalid(Vec<SpecError>),
}

impl LoadError {
    /// The spec errors (empty when the file could not be read).
    pub fn spec_errors(&self) -> &[SpecError] {
        match self {
            LoadError::Read { .. } => &[],
            LoadError::Invalid(errors) => errors,
        }
    }
}

/// Shows a list of errors one per line, so the CLI can print a LoadError as is.
struct Lines<'a>(&'a [SpecError]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_one_per_line() {
        let error = |line, message: &str| SpecError {
            file: "deploy.yaml".into(),
            line,
            column: 7,
            message: message.into(),
        };
        let all = LoadError::Invalid(vec![error(3, "first"), error(12, "second")]);
        assert_eq!(
            all.to_string(),
            "deploy.yaml:3:7: first\ndeploy.yaml:12:7: second"
        );
        assert_eq!(all.spec_errors().len(), 2);
        let read = LoadError::Read {
            path: "missing.yaml".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "No such file"),
        };
        assert_eq!(read.to_string(), "cannot read missing.yaml: No such file");
    }
}
