//! CloudTrail data events of the spec's buckets on an existing trail: values
//! added beside other teams' on a basic trail, our own selector beside
//! foreign ones on an advanced trail, drift caught and repaired, trails named
//! by ARN.

use crate::support::{
    assert_converged, cloudtrail_client, create_trail, other_team_basic_selectors,
    put_basic_selectors, spec_accounts, Emulator, Workspace, AUDIT_FUNCTION, CONTROL, DATA,
    OTHER_TEAM_VALUE, REGION,
};
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
};

const OURS: [&str; 2] = ["arn:aws:s3:::quilt-data-a/", "arn:aws:s3:::quilt-data-b/"];

/// The data buckets and a trail (with its log bucket) in the control
/// account; returns the trail's ARN. A new trail has AWS's default selector.
async fn world(emu: &Emulator, trail: &str) -> String {
    emu.create_bucket(DATA, "quilt-data-a").await;
    emu.create_bucket(DATA, "quilt-data-b").await;
    create_trail(emu, CONTROL, trail).await
}

fn spec(trail: &str, mode: &str, buckets_logged: bool) -> String {
    format!(
        "{}buckets:\n\
         \x20 quilt-data-a:\n\
         \x20   account: data\n\
         \x20   cloudtrail: {buckets_logged}\n\
         \x20 quilt-data-b:\n\
         \x20   account: data\n\
         \x20   cloudtrail: {buckets_logged}\n\
         cloudtrail:\n\
         \x20 trail: {trail}\n\
         \x20 account: control\n\
         \x20 region: {REGION}\n\
         \x20 selector_mode: {mode}\n",
        spec_accounts()
    )
}

fn condition(field: &str, equals: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector::builder()
        .field(field)
        .set_equals(Some(equals.iter().map(|v| v.to_string()).collect()))
        .build()
        .expect("field selector")
}

/// The security team's selector, which must survive every write of ours.
fn security_team_selector() -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name("SecurityTeamLambdaEvents")
        .field_selectors(condition("eventCategory", &["Data"]))
        .field_selectors(condition("resources.type", &["AWS::Lambda::Function"]))
        .build()
        .expect("advanced selector")
}

fn management_selector() -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name("Management events selector")
        .field_selectors(condition("eventCategory", &["Management"]))
        .build()
        .expect("advanced selector")
}

async fn put_advanced(emu: &Emulator, trail: &str, selectors: Vec<AdvancedEventSelector>) {
    cloudtrail_client(emu, CONTROL)
        .await
        .put_event_selectors()
        .trail_name(trail)
        .set_advanced_event_selectors(Some(selectors))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put advanced selectors on {trail}: {e:?}"));
}

/// The trail's (basic, advanced) selectors as stored.
async fn selectors(
    emu: &Emulator,
    trail: &str,
) -> (Vec<EventSelector>, Vec<AdvancedEventSelector>) {
    let out = cloudtrail_client(emu, CONTROL)
        .await
        .get_event_selectors()
        .trail_name(trail)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get selectors of {trail}: {e:?}"));
    (
        out.event_selectors().to_vec(),
        out.advanced_event_selectors().to_vec(),
    )
}

fn sorted(values: &[String]) -> Vec<String> {
    let mut values = values.to_vec();
    values.sort();
    values
}

/// The S3 object values of a basic selector.
fn s3_values(selector: &EventSelector) -> Vec<String> {
    let values: Vec<String> = selector
        .data_resources()
        .iter()
        .filter(|r| r.r#type() == Some("AWS::S3::Object"))
        .flat_map(|r| r.values().to_vec())
        .collect();
    sorted(&values)
}

fn named<'a>(
    selectors: &'a [AdvancedEventSelector],
    name: &str,
) -> Option<&'a AdvancedEventSelector> {
    selectors.iter().find(|s| s.name() == Some(name))
}

/// Checks our selector logs exactly the declared buckets' objects.
fn assert_is_our_selector(selector: &AdvancedEventSelector) {
    let field = |name: &str| {
        selector
            .field_selectors()
            .iter()
            .find(|f| f.field() == name)
            .unwrap_or_else(|| panic!("no {name} in {selector:?}"))
    };
    assert_eq!(field("eventCategory").equals(), ["Data"]);
    assert_eq!(field("resources.type").equals(), ["AWS::S3::Object"]);
    assert_eq!(sorted(field("resources.ARN").starts_with()), OURS);
    assert_eq!(selector.field_selectors().len(), 3, "{selector:?}");
}

