//! Guide step 5: `quilt_bucket.<bucket>`, the bucket's listing in the Quilt
//! catalog, planned, applied, drift-checked, verified and removed like the
//! AWS settings, against the catalog stand-in (a real GraphQL server that
//! checks, as the catalog does, that the control account can read the
//! bucket and use its topic).

use serde_json::{json, Value};

use crate::support::{
    assert_converged, create_topic, spec_accounts, topic_spec, Catalog, Emulator, Workspace,
    CATALOG_KEY, CATALOG_REFRESH_TOKEN, DATA, TOPIC_ACTIONS,
};

const BUCKET: &str = "catalog-data";
const TOPIC: &str = "quilt-events";

/// The data bucket, granted to the control account when `granted`, notifying
/// the topic, listed in the catalog with `catalog` (YAML lines under
/// `catalog:`, or ` false`).
fn spec(catalog: &Catalog, granted: bool, listing: &str) -> String {
    let access = if granted {
        "    access:\n      - sid: QuiltCrossAccountAccess\n        principals: [control]\n        actions: quilt\n"
    } else {
        ""
    };
    format!(
        "{accounts}quilt:\n  registry_url: {url}\nbuckets:\n  {BUCKET}:\n    account: data\n\
         \x20   object_ownership: BucketOwnerEnforced\n{access}\
         \x20   notifications:\n      sns_topic: {TOPIC}\n\
         \x20     events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]\n\
         \x20   catalog:{listing}\n{topics}",
        accounts = spec_accounts(),
        url = catalog.url(),
        topics = topic_spec(TOPIC, TOPIC_ACTIONS),
    )
}

const LISTING: &str =
    "\n      title: Raw data\n      tags: [genomics, raw]\n      relevance_score: 10";

/// The emulator with the data bucket and its topic, the catalog stand-in,
/// and a workspace holding the admin key in `QUILT_API_KEY`.
async fn world() -> (Emulator, Catalog, Workspace) {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    let topic = create_topic(&emu, DATA, TOPIC).await;
    assert!(topic.ends_with(TOPIC));
    let catalog = Catalog::start(&emu);
    let mut ws = Workspace::new(&emu);
    ws.set_env("QUILT_API_KEY", CATALOG_KEY);
    (emu, catalog, ws)
}

fn topic_arn() -> String {
    format!("arn:aws:sns:us-east-1:{DATA}:{TOPIC}")
}

