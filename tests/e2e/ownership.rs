//! S3 Object Ownership: set when declared, left alone when not.

use crate::support::{assert_converged, spec_accounts, Emulator, Workspace, DATA};

#[tokio::test]
async fn object_writer_bucket_is_set_to_bucket_owner_enforced() {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "writer-owned", Some("ObjectWriter"))
        .await;
    // A pre-2023 bucket without any ownership rule (moto's default).
    emu.create_bucket_with_ownership(DATA, "legacy-bucket", None)
        .await;
    // Not declared in the spec's ownership: must stay as it is.
    emu.create_bucket_with_ownership(DATA, "unmanaged-owner", Some("ObjectWriter"))
        .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 writer-owned:\n\
         \x20   account: data\n\
         \x20   object_ownership: BucketOwnerEnforced\n\
         \x20 legacy-bucket:\n\
         \x20   account: data\n\
         \x20   object_ownership: BucketOwnerEnforced\n\
         \x20 unmanaged-owner:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltReadOnly\n\
         \x20       principals: [control]\n\
         \x20       actions: [s3:GetObject]\n",
        spec_accounts()
    ));

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# s3_ownership_controls.writer-owned will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.stdout
            .contains("# s3_ownership_controls.legacy-bucket will be created"),
        "{plan}"
    );
    assert!(plan.stdout.contains("ObjectWriter"), "{plan}");
    assert!(plan.stdout.contains("BucketOwnerEnforced"), "{plan}");
    assert!(
        !plan
            .stdout
            .contains("s3_ownership_controls.unmanaged-owner"),
        "ownership not declared, not managed: {plan}"
    );
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    // Planning wrote nothing.
    assert_eq!(
        emu.get_ownership(DATA, "writer-owned").await.as_deref(),
        Some("ObjectWriter")
    );

    ws.apply();
    for bucket in ["writer-owned", "legacy-bucket"] {
        assert_eq!(
            emu.get_ownership(DATA, bucket).await.as_deref(),
            Some("BucketOwnerEnforced"),
            "{bucket}"
        );
    }
    assert_eq!(
        emu.get_ownership(DATA, "unmanaged-owner").await.as_deref(),
        Some("ObjectWriter")
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn other_ownership_values_can_be_declared() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "preferred-owner").await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 preferred-owner:\n\
         \x20   account: data\n\
         \x20   object_ownership: BucketOwnerPreferred\n",
        spec_accounts()
    ));
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# s3_ownership_controls.preferred-owner will be updated in-place"),
        "{plan}"
    );
    ws.apply();
    assert_eq!(
        emu.get_ownership(DATA, "preferred-owner").await.as_deref(),
        Some("BucketOwnerPreferred")
    );
    assert_converged(&ws);
}
