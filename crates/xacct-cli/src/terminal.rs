//! What depends on the terminal: color, confirmation prompts, error display.

use std::io::{BufRead, IsTerminal, Write};

use crate::flags::ColorChoice;

/// Color on stdout: `--color always|never`, else only on a terminal and only
/// when NO_COLOR is unset or empty (<https://no-color.org>).
pub fn stdout_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && !no_color(),
    }
}

pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on stderr; only the exact answer `yes` approves.
pub fn confirm(question: &str) -> std::io::Result<bool> {
    let mut stderr = std::io::stderr();
    write!(
        stderr,
        "\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    )?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// Writes results to stdout. A closed pipe (`xacct plan | head`) ends the
/// output quietly instead of panicking like `print!` would.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes to stdout with `write`, e.g. a document streamed as it is
/// serialised; a closed pipe (`| head`) is not an error.
pub fn write_with(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `error: ...` on stderr, each cause on its own line.
pub fn report_error(error: &anyhow::Error) {
    eprintln!("error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

/// A progress line on stderr while reading many resources: `n/total` and the
/// account just read. Only on a terminal; pipelines and logs get nothing.
pub struct Progress {
    label: &'static str,
    enabled: bool,
}

impl Progress {
    pub fn new(label: &'static str) -> Self {
        Progress {
            label,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    pub fn show(&self, step: xacct_reconcile::Progress<'_>) {
        self.show_done(step.done, step.total, &format!("account {}", step.account));
    }

    /// `label: done/total (what)`.
    pub fn show_done(&self, done: usize, total: usize, what: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{}: {done}/{total} ({what})", self.label);
            let _ = stderr.flush();
        }
    }

    /// Clears the line, so results start on a clean one.
    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
