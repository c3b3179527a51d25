//! One module per command, each a thin `exec` over library functions.

mod apply;
mod drift;
mod plan;
mod schema;
mod validate;

use std::collections::BTreeSet;
use std::fmt::Display;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use xacct_aws::Session;
use xacct_engine::Plan;
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
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Success => ExitCode::from(0),
            Status::Error => ExitCode::from(1),
            Status::Changes => ExitCode::from(2),
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
        Command::Schema => schema::exec(),
    }
}

pub(crate) fn load_spec(file: &Path) -> anyhow::Result<Spec> {
    xacct_spec::load(file).map_err(|error| anyhow::anyhow!("{error}"))
}

/// A plan made from live state, with the session that read it (apply reuses it).
pub(crate) struct LivePlan {
    pub session: Arc<Session>,
    pub plan: Plan,
}

/// spec -> desired -> connect -> observe -> plan. Any failure on the way stops
/// here, so nothing is ever applied from an incomplete plan.
pub(crate) fn live_plan(args: &LiveArgs) -> anyhow::Result<(tokio::runtime::Runtime, LivePlan)> {
    let spec = load_spec(&args.spec.file)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let parallelism = usize::from(args.parallelism);
    let live = runtime.block_on(async {
        let desired = xacct_engine::desired(&spec).map_err(|errors| all("cannot plan", errors))?;
        let accounts: BTreeSet<&str> = desired
            .iter()
            .map(|resource| resource.location.account.as_str())
            .collect();
        let session = Arc::new(
            Session::connect(&spec, accounts)
                .await
                .map_err(|errors| all("cannot connect to AWS", errors))?,
        );
        let observed = xacct_aws::observe(&session, &desired, parallelism)
            .await
            .map_err(|errors| all("cannot read the live state", errors))?;
        let plan = xacct_engine::plan(&spec.sid_prefix, &desired, &observed)
            .map_err(|errors| all("cannot plan", errors))?;
        anyhow::Ok(LivePlan { session, plan })
    })?;
    Ok((runtime, live))
}

/// One error listing every problem, so one run shows all that blocks it.
fn all(what: &str, errors: Vec<impl Display>) -> anyhow::Error {
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