#[tokio::test]
async fn basic_trail_gets_our_values_beside_another_teams() {
    let emu = Emulator::start();
    world(&emu, "quilt-trail").await;
    put_basic_selectors(&emu, CONTROL, "quilt-trail", other_team_basic_selectors()).await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("quilt-trail", "basic", true));
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("cloudtrail_event_selectors.quilt-trail"),
        "plan names the trail: {plan}"
    );
    assert!(
        plan.stdout.contains(OURS[0]),
        "plan shows our value: {plan}"
    );
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );

    ws.apply();
    let (basic, advanced) = selectors(&emu, "quilt-trail").await;
    assert!(advanced.is_empty(), "no advanced selectors: {advanced:?}");
    assert_eq!(basic.len(), 2, "{basic:?}");
    let mut expected = vec![OTHER_TEAM_VALUE.to_string()];
    expected.extend(OURS.map(str::to_string));
    assert_eq!(s3_values(&basic[0]), sorted(&expected));
    assert_eq!(basic[0].read_write_type(), Some(&ReadWriteType::All));
    assert_eq!(basic[0].include_management_events(), Some(true));
    // The other team's Lambda selector is exactly as it was.
    assert_eq!(basic[1], other_team_basic_selectors()[1]);

    assert_converged(&ws);
    ws.xacct(&["drift"]).expect_code(0);
}

#[tokio::test]
async fn advanced_trail_gets_our_selector_beside_a_foreign_one() {
    let emu = Emulator::start();
    world(&emu, "security-trail").await;
    put_advanced(
        &emu,
        "security-trail",
        vec![management_selector(), security_team_selector()],
    )
    .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("security-trail", "advanced", true));
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(plan.stdout.contains("QuiltS3DataEvents"), "{plan}");

    ws.apply();
    let (basic, advanced) = selectors(&emu, "security-trail").await;
    assert!(basic.is_empty(), "no basic selectors: {basic:?}");
    assert_eq!(advanced.len(), 3, "{advanced:?}");
    assert_eq!(advanced[0], management_selector());
    assert_eq!(advanced[1], security_team_selector());
    assert_is_our_selector(named(&advanced, "QuiltS3DataEvents").expect("our selector"));
    assert_converged(&ws);

    // No bucket is logged any more: our selector goes, the others stay.
    ws.write_spec(&spec("security-trail", "advanced", false));
    ws.apply();
    let (_, advanced) = selectors(&emu, "security-trail").await;
    assert_eq!(advanced, [management_selector(), security_team_selector()]);
    assert_converged(&ws);
}

#[tokio::test]
async fn advanced_mode_converts_a_basic_trail_carrying_every_selector_over() {
    let emu = Emulator::start();
    world(&emu, "quilt-trail").await;
    put_basic_selectors(&emu, CONTROL, "quilt-trail", other_team_basic_selectors()).await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("quilt-trail", "advanced", true));
    let plan = ws.xacct(&["plan"]);
    plan.expect_code(0);
    assert!(plan.stdout.contains("converted"), "plan says so: {plan}");

    ws.apply();
    let (basic, advanced) = selectors(&emu, "quilt-trail").await;
    assert!(
        basic.is_empty(),
        "basic selectors were converted: {basic:?}"
    );
    assert_is_our_selector(named(&advanced, "QuiltS3DataEvents").expect("our selector"));
    // The other team's bucket and function are still logged.
    let logs = |value: &str| {
        advanced.iter().any(|s| {
            s.field_selectors().iter().any(|f| {
                f.field() == "resources.ARN"
                    && (f.starts_with().iter().chain(f.equals()).any(|v| v == value))
            })
        })
    };
    assert!(logs(OTHER_TEAM_VALUE), "{advanced:?}");
    assert!(logs(AUDIT_FUNCTION), "{advanced:?}");
    assert!(
        advanced.iter().any(|s| s
            .field_selectors()
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals() == ["Management"])),
        "management events are still logged: {advanced:?}"
    );
    assert_converged(&ws);
}

#[tokio::test]
async fn out_of_band_removal_of_our_basic_value_is_drift_and_repaired() {
    let emu = Emulator::start();
    world(&emu, "quilt-trail").await;
    put_basic_selectors(&emu, CONTROL, "quilt-trail", other_team_basic_selectors()).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("quilt-trail", "auto", true));
    ws.apply();
    assert_converged(&ws);

    // Someone puts back the other team's selectors, dropping our values.
    put_basic_selectors(&emu, CONTROL, "quilt-trail", other_team_basic_selectors()).await;
    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift
            .stdout
            .contains("cloudtrail_event_selectors.quilt-trail"),
        "drift names the address: {drift}"
    );
    ws.apply();
    let (basic, _) = selectors(&emu, "quilt-trail").await;
    let mut expected = vec![OTHER_TEAM_VALUE.to_string()];
    expected.extend(OURS.map(str::to_string));
    assert_eq!(s3_values(&basic[0]), sorted(&expected));
    assert_eq!(basic[1], other_team_basic_selectors()[1]);
    assert_converged(&ws);
}

