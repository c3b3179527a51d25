//! The reconcile pipeline over live state: spec -> desired -> selection ->
//! connect -> observe -> plan, and the two ways a plan is applied.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use xacct_aws::{DocumentRef, Session};
use xacct_engine::{
    AccountScope, Address, DesiredResource, DocumentFinding, Location, Observed, Plan, PlanFile,
    PlanOptions, Planning, Replanner, Selection,
};
use xacct_spec::{Account, Spec};

use crate::apply::{apply, Applied};
use crate::error::Error;
use crate::load::LoadedSpec;
use crate::observe::{observe, read_each, stale_changes, Progress, Unread};

/// What a live run is limited to and allowed to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many AWS calls run at once.
    pub parallelism: usize,
    /// `--target`: addresses or names; empty: everything.
    pub targets: Vec<String>,
    /// `--allow-lockout`.
    pub allow_lockout: bool,
    /// Also lint the live documents read (plan does; drift and apply do not).
    pub lint_documents: bool,
    /// `--account` / `--shard`: only the documents stored in these accounts.
    pub scope: AccountScope,
    /// A document that cannot be read is reported next to the plan of the
    /// others (drift's JUnit report: an `error` per such resource) instead
    /// of stopping the run.
    pub report_unread: bool,
}

/// A plan made from live state, with what apply needs to execute it.
pub struct LivePlan {
    pub session: Arc<Session>,
    pub plan: Plan,
    /// Plans a resource again from a fresher document during apply.
    pub replanner: Arc<Replanner>,
    /// Resources not named by a target but needed by one.
    pub pulled_in: Vec<Address>,
    /// When the live state was read (RFC 3339, UTC).
    pub checked_at: String,
    /// Lint findings in the live documents read (only when asked).
    pub document_findings: Vec<DocumentFinding>,
    /// The spec's accounts this run covered.
    pub accounts: Vec<String>,
    /// With [`RunOptions::report_unread`]: the documents that could not be
    /// read (left out of the plan).
    pub unread: Vec<Unread>,
}

