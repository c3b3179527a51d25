//! CloudTrail fixtures: clients of the emulated accounts, trails, and other
//! teams' event selectors on them.

use super::emulator::Emulator;
use super::REGION;

/// A CloudTrail client acting as the deployer role of `account`, talking to
/// the emulator directly.
pub async fn cloudtrail_client(emu: &Emulator, account: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtrail::config::Region::new(REGION))
        .endpoint_url(emu.endpoint())
        .credentials_provider(emu.assume(account).await)
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// Creates a trail in `account` logging to a new bucket `<trail>-logs`.
pub async fn create_trail(emu: &Emulator, account: &str, trail: &str) -> String {
    let logs = format!("{trail}-logs");
    emu.create_bucket(account, &logs).await;
    cloudtrail_client(emu, account)
        .await
        .create_trail()
        .name(trail)
        .s3_bucket_name(&logs)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create trail {trail}: {e:?}"))
        .trail_arn()
        .expect("trail ARN")
        .to_string()
}

/// The trail's basic event selectors as stored.
pub async fn basic_selectors(
    emu: &Emulator,
    account: &str,
    trail: &str,
) -> Vec<aws_sdk_cloudtrail::types::EventSelector> {
    cloudtrail_client(emu, account)
        .await
        .get_event_selectors()
        .trail_name(trail)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get selectors of {trail}: {e:?}"))
        .event_selectors()
        .to_vec()
}

/// Puts basic event selectors on a trail (as another team would).
pub async fn put_basic_selectors(
    emu: &Emulator,
    account: &str,
    trail: &str,
    selectors: Vec<aws_sdk_cloudtrail::types::EventSelector>,
) {
    cloudtrail_client(emu, account)
        .await
        .put_event_selectors()
        .trail_name(trail)
        .set_event_selectors(Some(selectors))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put selectors on {trail}: {e:?}"));
}

/// A basic selector logging S3 object events of `values` (`arn:aws:s3:::b/`).
pub fn s3_basic_selector(values: &[&str]) -> aws_sdk_cloudtrail::types::EventSelector {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    EventSelector::builder()
        .read_write_type(ReadWriteType::All)
        .include_management_events(true)
        .data_resources(
            DataResource::builder()
                .r#type("AWS::S3::Object")
                .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
                .build(),
        )
        .build()
}

/// Another team's S3 object value on a trail.
pub const OTHER_TEAM_VALUE: &str = "arn:aws:s3:::other-team-bucket/";
/// Another team's Lambda data resource on a trail.
pub const AUDIT_FUNCTION: &str = "arn:aws:lambda:us-east-1:111111111111:function:audit";

/// Another team's basic selectors on a trail: their bucket's object events,
/// and read events of an audit function.
pub fn other_team_basic_selectors() -> Vec<aws_sdk_cloudtrail::types::EventSelector> {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    vec![
        s3_basic_selector(&[OTHER_TEAM_VALUE]),
        EventSelector::builder()
            .read_write_type(ReadWriteType::ReadOnly)
            .include_management_events(false)
            .data_resources(
                DataResource::builder()
                    .r#type("AWS::Lambda::Function")
                    .values(AUDIT_FUNCTION)
                    .build(),
            )
            .build(),
    ]
}
