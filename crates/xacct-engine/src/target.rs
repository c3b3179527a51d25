//! `--target`: narrowing a run to some resources, with what they depend on.

use std::collections::BTreeSet;

use crate::address::Address;

/// The resources a run is limited to.
#[derive(Debug)]
pub struct Selection {
    /// `None`: no target, so every resource.
    selected: Option<BTreeSet<Address>>,
    /// Resources not named by any target but needed by one that is (e.g. the
    /// topic policy a bucket's notifications depend on); said so to the user.
    pub pulled_in: Vec<Address>,
}

impl Selection {
    pub fn contains(&self, address: &Address) -> bool {
        self.selected
            .as_ref()
            .is_none_or(|selected| selected.contains(address))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no managed resource matches --target {target:?}; managed addresses: {known}")]
pub struct UnknownTarget {
    pub target: String,
    pub known: String,
}

/// Selects the resources named by `targets`: an address (`s3_bucket_policy.b`)
/// or a bare name (`b`: every resource of that bucket, topic or trail), plus
/// everything they depend on. No targets: everything. `resources` are the
/// declared addresses with what each depends on: a selection needs no slice.
pub fn select<'a>(
    resources: impl IntoIterator<Item = (&'a Address, &'a [Address])>,
    targets: &[String],
) -> Result<Selection, Vec<UnknownTarget>> {
    if targets.is_empty() {
        return Ok(Selection {
            selected: None,
            pulled_in: Vec::new(),
        });
    }
    let resources: Vec<(&Address, &[Address])> = resources.into_iter().collect();
    let mut named: BTreeSet<Address> = BTreeSet::new();
    let mut unknown = Vec::new();
    for target in targets {
        let parsed = Address::parse(target);
        let matches: Vec<&Address> = resources
            .iter()
            .map(|(address, _)| *address)
            .filter(|address| parsed.as_ref() == Some(*address) || address.name == *target)
            .collect();
        if matches.is_empty() {
            unknown.push(UnknownTarget {
                target: target.clone(),
                known: resources
                    .iter()
                    .map(|(address, _)| address.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        named.extend(matches.into_iter().cloned());
    }
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let mut selected = named.clone();
    // Dependencies of dependencies too, until nothing new is added.
    loop {
        let needed: Vec<Address> = resources
            .iter()
            .filter(|(address, _)| selected.contains(*address))
            .flat_map(|(_, depends_on)| depends_on.iter().cloned())
            .filter(|address| !selected.contains(address))
            .collect();
        if needed.is_empty() {
            break;
        }
        selected.extend(needed);
    }
    let pulled_in = selected.difference(&named).cloned().collect();
    Ok(Selection {
        selected: Some(selected),
        pulled_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::DesiredResource;

    fn spec() -> xacct_spec::Spec {
        xacct_spec::load_str(
            r#"version: 1
accounts:
  control: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
buckets:
  bucket-a:
    account: data
    object_ownership: BucketOwnerEnforced
    access: []
    notifications: { sns_topic: quilt-events, events: ["s3:ObjectCreated:*"] }
  bucket-b:
    account: data
    access: []
sns_topics:
  quilt-events: { account: data, name: quilt-events }
"#,
            "deploy.yaml",
        )
        .unwrap()
    }

    /// The selected addresses.
    fn addresses(selection: &Selection) -> Vec<String> {
        crate::desired(&spec())
            .unwrap()
            .iter()
            .filter(|resource| selection.contains(&resource.address))
            .map(|resource| resource.address.to_string())
            .collect()
    }

    fn outline(all: &[DesiredResource]) -> impl Iterator<Item = (&Address, &[Address])> {
        all.iter()
            .map(|resource| (&resource.address, resource.depends_on.as_slice()))
    }

    #[test]
    fn a_bucket_name_selects_its_resources_and_pulls_in_their_dependencies() {
        let all = crate::desired(&spec()).unwrap();
        let selection = select(outline(&all), &["bucket-a".to_string()]).unwrap();
        let mut selected = addresses(&selection);
        selected.sort();
        assert_eq!(
            selected,
            [
                "s3_bucket_notification.bucket-a",
                "s3_bucket_policy.bucket-a",
                "s3_ownership_controls.bucket-a",
                "sns_topic_policy.quilt-events",
            ]
        );
        assert_eq!(
            selection.pulled_in,
            [Address::parse("sns_topic_policy.quilt-events").unwrap()]
        );
    }

    #[test]
    fn an_address_selects_just_that_resource() {
        let all = crate::desired(&spec()).unwrap();
        let selection = select(outline(&all), &["s3_bucket_policy.bucket-b".to_string()]).unwrap();
        assert_eq!(addresses(&selection), ["s3_bucket_policy.bucket-b"]);
        assert!(selection.pulled_in.is_empty());
    }

    #[test]
    fn an_unknown_target_is_an_error_listing_what_exists() {
        let all = crate::desired(&spec()).unwrap();
        let errors = select(outline(&all), &["bucket-c".to_string()]).unwrap_err();
        let message = errors[0].to_string();
        assert!(message.contains("\"bucket-c\""), "{message}");
        assert!(message.contains("s3_bucket_policy.bucket-b"), "{message}");
    }
}