/// spec -> desired -> targets -> connect -> observe -> plan. Any failure on
/// the way stops here, so nothing is ever applied from an incomplete plan.
pub async fn plan_live(
    spec: &Spec,
    options: &RunOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<LivePlan, Error> {
    let accounts = options
        .scope
        .accounts_of(spec)
        .map_err(|errors| Error::blocked("cannot select the accounts", errors))?;
    let census = Census::take(spec, &options.targets, &accounts)?;
    let plan_options = PlanOptions {
        allow_lockout: options.allow_lockout,
        ..PlanOptions::new(&spec.sid_prefix)
    };
    let checked_at = utc_now();
    // A targeted run touches only its targets: nothing is pruned; a shard
    // prunes only its own accounts.
    let pruning: Vec<&Account> = if options.targets.is_empty() {
        spec.accounts
            .values()
            .filter(|account| account.prune && accounts.contains(&account.name))
            .collect()
    } else {
        Vec::new()
    };
    let session = connect(
        spec,
        census
            .accounts
            .iter()
            .map(String::as_str)
            .chain(pruning.iter().map(|account| account.name.as_str())),
    )
    .await?;
    let unlisted = discover_unlisted(&session, spec, &pruning).await?;
    let unlisted_addresses: BTreeSet<Address> =
        unlisted.iter().map(|r| r.address.clone()).collect();
    let total = census.resources + unlisted.len();
    // One concurrent pass over the declared documents and pruning's: each
    // slice is built as its read starts, planned (and its document linted)
    // as the document arrives, and then dropped with it unless apply may
    // have to plan it again (it writes). Memory stays flat however many
    // resources are in sync.
    let resources = xacct_engine::declared(spec)
        .filter_map(Result::ok)
        .filter(|resource| census.reads(&resource.address, &resource.location.account))
        .chain(unlisted)
        .map(|resource| {
            let document = DocumentRef::of_resource(&resource);
            (resource, document)
        });
    let mut planning = Planning::with_capacity(&plan_options, total);
    let mut replannable = Vec::new();
    let mut unread = Vec::new();
    let mut document_findings = Vec::new();
    read_each(
        &session,
        resources,
        total,
        options.parallelism,
        progress,
        |resource, document, result| match result {
            Ok(observed) => {
                if options.lint_documents {
                    document_findings.extend(xacct_engine::lint_document(
                        &spec.sid_prefix,
                        &document.address,
                        &observed,
                    ));
                }
                if planning.add(&resource, &observed) {
                    replannable.push(resource);
                }
            }
            Err(error) => unread.push((document, error)),
        },
    )
    .await;
    unread.sort_by_key(|(_, error): &Unread| error.to_string());
    document_findings.sort_by(|a, b| a.address.cmp(&b.address));
    let (unread_unlisted, unread): (Vec<Unread>, Vec<Unread>) = unread
        .into_iter()
        .partition(|(document, _)| unlisted_addresses.contains(&document.address));
    if !unread.is_empty() && !options.report_unread {
        let errors = unread.into_iter().map(|(_, error)| error).collect();
        return Err(Error::blocked("cannot read the live state", errors));
    }
    let mut plan = planning
        .finish()
        .map_err(|errors| Error::blocked("cannot plan", errors))?;
    // A document pruning cannot read is named and left alone, like one it
    // cannot plan.
    plan.not_pruned
        .extend(unread_unlisted.iter().map(|(_, error)| error.to_string()));
    xacct_engine::ignore::set_aside(&mut plan, &spec.ignore, today());
    Ok(LivePlan {
        session,
        plan,
        replanner: Arc::new(Replanner::new(&plan_options, replannable)),
        pulled_in: census.selection.pulled_in,
        checked_at,
        document_findings,
        accounts,
        unread,
    })
}

/// What a run covers, counted in one pass over the spec's declarations
/// before any read; no slice is kept.
struct Census<'a> {
    selection: Selection,
    /// The accounts the run may read (`--account`, `--shard`).
    in_scope: &'a [String],
    /// How many declared resources the run reads.
    resources: usize,
    /// The accounts they are stored in.
    accounts: BTreeSet<String>,
}

impl<'a> Census<'a> {
    /// Every declaration is built once here, so one the spec cannot build
    /// stops the run before anything is read.
    fn take(spec: &Spec, targets: &[String], in_scope: &'a [String]) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let mut outline = Vec::new();
        for declared in xacct_engine::declared(spec) {
            match declared {
                Ok(resource) => outline.push((
                    resource.address,
                    resource.depends_on,
                    resource.location.account,
                )),
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(Error::blocked("cannot plan", errors));
        }
        let selection = xacct_engine::select(
            outline
                .iter()
                .map(|(address, depends_on, _)| (address, depends_on.as_slice())),
            targets,
        )
        .map_err(|errors| Error::blocked("cannot select the targets", errors))?;
        let mut census = Census {
            selection,
            in_scope,
            resources: 0,
            accounts: BTreeSet::new(),
        };
        outline.retain(|(address, _, account)| census.reads(address, account));
        census
            .selection
            .pulled_in
            .retain(|pulled| outline.iter().any(|(address, _, _)| address == pulled));
        census.resources = outline.len();
        census.accounts = outline.into_iter().map(|(_, _, account)| account).collect();
        Ok(census)
    }

    /// Whether the run reads the document at `address`, stored in `account`:
    /// it is selected, and its account is this run's (another shard's
    /// documents are not read, not written; a dependency there is that
    /// shard's to write first).
    fn reads(&self, address: &Address, account: &str) -> bool {
        self.in_scope.iter().any(|name| name == account) && self.selection.contains(address)
    }
}

/// The resources pruning reads: for each pruning account, its buckets and
/// topics (in the regions the spec uses for it) that the spec does not list.
/// A listing that fails stops the run: pruning was asked for and cannot be
/// done.
async fn discover_unlisted(
    session: &Arc<Session>,
    spec: &Spec,
    pruning: &[&Account],
) -> Result<Vec<DesiredResource>, Error> {
    let mut tasks = tokio::task::JoinSet::new();
    for account in pruning {
        let session = Arc::clone(session);
        let home = Location {
            account: account.name.clone(),
            account_id: account.id.clone(),
            region: account.region.clone(),
        };
        let regions = xacct_engine::prune::topic_regions(spec, &account.name);
        tasks.spawn(async move {
            xacct_aws::discover(&session, &home, &regions)
                .await
                .map(|found| (home.account, found))
        });
    }
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok((account, found))) => resources.extend(xacct_engine::prune::unlisted_resources(
                spec, &account, &found,
            )),
            Ok(Err(error)) => errors.push(error),
            Err(panic) => std::panic::resume_unwind(panic.into_panic()),
        }
    }
    if !errors.is_empty() {
        return Err(Error::blocked("cannot prune", errors));
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(resources)
}

