use anyhow::Context;
use xacct_engine::render::{self, Style};
use xacct_engine::PlanFile;

use crate::commands::{lint_gate, plan_live, run_options, runtime, Status};
use crate::flags::{PlanArgs, PlanFormat};
use crate::terminal;

pub fn exec(args: &PlanArgs, color: bool) -> anyhow::Result<Status> {
    crate::metrics_file::measured(args.metrics.metrics_file.as_deref(), |tally| {
        run(args, color, tally)
    })
}

fn run(args: &PlanArgs, color: bool, tally: &mut Option<render::Tally>) -> anyhow::Result<Status> {
    let (loaded, spec_findings) = xacct_reconcile::load_linted(&args.live.spec.file)?;
    lint_gate(
        &spec_findings,
        xacct_spec::Finding::report,
        args.strict,
        &args.live.spec.file.display().to_string(),
        "nothing was read from AWS",
    )?;
    // The text plan leaves the findings to stderr, where they were just
    // printed: not held while thousands of documents are read.
    let spec_findings = match args.format {
        PlanFormat::Text => Vec::new(),
        PlanFormat::Json | PlanFormat::Markdown => spec_findings,
    };
    let live = runtime()?.block_on(plan_live(&loaded, &run_options(&args.live, true, false)))?;
    *tally = Some(render::Tally::of(&live.plan));
    let not_pruned = live.plan.not_pruned.len();
    if args.strict && not_pruned > 0 {
        anyhow::bail!(
            "{not_pruned} document{} of unlisted objects could not be read or planned for \
             pruning (an error under --strict); no plan was shown or saved",
            if not_pruned == 1 { "" } else { "s" }
        );
    }
    lint_gate(
        &live.document_findings,
        xacct_engine::DocumentFinding::report,
        args.strict,
        "the live bucket policies",
        "no plan was shown or saved, so none can be applied",
    )?;
    let has_changes = live.plan.has_changes();
    // Shown first, then moved into its file: the plan is never copied.
    match args.format {
        PlanFormat::Text => print_plan(&live.plan, args.format, color)?,
        PlanFormat::Json => {
            // What pruning could not read or plan is named here too.
            let not_pruned = live
                .plan
                .not_pruned
                .iter()
                .map(|problem| serde_json::json!({"rule": "not-pruned", "message": problem}));
            let document = render::plan_document_with_warnings(
                &live.plan,
                &spec_findings,
                &live.document_findings,
                not_pruned,
            );
            terminal::write_with(|out| document.write_to(out))?;
        }
        PlanFormat::Markdown => terminal::print(&render::plan_markdown_with_warnings(
            &live.plan,
            &spec_findings,
            &live.document_findings,
        ))?,
    }
    if let Some(out) = &args.out {
        let file = PlanFile::new(
            live.plan,
            args.live.spec.file.display().to_string(),
            loaded.digest.clone(),
            env!("CARGO_PKG_VERSION").to_string(),
            live.checked_at,
        );
        std::fs::write(out, file.to_json())
            .with_context(|| format!("cannot write the plan file {}", out.display()))?;
        eprintln!(
            "Saved the plan to {}: apply it with `xacct apply {}`.",
            out.display(),
            out.display()
        );
    }
    Ok(if args.detailed_exitcode && has_changes {
        Status::Changes
    } else {
        Status::Success
    })
}

/// Prints `plan` in `format` on stdout; a JSON document is streamed.
pub(crate) fn print_plan(
    plan: &xacct_engine::Plan,
    format: PlanFormat,
    color: bool,
) -> std::io::Result<()> {
    match format {
        PlanFormat::Text => terminal::print(&render::plan_text(plan, Style { color })),
        PlanFormat::Json => {
            terminal::write_with(|out| render::PlanDocument::new(plan, None).write_to(out))
        }
        PlanFormat::Markdown => terminal::print(&render::plan_markdown(plan)),
    }
}
