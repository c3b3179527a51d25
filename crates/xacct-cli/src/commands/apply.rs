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
    println!();
    let report: Arc<dyn Fn(&Applied) + Send + Sync> =
        Arc::new(|applied: &Applied| match &applied.outcome {
            Ok(()) => println!(
                "{}: {} ({})",
                applied.address,
                done(applied.action),
                applied.operation
            ),
            Err(error) => println!("{}: failed: {error}", applied.address),
        });
    let results = runtime.block_on(xacct_aws::apply(
        &live.session,
        &live.plan,
        usize::from(args.live.parallelism),
        report,
    ));
    let failed = results
        .iter()
        .filter(|applied| applied.outcome.is_err())
        .count();
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
            "apply failed: {failed} of {} writes did not happen ({added} added, {changed} changed, \
             {destroyed} destroyed); see above, then plan again",
            results.len()
        );
    }
    println!(
        "\nApply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed."
    );
    Ok(Status::Success)
}

fn done(action: ChangeAction) -> &'static str {
    match action {
        ChangeAction::Create => "created",
        ChangeAction::Update => "updated",
        ChangeAction::Delete => "destroyed",
        ChangeAction::NoOp => "unchanged",
    }
}
