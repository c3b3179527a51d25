//! The harness on its own: a private moto_server, two accounts by STS
//! assume-role, and a bucket created the way AWS creates it today.

use crate::support::{self, Emulator, CONTROL, DATA};

#[tokio::test]
async fn emulator_gives_two_accounts_and_aws_like_buckets() {
    let emu = Emulator::start();

    for account in [CONTROL, DATA] {
        let who = emu
            .sts(account)
            .await
            .get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity");
        assert_eq!(
            who.account(),
            Some(account),
            "assumed role maps to {account}"
        );
        assert!(
            who.arn().unwrap_or_default().contains("xacct-deployer"),
            "caller is the deployer role: {:?}",
            who.arn()
        );
    }

    emu.create_bucket(DATA, "harness-data").await;
    assert_eq!(
        emu.get_ownership(DATA, "harness-data").await.as_deref(),
        Some("BucketOwnerEnforced")
    );
    assert_eq!(emu.get_bucket_policy(DATA, "harness-data").await, None);

    // The variant that leaves moto's own (non-AWS) default in place.
    emu.create_bucket_with_ownership(DATA, "harness-legacy", None)
        .await;
    assert_eq!(emu.get_ownership(DATA, "harness-legacy").await, None);

    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [support::deny_insecure_transport("harness-data")]
    });
    emu.put_bucket_policy(DATA, "harness-data", &policy).await;
    let got = emu
        .get_bucket_policy(DATA, "harness-data")
        .await
        .expect("policy stored");
    assert_eq!(
        support::statement_by_sid(&got, "SecurityTeamDenyInsecureTransport"),
        Some(support::deny_insecure_transport("harness-data"))
    );
}
