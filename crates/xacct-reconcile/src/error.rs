use std::fmt;
use std::path::PathBuf;

use xacct_engine::Address;

/// Why a run stopped before writing anything, or why one write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the spec {}: {source}", path.display())]
    ReadSpec {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The spec is invalid; the message names file, line and column.
    #[error("{0}")]
    Spec(xacct_spec::LoadError),
    /// `verify` cannot tell, or does not know, the control account.
    #[error(transparent)]
    Control(#[from] xacct_engine::verify::VerifyError),
    /// Every problem of one stage, so one run shows all that blocks it.
    #[error("{0}")]
    Blocked(Problems),
    #[error(
        "the plan file {} was made from another version of {} (the spec changed since); \
         nothing was changed: run plan again",
        plan_file.display(),
        spec.display()
    )]
    SpecChanged { plan_file: PathBuf, spec: PathBuf },
    #[error(
        "the saved plan is stale: {} changed since it was made ({created_at}); \
         nothing was changed: run plan again",
        join(changed)
    )]
    StalePlan {
        changed: Vec<Address>,
        created_at: String,
    },
}

/// What stopped one stage of a run, with every problem found in it.
#[derive(Debug)]
pub struct Problems {
    /// `cannot plan`, `cannot read the live state`, ...
    pub stage: &'static str,
    pub problems: Vec<String>,
}

impl Problems {
    pub fn new(stage: &'static str, problems: Vec<impl fmt::Display>) -> Self {
        Problems {
            stage,
            problems: problems.iter().map(ToString::to_string).collect(),
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "{} ({count} problem{}); nothing was changed",
            self.stage,
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl Error {
    pub(crate) fn blocked(stage: &'static str, problems: Vec<impl fmt::Display>) -> Self {
        Error::Blocked(Problems::new(stage, problems))
    }
}

/// Why one planned write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Aws(#[from] xacct_aws::Error),
    #[error(
        "{address}: the live document changed since the plan was made; refusing to write over it. \
         Run plan again"
    )]
    Stale { address: Address },
    #[error("{address}: changed since it was planned, and cannot be planned again: {reason}")]
    Replan { address: Address, reason: String },
    #[error("{address}: not written, because {dependency}, which it depends on, was not written")]
    Skipped {
        address: Address,
        dependency: Address,
    },
    #[error("{address}: {operation} failed: the document kept changing under concurrent writers (gave up after {attempts} attempts)")]
    KeptChanging {
        address: Address,
        operation: &'static str,
        attempts: u32,
    },
    #[error("{last} (gave up after {attempts} attempts)")]
    GaveUp {
        last: xacct_aws::Error,
        attempts: u32,
    },
}

impl WriteError {
    /// AWS's error code, for machine-readable reports.
    pub fn code(&self) -> Option<&str> {
        match self {
            WriteError::Aws(error) | WriteError::GaveUp { last: error, .. } => error.code(),
            WriteError::KeptChanging { .. } => Some("ConcurrentChanges"),
            WriteError::Stale { .. } | WriteError::Replan { .. } | WriteError::Skipped { .. } => {
                None
            }
        }
    }
}

fn join(addresses: &[Address]) -> String {
    addresses
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
