//! A progress line on stderr while a long run reads or writes, only when
//! stderr is a terminal: `script` gives the run a real pseudo-terminal, and
//! the same run with stderr piped shows nothing of it.

use std::process::{Command, Stdio};

use crate::support::{data_bucket, spec_with_buckets, Emulator, Workspace, DATA};

/// Runs `xacct ARGS` on a pseudo-terminal; the terminal's transcript.
fn on_a_terminal(ws: &Workspace, args: &str) -> String {
    let mut command = Command::new("script");
    command
        .args(["-q", "-e", "-c"])
        .arg(format!("{} {args}", env!("CARGO_BIN_EXE_xacct")))
        .arg("/dev/null")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    ws.prepare(&mut command);
    let out = command.output().expect("run script");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn progress_is_shown_on_a_terminal_and_never_in_pipes() {
    let emu = Emulator::start();
    let names = ["progress-a", "progress-b", "progress-c"];
    for bucket in names {
        emu.create_bucket(DATA, bucket).await;
    }
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&names.map(|bucket| {
        data_bucket(bucket, None, Some(("QuiltRead", "[s3:GetObject]")))
    })));

    let piped = ws.xacct(&["plan"]);
    piped.expect_code(0);
    assert!(!piped.stderr.contains("reading live state"), "{piped}");

    let plan = on_a_terminal(&ws, "plan");
    assert!(plan.contains("reading live state: "), "{plan}");
    assert!(plan.contains("/6 (account data)"), "{plan}");

    let apply = on_a_terminal(&ws, "apply --auto-approve --format json");
    assert!(apply.contains("applying: 3/3 ("), "{apply}");
    let piped = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        piped.code, 0,
        "the terminal's apply wrote everything: {piped}"
    );
}