#[tokio::test]
async fn out_of_band_removal_of_our_advanced_selector_is_drift_and_repaired() {
    let emu = Emulator::start();
    world(&emu, "security-trail").await;
    put_advanced(&emu, "security-trail", vec![security_team_selector()]).await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec("security-trail", "auto", true));
    ws.apply();
    assert_converged(&ws);

    put_advanced(&emu, "security-trail", vec![security_team_selector()]).await;
    let drift = ws.xacct(&["drift"]);
    drift.expect_code(2);
    assert!(
        drift
            .stdout
            .contains("cloudtrail_event_selectors.security-trail"),
        "drift names the address: {drift}"
    );
    assert!(drift.stdout.contains("QuiltS3DataEvents"), "{drift}");
    ws.apply();
    let (_, advanced) = selectors(&emu, "security-trail").await;
    assert_eq!(advanced[0], security_team_selector());
    assert_is_our_selector(named(&advanced, "QuiltS3DataEvents").expect("our selector"));
    assert_converged(&ws);
}

#[tokio::test]
async fn trail_given_by_arn_works() {
    let emu = Emulator::start();
    let arn = world(&emu, "quilt-trail").await;
    assert!(arn.ends_with(":trail/quilt-trail"), "{arn}");
    // A new trail answers AWS's default selector (restored by the emulator patch).
    let (basic, advanced) = selectors(&emu, &arn).await;
    assert_eq!(basic.len(), 1, "{basic:?}");
    assert!(advanced.is_empty());

    let ws = Workspace::new(&emu);
    ws.write_spec(&spec(&arn, "auto", true));
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout
            .contains("cloudtrail_event_selectors.quilt-trail"),
        "the address names the trail: {plan}"
    );
    ws.apply();
    // Auto on a default-only trail stays basic: our values join the default selector.
    let (basic, advanced) = selectors(&emu, &arn).await;
    assert!(advanced.is_empty(), "{advanced:?}");
    assert_eq!(basic.len(), 1, "{basic:?}");
    assert_eq!(basic[0].include_management_events(), Some(true));
    assert_eq!(s3_values(&basic[0]), OURS);
    assert_converged(&ws);
}

#[tokio::test]
async fn scope_all_logs_every_bucket_with_one_selector_and_converges() {
    let emu = Emulator::start();
    world(&emu, "quilt-trail").await;
    let ws = Workspace::new(&emu);
    // A basic trail with another team's values, converted to advanced.
    put_basic_selectors(&emu, CONTROL, "quilt-trail", other_team_basic_selectors()).await;
    ws.write_spec(&format!(
        "{}\x20 scope: all\n",
        spec("quilt-trail", "auto", true)
    ));
    ws.apply();
    assert_converged(&ws);
    let selectors = cloudtrail_client(&emu, CONTROL)
        .await
        .get_event_selectors()
        .trail_name("quilt-trail")
        .send()
        .await
        .expect("selectors");
    let ours = selectors
        .advanced_event_selectors()
        .iter()
        .find(|selector| selector.name() == Some("QuiltS3DataEvents"))
        .expect("our selector");
    assert!(
        ours.field_selectors()
            .iter()
            .all(|field| field.field() != "resources.ARN"),
        "no ARN condition: every object the trail sees: {ours:?}"
    );
    assert!(
        selectors
            .advanced_event_selectors()
            .iter()
            .any(|selector| format!("{selector:?}").contains(OTHER_TEAM_VALUE)),
        "the other team's values are carried over: {selectors:?}"
    );
    let verify = ws.xacct(&["verify", "--no-probes"]);
    assert!(
        verify.stdout.contains("0 failed") && !verify.stdout.contains("\nfail "),
        "{verify}"
    );
    let refused = ws.xacct(&["validate"]);
    refused.expect_code(0);
    ws.write_spec(&format!(
        "{}\x20 scope: all\n",
        spec("quilt-trail", "basic", true)
    ));
    let basic = ws.xacct(&["validate"]);
    assert_eq!(basic.code, 1, "{basic}");
    assert!(
        basic
            .stderr
            .contains("scope: all is one advanced event selector, but selector_mode is basic"),
        "{basic}"
    );
}
