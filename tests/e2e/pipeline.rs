//! The pipeline as a library: `xacct-reconcile` driven in-process against
//! the emulator, step by step as the binary drives it (load, plan from live
//! state, apply, plan again; a saved plan refused when its document moved).

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};

use xacct_engine::{ChangeAction, PlanFile};
use xacct_reconcile::{Error, RunOptions, WriteStatus};

use crate::support::{
    data_bucket, deny_insecure_transport, sids, spec_with_buckets, Emulator, Workspace, DATA,
};

/// The SDK reads its endpoint and credentials from the process environment,
/// so in-process runs take turns; child processes of other tests start from
/// an empty environment and never see it.
static AWS_ENVIRONMENT: Mutex<()> = Mutex::const_new(());

async fn aws_environment_of(ws: &Workspace) -> MutexGuard<'static, ()> {
    let guard = AWS_ENVIRONMENT.lock().await;
    for (key, value) in ws.base_env() {
        if key != "PATH" {
            std::env::set_var(key, value);
        }
    }
    guard
}

/// The security team's policy: a TLS-only Deny.
fn foreign_policy() -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport("library-data")]
    })
}

fn options() -> RunOptions {
    RunOptions {
        parallelism: 8,
        targets: Vec::new(),
        allow_lockout: false,
        lint_documents: true,
        scope: Default::default(),
        report_unread: false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_library_plans_applies_converges_and_refuses_a_stale_saved_plan() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "library-data").await;
    emu.put_bucket_policy(DATA, "library-data", &foreign_policy())
        .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "library-data",
        Some("BucketOwnerEnforced"),
        Some(("QuiltCrossAccountAccess", "quilt")),
    )]));
    let _environment = aws_environment_of(&ws).await;
    let loaded = xacct_reconcile::load(&ws.path().join("deploy.yaml")).expect("the spec loads");

    let live = xacct_reconcile::plan_live(&loaded.spec, &options(), &|_| {})
        .await
        .expect("plans");
    let actions: Vec<(String, ChangeAction)> = live
        .plan
        .pending()
        .map(|change| (change.address.to_string(), change.action))
        .collect();
    // New buckets already enforce bucket ownership (as on AWS since 2023).
    assert_eq!(
        actions,
        [(
            "s3_bucket_policy.library-data".to_string(),
            ChangeAction::Create
        )]
    );
    assert_eq!(
        live.plan.changes.len(),
        3,
        "ownership, policy and notifications were read and planned"
    );

    let applied = xacct_reconcile::apply_live(&live, 8, Arc::new(|_| {})).await;
    let statuses: Vec<WriteStatus> = applied.iter().map(|applied| applied.status()).collect();
    assert_eq!(statuses, [WriteStatus::Applied]);
    let policy = emu
        .get_bucket_policy(DATA, "library-data")
        .await
        .expect("a policy");
    let mut found = sids(&policy);
    found.sort();
    assert_eq!(
        found,
        [
            "QuiltCrossAccountAccess",
            "SecurityTeamDenyInsecureTransport"
        ],
        "the other team's statement is kept next to ours"
    );

    let again = xacct_reconcile::plan_live(&loaded.spec, &options(), &|_| {})
        .await
        .expect("plans again");
    assert!(!again.plan.has_changes(), "{:?}", again.plan);

    // A saved plan whose document changes before it is applied is refused
    // whole, naming what moved.
    emu.delete_bucket_policy(DATA, "library-data").await;
    let pending = xacct_reconcile::plan_live(&loaded.spec, &options(), &|_| {})
        .await
        .expect("plans the repair");
    let file = PlanFile::new(
        pending.plan,
        "deploy.yaml".into(),
        loaded.digest.clone(),
        "test".into(),
        pending.checked_at,
    );
    emu.put_bucket_policy(DATA, "library-data", &foreign_policy())
        .await;
    let refused = xacct_reconcile::open_saved(&loaded, &file, std::path::Path::new("plan.json"), 8)
        .await
        .err()
        .expect("a stale plan is refused");
    match refused {
        Error::StalePlan { changed, .. } => {
            let changed: Vec<String> = changed.iter().map(ToString::to_string).collect();
            assert_eq!(changed, ["s3_bucket_policy.library-data"]);
        }
        other => panic!("expected a stale plan, got {other}"),
    }
}
