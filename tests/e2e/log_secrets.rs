//! Credentials never reach the logs, at any verbosity: not the base secret
//! key, not the assumed roles' secret keys or session tokens.

use crate::support::{assert_converged, data_bucket, spec_with_buckets, Emulator, Workspace, DATA};

/// Every session token moto hands out starts with this.
const MOTO_SESSION_TOKEN_PREFIX: &str = "FQoGZXIvYXdzE";
const BASE_SECRET: &str = "base-secret-9f1c2e7a-never-log-me";

#[tokio::test]
async fn credentials_never_appear_in_logs_even_at_trace_level() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "quiet-logs", Some("ObjectWriter"))
        .await;
    let mut ws = Workspace::new(&emu);
    ws.set_env("AWS_SECRET_ACCESS_KEY", BASE_SECRET);
    ws.set_env("RUST_LOG", "trace");
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "quiet-logs",
        Some("BucketOwnerEnforced"),
        Some(("QuiltRead", "[s3:GetObject]")),
    )]));

    for args in [
        &["-vv", "plan"][..],
        &["-vv", "apply", "--auto-approve"][..],
        &["-vv", "drift", "--format", "json"][..],
    ] {
        let run = ws.xacct(args);
        assert!(run.code == 0 || run.code == 2, "{run}");
        assert!(
            run.stderr.lines().count() > 100,
            "trace logging is really on: {} lines",
            run.stderr.lines().count()
        );
        let output = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !output.contains(BASE_SECRET),
            "base secret key logged by {args:?}"
        );
        assert!(
            !output.contains(MOTO_SESSION_TOKEN_PREFIX),
            "a session token was logged by {args:?}"
        );
        assert!(
            !output.contains("<SecretAccessKey>"),
            "an assumed secret key was logged by {args:?}"
        );
    }
    assert_converged(&ws);
}
