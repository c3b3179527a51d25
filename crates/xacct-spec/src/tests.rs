//! Crate-level tests: the shipped example specs, loading files, and a full round trip.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use std::borrow::Cow;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(path, text)` of deploy.yaml.example and every examples/*.yaml.
pub(crate) fn example_specs() -> Vec<(String, String)> {
    let root = workspace_root();
    let mut paths = vec![root.join("deploy.yaml.example")];
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 4, "expected the four example specs");
    paths.extend(examples);
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("example readable");
            (path.display().to_string(), text)
        })
        .collect()
}

#[test]
fn every_example_spec_loads() {
    for (path, _) in example_specs() {
        if let Err(error) = load(std::path::Path::new(&path)) {
            panic!("{path} does not load:\n{error}");
        }
    }
}

#[test]
fn the_full_example_has_everything_the_guide_needs() {
    let spec = load(&workspace_root().join("deploy.yaml.example")).expect("loads");
    assert_eq!(spec.accounts.len(), 2);
    assert_eq!(spec.buckets.len(), 3);
    assert_eq!(spec.sns_topics.len(), 1);
    assert!(spec.cloudtrail.is_some());
    let data = &spec.buckets["quilt-example-data"];
    let grants = data.access.as_ref().expect("access");
    assert_eq!(grants[0].principals, ["arn:aws:iam::111111111111:root"]);
    assert_eq!(grants[0].actions.len(), 14);
}

#[test]
fn a_missing_file_names_the_path() {
    let path = workspace_root().join("does-not-exist.yaml");
    let error = load(&path).unwrap_err();
    assert!(matches!(error, LoadError::Read { .. }));
    assert!(error.to_string().contains("does-not-exist.yaml"), "{error}");
}