/// Applies a live plan: a document that changed since it was read is planned
/// again from its new content, so concurrent runs owning different
/// statements both end up in it.
pub async fn apply_live(
    live: &LivePlan,
    parallelism: usize,
    report: Arc<dyn Fn(&Applied) + Send + Sync>,
) -> Vec<Applied> {
    apply(
        &live.session,
        &live.plan,
        parallelism,
        Some(Arc::clone(&live.replanner)),
        report,
    )
    .await
}

/// Checks a saved plan against today's spec and live state, and connects
/// for it: refused whole, before any write, if the spec or any document it
/// touches changed since it was made.
pub async fn open_saved(
    loaded: &LoadedSpec,
    file: &PlanFile,
    plan_path: &std::path::Path,
    parallelism: usize,
) -> Result<Arc<Session>, Error> {
    if loaded.digest != file.spec_digest {
        return Err(Error::SpecChanged {
            plan_file: plan_path.to_path_buf(),
            spec: loaded.path.clone(),
        });
    }
    let session = connect(
        &loaded.spec,
        file.plan
            .pending()
            .map(|change| change.location.account.as_str()),
    )
    .await?;
    let changed = stale_changes(&session, &file.plan, parallelism)
        .await
        .map_err(|errors| Error::blocked("cannot re-read the live state", errors))?;
    if !changed.is_empty() {
        return Err(Error::StalePlan {
            changed,
            created_at: file.created_at.clone(),
        });
    }
    Ok(session)
}

/// Applies a saved, reviewed plan exactly: a document that changes under it
/// is refused as stale, never planned again.
pub async fn apply_saved(
    session: &Arc<Session>,
    file: &PlanFile,
    parallelism: usize,
    report: Arc<dyn Fn(&Applied) + Send + Sync>,
) -> Vec<Applied> {
    apply(session, &file.plan, parallelism, None, report).await
}

/// A session for the named accounts, or one error listing every account
/// that could not be reached.
pub async fn connect<'a>(
    spec: &Spec,
    accounts: impl IntoIterator<Item = &'a str>,
) -> Result<Arc<Session>, Error> {
    Session::connect(spec, accounts)
        .await
        .map(Arc::new)
        .map_err(|errors| Error::blocked("cannot connect to AWS", errors))
}

/// Every document, read concurrently, or one error listing every read that
/// failed.
pub async fn read_live(
    session: &Arc<Session>,
    documents: &[DocumentRef],
    parallelism: usize,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<BTreeMap<Address, Observed>, Error> {
    observe(session, documents, parallelism, progress)
        .await
        .map_err(|errors| Error::blocked("cannot read the live state", errors))
}

/// Today's date (UTC), against which `ignore:` entries expire.
pub fn today() -> xacct_spec::Date {
    let date = time::OffsetDateTime::now_utc().date();
    xacct_spec::Date {
        year: u16::try_from(date.year()).unwrap_or(u16::MAX),
        month: u8::from(date.month()),
        day: date.day(),
    }
}

/// The current time as RFC 3339 UTC, to the second (`2026-11-29T05:04:55Z`).
pub fn utc_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_now_is_rfc3339_to_the_second() {
        let now = super::utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
        assert_eq!(&now[10..11], "T");
    }
}
