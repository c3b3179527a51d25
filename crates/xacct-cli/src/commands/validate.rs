use crate::commands::{load_spec, Status};
use crate::flags::SpecArgs;

pub fn exec(args: &SpecArgs) -> anyhow::Result<Status> {
    let spec = load_spec(&args.file)?.spec;
    crate::terminal::print(&format!(
        "{} is valid: {} account{}, {} bucket{}, {} topic{}, {}.\n",
        args.file.display(),
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
