use std::sync::Arc;

use serde_json::json;
use xacct_engine::render::{self, Style};
use xacct_engine::ChangeAction;
use xacct_reconcile::{Applied, WriteStatus};

use crate::commands::show::read_plan_file;
use crate::commands::{plan_live, run_options, runtime, Status};
use crate::flags::{ApplyArgs, Format};
use crate::terminal;

/// A live apply plans first and asks on a terminal; a document that changes
/// before its write is planned again from its new content. A saved plan is
/// applied exactly (see [`exec_saved`]).
pub fn exec(args: &ApplyArgs, color: bool) -> anyhow::Result<Status> {
    if let Some(path) = &args.plan_file {
        return exec_saved(args, path);
    }
    // Refuse before reading anything: an unattended run without
    // --auto-approve is a pipeline mistake, not a question to wait on.
    if !args.auto_approve && !terminal::stdin_is_terminal() {
        anyhow::bail!(
            "refusing to apply without approval: stdin is not a terminal; \
             pass --auto-approve to apply unattended (nothing was changed)"
        );
    }
    let loaded = xacct_reconcile::load(&args.live.spec.file)?;
    let runtime = runtime()?;
    let live = runtime.block_on(plan_live(&loaded, &run_options(&args.live, false, false)))?;
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
    let pending = live.plan.pending().count();
    report(args, pending, |reporter| {
        runtime.block_on(xacct_reconcile::apply_live(
            &live,
            usize::from(args.live.parallelism),
            reporter,
        ))
    })
}

/// Applies a plan saved by `plan --out`, exactly: refused whole if the spec
/// or any document it touches changed since it was made, and a document
/// that changes under it is refused, never planned again.
fn exec_saved(args: &ApplyArgs, path: &std::path::Path) -> anyhow::Result<Status> {
    let file = read_plan_file(path)?;
    let loaded = xacct_reconcile::load(&args.live.spec.file)?;
    let parallelism = usize::from(args.live.parallelism);
    let runtime = runtime()?;
    let session = runtime.block_on(xacct_reconcile::open_saved(
        &loaded,
        &file,
        path,
        parallelism,
    ))?;
    report(args, file.plan.pending().count(), |reporter| {
        runtime.block_on(xacct_reconcile::apply_saved(
            &session,
            &file,
            parallelism,
            reporter,
        ))
    })
}

/// Runs `apply` with a reporter echoing each write (text), then renders the
/// outcome; exit 1 when any write did not happen.
fn report(
    args: &ApplyArgs,
    pending: usize,
    apply: impl FnOnce(Arc<dyn Fn(&Applied) + Send + Sync>) -> Vec<Applied>,
) -> anyhow::Result<Status> {
    let text = args.format == Format::Text;
    if pending == 0 {
        if !text {
            terminal::print(&format!("{:#}\n", report_json(&[])))?;
        }
        return Ok(Status::Success);
    }
    if text {
        terminal::print("\n")?;
    }
    // Text prints each write as it lands; JSON prints once at the end, so a
    // terminal gets a progress line meanwhile.
    let progress = Arc::new(terminal::Progress::new("applying"));
    let shown = Arc::clone(&progress);
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reporter: Arc<dyn Fn(&Applied) + Send + Sync> = Arc::new(move |applied: &Applied| {
        if text {
            // Reporting must not stop the writes; a closed stdout only loses the echo.
            let _ = terminal::print(&format!("{}\n", outcome_line(applied)));
        } else {
            let done = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            shown.show_done(done, pending, &applied.address.to_string());
        }
    });
    let results = apply(reporter);
    progress.finish();
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
                "error_code": error.and_then(xacct_reconcile::WriteError::code),
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
