//! Reading the spec: the first step of every command.

use std::path::{Path, PathBuf};

use xacct_spec::{Finding, Spec};

use crate::error::Error;

/// The spec, the digest of the exact bytes it was read from (saved plans
/// record it) and where it was read.
#[derive(Debug)]
pub struct LoadedSpec {
    pub spec: Spec,
    /// The digest of the bytes it was read from.
    pub digest: String,
    pub path: PathBuf,
}

/// Reads and validates the spec at `path`.
pub fn load(path: &Path) -> Result<LoadedSpec, Error> {
    let text = read(path)?;
    let spec = xacct_spec::load_str(&text, &path.display().to_string()).map_err(Error::Spec)?;
    check_ignores(&spec)?;
    Ok(LoadedSpec {
        spec,
        digest: xacct_engine::plan_file::digest(text.as_bytes()),
        path: path.to_path_buf(),
    })
}

/// [`load`] with the spec's least-privilege lint findings (validate and plan
/// report them; the other commands do not pay for the lint).
pub fn load_linted(path: &Path) -> Result<(LoadedSpec, Vec<Finding>), Error> {
    let text = read(path)?;
    let linted =
        xacct_spec::load_str_linted(&text, &path.display().to_string()).map_err(Error::Spec)?;
    check_ignores(&linted.spec)?;
    let loaded = LoadedSpec {
        spec: linted.spec,
        digest: xacct_engine::plan_file::digest(text.as_bytes()),
        path: path.to_path_buf(),
    };
    Ok((loaded, linted.findings))
}

/// An `ignore:` entry must name a resource the spec manages: checked as
/// the spec is read, so `validate` and every command refuse it alike.
fn check_ignores(spec: &Spec) -> Result<(), Error> {
    let unknown = xacct_engine::ignore::unknown_entries(spec);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::blocked("the spec's ignore: list is wrong", unknown))
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::ReadSpec {
        path: path.to_path_buf(),
        source,
    })
}
