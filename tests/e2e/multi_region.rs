//! Buckets, topics and the trail in different regions: every call goes to
//! the region the spec gives (a bucket's `region`, else its account's), and a
//! bucket that lives elsewhere stops the run with the fix, writing nothing.
//! The emulator answers as AWS does: a bucket only answers clients of its own
//! region (tests/emulator/patches/s3_regions.py). The three-region world is
//! examples/multi-region.yaml, so the example is known to apply and converge.

use crate::support::{
    self, assert_converged, basic_selectors, bucket_policy_text_with, cloudtrail_client,
    create_topic_in, data_bucket, ownership_with, sids, spec_accounts, spec_with_buckets,
    topic_policy_in, Emulator, Workspace, CONTROL, DATA, REGION,
};
use aws_sdk_s3::error::ProvideErrorMetadata;
use serde_json::Value;

/// The guide's loop: `for region in us-east-1 us-west-2 eu-west-1`.
const REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];
const TRAIL: &str = "quilt-trail";
const TOPIC: &str = "quilt-events";

fn bucket_in(region: &str) -> String {
    format!("quilt-data-{region}")
}

/// examples/multi-region.yaml with the test accounts (reached through the
/// emulator's roles): a bucket and a topic per region, every bucket
/// notifying its own region's topic and logged on one trail in us-east-1.
fn three_region_spec() -> String {
    let path = support::workspace_root().join("examples/multi-region.yaml");
    let example =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let resources = example
        .find("\nbuckets:")
        .map(|start| &example[start + 1..])
        .expect("the example has a buckets: section after its accounts");
    for region in REGIONS {
        assert!(
            resources.contains(&bucket_in(region)),
            "the example has a bucket in {region}"
        );
    }
    spec_accounts() + resources
}

/// A multi-region trail (a single-region one would only log its own
/// region's data events) in the control account, logging to a bucket there.
async fn create_multi_region_trail(emu: &Emulator) {
    let logs = format!("{TRAIL}-logs");
    emu.create_bucket(CONTROL, &logs).await;
    cloudtrail_client(emu, CONTROL)
        .await
        .create_trail()
        .name(TRAIL)
        .s3_bucket_name(&logs)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create trail {TRAIL}: {e:?}"));
}

#[tokio::test]
async fn apply_converges_with_buckets_and_topics_in_three_regions_on_one_trail() {
    let emu = Emulator::start();
    let mut topics = Vec::new();
    for region in REGIONS {
        // Pre-2023 buckets (no ownership controls), so ownership is written too.
        emu.create_bucket_in(DATA, &bucket_in(region), region, None)
            .await;
        topics.push(create_topic_in(&emu, DATA, TOPIC, region).await);
    }
    create_multi_region_trail(&emu).await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&three_region_spec());
    ws.apply();
    assert_converged(&ws);

    for (region, topic_arn) in REGIONS.into_iter().zip(&topics) {
        let bucket = bucket_in(region);
        assert!(
            topic_arn.starts_with(&format!("arn:aws:sns:{region}:{DATA}:")),
            "{topic_arn}"
        );
        // Read back as the data account, through a client of the bucket's region.
        let s3 = emu.s3_in(DATA, region).await;
        assert_eq!(
            ownership_with(&s3, &bucket).await.as_deref(),
            Some("BucketOwnerEnforced"),
            "{bucket}"
        );
        let policy: Value = serde_json::from_str(
            &bucket_policy_text_with(&s3, &bucket)
                .await
                .unwrap_or_else(|| panic!("{bucket} has a policy")),
        )
        .expect("policy is JSON");
        assert_eq!(sids(&policy), ["QuiltCrossAccountAccess"], "{bucket}");
        let notifications = s3
            .get_bucket_notification_configuration()
            .bucket(&bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get notifications of {bucket}: {e:?}"));
        let notified: Vec<&str> = notifications
            .topic_configurations()
            .iter()
            .map(|c| c.topic_arn())
            .collect();
        assert_eq!(
            notified,
            [topic_arn.as_str()],
            "{bucket} notifies its own region's topic"
        );

        let topic_sids = sids(&topic_policy_in(&emu, DATA, region, topic_arn).await);
        assert!(
            topic_sids
                .iter()
                .any(|sid| sid == "QuiltCrossAccountSNSAccess"),
            "{topic_arn}: {topic_sids:?}"
        );
    }

    let logged: Vec<String> = basic_selectors(&emu, CONTROL, TRAIL)
        .await
        .iter()
        .flat_map(|selector| selector.data_resources())
        .flat_map(|resource| resource.values())
        .cloned()
        .collect();
    for region in REGIONS {
        let value = format!("arn:aws:s3:::{}/", bucket_in(region));
        assert!(logged.contains(&value), "{value} on the trail: {logged:?}");
    }
}

#[tokio::test]
async fn a_bucket_in_another_region_than_the_spec_says_stops_the_run_with_the_fix() {
    let emu = Emulator::start();
    // The spec leaves this bucket in the accounts' region (us-east-1).
    emu.create_bucket_in(DATA, "genomics", "eu-west-1", Some("ObjectWriter"))
        .await;
    emu.create_bucket_in(DATA, "analytics", REGION, Some("ObjectWriter"))
        .await;
    let buckets = [
        data_bucket(
            "genomics",
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
        data_bucket(
            "analytics",
            Some("BucketOwnerEnforced"),
            Some(("QuiltCrossAccountAccess", "quilt")),
        ),
    ];

    // As on AWS: a client of the wrong region is redirected, told the region.
    let refused = emu
        .s3_in(DATA, REGION)
        .await
        .get_bucket_policy()
        .bucket("genomics")
        .send()
        .await
        .expect_err("a us-east-1 client cannot read an eu-west-1 bucket");
    assert_eq!(refused.code(), Some("PermanentRedirect"));
    assert_eq!(
        refused
            .raw_response()
            .and_then(|raw| raw.headers().get("x-amz-bucket-region")),
        Some("eu-west-1")
    );

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&buckets));
    for args in [&["plan"][..], &["apply", "--auto-approve"]] {
        let run = ws.xacct(args);
        run.expect_code(1);
        for kind in ["s3_bucket_policy", "s3_ownership_controls"] {
            let expected = format!(
                "{kind}.genomics: bucket genomics is in eu-west-1, but the spec puts it in \
                 us-east-1 (set region: eu-west-1 on the bucket)"
            );
            assert!(run.stderr.contains(&expected), "{expected} in: {run}");
        }
        assert!(
            !run.stderr.contains(".analytics:"),
            "only genomics is wrong: {run}"
        );
    }

    // Nothing written, to either bucket.
    let eu = emu.s3_in(DATA, "eu-west-1").await;
    let us = emu.s3_in(DATA, REGION).await;
    for (s3, bucket) in [(&eu, "genomics"), (&us, "analytics")] {
        assert_eq!(
            ownership_with(s3, bucket).await.as_deref(),
            Some("ObjectWriter"),
            "{bucket}"
        );
        assert_eq!(bucket_policy_text_with(s3, bucket).await, None, "{bucket}");
    }

    // The fix the message names makes the run go through.
    let fixed = buckets[0].replace(
        "    account: data\n",
        "    account: data\n    region: eu-west-1\n",
    );
    ws.write_spec(&spec_with_buckets(&[fixed, buckets[1].clone()]));
    ws.apply();
    assert_converged(&ws);
    assert_eq!(
        ownership_with(&eu, "genomics").await.as_deref(),
        Some("BucketOwnerEnforced")
    );
    assert!(bucket_policy_text_with(&eu, "genomics").await.is_some());
}
