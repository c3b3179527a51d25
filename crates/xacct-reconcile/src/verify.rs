//! `verify`'s pipeline: the static checks of the live documents, then the
//! live probes (which write and always delete a test object) until done or
//! interrupted.

use std::future::Future;

use xacct_aws::DocumentRef;
use xacct_engine::verify::{self, CheckResult, Verification};
use xacct_engine::AccountScope;
use xacct_spec::Spec;

use crate::error::Error;
use crate::live::{connect, read_live};
use crate::observe::Progress;

/// What `verify` checks and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The account making the probes (`--control`); `None`: found in the spec.
    pub control: Option<String>,
    /// `--target`: buckets, topics or the trail; empty: everything.
    pub targets: Vec<String>,
    pub parallelism: usize,
    /// Static checks only (`--no-probes`).
    pub probes: bool,
    /// `--account` / `--shard`: only what is stored in these accounts (the
    /// probes still use the control account's credentials).
    pub scope: AccountScope,
}

/// Every check's result in report order, and whether `interrupt` stopped
/// the probes (their test objects are deleted all the same).
#[derive(Debug)]
pub struct Verified {
    pub results: Vec<CheckResult>,
    pub interrupted: bool,
}

pub async fn verify(
    spec: &Spec,
    options: &VerifyOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
    interrupt: impl Future<Output = ()>,
) -> Result<Verified, Error> {
    let control = verify::control_account(spec, options.control.as_deref())?;
    let mut verification = Verification::new(spec, control);
    verification
        .retain_targets(&options.targets)
        .map_err(|errors| Error::blocked("cannot select the targets", errors))?;
    let accounts = options
        .scope
        .accounts_of(spec)
        .map_err(|errors| Error::blocked("cannot select the accounts", errors))?;
    verification.retain_accounts(&accounts);
    let accounts = verification.accounts(options.probes);
    let session = connect(spec, accounts.iter().map(String::as_str)).await?;
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
    let observed = read_live(&session, &documents, options.parallelism, progress).await?;
    let mut results = verification.judge(&observed);
    let mut interrupted = false;
    if options.probes {
        let probes = verification.probes();
        let outcome = xacct_aws::probe(&session, &probes, options.parallelism, interrupt).await;
        results.extend(verification.judge_live(&outcome));
        interrupted = outcome.interrupted;
    }
    verify::in_report_order(&mut results);
    Ok(Verified {
        results,
        interrupted,
    })
}
