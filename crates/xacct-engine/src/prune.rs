//! Pruning: on an account with `prune: true`, the buckets and topics the spec
//! does not list are read for xacct's slice, which is planned for removal
//! under the object's usual address. Discovery (listing the objects) is
//! xacct-aws's; deciding what to read is here.

use xacct_spec::Spec;

use crate::kind::{Declared, Holder};
use crate::kinds::{unlisted, DesiredResource};
use crate::location::{location, partition};

/// An object discovery found in a pruning account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A bucket and its region (`None`: the account's).
    Bucket {
        name: String,
        region: Option<String>,
    },
    /// A topic, by ARN.
    Topic { arn: String },
}

/// The resources to read on the objects of `account` that `spec` does not
/// list: every kind that prunes, on each such bucket and topic.
pub fn unlisted_resources(spec: &Spec, account: &str, found: &[Found]) -> Vec<DesiredResource> {
    let listed_topics: Vec<String> = spec
        .sns_topics
        .values()
        .filter_map(|topic| crate::kinds::sns_topic_policy::topic_arn(spec, topic))
        .collect();
    let mut resources = Vec::new();
    for object in found {
        let (holder, declared) = match object {
            Found::Bucket { name, region } => {
                if spec.buckets.contains_key(name) {
                    continue;
                }
                let declared = Declared {
                    name: name.clone(),
                    location: location(spec, account, region.as_deref()),
                    aws_id: name.clone(),
                    depends_on: Vec::new(),
                    desired: (),
                };
                (Holder::Bucket, declared)
            }
            Found::Topic { arn } => {
                if listed_topics.contains(arn) {
                    continue;
                }
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                let (region, topic_name) = match parts[..] {
                    ["arn", _, "sns", region, _, name] => (region, name),
                    _ => continue,
                };
                // A spec key with the same name would share the address.
                let name = if spec.sns_topics.contains_key(topic_name) {
                    arn.clone()
                } else {
                    topic_name.to_string()
                };
                let declared = Declared {
                    name,
                    location: location(spec, account, Some(region)),
                    aws_id: arn.clone(),
                    depends_on: Vec::new(),
                    desired: (),
                };
                (Holder::Topic, declared)
            }
        };
        resources.extend(unlisted(holder, &declared));
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    resources
}

/// The regions whose topics a pruning `account` is searched in: its own and
/// every region the spec places one of its buckets or topics in.
pub fn topic_regions(spec: &Spec, account: &str) -> Vec<String> {
    let own = spec.accounts.get(account).and_then(|a| a.region.clone());
    let mut regions: Vec<String> = own
        .iter()
        .cloned()
        .chain(
            spec.buckets
                .values()
                .filter(|bucket| bucket.account == account)
                .filter_map(|bucket| bucket.region.clone()),
        )
        .chain(
            spec.sns_topics
                .values()
                .filter(|topic| topic.account == account)
                .filter_map(|topic| topic.region.clone()),
        )
        .collect();
    regions.sort();
    regions.dedup();
    // Partitions are separate worlds: one account id lives in one of them.
    let home = partition(own.as_deref());
    regions.retain(|region| partition(Some(region)) == home);
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        xacct_spec::load_str(
            "version: 1\naccounts:\n  data:\n    id: \"222222222222\"\n    region: us-east-1\n    \
             prune: true\nbuckets:\n  listed:\n    account: data\n    region: eu-west-1\n\
             sns_topics:\n  quilt-events:\n    account: data\n    name: quilt-events\n",
            "deploy.yaml",
        )
        .expect("valid spec")
    }

    #[test]
    fn only_unlisted_buckets_and_topics_are_read_with_the_kinds_that_prune() {
        let spec = spec();
        let found = [
            Found::Bucket {
                name: "listed".into(),
                region: Some("eu-west-1".into()),
            },
            Found::Bucket {
                name: "old-data".into(),
                region: Some("us-west-2".into()),
            },
            Found::Topic {
                arn: "arn:aws:sns:us-east-1:222222222222:quilt-events".into(),
            },
            Found::Topic {
                arn: "arn:aws:sns:us-east-1:222222222222:old-events".into(),
            },
        ];
        let resources = unlisted_resources(&spec, "data", &found);
        let addresses: Vec<String> = resources.iter().map(|r| r.address.to_string()).collect();
        assert_eq!(
            addresses,
            [
                "s3_bucket_policy.old-data",
                "sns_topic_policy.old-events",
                "s3_bucket_notification.old-data",
            ]
        );
        assert!(resources.iter().all(|resource| resource.pruned));
        assert_eq!(resources[0].location.region.as_deref(), Some("us-west-2"));
        assert_eq!(
            resources[1].aws_id,
            "arn:aws:sns:us-east-1:222222222222:old-events"
        );
    }

    #[test]
    fn topics_are_searched_in_every_region_the_account_uses() {
        assert_eq!(topic_regions(&spec(), "data"), ["eu-west-1", "us-east-1"]);
    }
}
