use std::sync::Arc;

use xacct_aws::Applied;
use xacct_engine::render::{self, Style};
use xacct_engine::ChangeAction;

use crate::commands::{live_plan, Status};
use crate::flags::ApplyArgs;
use crate::terminal;

pub fn exec(args: &ApplyArgs, color: bool) -> anyhow::Result<Status> {
    // Refuse before reading anything: an unattended run without
    // --auto-approve is a pipeline mistake, not a question to wait on.
    if !args.auto_approve && !terminal::stdin_is_terminal() {
        anyhow::bail!(
            "refusing to apply without approval: stdin is not a terminal; \
             pass --auto-approve to apply unattended (nothing was changed)"
        );
    }
    let (runtime, live) = live_plan(&args.live)?;
    terminal::print(&render::plan_text(&live.plan, Style { color }))?;
    if !live.plan.has_changes() {
        return Ok(Status::Success);
    }
    if !args.auto_approve && !terminal::confirm("Do you want to perform these actions?")? {
        eprintln!("Apply cancelled; nothing was changed.");
        return Ok(Status::Error);
    }
    terminal::print("\n")?;
    let report: Arc<dyn Fn(&Applied) + Send + Sync> = Arc::new(|applied: &Applied| {
        // Reporting must not stop the writes; a closed stdout only loses the echo.
        let _ = terminal::print(&format!("{}\n", outcome_line(applied)));
    });
    let results = runtime.block_on(xacct_aws::apply(
        &live.session,
        &live.plan,
        usize::from(args.live.parallelism),
        report,
    ));
    let failed = results.iter().filter(|applied| applied.outcome.is_err()).count();
    let count = |action| {
        results
            .iter()
            .filter(|applied| applied.outcome.is_ok() && applied.action == action)
            .count()
    };
    let (added, changed, destroyed) = (
        count(ChangeAction::Create),
        count(ChangeAction::Update),
        count(ChangeAction::Delete),
    );
    if failed > 0 {
        anyhow::bail!(
            "apply incomplete: {failed} of {} writes did not happen ({added} added, {changed} changed, \
             {destroyed} destroyed); see above, then run apply again",
            results.len()
        );
    }
    terminal::print(&format!(
        "\nApply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed.\n"
    ))?;
    Ok(Status::Success)
}

/// `address: created (Operation)`, `address: failed (Code): why` or
/// `address: skipped: why`.
fn outcome_line(applied: &Applied) -> String {
    let address = &applied.address;
    match &applied.outcome {
        Ok(()) => {
            let done = match applied.action {
                ChangeAction::Create => "created",
                ChangeAction::Update => "updated",
                ChangeAction::Delete => "destroyed",
                ChangeAction::NoOp => "unchanged",
            };
            format!("{address}: {done} ({})", applied.operation)
        }
        Err(error @ xacct_aws::Error::Skipped { .. }) => format!("{address}: skipped: {error}"),
        Err(error) => format!(
            "{address}: failed ({}): {error}",
            error.code().unwrap_or(applied.operation)
        ),
    }
}
