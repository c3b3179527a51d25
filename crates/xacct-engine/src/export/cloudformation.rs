//! `xacct export cloudformation`: the bucket policies and topic policies the
//! spec implies, as a CloudFormation template (YAML) of one stack.
//!
//! A stack lives in one account and one region while a spec spans several,
//! so the template covers one (account, region) pair, chosen with a
//! [`StackSelection`]; an ambiguous choice is an error listing the pairs.
//!
//! CloudFormation's `AWS::S3::BucketPolicy` and `AWS::SNS::TopicPolicy` set
//! the *whole* policy, where xacct changes only its own statements; the
//! template says so at its top.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{json, Map};
use sha2::{Digest, Sha256};
use xacct_policy::PolicyDocument;

use crate::address::Address;
use crate::export::yaml;
use crate::kinds::{Desired, DesiredResource};

/// The `--account` / `--region` the user chose; `None`: any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSelection {
    pub account: Option<String>,
    pub region: Option<String>,
}

impl fmt::Display for StackSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut flags = Vec::new();
        if let Some(account) = &self.account {
            flags.push(format!("--account {account}"));
        }
        if let Some(region) = &self.region {
            flags.push(format!("--region {region}"));
        }
        f.write_str(&flags.join(" "))
    }
}

/// Where one stack would be deployed: an account and a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stack {
    /// The spec's name for the account.
    pub account: String,
    pub account_id: String,
    /// `None`: neither the resources nor their account name a region (the
    /// account's SDK default region applies).
    pub region: Option<String>,
}

impl Stack {
    /// The flags that select this stack.
    pub fn selection(&self) -> StackSelection {
        StackSelection {
            account: Some(self.account.clone()),
            region: self.region.clone(),
        }
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {} ({})", self.account, self.account_id)?;
        match &self.region {
            Some(region) => write!(f, ", region {region}"),
            None => f.write_str(", the account's default region"),
        }
    }
}

/// One stack's template.
#[derive(Debug, Clone)]
pub struct Template {
    pub stack: Stack,
    /// The YAML text, ending with a newline.
    pub text: String,
    /// Policies of this stack the spec manages but declares no statement in
    /// (`access: []`): CloudFormation cannot express "none of ours", so they
    /// are left out and named in the template's header.
    pub left_out: Vec<Address>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "the spec declares no statement of a bucket policy (`access:` on a bucket, or access \
         logs delivered to it) or of a topic policy (`access:` on a topic, or notifications to \
         it), so there is nothing to export"
    )]
    NothingToExport,
    #[error(
        "the spec's policies{} span {} account/region pairs and a CloudFormation stack lives \
         in one; choose one:{}",
        matching(selection),
        stacks.len(),
        choices(stacks)
    )]
    StackNotChosen {
        selection: StackSelection,
        stacks: Vec<Stack>,
    },
    #[error(
        "no bucket or topic policy of the spec matches {selection}; choose one of:{}",
        choices(stacks)
    )]
    NoSuchStack {
        selection: StackSelection,
        stacks: Vec<Stack>,
    },
    #[error(
        "{first} and {second} would both have the CloudFormation logical id {id}; \
         please report this, it should not happen"
    )]
    DuplicateLogicalId {
        id: String,
        first: Address,
        second: Address,
    },
}

fn matching(selection: &StackSelection) -> String {
    if *selection == StackSelection::default() {
        String::new()
    } else {
        format!(" matching {selection}")
    }
}

fn choices(stacks: &[Stack]) -> String {
    stacks
        .iter()
        .map(|stack| match &stack.region {
            Some(_) => format!("\n  {}    ({stack})", stack.selection()),
            None => format!(
                "\n  {}    ({stack}; set `region:` on the account or its buckets \
                 to tell it from the others)",
                stack.selection()
            ),
        })
        .collect()
}

