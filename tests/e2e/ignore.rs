//! `ignore:` entries: until their date a difference is shown apart and not
//! counted (nor applied); after it, it counts again with a note; entries
//! that name nothing, or carry no real date, are errors with their position.

use crate::support::{data_bucket, spec_with_buckets, Emulator, Workspace, DATA};
use serde_json::Value;

/// A bucket whose ownership differs from the spec, with `ignore` appended.
async fn world(ignore: &str) -> (Emulator, Workspace) {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "excused-data", Some("ObjectWriter"))
        .await;
    let ws = Workspace::new(&emu);
    let spec = spec_with_buckets(&[data_bucket(
        "excused-data",
        Some("BucketOwnerEnforced"),
        None,
    )]);
    ws.write_spec(&format!("{spec}{ignore}"));
    (emu, ws)
}

fn entry(address: &str, until: &str) -> String {
    format!(
        "ignore:\n  - address: {address}\n    reason: ACL migration, ticket OPS-42\n    until: {until}\n"
    )
}

#[tokio::test]
async fn until_its_date_an_ignored_difference_is_shown_apart_and_not_counted_or_applied() {
    let (emu, ws) = world(&entry("s3_ownership_controls.excused-data", "2099-12-31")).await;
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 0, "an ignored difference is not drift: {drift}");
    assert!(
        drift
            .stdout
            .contains("No drift: all 2 managed resources match the spec."),
        "{drift}"
    );
    assert!(
        drift.stdout.contains(
            "s3_ownership_controls.excused-data would be updated in-place until 2099-12-31: \
             ACL migration, ticket OPS-42"
        ),
        "{drift}"
    );
    let json = ws.xacct(&["drift", "--format", "json"]);
    let document: Value = serde_json::from_str(&json.stdout).expect("drift JSON");
    assert_eq!(document["in_sync"], true);
    assert_eq!(document["ignored"][0]["until"], "2099-12-31");
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{plan}");
    ws.xacct(&["apply", "--auto-approve"]).expect_code(0);
    assert_eq!(
        emu.get_ownership(DATA, "excused-data").await.as_deref(),
        Some("ObjectWriter"),
        "an ignored difference is not applied"
    );
}

#[tokio::test]
async fn after_its_date_the_difference_counts_again_with_a_note() {
    let (_emu, ws) = world(&entry("s3_ownership_controls.excused-data", "2020-01-31")).await;
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 2, "{drift}");
    let plan = ws.xacct(&["plan"]);
    assert!(
        plan.stdout.contains(
            "(the ignore entry for it expired on 2020-01-31 (ACL migration, ticket OPS-42): \
             counted again)"
        ),
        "{plan}"
    );
}

#[tokio::test]
async fn an_entry_naming_nothing_or_without_a_real_date_is_an_error_at_its_position() {
    let (_emu, ws) = world(&entry("s3_bucket_policy.no-such-bucket", "2099-12-31")).await;
    for command in [&["validate"][..], &["plan"][..]] {
        let run = ws.xacct(command);
        assert_eq!(run.code, 1, "{run}");
        assert!(
            run.stderr.contains(
                "line 16, column 5: ignore entry \"s3_bucket_policy.no-such-bucket\" names no \
                 managed resource"
            ),
            "{run}"
        );
    }
    ws.write_spec(&format!(
        "{}{}",
        spec_with_buckets(&[data_bucket("excused-data", None, None)]),
        entry("s3_bucket_policy.excused-data", "2027-02-30")
    ));
    let run = ws.xacct(&["validate"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains("deploy.yaml:17:12:")
            && run
                .stderr
                .contains("\"2027-02-30\", not a date like 2027-01-31"),
        "{run}"
    );
}
