use crate::commands::{lint_gate, lint_severity, load_spec, Status};
use crate::flags::ValidateArgs;

pub fn exec(args: &ValidateArgs) -> anyhow::Result<Status> {
    let loaded = load_spec(&args.spec.file)?;
    let severity = lint_severity(args.strict);
    lint_gate(
        loaded
            .findings
            .iter()
            .map(|finding| finding.report(severity))
            .collect(),
        args.strict,
        &args.spec.file.display().to_string(),
        "the spec is valid, but not least-privilege",
    )?;
    let spec = loaded.spec;
    crate::terminal::print(&format!(
        "{} is valid: {} account{}, {} bucket{}, {} topic{}, {}.\n",
        args.spec.file.display(),
        spec.accounts.len(),
        plural(spec.accounts.len()),
        spec.buckets.len(),
        plural(spec.buckets.len()),
        spec.sns_topics.len(),
        plural(spec.sns_topics.len()),
        match &spec.cloudtrail {
            Some(trail) => format!("trail {}", trail.trail),
            None => "no trail".to_string(),
        }
    ))?;
    Ok(Status::Success)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