/// The template of the stack `selection` picks among the stacks of
/// `resources` (the spec's desired resources; `sid_prefix` the spec's).
pub fn template(
    resources: &[DesiredResource],
    sid_prefix: &str,
    selection: &StackSelection,
) -> Result<Template, ExportError> {
    let by_stack = policies_by_stack(resources);
    let stacks: Vec<Stack> = by_stack
        .iter()
        .filter(|(_, policies)| policies.iter().any(|policy| !policy.statements.is_empty()))
        .map(|(stack, _)| stack.clone())
        .collect();
    if stacks.is_empty() {
        return Err(ExportError::NothingToExport);
    }
    let matching: Vec<&Stack> = stacks
        .iter()
        .filter(|stack| {
            selection
                .account
                .as_ref()
                .is_none_or(|account| *account == stack.account)
                && selection
                    .region
                    .as_ref()
                    .is_none_or(|region| Some(region) == stack.region.as_ref())
        })
        .collect();
    let stack = match matching.as_slice() {
        [only] => (*only).clone(),
        [] => {
            return Err(ExportError::NoSuchStack {
                selection: selection.clone(),
                stacks,
            })
        }
        several => {
            return Err(ExportError::StackNotChosen {
                selection: selection.clone(),
                stacks: several.iter().map(|stack| (*stack).clone()).collect(),
            })
        }
    };
    let policies = by_stack.get(&stack).map(Vec::as_slice).unwrap_or_default();
    render(stack, policies, sid_prefix)
}

/// A bucket or topic policy of the spec.
struct Policy<'a> {
    resource: &'a DesiredResource,
    statements: &'a [xacct_policy::Statement],
    kind: PolicyKind,
}

#[derive(Clone, Copy)]
enum PolicyKind {
    Bucket,
    Topic,
}

/// The bucket and topic policies of `resources`, grouped by stack, in the
/// resources' (stable) order.
fn policies_by_stack(resources: &[DesiredResource]) -> BTreeMap<Stack, Vec<Policy<'_>>> {
    let mut by_stack: BTreeMap<Stack, Vec<Policy<'_>>> = BTreeMap::new();
    for resource in resources {
        let (statements, kind) = match &resource.desired {
            Desired::S3BucketPolicy(statements) => (statements, PolicyKind::Bucket),
            Desired::SnsTopicPolicy(statements) => (statements, PolicyKind::Topic),
            // Bucket settings are properties of AWS::S3::Bucket, which
            // CloudFormation can only set on buckets its stacks own.
            _ => continue,
        };
        let stack = Stack {
            account: resource.location.account.clone(),
            account_id: resource.location.account_id.clone(),
            region: resource.location.region.clone(),
        };
        by_stack.entry(stack).or_default().push(Policy {
            resource,
            statements,
            kind,
        });
    }
    by_stack
}

fn render(
    stack: Stack,
    policies: &[Policy<'_>],
    sid_prefix: &str,
) -> Result<Template, ExportError> {
    let mut resources = Map::new();
    let mut named: BTreeMap<String, &Address> = BTreeMap::new();
    let mut left_out = Vec::new();
    for policy in policies {
        let address = &policy.resource.address;
        if policy.statements.is_empty() {
            left_out.push(address.clone());
            continue;
        }
        let document = PolicyDocument::new(policy.statements.to_vec()).to_value();
        let aws_id = &policy.resource.aws_id;
        let (id, resource) = match policy.kind {
            PolicyKind::Bucket => (
                logical_id("BucketPolicy", aws_id),
                json!({
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": { "Bucket": aws_id, "PolicyDocument": document },
                }),
            ),
            PolicyKind::Topic => (
                // The ARN's last part is the topic's name.
                logical_id("TopicPolicy", aws_id.rsplit(':').next().unwrap_or(aws_id)),
                json!({
                    "Type": "AWS::SNS::TopicPolicy",
                    "Properties": { "Topics": [aws_id], "PolicyDocument": document },
                }),
            ),
        };
        if let Some(first) = named.insert(id.clone(), address) {
            return Err(ExportError::DuplicateLogicalId {
                id,
                first: first.clone(),
                second: address.clone(),
            });
        }
        resources.insert(id, resource);
    }
    let region = match &stack.region {
        Some(region) => format!("region {region}"),
        None => "the account's default region".to_string(),
    };
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!(
            "Bucket and topic policies of the xacct spec (statements {sid_prefix}*) for account {} ({}), {region}",
            stack.account, stack.account_id
        ),
        "Resources": resources,
    });
    let text = format!(
        "{}{}",
        header(&stack, sid_prefix, &left_out),
        yaml::to_yaml(&template)
    );
    Ok(Template {
        stack,
        text,
        left_out,
    })
}

