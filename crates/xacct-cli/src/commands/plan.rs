use anyhow::Context;
use xacct_engine::render::{self, Style};
use xacct_engine::PlanFile;

use crate::commands::{live_plan, Status};
use crate::flags::{PlanArgs, PlanFormat};
use crate::terminal;

pub fn exec(args: &PlanArgs, color: bool) -> anyhow::Result<Status> {
    let live = live_plan(&args.live)?;
    if let Some(out) = &args.out {
        let file = PlanFile::new(
            live.plan.clone(),
            args.live.spec.file.display().to_string(),
            &live.spec_bytes,
            env!("CARGO_PKG_VERSION").to_string(),
            live.checked_at.clone(),
        );
        std::fs::write(out, file.to_json())
            .with_context(|| format!("cannot write the plan file {}", out.display()))?;
        eprintln!(
            "Saved the plan to {}: apply it with `xacct apply {}`.",
            out.display(),
            out.display()
        );
    }
    terminal::print(&render_plan(&live.plan, args.format, color))?;
    Ok(if args.detailed_exitcode && live.plan.has_changes() {
        Status::Changes
    } else {
        Status::Success
    })
}

pub(crate) fn render_plan(plan: &xacct_engine::Plan, format: PlanFormat, color: bool) -> String {
    match format {
        PlanFormat::Text => render::plan_text(plan, Style { color }),
        PlanFormat::Json => format!("{:#}\n", render::plan_json(plan)),
        PlanFormat::Markdown => render::plan_markdown(plan),
    }
}
