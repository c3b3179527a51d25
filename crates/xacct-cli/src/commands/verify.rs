use xacct_aws::DocumentRef;
use xacct_engine::verify::{self, Status as CheckStatus, Verification};
use xacct_reconcile::Problems;

use crate::commands::{runtime, Status};
use crate::flags::{Format, VerifyArgs};
use crate::terminal;

/// Static checks from the live documents, then the live probes under
/// Ctrl-C: an interrupted run still deletes its test objects, reports what
/// it found, and exits 130.
pub fn exec(args: &VerifyArgs) -> anyhow::Result<Status> {
    let spec = xacct_reconcile::load(&args.spec.file)?.spec;
    let control = verify::control_account(&spec, args.control.as_deref())?;
    let mut verification = Verification::new(&spec, control);
    verification
        .retain_targets(&args.targets)
        .map_err(|errors| {
            anyhow::anyhow!("{}", Problems::new("cannot select the targets", errors))
        })?;
    let parallelism = usize::from(args.parallelism);
    let runtime = runtime()?;
    let (mut results, interrupted) = runtime.block_on(async {
        let session = xacct_reconcile::connect(
            &spec,
            verification
                .accounts(!args.no_probes)
                .iter()
                .map(String::as_str),
        )
        .await?;
        verification.control.caller = session
            .caller(&verification.control.name)
            .map(str::to_string);
        let documents: Vec<DocumentRef> = verification
            .documents()
            .into_iter()
            .map(|(address, location, aws_id)| DocumentRef {
                address,
                location,
                aws_id,
            })
            .collect();
        let progress = terminal::Progress::new("reading live state");
        let observed = xacct_reconcile::read_live(&session, &documents, parallelism, &|step| {
            progress.show(step)
        })
        .await;
        progress.finish();
        let observed = observed?;
        let mut results = verification.judge(&observed);
        if args.no_probes {
            return anyhow::Ok((results, false));
        }
        let interrupt = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handler: never interrupted.
                std::future::pending::<()>().await;
            }
        };
        let outcome =
            xacct_aws::probe(&session, &verification.probes(), parallelism, interrupt).await;
        results.extend(verification.judge_live(&outcome));
        anyhow::Ok((results, outcome.interrupted))
    })?;
    if interrupted {
        eprintln!(
            "Interrupted: the probes were stopped and their test objects deleted \
             (a `could not be deleted` line would say otherwise)."
        );
    }
    verify::in_report_order(&mut results);
    match args.format {
        Format::Text => terminal::print(&verify::verify_text(&results))?,
        Format::Json => terminal::print(&format!(
            "{:#}\n",
            verify::verify_json(&results, interrupted)
        ))?,
    }
    Ok(if interrupted {
        Status::Interrupted
    } else if results
        .iter()
        .any(|result| result.status == CheckStatus::Fail)
    {
        Status::Error
    } else {
        Status::Success
    })
}
