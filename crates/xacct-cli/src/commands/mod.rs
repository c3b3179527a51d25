//! One module per command, each a thin `exec`: parse the flags, call the
//! library, render. Status goes to stderr, results to stdout.

mod apply;
mod completions;
mod drift;
mod export;
mod man;
mod permissions;
mod plan;
mod reindex;
mod schema;
mod show;
mod validate;
mod verify;

use std::process::ExitCode;

use anyhow::Context;
use xacct_reconcile::{LivePlan, LoadedSpec, RunOptions};

use crate::flags::{Cli, Command, LiveArgs};
use crate::terminal;

/// The outcome of a command, as an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: done; for plan --detailed-exitcode and drift: nothing to change.
    Success,
    /// 1: an error, or a refusal.
    Error,
    /// 2: changes pending (plan --detailed-exitcode) or drift found.
    Changes,
    /// 130: stopped by Ctrl-C (after cleaning up).
    Interrupted,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Success => ExitCode::from(0),
            Status::Error => ExitCode::from(1),
            Status::Changes => ExitCode::from(2),
            Status::Interrupted => ExitCode::from(130),
        }
    }
}

pub fn exec(cli: Cli) -> anyhow::Result<Status> {
    let color = terminal::stdout_color(cli.color);
    match cli.command {
        Command::Validate(args) => validate::exec(&args),
        Command::Plan(args) => plan::exec(&args, color),
        Command::Apply(args) => apply::exec(&args, color),
        Command::Drift(args) => drift::exec(&args, color),
        Command::Show(args) => show::exec(&args, color),
        Command::Permissions(args) => permissions::exec(&args),
        Command::Schema => schema::exec(),
        Command::Export(format) => export::exec(&format),
        Command::Verify(args) => verify::exec(&args),
        Command::Reindex(args) => reindex::exec(&args),
        Command::Completions(args) => completions::exec(&args),
        Command::Man => man::exec(),
    }
}

/// Prints lint findings on stderr, as warnings or, under `--strict`, as
/// errors; under `--strict` any finding is an error that names `what` and
/// what was not done because of it.
pub(crate) fn lint_gate<T>(
    findings: &[T],
    report: fn(&T, xacct_spec::Severity) -> String,
    strict: bool,
    what: &str,
    consequence: &str,
) -> anyhow::Result<()> {
    let severity = if strict {
        xacct_spec::Severity::Error
    } else {
        xacct_spec::Severity::Warning
    };
    for finding in findings {
        eprintln!("{}", report(finding, severity));
    }
    if strict && !findings.is_empty() {
        anyhow::bail!(
            "{} lint finding{} in {what} (errors under --strict); {consequence}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The pipeline's options from the live flags.
pub(crate) fn run_options(
    args: &LiveArgs,
    lint_documents: bool,
    report_unread: bool,
) -> RunOptions {
    RunOptions {
        parallelism: usize::from(args.parallelism),
        targets: args.targets.clone(),
        allow_lockout: args.allow_lockout,
        lint_documents,
        scope: args.scope.scope(),
        report_unread,
    }
}

/// [`xacct_reconcile::plan_live`] with a progress line, and a note on stderr
/// naming what the targets pulled in.
pub(crate) async fn plan_live(
    loaded: &LoadedSpec,
    options: &RunOptions,
) -> anyhow::Result<LivePlan> {
    let progress = terminal::Progress::new("reading live state");
    let live = xacct_reconcile::plan_live(&loaded.spec, options, &|step| progress.show(step)).await;
    progress.finish();
    let live = live?;
    if live.plan.changes.is_empty() && !options.scope.is_everything() {
        match live.accounts.as_slice() {
            [] => eprintln!(
                "note: this run's --account/--shard covers no account of the spec: nothing to do"
            ),
            accounts => eprintln!(
                "note: this run covers account{} {}, where the spec manages nothing: nothing to do",
                if accounts.len() == 1 { "" } else { "s" },
                accounts.join(", ")
            ),
        }
    }
    for problem in &live.plan.not_pruned {
        eprintln!("warning: not pruned: {problem}");
    }
    if !live.pulled_in.is_empty() {
        let names: Vec<String> = live.pulled_in.iter().map(ToString::to_string).collect();
        eprintln!(
            "note: also including {} (the targets depend on {})",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(live)
}
