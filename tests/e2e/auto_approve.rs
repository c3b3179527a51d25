//! `apply` with no terminal and no `--auto-approve` refuses and changes nothing.

use crate::support::{data_bucket, spec_with_buckets, Emulator, Workspace, DATA};

#[tokio::test]
async fn apply_without_terminal_or_auto_approve_changes_nothing() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "careful-data", Some("ObjectWriter"))
        .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "careful-data",
        Some("BucketOwnerEnforced"),
        Some(("QuiltCrossAccountAccess", "quilt")),
    )]));
    ws.xacct(&["plan", "--detailed-exitcode"]).expect_code(2);

    // Workspace::xacct runs with stdin = /dev/null: not a terminal.
    let apply = ws.xacct(&["apply"]);
    apply.expect_code(1);
    assert!(
        apply.stderr.contains("--auto-approve"),
        "the refusal says how to apply unattended: {apply}"
    );
    assert!(!apply.stdout.contains("Apply complete!"), "{apply}");

    assert_eq!(emu.get_bucket_policy(DATA, "careful-data").await, None);
    assert_eq!(
        emu.get_ownership(DATA, "careful-data").await.as_deref(),
        Some("ObjectWriter")
    );
    // Still the same pending changes.
    ws.xacct(&["plan", "--detailed-exitcode"]).expect_code(2);
}