#[tokio::test]
async fn a_bucket_is_added_updated_caught_drifting_and_removed_from_the_catalog() {
    let (_emu, catalog, ws) = world().await;
    ws.write_spec(&spec(&catalog, true, LISTING));

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(
        plan.stdout.contains(&format!("quilt_bucket.{BUCKET}")),
        "the plan shows the listing: {plan}"
    );
    assert!(plan.stdout.contains("title = \"Raw data\""), "{plan}");
    assert_eq!(catalog.bucket_config(BUCKET), None, "plan wrote nothing");

    ws.apply();
    let listed = catalog.bucket_config(BUCKET).expect("listed after apply");
    assert_eq!(listed["title"], "Raw data");
    assert_eq!(listed["tags"], json!(["genomics", "raw"]));
    assert_eq!(listed["relevanceScore"], 10);
    assert_eq!(listed["snsNotificationArn"], topic_arn().as_str());
    assert_converged(&ws);

    // Someone sets a description in the admin page; the spec does not
    // manage it, so changing the title keeps it.
    catalog.set_fields(BUCKET, &json!({"description": "set by hand"}));
    ws.write_spec(&spec(
        &catalog,
        true,
        &LISTING.replace("Raw data", "Raw instrument data"),
    ));
    let plan = ws.xacct(&["plan", "--format", "json"]);
    plan.expect_code(0);
    let json: Value = serde_json::from_str(&plan.stdout).expect("plan json");
    let change = json["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|change| change["address"] == format!("quilt_bucket.{BUCKET}"))
        .expect("the listing's change")
        .clone();
    assert_eq!(change["action"], "update", "{change:#}");
    assert_eq!(change["before"]["title"], "Raw data");
    assert_eq!(change["after"]["title"], "Raw instrument data");
    assert_eq!(change["after"]["description"], "set by hand");
    ws.apply();
    let updated = catalog.bucket_config(BUCKET).expect("still listed");
    assert_eq!(updated["title"], "Raw instrument data");
    assert_eq!(
        updated["description"], "set by hand",
        "a key the spec leaves out is kept"
    );
    assert_converged(&ws);

    // Drift: the title changed in the catalog, caught, then repaired.
    catalog.set_fields(BUCKET, &json!({"title": "Changed by hand"}));
    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift.stdout.contains(&format!("quilt_bucket.{BUCKET}")),
        "{drift}"
    );
    assert!(
        drift
            .stdout
            .contains("\"Changed by hand\" -> \"Raw instrument data\""),
        "{drift}"
    );
    ws.apply();
    assert_eq!(
        catalog.bucket_config(BUCKET).expect("listed")["title"],
        "Raw instrument data"
    );
    assert_converged(&ws);

    // `catalog: false` removes it, and nothing else.
    ws.write_spec(&spec(&catalog, true, " false"));
    let plan = ws.xacct(&["plan"]);
    assert!(
        plan.stdout
            .contains(&format!("quilt_bucket.{BUCKET} will be destroyed"))
            && plan.stdout.contains("- title = \"Raw instrument data\""),
        "{plan}"
    );
    ws.apply();
    assert_eq!(
        catalog.bucket_config(BUCKET),
        None,
        "removed from the catalog"
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn registration_without_the_control_accounts_grant_fails_clearly_then_succeeds_once_granted()
{
    let (_emu, catalog, ws) = world().await;
    ws.write_spec(&spec(&catalog, false, LISTING));
    let run = ws.xacct(&["apply", "--auto-approve"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains(&format!(
            "quilt_bucket.{BUCKET}: failed (InsufficientPermissions)"
        )) && run
            .stdout
            .contains("`access:` grant to the control account"),
        "the failure names the address, the catalog's answer and what to do: {run}"
    );
    assert_eq!(catalog.bucket_config(BUCKET), None);

    ws.write_spec(&spec(&catalog, true, LISTING));
    ws.apply();
    assert_eq!(
        catalog.bucket_config(BUCKET).expect("listed")["title"],
        "Raw data"
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn the_catalog_key_never_reaches_outputs_logs_plan_files_or_errors() {
    let (_emu, catalog, mut ws) = world().await;
    ws.set_env("RUST_LOG", "trace");
    ws.write_spec(&spec(&catalog, true, LISTING));
    let mut outputs = Vec::new();
    for args in [
        &["-vv", "plan", "--out", "saved.plan"][..],
        &["-vv", "show", "saved.plan", "--format", "json"][..],
        &["-vv", "apply", "--auto-approve", "saved.plan"][..],
        &["-vv", "drift", "--format", "json"][..],
        &["-vv", "verify", "--no-probes"][..],
    ] {
        let run = ws.xacct(args);
        assert!(matches!(run.code, 0 | 2), "{run}");
        outputs.push(format!("{}{}", run.stdout, run.stderr));
    }
    assert!(
        catalog.bucket_config(BUCKET).is_some(),
        "the saved plan was applied"
    );
    let plan_file = std::fs::read_to_string(ws.path().join("saved.plan")).expect("plan file");
    outputs.push(plan_file);
    // A refused key: the error says so without echoing it.
    ws.set_env("QUILT_API_KEY", "qk_wrong_key_never_echo_me");
    let refused = ws.xacct(&["-vv", "plan"]);
    refused.expect_code(1);
    assert!(
        refused
            .stderr
            .contains("refused the API key in $QUILT_API_KEY"),
        "{refused}"
    );
    outputs.push(format!("{}{}", refused.stdout, refused.stderr));
    for output in &outputs {
        assert!(!output.contains(CATALOG_KEY), "the key leaked:\n{output}");
        assert!(
            !output.contains("qk_wrong_key_never_echo_me"),
            "the key leaked:\n{output}"
        );
    }
}

#[tokio::test]
async fn a_quilt3_login_session_is_used_when_no_key_is_set() {
    let (_emu, catalog, mut ws) = world().await;
    ws.remove_env("QUILT_API_KEY");
    ws.write_spec(&spec(&catalog, true, LISTING));
    let missing = ws.xacct(&["plan"]);
    missing.expect_code(1);
    assert!(
        missing.stderr.contains("$QUILT_API_KEY is not set")
            && missing.stderr.contains("quilt3 login"),
        "{missing}"
    );
    // quilt3 keeps its sessions in appdirs' data dir, keyed by registry.
    let dir = ws.path().join(".local/share/Quilt");
    std::fs::create_dir_all(&dir).expect("quilt3 data dir");
    let sessions = json!({ catalog.url(): {
        "access_token": CATALOG_KEY,
        "refresh_token": "unused",
        "expires_at": 4_102_444_800.0_f64,
    }});
    std::fs::write(dir.join("auth.json"), sessions.to_string()).expect("auth.json");
    ws.apply();
    assert!(catalog.bucket_config(BUCKET).is_some());

    // An expired session is renewed with its refresh token, as quilt3 does,
    // and the new pair saved for quilt3 (the old refresh token is spent).
    let expired = json!({ catalog.url(): {
        "access_token": "expired-access-token",
        "refresh_token": CATALOG_REFRESH_TOKEN,
        "expires_at": 1_000_000_000.0_f64,
    }});
    std::fs::write(dir.join("auth.json"), expired.to_string()).expect("auth.json");
    assert_converged(&ws);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("auth.json")).expect("auth.json"))
            .expect("json");
    let session = &saved[catalog.url()];
    assert_eq!(session["access_token"], CATALOG_KEY);
    assert_ne!(session["refresh_token"], CATALOG_REFRESH_TOKEN);
    assert!(session["expires_at"].as_f64().expect("expiry") > 1_000_000_000.0);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("auth.json"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
}

#[tokio::test]
async fn verify_checks_the_listing_and_its_topic_and_reindex_reaches_the_catalog() {
    let (_emu, catalog, ws) = world().await;
    ws.write_spec(&spec(&catalog, true, LISTING));
    ws.apply();
    let verified = ws.xacct(&["verify", "--no-probes"]);
    verified.expect_code(0);
    assert!(
        verified
            .stdout
            .contains(&format!("the catalog lists it with topic {}", topic_arn())),
        "{verified}"
    );

    catalog.set_fields(BUCKET, &json!({"snsNotificationArn": null}));
    let verified = ws.xacct(&["verify", "--no-probes"]);
    verified.expect_code(1);
    assert!(
        verified
            .stdout
            .contains("the catalog lists it with topic (none)"),
        "{verified}"
    );

    let run = ws.xacct(&["reindex", BUCKET, "--prefix", "data/"]);
    run.expect_code(0);
    assert_eq!(
        catalog.reindexed(),
        json!([{"bucket": BUCKET, "prefix": "data/", "repair": null}])
    );
    let unknown = ws.xacct(&["reindex", "not-in-the-catalog"]);
    unknown.expect_code(1);
    assert!(unknown.stderr.contains("does not list bucket"), "{unknown}");
}

#[test]
fn catalog_spec_errors_name_the_key_and_change_nothing() {
    let ws = Workspace::with_endpoint("http://127.0.0.1:9");
    let yaml = format!(
        "{}quilt:\n  registry_url: registry.example.com\nbuckets:\n  {BUCKET}:\n    account: data\n\
         \x20   notifications:\n      sns_topic: arn:aws:sns:us-east-1:{DATA}:{TOPIC}\n\
         \x20     events: [\"s3:ObjectCreated:*\"]\n\
         \x20   catalog:\n      description: no title\n      index_content_bytes: 5000000\n",
        spec_accounts()
    );
    ws.write_spec(&yaml);
    let run = ws.xacct(&["validate"]);
    run.expect_code(1);
    for part in [
        "registry_url of quilt \"registry.example.com\" is not an http(s) URL",
        "missing key \"title\" in catalog of bucket \"catalog-data\"",
        "index_content_bytes of catalog of bucket \"catalog-data\" must be between 0 and 1048576",
        "do not cover object removal",
    ] {
        assert!(run.stderr.contains(part), "{part:?} missing: {run}");
    }
}

#[tokio::test]
async fn a_catalog_write_whose_answer_is_lost_is_recognised_by_the_re_read_and_not_sent_again() {
    let (_emu, catalog, ws) = world().await;
    // Every catalog mutation reaches the catalog, then its answer is lost.
    let config = xacct_fault_proxy::Config::new(&catalog.url())
        .only(&["catalog"])
        .writes_only(true)
        .rates(xacct_fault_proxy::FaultRates {
            reset_after: 1.0,
            ..xacct_fault_proxy::FaultRates::none()
        });
    let proxy = xacct_fault_proxy::FaultProxy::start(config).expect("fault proxy");
    let through_proxy = spec(&catalog, true, LISTING).replace(&catalog.url(), &proxy.endpoint());
    ws.write_spec(&through_proxy);
    let run = ws.xacct(&["apply", "--auto-approve"]);
    run.expect_code(0);
    assert_eq!(
        catalog.bucket_config(BUCKET).expect("listed")["title"],
        "Raw data"
    );
    let stats = proxy.stats();
    assert_eq!(
        stats.count("catalog", "bucketAdd"),
        1,
        "sent once: {}",
        stats.to_json()
    );
    assert!(
        stats.count("catalog", "bucketConfig") >= 2,
        "re-read after the lost answer"
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn a_saved_plan_is_refused_when_the_listing_changed_since_and_targets_select_it() {
    let (_emu, catalog, ws) = world().await;
    ws.write_spec(&spec(&catalog, true, LISTING));
    ws.apply();
    ws.write_spec(&spec(
        &catalog,
        true,
        &LISTING.replace("Raw data", "Curated"),
    ));
    let targeted = ws.xacct(&[
        "plan",
        "--target",
        &format!("quilt_bucket.{BUCKET}"),
        "--out",
        "saved.plan",
    ]);
    targeted.expect_code(0);
    assert!(
        targeted
            .stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{targeted}"
    );

    catalog.set_fields(BUCKET, &json!({"description": "edited after the plan"}));
    let stale = ws.xacct(&["apply", "--auto-approve", "saved.plan"]);
    stale.expect_code(1);
    assert!(
        stale.stderr.contains("the saved plan is stale")
            && stale.stderr.contains(&format!("quilt_bucket.{BUCKET}")),
        "{stale}"
    );
    let listed = catalog.bucket_config(BUCKET).expect("listed");
    assert_eq!(listed["title"], "Raw data", "nothing was written");
    assert_eq!(listed["description"], "edited after the plan");
}
