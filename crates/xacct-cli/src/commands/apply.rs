use std::sync::Arc;

use serde_json::json;
use xacct_aws::{Applied, Session, WriteStatus};
use xacct_engine::render::{self, Style};
use xacct_engine::{plan_file, ChangeAction, Plan, Replanner};

use crate::commands::show::read_plan_file;
use crate::commands::{all, connect, live_plan, load_spec, runtime, Status};
use crate::flags::{ApplyArgs, Format};
use crate::terminal;

pub fn exec(args: &ApplyArgs, color: bool) -> anyhow::Result<Status> {
    if args.plan_file.is_some() {
        return exec_saved(args);
    }
    // Refuse before reading anything: an unattended run without
    // --auto-approve is a pipeline mistake, not a question to wait on.
    if !args.auto_approve && !terminal::stdin_is_terminal() {
        anyhow::bail!(
            "refusing to apply without approval: stdin is not a terminal; \
             pass --auto-approve to apply unattended (nothing was changed)"
        );
    }
    let live = live_plan(&args.live)?;
    if args.format == Format::Text {
        terminal::print(&render::plan_text(&live.plan, Style { color }))?;
    }
    if live.plan.has_changes()
        && !args.auto_approve
        && !terminal::confirm("Do you want to perform these actions?")?
    {
        eprintln!("Apply cancelled; nothing was changed.");
        return Ok(Status::Error);
    }
    execute(
        &live.runtime,
        &live.session,
        &live.plan,
        Some(live.replanner),
        args,
    )
}

/// Applies a plan saved by `plan --out`, exactly: refused whole if the spec
/// or any document it touches changed since it was made.
fn exec_saved(args: &ApplyArgs) -> anyhow::Result<Status> {
    let path = args
        .plan_file
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let file = read_plan_file(path)?;
    let loaded = load_spec(&args.live.spec.file)?;
    if plan_file::digest(&loaded.bytes) != file.spec_digest {
        anyhow::bail!(
            "the plan file {} was made from another version of {} (the spec changed since); \
             nothing was changed: run plan again",
            path.display(),
            args.live.spec.file.display()
        );
    }
    let runtime = runtime()?;
    let parallelism = usize::from(args.live.parallelism);
    let session = runtime.block_on(async {
        let session = connect(
            &loaded.spec,
            file.plan.pending().map(|change| &change.location),
        )
        .await?;
        let stale = xacct_aws::stale_changes(&session, &file.plan, parallelism)
            .await
            .map_err(|errors| all("cannot re-read the live state", errors))?;
        if !stale.is_empty() {
            let names: Vec<String> = stale.iter().map(|address| address.to_string()).collect();
            anyhow::bail!(
                "the saved plan is stale: {} changed since it was made ({}); \
                 nothing was changed: run plan again",
                names.join(", "),
                file.created_at
            );
        }
        anyhow::Ok(session)
    })?;
    // A reviewed plan is applied exactly: a document that changes under it
    // is refused, not planned again.
    execute(&runtime, &session, &file.plan, None, args)
}

fn execute(
    runtime: &tokio::runtime::Runtime,
    session: &Arc<Session>,
    plan: &Plan,
    replanner: Option<Arc<Replanner>>,
    args: &ApplyArgs,
) -> anyhow::Result<Status> {
    let text = args.format == Format::Text;
    if !plan.has_changes() {
        if !text {
            terminal::print(&format!("{:#}\n", report_json(&[])))?;
        }
        return Ok(Status::Success);
    }
    if text {
        terminal::print("\n")?;
    }
    let report: Arc<dyn Fn(&Applied) + Send + Sync> = Arc::new(move |applied: &Applied| {
        if text {
            // Reporting must not stop the writes; a closed stdout only loses the echo.
            let _ = terminal::print(&format!("{}\n", outcome_line(applied)));
        }
    });
    let results = runtime.block_on(xacct_aws::apply(
        session,
        plan,
        usize::from(args.live.parallelism),
        replanner,
        report,
    ));
    let failed = results
        .iter()
        .filter(|applied| applied.outcome.is_err())
        .count();
    if !text {
        terminal::print(&format!("{:#}\n", report_json(&results)))?;
        return Ok(if failed > 0 {
            Status::Error
        } else {
            Status::Success
        });
    }
    let (added, changed, destroyed) = counts(&results);
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

/// (added, changed, destroyed) among the writes that happened.
fn counts(results: &[Applied]) -> (usize, usize, usize) {
    let count = |action| {
        results
            .iter()
            .filter(|applied| applied.outcome.is_ok() && applied.action == action)
            .count()
    };
    (
        count(ChangeAction::Create),
        count(ChangeAction::Update),
        count(ChangeAction::Delete),
    )
}

/// `address: created (Operation)`, `address: failed (Code): why` or
/// `address: skipped: why`.
fn outcome_line(applied: &Applied) -> String {
    let address = &applied.address;
    match (&applied.outcome, applied.status()) {
        (Ok(()), _) => {
            let done = match applied.action {
                ChangeAction::Create => "created",
                ChangeAction::Update => "updated",
                ChangeAction::Delete => "destroyed",
                ChangeAction::NoOp => "unchanged",
            };
            format!("{address}: {done} ({})", applied.operation)
        }
        (Err(error), WriteStatus::Skipped) => format!("{address}: skipped: {error}"),
        (Err(error), _) => format!(
            "{address}: failed ({}): {error}",
            error.code().unwrap_or(applied.operation)
        ),
    }
}

fn report_json(results: &[Applied]) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = results
        .iter()
        .map(|applied| {
            let error = applied.outcome.as_ref().err();
            json!({
                "address": applied.address.to_string(),
                "action": applied.action.as_str(),
                "operation": applied.operation,
                "status": applied.status().as_str(),
                "error_code": error.and_then(xacct_aws::Error::code),
                "message": error.map(ToString::to_string),
            })
        })
        .collect();
    let with_status = |status| results.iter().filter(|a| a.status() == status).count();
    let (added, changed, destroyed) = counts(results);
    json!({
        "format_version": render::FORMAT_VERSION,
        "results": entries,
        "summary": {
            "add": added,
            "change": changed,
            "destroy": destroyed,
            "failed": with_status(WriteStatus::Failed),
            "skipped": with_status(WriteStatus::Skipped),
        },
    })
}
