use xacct_engine::render::{self, ReadError, Style};

use crate::commands::{plan_live, run_options, runtime, Status};
use crate::flags::{DriftArgs, DriftFormat};
use crate::terminal;

/// A plan that is only reported: drift never writes, so read-only
/// credentials (`xacct permissions --mode drift`) are enough.
pub fn exec(args: &DriftArgs, color: bool) -> anyhow::Result<Status> {
    crate::metrics_file::measured(args.metrics.metrics_file.as_deref(), |tally| {
        run(args, color, tally)
    })
}

fn run(args: &DriftArgs, color: bool, tally: &mut Option<render::Tally>) -> anyhow::Result<Status> {
    let loaded = xacct_reconcile::load(&args.live.spec.file)?;
    // JUnit reports a document that cannot be read as an error testcase.
    let junit = args.format == DriftFormat::Junit;
    let runtime = runtime()?;
    let live = runtime.block_on(plan_live(&loaded, &run_options(&args.live, false, junit)))?;
    *tally = Some(render::Tally::of(&live.plan));
    match args.format {
        DriftFormat::Text => terminal::print(&render::drift_text(&live.plan, Style { color }))?,
        DriftFormat::Json => terminal::print(&format!(
            "{:#}\n",
            render::drift_json(&live.plan, &live.checked_at)
        ))?,
        DriftFormat::Junit => {
            let unread: Vec<ReadError> = live
                .unread
                .iter()
                .map(|(document, error)| ReadError {
                    address: document.address.clone(),
                    location: document.location.clone(),
                    message: error.to_string(),
                })
                .collect();
            terminal::print(&render::drift_junit(&live.plan, &unread, &live.checked_at))?;
        }
    }
    if let (Some(url), true) = (&args.notify, live.plan.has_changes()) {
        let alert = render::drift_notification(&live.plan, &live.checked_at);
        if let Err(error) = runtime.block_on(xacct_aws::post_json(url, &alert)) {
            eprintln!("error: {error}");
        }
    }
    if !live.unread.is_empty() {
        anyhow::bail!(
            "{} managed document{} could not be read (errors in the report)",
            live.unread.len(),
            if live.unread.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if live.plan.has_changes() {
        Status::Changes
    } else {
        Status::Success
    })
}
