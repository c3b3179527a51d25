use xacct_engine::verify::{self, Status as CheckStatus};
use xacct_reconcile::VerifyOptions;

use crate::commands::{runtime, Status};
use crate::flags::{Format, VerifyArgs};
use crate::terminal;

/// Static checks from the live documents, then the live probes under
/// Ctrl-C: an interrupted run still deletes its test objects, reports what
/// it found, and exits 130.
pub fn exec(args: &VerifyArgs) -> anyhow::Result<Status> {
    let spec = xacct_reconcile::load(&args.spec.file)?.spec;
    let options = VerifyOptions {
        control: args.control.clone(),
        targets: args.targets.clone(),
        parallelism: usize::from(args.parallelism),
        probes: !args.no_probes,
        scope: args.scope.scope(),
    };
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No signal handler: never interrupted.
            std::future::pending::<()>().await;
        }
    };
    let progress = terminal::Progress::new("reading live state");
    let verified = runtime()?.block_on(xacct_reconcile::verify(
        &spec,
        &options,
        &|step| progress.show(step),
        interrupt,
    ));
    progress.finish();
    let verified = verified?;
    if verified.interrupted {
        eprintln!(
            "Interrupted: the probes were stopped and their test objects deleted \
             (a `could not be deleted` line would say otherwise)."
        );
    }
    match args.format {
        Format::Text => terminal::print(&verify::verify_text(&verified.results))?,
        Format::Json => terminal::print(&format!(
            "{:#}\n",
            verify::verify_json(&verified.results, verified.interrupted)
        ))?,
    }
    let failed = verified
        .results
        .iter()
        .any(|result| result.status == CheckStatus::Fail);
    Ok(if verified.interrupted {
        Status::Interrupted
    } else if failed {
        Status::Error
    } else {
        Status::Success
    })
}
