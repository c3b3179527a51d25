use xacct_engine::render::{self, Style};

use crate::commands::{live_plan, Status};
use crate::flags::{Format, PlanArgs};

pub fn exec(args: &PlanArgs, color: bool) -> anyhow::Result<Status> {
    let (_runtime, live) = live_plan(&args.live)?;
    match args.format {
        Format::Text => print!("{}", render::plan_text(&live.plan, Style { color })),
        Format::Json => println!("{:#}", render::plan_json(&live.plan)),
    }
    Ok(if args.detailed_exitcode && live.plan.has_changes() {
        Status::Changes
    } else {
        Status::Success
    })
}
