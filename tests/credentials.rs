//! Per-account credentials: an account reached through a named profile
//! (`role_arn` + `source_profile` in the shared config file).

mod support;

use support::{
    actions, assert_converged, deployer_role, statement_by_sid, Emulator, Workspace, CONTROL, DATA,
    REGION,
};

#[tokio::test]
async fn profile_with_role_arn_and_source_profile_works() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "profiled-data").await;

    let mut ws = Workspace::new(&emu);
    ws.write_role_profile(
        "data",
        &deployer_role(DATA),
        "base",
        "AKIAPROFILEBASE00001",
        "profile-base-secret",
    );
    // Only the profile's source credentials exist: no static env credentials.
    ws.remove_env("AWS_ACCESS_KEY_ID");
    ws.remove_env("AWS_SECRET_ACCESS_KEY");

    ws.write_spec(&format!(
        "version: 1\n\
         accounts:\n\
         \x20 data:\n\
         \x20   id: \"{DATA}\"\n\
         \x20   profile: data\n\
         \x20   region: {REGION}\n\
         buckets:\n\
         \x20 profiled-data:\n\
         \x20   account: data\n\
         \x20   object_ownership: BucketOwnerEnforced\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [\"{CONTROL}\"]\n\
         \x20       actions: [s3:GetObject, s3:ListBucket]\n"
    ));

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("# s3_bucket_policy.profiled-data will be created"),
        "{plan}"
    );
    ws.apply();

    // Written into account 222222222222's bucket.
    let policy = emu
        .get_bucket_policy(DATA, "profiled-data")
        .await
        .expect("policy written in the data account");
    let ours = statement_by_sid(&policy, "QuiltCrossAccountAccess").expect("our statement");
    assert_eq!(
        actions(&ours),
        vec!["s3:getobject".to_string(), "s3:listbucket".to_string()]
    );
    assert_converged(&ws);

    // A profile that does not exist is a clear error, not a silent fallback.
    ws.write_spec(
        &std::fs::read_to_string(ws.path().join("deploy.yaml"))
            .unwrap()
            .replace("profile: data", "profile: nonexistent"),
    );
    let run = ws.xacct(&["plan"]);
    run.expect_code(1);
    assert!(run.stderr.contains("nonexistent"), "{run}");
}

#[tokio::test]
async fn accounts_are_really_separate_in_the_emulator() {
    // Guards the premise of every other test: a bucket of the data account is
    // not reachable as the control account, so writing "to the right bucket"
    // proves the right account's credentials were used.
    let emu = Emulator::start();
    emu.create_bucket(DATA, "separate-data").await;
    let control = emu.s3(CONTROL).await;
    let err = control
        .get_bucket_policy()
        .bucket("separate-data")
        .send()
        .await
        .expect_err("control account must not see the data account's bucket");
    let code = err
        .as_service_error()
        .and_then(|e| aws_sdk_s3::error::ProvideErrorMetadata::code(e).map(str::to_string));
    assert_eq!(code.as_deref(), Some("NoSuchBucket"), "{err:?}");
}