#[test]
fn a_file_that_is_not_utf8_is_a_spec_error() {
    let dir = std::env::temp_dir().join(format!("xacct-spec-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"version: 1\nsid_prefix: Qu\xeflt\n").expect("write");
    let error = load(&path).unwrap_err();
    let errors = error.spec_errors();
    assert_eq!(errors.len(), 1, "{error}");
    assert_eq!((errors[0].line, errors[0].column), (2, 15));
    assert!(errors[0].file.ends_with("latin1.yaml"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_name_the_file_given() {
    let error = load_str("version: 2\n", "specs/prod.yaml").unwrap_err();
    assert_eq!(
        error.to_string(),
        "specs/prod.yaml:1:10: unsupported version 2: this xacct reads version 1"
    );
}

const FULL: &str = r#"
version: 1
sid_prefix: Xa
accounts:
  control:
    id: "111111111111"
    profile: ctl
    region: us-east-1
  data:
    id: 222222222222
    role_arn: arn:aws:iam::222222222222:role/deployer
    external_id: ext-id
  plain:
    id: "033333333333"
    access: read-only
buckets:
  data-bucket:
    account: data
    region: eu-west-1
    object_ownership: BucketOwnerPreferred
    access:
      - sid: XaOne
        principals: [control, "111111111111", 444444444444, arn:aws:iam::555555555555:role/R, control]
        actions: [s3:PutObject, s3:GetObject, s3:GetObject]
      - sid: XaTwo
        principals: [plain]
        actions: quilt
    notifications:
      sns_topic: events
      events: ["s3:ObjectRemoved:*", "s3:ObjectCreated:*", "s3:ObjectCreated:*"]
      eventbridge: false
    cloudtrail: true
  empty-access:
    account: plain
    access: []
  bare:
    account: control
    notifications:
      eventbridge: true
sns_topics:
  events:
    account: data
    region: eu-west-1
    access:
      - sid: XaSubscribe
        principals: [control]
        actions: [sns:Subscribe]
  other:
    account: control
    name: other-name
cloudtrail:
  trail: my-trail
  account: control
"#;

#[test]
fn a_full_spec_round_trips_into_the_model() {
    let spec = load_str(FULL, "full.yaml").unwrap_or_else(|error| panic!("{error}"));
    let root = |id: &str| format!("arn:aws:iam::{id}:root");

    let mut accounts = BTreeMap::new();
    accounts.insert(
        "control".to_owned(),
        Account {
            name: "control".into(),
            id: "111111111111".into(),
            credentials: Credentials::Profile("ctl".into()),
            region: Some("us-east-1".into()),
            access: AccountAccess::ReadWrite,
            prune: false,
        },
    );
    accounts.insert(
        "data".to_owned(),
        Account {
            name: "data".into(),
            id: "222222222222".into(),
            credentials: Credentials::AssumeRole {
                role_arn: "arn:aws:iam::222222222222:role/deployer".into(),
                external_id: Some("ext-id".into()),
            },
            region: None,
            access: AccountAccess::ReadWrite,
            prune: false,
        },
    );
    accounts.insert(
        "plain".to_owned(),
        Account {
            name: "plain".into(),
            id: "033333333333".into(),
            credentials: Credentials::DefaultChain,
            region: None,
            access: AccountAccess::ReadOnly,
            prune: false,
        },
    );

    let mut buckets = BTreeMap::new();
    buckets.insert(
        "data-bucket".to_owned(),
        Bucket {
            name: "data-bucket".into(),
            account: "data".into(),
            region: Some("eu-west-1".into()),
            object_ownership: Some(ObjectOwnership::BucketOwnerPreferred),
            access: Some(vec![
                Grant {
                    sid: "XaOne".into(),
                    principals: vec![
                        root("111111111111"),
                        root("444444444444"),
                        "arn:aws:iam::555555555555:role/R".into(),
                    ],
                    actions: vec!["s3:GetObject".into(), "s3:PutObject".into()].into(),
                },
                Grant {
                    sid: "XaTwo".into(),
                    principals: vec![root("033333333333")],
                    actions: {
                        let mut quilt: Vec<Cow<'static, str>> =
                            QUILT_ACTIONS.iter().map(|a| Cow::Borrowed(*a)).collect();
                        quilt.sort();
                        quilt.into()
                    },
                },
            ]),
            notifications: Some(Notifications {
                sns: Some(SnsNotification {
                    topic: TopicRef::Key("events".into()),
                    events: vec!["s3:ObjectCreated:*".into(), "s3:ObjectRemoved:*".into()],
                }),
                eventbridge: Some(false),
            }),
            cloudtrail: true,
            hardening: Default::default(),
            catalog: None,
        },
    );
    buckets.insert(
        "empty-access".to_owned(),
        Bucket {
            name: "empty-access".into(),
            account: "plain".into(),
            region: None,
            object_ownership: None,
            access: Some(vec![]),
            notifications: None,
            cloudtrail: false,
            hardening: Default::default(),
            catalog: None,
        },
    );
    buckets.insert(
        "bare".to_owned(),
        Bucket {
            name: "bare".into(),
            account: "control".into(),
            region: None,
            object_ownership: None,
            access: None,
            notifications: Some(Notifications {
                sns: None,
                eventbridge: Some(true),
            }),
            cloudtrail: false,
            hardening: Default::default(),
            catalog: None,
        },
    );

    let mut sns_topics = BTreeMap::new();
    sns_topics.insert(
        "events".to_owned(),
        SnsTopic {
            key: "events".into(),
            account: "data".into(),
            region: Some("eu-west-1".into()),
            name: "events".into(),
            access: Some(vec![Grant {
                sid: "XaSubscribe".into(),
                principals: vec![root("111111111111")],
                actions: vec!["sns:Subscribe".into()].into(),
            }]),
        },
    );
    sns_topics.insert(
        "other".to_owned(),
        SnsTopic {
            key: "other".into(),
            account: "control".into(),
            region: None,
            name: "other-name".into(),
            access: None,
        },
    );

    let expected = Spec {
        sid_prefix: "Xa".into(),
        accounts,
        buckets,
        sns_topics,
        cloudtrail: Some(CloudTrail {
            trail: "my-trail".into(),
            account: "control".into(),
            region: None,
            read_write: ReadWrite::All,
            include_management_events: true,
            selector_mode: SelectorMode::Auto,
            scope: TrailScope::Buckets,
        }),
        ignore: Vec::new(),
        quilt: None,
    };
    assert_eq!(spec, expected);
    assert_eq!(spec.bucket_region(&spec.buckets["bare"]), Some("us-east-1"));
}

#[test]
fn the_quilt_preset_is_the_guides_fourteen_actions() {
    let mut actions = QUILT_ACTIONS.to_vec();
    actions.sort();
    actions.dedup();
    assert_eq!(actions.len(), 14);
    for action in [
        "s3:GetObject",
        "s3:GetObjectAttributes",
        "s3:GetObjectTagging",
        "s3:GetObjectVersion",
        "s3:GetObjectVersionAttributes",
        "s3:GetObjectVersionTagging",
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutObject",
        "s3:PutObjectTagging",
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
    ] {
        assert!(actions.contains(&action), "{action}");
    }
}

#[test]
fn grants_naming_a_preset_share_one_sorted_list() {
    let spec = load_str(
        r#"
version: 1
accounts:
  data: { id: "222222222222", role_arn: "arn:aws:iam::222222222222:role/x", region: us-east-1 }
  control: { id: "111111111111", role_arn: "arn:aws:iam::111111111111:role/x", region: us-east-1 }
buckets:
  one: { account: data, access: [{ sid: QuiltA, principals: [control], actions: quilt }] }
  two: { account: data, access: [{ sid: QuiltA, principals: [control], actions: quilt }] }
"#,
        "deploy.yaml",
    )
    .expect("valid");
    let actions =
        |bucket: &str| match &spec.buckets[bucket].access.as_ref().expect("access")[0].actions {
            Cow::Borrowed(list) => *list,
            Cow::Owned(_) => panic!("bucket {bucket}: the preset was copied into the grant"),
        };
    assert!(std::ptr::eq(actions("one"), actions("two")));
    let mut sorted = QUILT_ACTIONS.to_vec();
    sorted.sort_unstable();
    assert_eq!(actions("one"), sorted.as_slice());
}

#[test]
fn minimal_specs_load() {
    let spec = load_str("version: 1\n", "deploy.yaml").expect("minimal");
    assert_eq!(spec.sid_prefix, "Quilt");
    assert!(spec.accounts.is_empty() && spec.buckets.is_empty());
    let spec = load_str(
        "version: 1\naccounts:\nbuckets:\nsns_topics:\n",
        "deploy.yaml",
    )
    .expect("empty sections");
    assert!(spec.sns_topics.is_empty() && spec.cloudtrail.is_none());
}

#[test]
fn anchors_and_merge_keys_work() {
    let yaml = r#"version: 1
accounts:
  control: {id: "111111111111"}
  data: {id: "222222222222"}
x-grant: &grant
  sid: QuiltCrossAccountAccess
  principals: [control]
  actions: quilt
"#;
    // Unknown top-level keys stay errors even when only used for anchors.
    let error = load_str(yaml, "d.yaml").unwrap_err();
    assert!(
        error.to_string().contains("unknown key \"x-grant\""),
        "{error}"
    );

    let yaml = r#"version: 1
accounts:
  control: {id: "111111111111"}
  data: &data {id: "222222222222", region: eu-west-1}
  data2:
    <<: *data
    region: us-east-1
buckets:
  b-1:
    account: data
    access: &grants
      - sid: QuiltCrossAccountAccess
        principals: [control]
        actions: quilt
  b-2:
    account: data
    access: *grants
"#;
    let spec = load_str(yaml, "d.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(spec.buckets["b-1"].access, spec.buckets["b-2"].access);
    assert_eq!(spec.accounts["data2"].id, "222222222222");
    assert_eq!(spec.accounts["data2"].region.as_deref(), Some("us-east-1"));
}
