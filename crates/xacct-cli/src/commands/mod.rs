//! One module per command, each a thin `exec` over library functions.

mod apply;
mod drift;
mod export;
mod permissions;
mod plan;
mod schema;
mod show;
mod validate;
mod verify;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use xacct_aws::{DocumentRef, Session};
use xacct_engine::{Address, Location, Observed, Plan, PlanOptions, Replanner};
use xacct_spec::Spec;

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
    }
}

/// The spec and the exact bytes it was read from (saved plans record their digest).
pub(crate) struct LoadedSpec {
    pub spec: Spec,
    pub bytes: Vec<u8>,
}

pub(crate) fn load_spec(file: &Path) -> anyhow::Result<LoadedSpec> {
    let text = read_spec(file)?;
    let spec = xacct_spec::load_str(&text, &file.display().to_string())
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(LoadedSpec {
        spec,
        bytes: text.into_bytes(),
    })
}

/// [`load_spec`] with its least-privilege lint findings (validate and plan
/// print them; the other commands do not pay for the lint).
pub(crate) fn load_linted_spec(
    file: &Path,
) -> anyhow::Result<(LoadedSpec, Vec<xacct_spec::Finding>)> {
    let text = read_spec(file)?;
    let linted = xacct_spec::load_str_linted(&text, &file.display().to_string())
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let loaded = LoadedSpec {
        spec: linted.spec,
        bytes: text.into_bytes(),
    };
    Ok((loaded, linted.findings))
}

fn read_spec(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the spec {}", file.display()))
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

/// A plan made from live state, with what apply needs to execute it.
pub(crate) struct LivePlan {
    pub runtime: tokio::runtime::Runtime,
    pub session: Arc<Session>,
    pub plan: Plan,
    /// Plans a resource again from a fresher document during apply.
    pub replanner: Arc<Replanner>,
    pub spec_bytes: Vec<u8>,
    /// When the live state was read (RFC 3339, UTC).
    pub checked_at: String,
    /// Lint findings in the live documents read (only when asked: plan).
    pub document_findings: Vec<xacct_engine::DocumentFinding>,
}

/// spec -> desired -> targets -> connect -> observe -> plan. Any failure on
/// the way stops here, so nothing is ever applied from an incomplete plan.
pub(crate) fn live_plan(args: &LiveArgs) -> anyhow::Result<LivePlan> {
    live_plan_from(args, load_spec(&args.spec.file)?, false)
}

/// [`live_plan`] from a spec already loaded (plan lints it before any AWS
/// read); `lint_documents`: also lint the live documents read.
pub(crate) fn live_plan_from(
    args: &LiveArgs,
    loaded: LoadedSpec,
    lint_documents: bool,
) -> anyhow::Result<LivePlan> {
    let LoadedSpec { spec, bytes } = loaded;
    let desired = xacct_engine::desired(&spec).map_err(|errors| all("cannot plan", errors))?;
    let selection = xacct_engine::select(desired, &args.targets)
        .map_err(|errors| all("cannot select the targets", errors))?;
    if !selection.pulled_in.is_empty() {
        let names: Vec<String> = selection.pulled_in.iter().map(|a| a.to_string()).collect();
        eprintln!(
            "note: also including {} (the targets depend on {})",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        );
    }
    let options = PlanOptions {
        allow_lockout: args.allow_lockout,
        ..PlanOptions::new(&spec.sid_prefix)
    };
    let runtime = runtime()?;
    let parallelism = usize::from(args.parallelism);
    let checked_at = utc_now();
    let (session, plan, document_findings) = runtime.block_on(async {
        let session = connect(
            &spec,
            selection
                .resources
                .iter()
                .map(|resource| &resource.location),
        )
        .await?;
        let documents: Vec<DocumentRef> = selection
            .resources
            .iter()
            .map(DocumentRef::of_resource)
            .collect();
        let observed = read_live(&session, &documents, parallelism).await?;
        let plan = xacct_engine::plan(&options, &selection.resources, &observed)
            .map_err(|errors| all("cannot plan", errors))?;
        let findings = if lint_documents {
            xacct_engine::lint_observed(&spec.sid_prefix, &observed)
        } else {
            Vec::new()
        };
        anyhow::Ok((session, plan, findings))
    })?;
    Ok(LivePlan {
        runtime,
        session,
        plan,
        replanner: Arc::new(Replanner::new(&options, &selection.resources)),
        spec_bytes: bytes,
        checked_at,
        document_findings,
    })
}

/// Every document, read concurrently with a progress line on a terminal, or
/// one error listing every read that failed.
pub(crate) async fn read_live(
    session: &Arc<Session>,
    documents: &[DocumentRef],
    parallelism: usize,
) -> anyhow::Result<BTreeMap<Address, Observed>> {
    let progress = terminal::Progress::new("reading live state");
    let observed = xacct_aws::observe(session, documents, parallelism, &|step| {
        progress.show(step.done, step.total, step.account)
    })
    .await;
    progress.finish();
    observed.map_err(|errors| all("cannot read the live state", errors))
}

/// A session for the accounts of `locations`, or one error listing every
/// account that could not be reached.
pub(crate) async fn connect<'a>(
    spec: &Spec,
    locations: impl IntoIterator<Item = &'a Location>,
) -> anyhow::Result<Arc<Session>> {
    connect_accounts(
        spec,
        locations
            .into_iter()
            .map(|location| location.account.as_str()),
    )
    .await
}

/// A session for the named accounts, or one error listing every account
/// that could not be reached.
pub(crate) async fn connect_accounts<'a>(
    spec: &Spec,
    accounts: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<Arc<Session>> {
    Session::connect(spec, accounts)
        .await
        .map(Arc::new)
        .map_err(|errors| all("cannot connect to AWS", errors))
}

/// One error listing every problem, so one run shows all that blocks it.
pub(crate) fn all(what: &str, errors: Vec<impl Display>) -> anyhow::Error {
    let mut message = format!(
        "{what} ({} problem{}); nothing was changed",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for error in errors {
        message.push_str(&format!("\n  - {error}"));
    }
    anyhow::anyhow!(message)
}

/// The current time as RFC 3339 UTC (`2026-11-29T05:04:55Z`).
pub(crate) fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_now_is_rfc3339() {
        let now = super::utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
        assert_eq!(&now[10..11], "T");
    }
}
