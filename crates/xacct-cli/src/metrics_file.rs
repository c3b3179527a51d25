//! Writing `--metrics-file` atomically: a temporary file in the same
//! directory, then a rename, so a collector never reads half a file.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use xacct_engine::render::{metrics_text, RunFacts, Tally};

use crate::commands::Status;

/// Runs `command` (which leaves its plan's tally in the slot it is given)
/// and, when `path` is set, writes the run's metrics there, failed runs
/// included.
pub fn measured(
    path: Option<&Path>,
    command: impl FnOnce(&mut Option<Tally>) -> anyhow::Result<Status>,
) -> anyhow::Result<Status> {
    let Some(path) = path else {
        return command(&mut None);
    };
    let started = Instant::now();
    let mut tally = None;
    let outcome = command(&mut tally);
    let finished_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs_f64())
        .unwrap_or_default();
    let text = metrics_text(&RunFacts {
        tally: tally.as_ref(),
        finished_at,
        duration_seconds: started.elapsed().as_secs_f64(),
        success: outcome.is_ok(),
    });
    let written = write_atomically(path, &text)
        .with_context(|| format!("cannot write the metrics file {}", path.display()));
    match (outcome, written) {
        (Ok(status), Ok(())) => Ok(status),
        (Ok(_), Err(error)) => Err(error),
        (Err(error), Ok(())) => Err(error),
        (Err(error), Err(also)) => Err(error.context(format!("{also:#}"))),
    }
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "metrics".into());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
