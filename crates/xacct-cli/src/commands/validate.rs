use crate::commands::{lint_gate, Status};
use crate::flags::ValidateArgs;

pub fn exec(args: &ValidateArgs) -> anyhow::Result<Status> {
    let (loaded, findings) = xacct_reconcile::load_linted(&args.spec.file)?;
    lint_gate(
        &findings,
        xacct_spec::Finding::report,
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
