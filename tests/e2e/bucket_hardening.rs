//! The guide's compliance settings: public access block, default encryption,
//! versioning, access logging (with the derived statement on the target's
//! policy) and owned tags. Each applies, converges, reports drift, and keeps
//! what others wrote.

use std::collections::BTreeMap;

use crate::support::{
    self, absent_on, assert_converged, sids, spec_accounts, statement_by_sid, Emulator, Workspace,
    DATA,
};
use aws_sdk_s3::types::{
    BucketLoggingStatus, BucketVersioningStatus, LoggingEnabled, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, VersioningConfiguration,
};
use serde_json::json;

const KMS_KEY: &str = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// A data bucket with every hardening setting, logging to `logs-bucket`.
fn hardened_spec() -> String {
    format!(
        "{}buckets:\n\
         \x20 logs-bucket:\n\
         \x20   account: data\n\
         \x20 hardened-data:\n\
         \x20   account: data\n\
         \x20   public_access_block: true\n\
         \x20   encryption:\n\
         \x20     kms_key: {KMS_KEY}\n\
         \x20   versioning: true\n\
         \x20   logging:\n\
         \x20     target_bucket: logs-bucket\n\
         \x20     prefix: access/hardened-data/\n\
         \x20   tags:\n\
         \x20     data-classification: internal\n\
         \x20     cost-center: \"1234\"\n\
         \x20     legacy-owner: null\n",
        spec_accounts()
    )
}

/// The bucket's tag set; empty only when S3 says it has none.
async fn tags_of(emu: &Emulator, bucket: &str) -> BTreeMap<String, String> {
    let result = emu
        .s3(DATA)
        .await
        .get_bucket_tagging()
        .bucket(bucket)
        .send()
        .await;
    absent_on(result, "NoSuchTagSet", &format!("get tags of {bucket}"))
        .iter()
        .flat_map(|output| output.tag_set())
        .map(|tag| (tag.key().to_string(), tag.value().to_string()))
        .collect()
}

