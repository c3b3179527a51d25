use xacct_engine::render::{self, Style};

use crate::commands::{live_plan, Status};
use crate::flags::{Format, PlanArgs};
use crate::terminal;

pub fn exec(args: &PlanArgs, color: bool) -> anyhow::Result<Status> {
    let (_runtime, live) = live_plan(&args.live)?;
    match args.format {
        Format::Text => terminal::print(&render::plan_text(&live.plan, Style { color }))?,
        Format::Json => terminal::print(&format!("{:#}\n", render::plan_json(&live.plan)))?,
    }
    Ok(if args.detailed_exitcode && live.plan.has_changes() {
        Status::Changes
    } else {
        Status::Success
    })
}
