//! Pieces of `deploy.yaml` for the test worlds: the two accounts, buckets of
//! the data account, a topic.

use super::{deployer_role, CONTROL, DATA, REGION};

/// `version: 1` and the two accounts, both reached by assuming the deployer
/// role from the default chain (the static test credentials).
pub fn spec_accounts() -> String {
    spec_accounts_in(REGION)
}

/// [`spec_accounts`] with both accounts in `region`, their roles named in
/// the region's partition.
pub fn spec_accounts_in(region: &str) -> String {
    let partition = xacct_spec::partition(Some(region));
    let role = |account: &str| {
        deployer_role(account).replacen("arn:aws:", &format!("arn:{partition}:"), 1)
    };
    format!(
        "version: 1\n\
         accounts:\n\
         \x20 control:\n\
         \x20   id: \"{CONTROL}\"\n\
         \x20   role_arn: {control_role}\n\
         \x20   region: {region}\n\
         \x20 data:\n\
         \x20   id: \"{DATA}\"\n\
         \x20   role_arn: {data_role}\n\
         \x20   region: {region}\n",
        control_role = role(CONTROL),
        data_role = role(DATA),
    )
}

/// One entry of a spec's `buckets:` section: a bucket of the data account,
/// with `object_ownership` when given and, when given, one `access:` grant
/// `(sid, actions)` to the control account (`actions` as YAML: `quilt`,
/// `[s3:GetObject]`).
pub fn data_bucket(name: &str, ownership: Option<&str>, grant: Option<(&str, &str)>) -> String {
    let mut yaml = format!("  {name}:\n    account: data\n");
    if let Some(ownership) = ownership {
        yaml += &format!("    object_ownership: {ownership}\n");
    }
    if let Some((sid, actions)) = grant {
        yaml += &format!(
            "    access:\n      - sid: {sid}\n        principals: [control]\n        actions: {actions}\n"
        );
    }
    yaml
}

/// A `sns_topics:` section with one topic of the data account named `topic`
/// (also its key), granting the control account `actions` (YAML list).
pub fn topic_spec(topic: &str, actions: &str) -> String {
    format!(
        "sns_topics:\n\
         \x20 {topic}:\n\
         \x20   account: data\n\
         \x20   name: {topic}\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountSNSAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: {actions}\n"
    )
}

/// The grant a Quilt catalog needs on its topic.
pub const TOPIC_ACTIONS: &str = "[sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe]";

/// A whole spec: the two accounts and these `buckets:` entries.
pub fn spec_with_buckets(buckets: &[String]) -> String {
    format!("{}buckets:\n{}", spec_accounts(), buckets.concat())
}