async fn put_tags(emu: &Emulator, bucket: &str, tags: &[(&str, &str)]) {
    let tag_set = tags
        .iter()
        .map(|(key, value)| Tag::builder().key(*key).value(*value).build().expect("tag"))
        .collect();
    emu.s3(DATA)
        .await
        .put_bucket_tagging()
        .bucket(bucket)
        .tagging(
            Tagging::builder()
                .set_tag_set(Some(tag_set))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("put tags");
}

async fn versioning_of(emu: &Emulator, bucket: &str) -> Option<String> {
    let output = emu
        .s3(DATA)
        .await
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .expect("get versioning");
    output.status().map(|status| status.as_str().to_string())
}

/// A bucket set up by hand with others' tags and a security team's statement
/// on the log bucket, as the guide's readers would find it.
async fn existing_world(emu: &Emulator) {
    emu.create_bucket(DATA, "logs-bucket").await;
    emu.create_bucket(DATA, "hardened-data").await;
    put_tags(
        emu,
        "hardened-data",
        &[("owner", "security-team"), ("legacy-owner", "bob")],
    )
    .await;
    emu.put_bucket_policy(
        DATA,
        "logs-bucket",
        &json!({
            "Version": "2012-10-17",
            "Statement": [support::deny_insecure_transport("logs-bucket")]
        }),
    )
    .await;
}

#[tokio::test]
async fn every_setting_is_applied_converges_and_keeps_others_content() {
    let emu = Emulator::start();
    existing_world(&emu).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&hardened_spec());

    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    for address in [
        "s3_public_access_block.hardened-data will be created",
        "s3_encryption.hardened-data will be created",
        "s3_versioning.hardened-data will be created",
        "s3_logging.hardened-data will be created",
        "s3_tags.hardened-data will be updated in-place",
        "s3_bucket_policy.logs-bucket will be created",
    ] {
        assert!(plan.stdout.contains(address), "missing {address:?}: {plan}");
    }
    assert!(plan.stdout.contains("- legacy-owner = \"bob\""), "{plan}");
    assert!(
        plan.stdout.contains("1 tag of others kept unchanged"),
        "{plan}"
    );

    ws.apply();
    assert_converged(&ws);

    let s3 = emu.s3(DATA).await;
    let block = s3
        .get_public_access_block()
        .bucket("hardened-data")
        .send()
        .await
        .expect("public access block");
    let block = block
        .public_access_block_configuration()
        .expect("configuration");
    assert_eq!(block.block_public_acls(), Some(true));
    assert_eq!(block.restrict_public_buckets(), Some(true));

    let encryption = s3
        .get_bucket_encryption()
        .bucket("hardened-data")
        .send()
        .await
        .expect("encryption");
    let rule = &encryption
        .server_side_encryption_configuration()
        .expect("configuration")
        .rules()[0];
    let default = rule
        .apply_server_side_encryption_by_default()
        .expect("default");
    assert_eq!(default.sse_algorithm().as_str(), "aws:kms");
    assert_eq!(default.kms_master_key_id(), Some(KMS_KEY));
    assert_eq!(rule.bucket_key_enabled(), Some(true));

    assert_eq!(
        versioning_of(&emu, "hardened-data").await.as_deref(),
        Some("Enabled")
    );

    let logging = s3
        .get_bucket_logging()
        .bucket("hardened-data")
        .send()
        .await
        .expect("logging");
    let enabled = logging.logging_enabled().expect("logging on");
    assert_eq!(enabled.target_bucket(), "logs-bucket");
    assert_eq!(enabled.target_prefix(), "access/hardened-data/");

    let tags = tags_of(&emu, "hardened-data").await;
    assert_eq!(
        tags,
        BTreeMap::from([
            ("cost-center".to_string(), "1234".to_string()),
            ("data-classification".to_string(), "internal".to_string()),
            ("owner".to_string(), "security-team".to_string()),
        ]),
        "our tags set, the null key removed, others' kept"
    );

    let policy = emu
        .get_bucket_policy(DATA, "logs-bucket")
        .await
        .expect("policy");
    assert_eq!(
        sids(&policy),
        vec![
            "SecurityTeamDenyInsecureTransport",
            "QuiltS3ServerAccessLogs"
        ],
        "the security team's statement is kept: {policy}"
    );
    let logs = statement_by_sid(&policy, "QuiltS3ServerAccessLogs").expect("derived");
    assert_eq!(logs["Principal"]["Service"], "logging.s3.amazonaws.com");
    assert_eq!(
        logs["Resource"],
        "arn:aws:s3:::logs-bucket/access/hardened-data/*"
    );
    assert_eq!(
        logs["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:s3:::hardened-data"
    );
    assert_eq!(logs["Condition"]["StringEquals"]["aws:SourceAccount"], DATA);
}

#[tokio::test]
async fn out_of_band_changes_are_drift_and_apply_restores_only_ours() {
    let emu = Emulator::start();
    existing_world(&emu).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&hardened_spec());
    ws.apply();

    // Someone suspends versioning, drops the public access block, retags.
    let s3 = emu.s3(DATA).await;
    s3.put_bucket_versioning()
        .bucket("hardened-data")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .expect("suspend");
    s3.delete_public_access_block()
        .bucket("hardened-data")
        .send()
        .await
        .expect("delete block");
    // ... falls back to S3-managed keys and moves the access logs.
    s3.put_bucket_encryption()
        .bucket("hardened-data")
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::Aes256)
                                .build()
                                .expect("default"),
                        )
                        .build(),
                )
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("SSE-S3");
    s3.put_bucket_logging()
        .bucket("hardened-data")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("logs-bucket")
                        .target_prefix("access/hardened-data/moved/")
                        .build()
                        .expect("logging"),
                )
                .build(),
        )
        .send()
        .await
        .expect("move logs");
    put_tags(
        &emu,
        "hardened-data",
        &[
            ("owner", "security-team"),
            ("data-classification", "public"),
            ("cost-center", "1234"),
            ("team", "analytics"),
        ],
    )
    .await;

    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift
            .stdout
            .contains("s3_versioning.hardened-data: drifted (differs): ~ status = \"Suspended\" -> \"Enabled\""),
        "{drift}"
    );
    assert!(
        drift
            .stdout
            .contains("s3_public_access_block.hardened-data: drifted (missing)"),
        "{drift}"
    );
    assert!(
        drift.stdout.contains(
            "s3_tags.hardened-data: drifted (differs): ~ data-classification = \"public\" -> \"internal\""
        ),
        "{drift}"
    );
    assert!(
        drift.stdout.contains(
            "s3_encryption.hardened-data: drifted (differs): ~ algorithm = \"AES256\" -> \"aws:kms\"; \
             + kms_key = \"arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab\"; \
             ~ bucket_key = false -> true"
        ),
        "{drift}"
    );
    assert!(
        drift.stdout.contains(
            "s3_logging.hardened-data: drifted (differs): ~ target_prefix = \"access/hardened-data/moved/\" -> \"access/hardened-data/\""
        ),
        "{drift}"
    );
    assert!(
        drift
            .stdout
            .contains("Drift: 5 of 9 managed resources differ from the spec."),
        "{drift}"
    );

    ws.apply();
    assert_converged(&ws);
    assert_eq!(
        versioning_of(&emu, "hardened-data").await.as_deref(),
        Some("Enabled")
    );
    let tags = tags_of(&emu, "hardened-data").await;
    assert_eq!(tags["data-classification"], "internal");
    assert_eq!(tags["team"], "analytics", "a tag added by others is kept");
}

#[tokio::test]
async fn turning_settings_off_suspends_versioning_stops_logging_and_drops_the_grant() {
    let emu = Emulator::start();
    existing_world(&emu).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&hardened_spec());
    ws.apply();

    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 logs-bucket:\n\
         \x20   account: data\n\
         \x20   access: []\n\
         \x20 hardened-data:\n\
         \x20   account: data\n\
         \x20   versioning: false\n\
         \x20   logging: false\n\
         \x20   tags:\n\
         \x20     data-classification: null\n\
         \x20     cost-center: null\n",
        spec_accounts()
    ));
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("# s3_logging.hardened-data will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.stdout
            .contains("# s3_bucket_policy.logs-bucket will be destroyed"),
        "{plan}"
    );
    ws.apply();
    assert_converged(&ws);

    assert_eq!(
        versioning_of(&emu, "hardened-data").await.as_deref(),
        Some("Suspended")
    );
    let logging = emu
        .s3(DATA)
        .await
        .get_bucket_logging()
        .bucket("hardened-data")
        .send()
        .await
        .expect("logging");
    assert!(logging.logging_enabled().is_none(), "logging is off");
    let policy = emu
        .get_bucket_policy(DATA, "logs-bucket")
        .await
        .expect("policy kept");
    assert_eq!(
        sids(&policy),
        vec!["SecurityTeamDenyInsecureTransport"],
        "{policy}"
    );
    assert_eq!(
        tags_of(&emu, "hardened-data").await,
        BTreeMap::from([("owner".to_string(), "security-team".to_string())]),
        "no longer-managed settings (encryption, public access block) are left as they are"
    );
}
