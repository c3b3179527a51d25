//! Killing `apply` at any moment leaves every document either as it was or
//! as xacct meant to write it, never half-merged, and a re-run converges:
//! each document is written by one PUT of the whole merged document.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{
    actions, assert_converged, deny_insecure_transport, spec_accounts, statement_by_sid, Emulator,
    Workspace, DATA,
};
use serde_json::{json, Value};

const BUCKETS: usize = 8;

fn bucket(n: usize) -> String {
    format!("interrupted-{n}")
}

#[tokio::test]
async fn killing_apply_at_any_point_never_leaves_a_half_written_document() {
    let emu = Emulator::start();
    let mut spec = spec_accounts() + "buckets:\n";
    for n in 0..BUCKETS {
        emu.create_bucket(DATA, &bucket(n)).await;
        spec += &format!(
            "  {}:\n    account: data\n    access:\n      - sid: QuiltRead\n        principals: [control]\n        actions: [s3:GetObject, s3:ListBucket]\n",
            bucket(n)
        );
    }
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec);

    let mut interrupted_midway = 0;
    for kill_after_ms in [0u64, 40, 80, 120, 160, 220, 300] {
        // Every round starts from only the security team's statement.
        for n in 0..BUCKETS {
            let policy = json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport(&bucket(n))]});
            emu.put_bucket_policy(DATA, &bucket(n), &policy).await;
        }
        // One write at a time, so a kill falls between writes of a run.
        let mut command = Command::new(env!("CARGO_BIN_EXE_xacct"));
        command
            .args(["apply", "--auto-approve", "--parallelism", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        ws.prepare(&mut command);
        let mut child = command.spawn().expect("start xacct");
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        let _ = child.kill();
        let _ = child.wait();

        let mut written = 0;
        for n in 0..BUCKETS {
            let name = bucket(n);
            let policy: Value = emu.get_bucket_policy(DATA, &name).await.expect("a policy");
            let statements = policy["Statement"].as_array().expect("statements");
            assert_eq!(
                statements[0],
                deny_insecure_transport(&name),
                "kill at {kill_after_ms} ms: {name}'s foreign statement is intact"
            );
            match statements.len() {
                1 => {}
                2 => {
                    let ours = statement_by_sid(&policy, "QuiltRead").expect("ours, whole");
                    let found = actions(&ours);
                    assert_eq!(
                        found,
                        ["s3:getobject", "s3:listbucket"],
                        "kill at {kill_after_ms} ms: {policy}"
                    );
                    written += 1;
                }
                _ => panic!(
                    "kill at {kill_after_ms} ms: {name} is neither before nor after: {policy}"
                ),
            }
        }
        if written > 0 && written < BUCKETS {
            interrupted_midway += 1;
        }
        // A re-run finishes the job (or finds it done).
        ws.xacct(&["apply", "--auto-approve"]).expect_code(0);
        assert_converged(&ws);
    }
    eprintln!("rounds interrupted between writes: {interrupted_midway}");
}
