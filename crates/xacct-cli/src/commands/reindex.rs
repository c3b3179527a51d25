use crate::commands::{runtime, Status};
use crate::flags::ReindexArgs;

/// Starts re-indexing; the catalog works on it in the background.
pub fn exec(args: &ReindexArgs) -> anyhow::Result<Status> {
    let spec = xacct_reconcile::load(&args.spec.file)?.spec;
    runtime()?.block_on(xacct_reconcile::reindex(
        &spec,
        &args.bucket,
        args.prefix.as_deref(),
    ))?;
    match &args.prefix {
        Some(prefix) => eprintln!(
            "The catalog started re-indexing keys of {} starting with {prefix:?}.",
            args.bucket
        ),
        None => eprintln!(
            "The catalog started re-indexing all of {} (its search finds nothing until it is done).",
            args.bucket
        ),
    }
    Ok(Status::Success)
}
