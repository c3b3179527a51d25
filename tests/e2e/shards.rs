//! `--account` and `--shard I/N`: a run over some of the spec's accounts
//! reads and writes only their documents; N shards are disjoint and together
//! cover exactly the unsharded plan; a shard with nothing to do says so.

use std::collections::BTreeSet;

use crate::support::{create_topic, deployer_role, Emulator, Workspace, CONTROL, DATA, REGION};
use serde_json::Value;

const MORE: [&str; 2] = ["333333333333", "444444444444"];

/// Four accounts: the control account and three data accounts, each with a
/// bucket granting the control account; the first data account's topic is
/// notified by a bucket of the second (a dependency across accounts).
fn spec() -> String {
    let mut yaml = String::from("version: 1\naccounts:\n");
    for (name, id) in [
        ("control", CONTROL),
        ("data", DATA),
        ("data2", MORE[0]),
        ("data3", MORE[1]),
    ] {
        yaml += &format!(
            "  {name}:\n    id: \"{id}\"\n    role_arn: {}\n    region: {REGION}\n",
            deployer_role(id)
        );
    }
    yaml += "buckets:\n";
    for account in ["data", "data2", "data3"] {
        yaml += &format!(
            "  {account}-bucket:\n    account: {account}\n    access:\n      - sid: QuiltRead\n        \
             principals: [\"arn:aws:iam::{CONTROL}:role/QuiltLambdaRole\"]\n        actions: [s3:GetObject]\n"
        );
    }
    yaml += "    notifications: { sns_topic: quilt-events, events: [\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"] }\n";
    yaml += "sns_topics:\n  quilt-events: { account: data, name: quilt-events }\n";
    yaml
}

async fn world() -> (Emulator, Workspace) {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "data-bucket").await;
    for (index, id) in MORE.iter().enumerate() {
        emu.create_bucket(id, &format!("data{}-bucket", index + 2))
            .await;
    }
    create_topic(&emu, DATA, "quilt-events").await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec());
    (emu, ws)
}

/// The pending addresses of `plan --format json` with `extra` flags.
fn planned(ws: &Workspace, extra: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(extra);
    let run = ws.xacct(&args);
    run.expect_code(0);
    let document: Value = serde_json::from_str(&run.stdout).expect("plan JSON");
    document["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|change| change["address"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn shards_are_disjoint_and_together_cover_the_whole_plan() {
    let (_emu, ws) = world().await;
    let whole = planned(&ws, &[]);
    assert_eq!(whole.len(), 7, "{whole:?}");
    let mut empty_shard_seen = false;
    for count in [2, 3, 5] {
        let mut union = BTreeSet::new();
        for index in 0..count {
            let shard = format!("{index}/{count}");
            let part = planned(&ws, &["--shard", &shard]);
            assert!(
                union.is_disjoint(&part),
                "shard {shard} overlaps the others: {part:?}"
            );
            if part.is_empty() {
                let run = ws.xacct(&["plan", "--shard", &shard]);
                run.expect_code(0);
                assert!(run.stderr.contains("nothing to do"), "{run}");
                empty_shard_seen = true;
            }
            union.extend(part);
        }
        assert_eq!(union, whole, "the {count} shards cover the whole plan");
    }
    assert!(empty_shard_seen, "5 shards of 4 accounts leave one empty");
}

#[tokio::test]
async fn an_account_run_reads_and_writes_only_that_accounts_documents() {
    let (emu, ws) = world().await;
    assert_eq!(
        planned(&ws, &["--account", "data3"]),
        BTreeSet::from([
            "s3_bucket_notification.data3-bucket".to_string(),
            "s3_bucket_policy.data3-bucket".to_string(),
        ])
    );
    let unknown = ws.xacct(&["plan", "--account", "nope"]);
    assert_eq!(unknown.code, 1, "{unknown}");
    assert!(
        unknown
            .stderr
            .contains("--account \"nope\" is not an account of the spec"),
        "{unknown}"
    );

    // The notification of data3's bucket needs the topic policy of account
    // data (S3 checks it may publish): run alone first, it fails saying so,
    // and after data's run it goes through: shards converge in any order.
    let alone = ws.xacct(&["apply", "--auto-approve", "--account", "data3"]);
    assert_eq!(alone.code, 1, "{alone}");
    assert!(
        alone
            .stdout
            .contains("s3_bucket_notification.data3-bucket: failed"),
        "{alone}"
    );
    assert!(
        emu.get_bucket_policy(MORE[1], "data3-bucket")
            .await
            .is_some(),
        "what does not depend on the other account is written"
    );
    ws.xacct(&["apply", "--auto-approve", "--account", "data"])
        .expect_code(0);
    ws.xacct(&["apply", "--auto-approve", "--account", "data3"])
        .expect_code(0);
    let rest = ws.xacct(&["apply", "--auto-approve", "--account", "data2"]);
    rest.expect_code(0);
    let converged = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(converged.code, 0, "{converged}");
}
