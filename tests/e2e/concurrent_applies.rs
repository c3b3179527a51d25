//! Two teams' xacct runs (different `sid_prefix`) on one bucket policy: a run
//! that planned before the other one wrote still ends with both teams'
//! statements, because every write is planned again from a read made just
//! before it.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{
    assert_converged, deny_insecure_transport, sids, spec_accounts, Emulator, Workspace, DATA,
};
use serde_json::json;

fn team_spec(prefix: &str, actions: &str) -> String {
    format!(
        "{}sid_prefix: {prefix}\nbuckets:\n  shared-bucket:\n    account: data\n    access:\n      - sid: {prefix}Read\n        principals: [control]\n        actions: {actions}\n",
        spec_accounts()
    )
}

#[tokio::test]
async fn a_run_that_planned_before_another_wrote_keeps_the_other_runs_statements() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "shared-bucket").await;
    let foreign = deny_insecure_transport("shared-bucket");
    emu.put_bucket_policy(
        DATA,
        "shared-bucket",
        &json!({"Version": "2012-10-17", "Statement": [foreign]}),
    )
    .await;
    let alpha = Workspace::new(&emu);
    alpha.write_spec(&team_spec("Alpha", "[s3:GetObject]"));
    let beta = Workspace::new(&emu);
    beta.write_spec(&team_spec("Beta", "[s3:ListBucket]"));

    // Beta plans on a terminal (util-linux `script` gives it one) and waits
    // at the approval prompt ...
    let mut command = Command::new("script");
    command.args([
        "-q",
        "-e",
        "-c",
        &format!("{} apply", env!("CARGO_BIN_EXE_xacct")),
        "/dev/null",
    ]);
    beta.prepare(&mut command);
    let mut beta_run = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start script(1)");
    let (lines, received) = mpsc::channel();
    let stdout = beta_run.stdout.take().expect("stdout");
    // The prompt has no newline, so pass on whatever arrives.
    std::thread::spawn(move || {
        let mut stdout = stdout;
        let mut buffer = [0u8; 4096];
        while let Ok(read @ 1..) = stdout.read(&mut buffer) {
            let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
            if lines.send(text).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    while !seen.contains("Enter a value") {
        let part = received
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("beta never asked for approval: {seen}"));
        seen.push_str(&part);
    }
    assert!(seen.contains("Plan: 1 to add"), "{seen}");

    // ... while Alpha applies its statement to the same policy ...
    alpha.apply();

    // ... then Beta is approved: it writes over a policy that changed since
    // it planned, and must merge with it, not overwrite it.
    let mut stdin = beta_run.stdin.take().expect("stdin");
    stdin.write_all(b"yes\n").expect("answer yes");
    drop(stdin);
    let status = beta_run.wait().expect("beta finished");
    let rest: String = received.iter().collect();
    assert!(status.success(), "beta failed: {seen}{rest}");
    assert!(rest.contains("Apply complete!"), "{rest}");

    let policy = emu
        .get_bucket_policy(DATA, "shared-bucket")
        .await
        .expect("a policy");
    assert_eq!(
        sids(&policy),
        ["SecurityTeamDenyInsecureTransport", "AlphaRead", "BetaRead"],
        "{policy}"
    );
    assert_converged(&alpha);
    assert_converged(&beta);
}
