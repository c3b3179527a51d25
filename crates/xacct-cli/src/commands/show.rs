use anyhow::Context;
use xacct_engine::PlanFile;

use crate::commands::plan::print_plan;
use crate::commands::Status;
use crate::flags::ShowArgs;

pub fn exec(args: &ShowArgs, color: bool) -> anyhow::Result<Status> {
    let file = read_plan_file(&args.plan_file)?;
    print_plan(&file.plan, args.format, color)?;
    Ok(Status::Success)
}

pub(crate) fn read_plan_file(path: &std::path::Path) -> anyhow::Result<PlanFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan file {}", path.display()))?;
    PlanFile::parse(&text).with_context(|| format!("cannot use the plan file {}", path.display()))
}