/// The template's leading comment: what it is, and the whole-document
/// caveat, where whoever deploys it will read it.
fn header(stack: &Stack, sid_prefix: &str, left_out: &[Address]) -> String {
    let mut text = format!(
        "# Exported by `xacct export cloudformation` for {stack}.\n\
         #\n\
         # CAUTION: deploying this template REPLACES EACH WHOLE POLICY. AWS::S3::BucketPolicy\n\
         # sets the bucket's entire policy and AWS::SNS::TopicPolicy the topic's entire\n\
         # policy (SNS's default statement included), whereas `xacct apply` changes only\n\
         # the statements whose Sid starts with {sid_prefix:?} and keeps everyone else's.\n\
         # Copy any other statement that must stay into PolicyDocument before deploying.\n\
         # `xacct plan` and `xacct drift` with the same spec still check these statements.\n"
    );
    if !left_out.is_empty() {
        let names: Vec<String> = left_out.iter().map(Address::to_string).collect();
        text.push_str(&format!(
            "#\n# Left out (the spec declares no statement in them): {}\n",
            names.join(", ")
        ));
    }
    text
}

/// Longest name part kept in a logical id (CloudFormation allows 255
/// characters in all; topic names may have 256).
const NAME_PART_LIMIT: usize = 200;

/// `<prefix><CamelCase of name>`, stable across exports so that a stack
/// update never replaces a resource because another one was added. When the
/// CamelCase could also come from another name (`a.b` and `a-b` both give
/// `AB`), or is too long, a short hash of the exact name is appended.
fn logical_id(prefix: &str, name: &str) -> String {
    let camel: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if is_camel_case_reversible(name) && camel.len() <= NAME_PART_LIMIT {
        return format!("{prefix}{camel}");
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest[..4]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let kept: String = camel.chars().take(NAME_PART_LIMIT).collect();
    format!("{prefix}{kept}{hash}")
}

/// Names whose CamelCase gives them back: lowercase letters and digits in
/// parts joined by single `-`, each later part starting with a letter (its
/// capital then marks the `-`).
fn is_camel_case_reversible(name: &str) -> bool {
    let mut parts = name.split('-');
    let first_ok = parts.next().is_some_and(|first| {
        !first.is_empty()
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    first_ok
        && parts.all(|part| {
            part.starts_with(|c: char| c.is_ascii_lowercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use serde_json::Value;

    use crate::address::ResourceKind;
    use crate::location::Location;
    use xacct_policy::Statement;

    const ACCOUNTS: &str = r#"version: 1
accounts:
  control: { id: "111111111111", region: us-east-1 }
  data: { id: "222222222222", region: us-east-1 }
"#;

    fn desired_of(rest: &str) -> Vec<DesiredResource> {
        let spec = xacct_spec::load_str(&format!("{ACCOUNTS}{rest}"), "deploy.yaml")
            .unwrap_or_else(|error| panic!("{error}"));
        crate::desired(&spec).unwrap_or_else(|errors| panic!("{errors:?}"))
    }

    const BUCKETS: &str = r#"buckets:
  your-data-bucket:
    account: data
    object_ownership: BucketOwnerEnforced
    access:
      - sid: QuiltCrossAccountAccess
        principals: [control]
        actions: quilt
      - sid: QuiltSpecificRoleAccess
        principals: ["arn:aws:iam::111111111111:role/QuiltLambdaRole"]
        actions: [s3:GetObject, s3:ListBucket]
    notifications: { sns_topic: quilt-events, events: ["s3:ObjectCreated:*"] }
"#;

    fn world() -> String {
        format!("{BUCKETS}{TOPICS}")
    }

    const TOPICS: &str = r#"sns_topics:
  quilt-events:
    account: data
    name: quilt-events
    access:
      - sid: QuiltCrossAccountSNSAccess
        principals: [control]
        actions: [sns:Subscribe]
"#;

    fn export(resources: &[DesiredResource], selection: &StackSelection) -> Template {
        template(resources, "Quilt", selection).unwrap_or_else(|error| panic!("{error}"))
    }

    fn parsed(template: &Template) -> Value {
        serde_saphyr::from_str(&template.text)
            .unwrap_or_else(|error| panic!("{error}\n{}", template.text))
    }

    fn desired_statements(resources: &[DesiredResource], kind: ResourceKind) -> Value {
        let statements = resources
            .iter()
            .find_map(
                |resource| match (&resource.desired, resource.address.kind) {
                    (
                        Desired::S3BucketPolicy(statements) | Desired::SnsTopicPolicy(statements),
                        k,
                    ) if k == kind => Some(statements),
                    _ => None,
                },
            )
            .expect("a policy of that kind");
        Value::Array(statements.iter().map(Statement::to_value).collect())
    }

    #[test]
    fn renders_each_policy_with_exactly_the_statements_apply_writes() {
        let resources = desired_of(&world());
        let template = export(&resources, &StackSelection::default());
        assert_eq!(template.stack.account, "data");
        assert_eq!(template.stack.region.as_deref(), Some("us-east-1"));
        let value = parsed(&template);
        assert_eq!(value["AWSTemplateFormatVersion"], "2010-09-09");
        assert!(value["Description"]
            .as_str()
            .is_some_and(|d| d.contains("account data (222222222222)")));
        let ids: Vec<&String> = value["Resources"].as_object().unwrap().keys().collect();
        assert_eq!(
            ids,
            ["BucketPolicyYourDataBucket", "TopicPolicyQuiltEvents"]
        );

        let bucket = &value["Resources"]["BucketPolicyYourDataBucket"];
        assert_eq!(bucket["Type"], "AWS::S3::BucketPolicy");
        assert_eq!(bucket["Properties"]["Bucket"], "your-data-bucket");
        let document = &bucket["Properties"]["PolicyDocument"];
        assert_eq!(document["Version"], "2012-10-17");
        assert_eq!(
            document["Statement"],
            desired_statements(&resources, ResourceKind::S3BucketPolicy)
        );

        let topic = &value["Resources"]["TopicPolicyQuiltEvents"];
        assert_eq!(topic["Type"], "AWS::SNS::TopicPolicy");
        assert_eq!(
            topic["Properties"]["Topics"],
            json!(["arn:aws:sns:us-east-1:222222222222:quilt-events"])
        );
        let statements = &topic["Properties"]["PolicyDocument"]["Statement"];
        assert_eq!(
            *statements,
            desired_statements(&resources, ResourceKind::SnsTopicPolicy)
        );
        let sids: Vec<&str> = statements
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert_eq!(sids, ["QuiltCrossAccountSNSAccess", "QuiltS3Publish"]);
    }

    #[test]
    fn the_header_warns_that_the_whole_policy_is_replaced() {
        let template = export(&desired_of(&world()), &StackSelection::default());
        let header: Vec<&str> = template
            .text
            .lines()
            .take_while(|line| line.starts_with('#'))
            .collect();
        let header = header.join("\n");
        assert!(header.contains("REPLACES EACH WHOLE POLICY"), "{header}");
        assert!(header.contains("\"Quilt\""), "{header}");
        assert!(template.text.starts_with("# Exported by"));
    }

    #[test]
    fn the_same_spec_exports_the_same_bytes() {
        let first = export(&desired_of(&world()), &StackSelection::default()).text;
        let second = export(&desired_of(&world()), &StackSelection::default()).text;
        assert_eq!(first, second);
    }

    #[test]
    fn logical_ids_are_camel_case_and_never_collide() {
        assert_eq!(
            logical_id("BucketPolicy", "your-data-bucket"),
            "BucketPolicyYourDataBucket"
        );
        assert_eq!(
            logical_id("BucketPolicy", "logs2024"),
            "BucketPolicyLogs2024"
        );
        assert_eq!(
            logical_id("BucketPolicy", "1st-bucket"),
            "BucketPolicy1stBucket"
        );
        // Names whose CamelCase another name shares get a hash of the name.
        let lossy = [
            "a.b",
            "a-b-",
            "a--b",
            "a-1",
            "Quilt_Events",
            "quilt_events",
            "quiltEvents",
        ];
        let mut ids: Vec<String> = lossy
            .iter()
            .map(|name| logical_id("TopicPolicy", name))
            .collect();
        ids.push(logical_id("TopicPolicy", "a-b"));
        ids.push(logical_id("TopicPolicy", "a1"));
        ids.push(logical_id("TopicPolicy", "quilt-events"));
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{ids:?}");
        assert!(ids[0].starts_with("TopicPolicyAB") && ids[0].len() == "TopicPolicyAB".len() + 8);
        let long = "t".repeat(256);
        let long_id = logical_id("TopicPolicy", &long);
        assert!(long_id.len() <= 255, "{}", long_id.len());
        assert_ne!(long_id, logical_id("TopicPolicy", &"t".repeat(255)));
        for id in ids.iter().chain([&long_id]) {
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        }
    }

    #[test]
    fn adding_a_bucket_keeps_the_other_logical_ids() {
        let one = parsed(&export(&desired_of(&world()), &StackSelection::default()));
        let more = world().replace(
            TOPICS,
            &format!(
                "  your-data-bucket-2:\n    account: data\n    access: [{{ sid: QuiltMore, \
                 principals: [control], actions: [s3:GetObject] }}]\n{TOPICS}"
            ),
        );
        let two = parsed(&export(&desired_of(&more), &StackSelection::default()));
        for id in one["Resources"].as_object().unwrap().keys() {
            assert_eq!(one["Resources"][id], two["Resources"][id], "{id}");
        }
        assert_eq!(two["Resources"].as_object().unwrap().len(), 3);
    }

    #[test]
    fn odd_characters_in_statements_survive_the_round_trip() {
        let odd = "a\"b\\c\nd: #e\u{0}\u{85}\u{2028}'yes' 日本";
        let statement = Statement::from_value(json!({
            "Sid": "QuiltOdd",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::odd/*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": [odd, "no", "0755"]}},
        }))
        .unwrap();
        let resource = DesiredResource {
            address: Address::new(ResourceKind::S3BucketPolicy, "odd"),
            location: Location {
                account: "data".into(),
                account_id: "222222222222".into(),
                region: Some("us-east-1".into()),
            },
            aws_id: "odd".into(),
            depends_on: Vec::new(),
            desired: Desired::S3BucketPolicy(vec![statement.clone()]),
            pruned: false,
        };
        let value = parsed(&export(&[resource], &StackSelection::default()));
        assert_eq!(
            value["Resources"]["BucketPolicyOdd"]["Properties"]["PolicyDocument"]["Statement"],
            json!([statement.to_value()])
        );
    }

    const SPREAD: &str = r#"buckets:
  data-east:
    account: data
    access: [{ sid: QuiltA, principals: [control], actions: [s3:GetObject] }]
  data-west:
    account: data
    region: eu-west-1
    access: [{ sid: QuiltA, principals: [control], actions: [s3:GetObject] }]
  control-east:
    account: control
    access: [{ sid: QuiltA, principals: [data], actions: [s3:GetObject] }]
  data-unmanaged:
    account: data
    region: eu-central-1
    access: []
"#;

    #[test]
    fn several_stacks_without_a_choice_is_an_error_listing_them() {
        let error = template(&desired_of(SPREAD), "Quilt", &StackSelection::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("span 3 account/region pairs"), "{error}");
        for choice in [
            "--account control --region us-east-1",
            "--account data --region eu-west-1",
            "--account data --region us-east-1",
        ] {
            assert!(error.contains(choice), "{choice}: {error}");
        }
        assert!(!error.contains("eu-central-1"), "{error}");
    }

    #[test]
    fn account_and_region_select_one_stack() {
        let resources = desired_of(SPREAD);
        let select = |account: Option<&str>, region: Option<&str>| StackSelection {
            account: account.map(str::to_string),
            region: region.map(str::to_string),
        };
        let west = export(&resources, &select(Some("data"), Some("eu-west-1")));
        let ids: Vec<String> = parsed(&west)["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(ids, ["BucketPolicyDataWest"]);
        let control = export(&resources, &select(Some("control"), None));
        assert_eq!(control.stack.account_id, "111111111111");

        let error = template(&resources, "Quilt", &select(Some("data"), None))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("matching --account data span 2 account/region pairs"),
            "{error}"
        );
        let error = template(&resources, "Quilt", &select(Some("nobody"), None))
            .unwrap_err()
            .to_string();
        assert!(error.contains("matches --account nobody"), "{error}");
        assert!(
            error.contains("--account data --region eu-west-1"),
            "{error}"
        );
    }

    #[test]
    fn policies_with_no_statement_are_left_out_and_named() {
        let resources = desired_of(SPREAD);
        let error = template(
            &resources,
            "Quilt",
            &StackSelection {
                account: None,
                region: Some("eu-central-1".into()),
            },
        )
        .unwrap_err();
        assert!(matches!(error, ExportError::NoSuchStack { .. }), "{error}");

        let only_empty = desired_of("buckets:\n  quiet:\n    account: data\n    access: []\n");
        let error = template(&only_empty, "Quilt", &StackSelection::default()).unwrap_err();
        assert!(matches!(error, ExportError::NothingToExport), "{error}");

        let mixed = desired_of(
            "buckets:\n  quiet:\n    account: data\n    access: []\n  loud:\n    account: data\n    access: [{ sid: QuiltA, principals: [control], actions: [s3:GetObject] }]\n",
        );
        let template = export(&mixed, &StackSelection::default());
        assert_eq!(
            template.left_out,
            [Address::new(ResourceKind::S3BucketPolicy, "quiet")]
        );
        assert!(template.text.contains(
            "# Left out (the spec declares no statement in them): s3_bucket_policy.quiet"
        ));
        assert!(!parsed(&template)["Resources"]
            .as_object()
            .unwrap()
            .contains_key("BucketPolicyQuiet"));
    }
}
