//! Per-account credentials: an account reached through a named profile
//! (`role_arn` + `source_profile` in the shared config file).

use crate::support::{
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
    let before = emu.assumed_roles().len();
    ws.apply();
    // The run assumed the data account's deployer role (through the profile:
    // there are no other credentials), and only that role.
    let assumed: Vec<(String, String)> = emu.assumed_roles().split_off(before);
    assert!(
        !assumed.is_empty()
            && assumed
                .iter()
                .all(|(role, account)| role == &deployer_role(DATA) && account == DATA),
        "roles assumed by apply: {assumed:?}"
    );

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
