use xacct_engine::render::{self, Style};

use crate::commands::{plan_live, run_options, runtime, Status};
use crate::flags::{DriftArgs, Format};
use crate::terminal;

/// A plan that is only reported: drift never writes, so read-only
/// credentials (`xacct permissions --mode drift`) are enough.
pub fn exec(args: &DriftArgs, color: bool) -> anyhow::Result<Status> {
    let loaded = xacct_reconcile::load(&args.live.spec.file)?;
    let live = runtime()?.block_on(plan_live(&loaded, &run_options(&args.live, false)))?;
    match args.format {
        Format::Text => terminal::print(&render::drift_text(&live.plan, Style { color }))?,
        Format::Json => terminal::print(&format!(
            "{:#}\n",
            render::drift_json(&live.plan, &live.checked_at)
        ))?,
    }
    Ok(if live.plan.has_changes() {
        Status::Changes
    } else {
        Status::Success
    })
}
