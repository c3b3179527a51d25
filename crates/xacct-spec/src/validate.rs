//! Walks the YAML tree of a v1 spec into a [`Spec`], collecting every problem.
//!
//! Nothing stops at the first error: each section is checked on its own, and a
//! value that failed its own check is still remembered by name so that
//! references to it do not produce a second, confusing error.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[cfg(test)]
pub(crate) use hardening::{ENCRYPTION_KEYS, LOGGING_KEYS, PUBLIC_ACCESS_BLOCK_KEYS};

use crate::lint::{ActionSite, GrantSite, PrincipalSite};
use crate::model::{
    Account, AccountAccess, Bucket, CloudTrail, Credentials, Grant, Notifications, ObjectOwnership,
    ReadWrite, SelectorMode, SnsNotification, SnsTopic, Spec, TopicRef, TrailScope,
    S3_ACCESS_LOGS_SID_SUFFIX, S3_PUBLISH_SID_SUFFIX,
};
use crate::names;
use crate::presets;
use crate::raw::{Node, Pos, Value};

/// Keys accepted at the top level of a spec (the JSON Schema is tested against these).
pub(crate) const SPEC_KEYS: &[&str] = &[
    "version",
    "sid_prefix",
    "accounts",
    "buckets",
    "sns_topics",
    "cloudtrail",
    "ignore",
    "quilt",
];
pub(crate) const ACCOUNT_KEYS: &[&str] = &[
    "id",
    "profile",
    "role_arn",
    "external_id",
    "region",
    "access",
    "prune",
];
/// A bucket's own keys; [`hardening::KEYS`] adds the hardening settings.
const BUCKET_OWN_KEYS: &[&str] = &[
    "account",
    "region",
    "object_ownership",
    "access",
    "notifications",
    "cloudtrail",
    "catalog",
];

/// Every key a bucket entry may have.
pub(crate) fn bucket_keys() -> Vec<&'static str> {
    BUCKET_OWN_KEYS
        .iter()
        .chain(hardening::KEYS)
        .copied()
        .collect()
}
pub(crate) const GRANT_KEYS: &[&str] = &["sid", "principals", "actions"];
pub(crate) const NOTIFICATION_KEYS: &[&str] = &["sns_topic", "events", "eventbridge"];
pub(crate) const SNS_TOPIC_KEYS: &[&str] = &["account", "region", "name", "access"];
pub(crate) const CLOUDTRAIL_KEYS: &[&str] = &[
    "trail",
    "account",
    "region",
    "read_write",
    "include_management_events",
    "selector_mode",
    "scope",
];

/// The sid prefix when the spec does not set one.
const DEFAULT_SID_PREFIX: &str = "Quilt";

/// Problems found so far, each with where it was written; and every grant
/// that validated, with where its parts were written, for the lint pass.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub list: Vec<(Pos, String)>,
    pub grants: Vec<GrantSite>,
}

impl Problems {
    fn add(&mut self, pos: Pos, message: impl Into<String>) {
        self.list.push((pos, message.into()));
    }
}

/// A string in double quotes, with control characters escaped, for messages.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.escape_debug())
}

/// Names a value in a message: `account of bucket "b"` + `x` -> `account "x" of bucket "b"`.
fn with_value(what: &str, value: &str) -> String {
    match what.split_once(" of ") {
        Some((key, owner)) => format!("{key} {} of {owner}", quoted(value)),
        None => format!("{what} {}", quoted(value)),
    }
}

/// A scalar as it would read in a message: `"text"`, `12`, `true`, or its kind.
fn shown(value: &Value) -> String {
    match value {
        Value::Str(text) => format!("a string {}", quoted(text)),
        Value::Int(number) => format!("the number {number}"),
        Value::Float(number) => format!("the number {number}"),
        Value::Bool(flag) => format!("the boolean {flag}"),
        other => other.kind().to_owned(),
    }
}

/// Reports a value of the wrong type.
fn wrong_type(problems: &mut Problems, node: &Node, what: &str, expected: &str) {
    let hint = match node.value {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) if expected.contains("string") => {
            " (quote it to make it a string)"
        }
        _ => "",
    };
    problems.add(
        node.pos,
        format!(
            "{what} must be {expected}, found {}{hint}",
            shown(&node.value)
        ),
    );
}

fn string<'a>(problems: &mut Problems, node: &'a Node, what: &str) -> Option<&'a str> {
    match &node.value {
        Value::Str(text) => Some(text),
        _ => {
            wrong_type(problems, node, what, "a string");
            None
        }
    }
}

fn boolean(problems: &mut Problems, node: &Node, what: &str) -> Option<bool> {
    match node.value {
        Value::Bool(flag) => Some(flag),
        _ => {
            wrong_type(problems, node, what, "true or false");
            None
        }
    }
}

/// A number written where an account id belongs, as the 12 digits it stands for;
/// `None` if it cannot be one (a leading zero was lost, or too many digits).
fn number_as_account_id(value: &Value) -> Option<String> {
    let number = match value {
        Value::Int(number) => *number,
        _ => return None,
    };
    (100_000_000_000..=999_999_999_999)
        .contains(&number)
        .then(|| number.to_string())
}

/// The entries of one fixed-shape mapping, after unknown and duplicate keys were reported.
struct Fields<'a> {
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
    /// Where "missing key" is reported: the key that names this mapping.
    at: Pos,
    /// How messages name this mapping, e.g. `bucket "my-bucket"`.
    context: String,
}

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(name, _, _)| *name == key)
            .map(|(_, _, value)| *value)
    }

    fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(name, _, _)| *name == key)
            .map(|(_, key_node, _)| key_node.pos)
    }

    fn required(&self, problems: &mut Problems, key: &str) -> Option<&'a Node> {
        let value = self.get(key);
        if value.is_none() {
            problems.add(
                self.at,
                format!("missing key {} in {}", quoted(key), self.context),
            );
        }
        value
    }

    /// `<key> of <context>`: how a message names one value.
    fn what(&self, key: &str) -> String {
        format!("{key} of {}", self.context)
    }
}

/// Checks that `node` is a mapping whose keys are all in `allowed`, reporting
/// unknown and duplicate keys; the first of duplicate entries is kept.
fn fields<'a>(
    problems: &mut Problems,
    node: &'a Node,
    context: String,
    allowed: &[&str],
    at: Pos,
) -> Option<Fields<'a>> {
    let entries = match &node.value {
        Value::Map(entries) => entries,
        _ => {
            wrong_type(problems, node, &context, "a mapping");
            return None;
        }
    };
    let mut kept: Vec<(&'a str, &'a Node, &'a Node)> = Vec::new();
    for (key, value) in entries {
        let Value::Str(name) = &key.value else {
            problems.add(
                key.pos,
                format!(
                    "keys of {context} must be strings, found {} (expected one of: {})",
                    shown(&key.value),
                    allowed.join(", ")
                ),
            );
            continue;
        };
        if !allowed.contains(&name.as_str()) {
            problems.add(
                key.pos,
                format!(
                    "unknown key {} in {context} (expected one of: {})",
                    quoted(name),
                    allowed.join(", ")
                ),
            );
            continue;
        }
        if let Some((_, first, _)) = kept.iter().find(|(seen, _, _)| *seen == name.as_str()) {
            problems.add(
                key.pos,
                format!(
                    "duplicate key {} in {context} (first at {})",
                    quoted(name),
                    first.pos
                ),
            );
            continue;
        }
        kept.push((name, key, value));
    }
    Some(Fields {
        entries: kept,
        at,
        context,
    })
}

/// The entries of a mapping keyed by the user's names (`accounts`, `buckets`, ...):
/// `(name, where the name is written, value)`. Null means no entries.
fn named_entries<'a>(
    problems: &mut Problems,
    node: &'a Node,
    section: &str,
) -> Vec<(&'a str, Pos, &'a Node)> {
    let entries = match &node.value {
        Value::Null => return Vec::new(),
        Value::Map(entries) => entries,
        _ => {
            wrong_type(problems, node, section, "a mapping");
            return Vec::new();
        }
    };
    let mut kept: Vec<(&'a str, Pos, &'a Node)> = Vec::new();
    for (key, value) in entries {
        let Value::Str(name) = &key.value else {
            problems.add(
                key.pos,
                format!(
                    "keys of {section} must be strings, found {} (quote it)",
                    shown(&key.value)
                ),
            );
            continue;
        };
        if let Some((_, first, _)) = kept.iter().find(|(seen, _, _)| *seen == name.as_str()) {
            problems.add(
                key.pos,
                format!(
                    "duplicate key {} in {section} (first at {first})",
                    quoted(name)
                ),
            );
            continue;
        }
        kept.push((name, key.pos, value));
    }
    kept
}

/// What validation knows about an account when checking references to it.
struct KnownAccount {
    /// `None` when the account's own id was invalid (already reported).
    id: Option<String>,
    region: Option<String>,
}

/// The documents grants are written into, which decide the allowed actions.
#[derive(Clone, Copy)]
enum PolicyKind {
    Bucket,
    Topic,
}

impl PolicyKind {
    fn service(self) -> &'static str {
        match self {
            PolicyKind::Bucket => "s3",
            PolicyKind::Topic => "sns",
        }
    }

    fn document(self) -> &'static str {
        match self {
            PolicyKind::Bucket => "a bucket policy",
            PolicyKind::Topic => "a topic policy",
        }
    }
}

/// Everything grants need to know about the rest of the spec.
struct GrantContext<'a> {
    accounts: &'a BTreeMap<String, KnownAccount>,
    /// `None` when the spec's own sid_prefix was invalid (already reported).
    sid_prefix: Option<&'a str>,
    kind: PolicyKind,
    /// How messages name the document owner, e.g. `bucket "my-bucket"`.
    owner: String,
    /// The region of the document, as far as the spec tells: its partition
    /// is the one every principal is written in.
    region: Option<String>,
}

/// Validates a whole spec tree; a valid spec comes with its grants as written.
pub(crate) fn validate(root: &Node) -> Result<(Spec, Vec<GrantSite>), Problems> {
    let mut problems = Problems::default();
    let spec = spec(&mut problems, root);
    match spec {
        Some(spec) if problems.list.is_empty() => Ok((spec, problems.grants)),
        _ => {
            if problems.list.is_empty() {
                // Defensive: a spec was refused without saying why.
                problems.add(Pos::START, "the spec is invalid");
            }
            Err(problems)
        }
    }
}

fn spec(problems: &mut Problems, root: &Node) -> Option<Spec> {
    if root.value == Value::Null {
        problems.add(
            root.pos,
            "the spec is empty: it needs at least `version: 1`",
        );
        return None;
    }
    let top = fields(problems, root, "the spec".to_owned(), SPEC_KEYS, Pos::START)?;

    match top.get("version") {
        None => problems.add(
            Pos::START,
            "missing key \"version\" in the spec (write `version: 1`)",
        ),
        Some(node) => match node.value {
            Value::Int(1) => {}
            Value::Int(other) => problems.add(
                node.pos,
                format!("unsupported version {other}: this xacct reads version 1"),
            ),
            _ => wrong_type(problems, node, "version", "the number 1"),
        },
    }

    let sid_prefix = match top.get("sid_prefix") {
        None => Some(DEFAULT_SID_PREFIX.to_owned()),
        Some(node) => string(problems, node, "sid_prefix").and_then(|prefix| {
            if names::is_alphanumeric(prefix) {
                Some(prefix.to_owned())
            } else {
                problems.add(
                    node.pos,
                    format!(
                        "sid_prefix {} must be non-empty and contain only letters and digits \
                         (AWS allows nothing else in a Sid)",
                        quoted(prefix)
                    ),
                );
                None
            }
        }),
    };

    let mut known_accounts = BTreeMap::new();
    let mut accounts = BTreeMap::new();
    if let Some(node) = top.get("accounts") {
        for (name, name_pos, value) in named_entries(problems, node, "accounts") {
            let (known, account) = account(problems, name, name_pos, value);
            known_accounts.insert(name.to_owned(), known);
            if let Some(account) = account {
                accounts.insert(name.to_owned(), account);
            }
        }
    }

    let cloudtrail = top
        .get("cloudtrail")
        .and_then(|node| cloudtrail(problems, node, &known_accounts, top.key_pos("cloudtrail")));

    let grant_prefix = sid_prefix.as_deref();
    let mut sns_topics = BTreeMap::new();
    // Topic key -> its region, for the check that S3 notifies a topic in its own region.
    let mut topic_regions: BTreeMap<String, Option<String>> = BTreeMap::new();
    // (account, region, name) -> key, to refuse two keys managing one topic policy.
    let mut topic_identities: HashMap<(String, String, String), (String, Pos)> = HashMap::new();
    if let Some(node) = top.get("sns_topics") {
        for (key, key_pos, value) in named_entries(problems, node, "sns_topics") {
            let topic = sns_topic(problems, key, key_pos, value, &known_accounts, grant_prefix);
            let Some(topic) = topic else {
                topic_regions.insert(key.to_owned(), None);
                continue;
            };
            let region = topic.region.clone().or_else(|| {
                known_accounts
                    .get(&topic.account)
                    .and_then(|account| account.region.clone())
            });
            if let Some(region) = &region {
                let identity = (topic.account.clone(), region.clone(), topic.name.clone());
                if let Some((first, first_pos)) = topic_identities.get(&identity) {
                    problems.add(
                        key_pos,
                        format!(
                            "sns topic {} is the same topic as {} (first at {first_pos}): \
                             account {}, region {region}, name {}",
                            quoted(key),
                            quoted(first),
                            topic.account,
                            topic.name
                        ),
                    );
                } else {
                    topic_identities.insert(identity, (key.to_owned(), key_pos));
                }
            }
            topic_regions.insert(key.to_owned(), region);
            sns_topics.insert(key.to_owned(), topic);
        }
    }

    let mut buckets = BTreeMap::new();
    let mut declared_buckets = BTreeSet::new();
    let mut logging_targets = Vec::new();
    if let Some(node) = top.get("buckets") {
        for (name, name_pos, value) in named_entries(problems, node, "buckets") {
            declared_buckets.insert(name.to_owned());
            let context = BucketContext {
                accounts: &known_accounts,
                sid_prefix: grant_prefix,
                topic_regions: &topic_regions,
                has_cloudtrail: top.get("cloudtrail").is_some(),
                has_quilt: top.get("quilt").is_some(),
            };
            if let Some(bucket) = bucket(
                problems,
                name,
                name_pos,
                value,
                &context,
                &mut logging_targets,
            ) {
                buckets.insert(name.to_owned(), bucket);
            }
        }
    }
    hardening::check_logging_targets(
        problems,
        &logging_targets,
        &buckets,
        &known_accounts,
        &declared_buckets,
    );

    let quilt = top
        .get("quilt")
        .and_then(|node| catalog::quilt(problems, node, top.key_pos("quilt").unwrap_or(node.pos)));

    let ignore = top
        .get("ignore")
        .map(|node| ignore::ignores(problems, node))
        .unwrap_or_default();

    Some(Spec {
        sid_prefix: sid_prefix.unwrap_or_default(),
        accounts,
        buckets,
        sns_topics,
        cloudtrail,
        ignore,
        quilt,
    })
}

/// Checks an account name: it is also written as a principal, so it must not be
/// mistakable for an account id or an ARN.
fn check_account_name(problems: &mut Problems, name: &str, pos: Pos) {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        problems.add(
            pos,
            format!(
                "account name {} must be letters, digits, '-', '_' or '.' and not all digits \
                 (names are used as principals, so they must not look like account ids or ARNs)",
                quoted(name)
            ),
        );
    }
}

fn region(problems: &mut Problems, node: &Node, what: &str) -> Option<String> {
    let text = string(problems, node, what)?;
    match names::check_region(text) {
        Ok(()) => Some(text.to_owned()),
        Err(reason) => {
            problems.add(node.pos, format!("{} {reason}", with_value(what, text)));
            None
        }
    }
}

fn account(
    problems: &mut Problems,
    name: &str,
    name_pos: Pos,
    node: &Node,
) -> (KnownAccount, Option<Account>) {
    check_account_name(problems, name, name_pos);
    let mut known = KnownAccount {
        id: None,
        region: None,
    };
    let Some(fields) = fields(
        problems,
        node,
        format!("account {}", quoted(name)),
        ACCOUNT_KEYS,
        name_pos,
    ) else {
        return (known, None);
    };

    let id = fields.required(problems, "id").and_then(|node| {
        let what = fields.what("id");
        match &node.value {
            Value::Str(text) if names::is_account_id(text) => Some(text.clone()),
            Value::Str(text) => {
                problems.add(
                    node.pos,
                    format!("{} must be exactly 12 digits", with_value(&what, text)),
                );
                None
            }
            Value::Int(_) | Value::Float(_) => match number_as_account_id(&node.value) {
                Some(id) => Some(id),
                None => {
                    problems.add(
                        node.pos,
                        format!(
                            "{what} is {}, not 12 digits: write account ids as quoted strings \
                             (\"012345678901\") so leading zeros are kept",
                            shown(&node.value)
                        ),
                    );
                    None
                }
            },
            _ => {
                wrong_type(problems, node, &what, "a quoted string of 12 digits");
                None
            }
        }
    });
    known.id.clone_from(&id);

    let account_region = fields
        .get("region")
        .and_then(|node| region(problems, node, &fields.what("region")));
    known.region.clone_from(&account_region);

    let profile = fields.get("profile").and_then(|node| {
        let what = fields.what("profile");
        let text = string(problems, node, &what)?;
        if text.trim().is_empty() {
            problems.add(node.pos, format!("{what} must not be empty"));
        }
        Some(text.to_owned())
    });

    let role_arn = fields.get("role_arn").and_then(|node| {
        let what = fields.what("role_arn");
        let text = string(problems, node, &what)?;
        match names::role_arn_account(text) {
            Ok(role_account) => {
                if let Some(id) = &id {
                    if role_account != id {
                        problems.add(
                            node.pos,
                            format!(
                                "{} is in account {role_account}, but the account's id \
                                 is {id}",
                                with_value(&what, text)
                            ),
                        );
                    }
                }
            }
            Err(reason) => problems.add(node.pos, format!("{} {reason}", with_value(&what, text))),
        }
        Some(text.to_owned())
    });

    let external_id = fields.get("external_id").and_then(|node| {
        let what = fields.what("external_id");
        let text = string(problems, node, &what)?;
        if let Err(reason) = names::check_external_id(text) {
            problems.add(node.pos, format!("{what} {reason}"));
        }
        Some(text.to_owned())
    });

    if let (Some(_), Some(pos)) = (fields.get("profile"), fields.key_pos("role_arn")) {
        problems.add(
            pos,
            format!(
                "account {} has both profile and role_arn: use one of them \
                 (role_arn is assumed from the default credential chain)",
                quoted(name)
            ),
        );
    }
    if let (None, Some(pos)) = (fields.get("role_arn"), fields.key_pos("external_id")) {
        problems.add(
            pos,
            format!(
                "external_id of account {} is only used with role_arn",
                quoted(name)
            ),
        );
    }

    let access = match fields.get("access") {
        None => Some(AccountAccess::ReadWrite),
        Some(node) => one_of(
            problems,
            node,
            &fields.what("access"),
            &[
                ("read-only", AccountAccess::ReadOnly),
                ("read-write", AccountAccess::ReadWrite),
            ],
        ),
    };

    let prune = fields
        .get("prune")
        .and_then(|node| boolean(problems, node, &fields.what("prune")))
        .unwrap_or(false);

    let credentials = match (profile, role_arn) {
        (Some(profile), None) => Credentials::Profile(profile),
        (None, Some(role_arn)) => Credentials::AssumeRole {
            role_arn,
            external_id,
        },
        _ => Credentials::DefaultChain,
    };
    let account = id.map(|id| Account {
        name: name.to_owned(),
        id,
        credentials,
        region: account_region,
        access: access.unwrap_or_default(),
        prune,
    });
    (known, account)
}

/// Checks that `node` names a declared account; returns the name.
fn account_reference(
    problems: &mut Problems,
    node: &Node,
    what: &str,
    accounts: &BTreeMap<String, KnownAccount>,
) -> Option<String> {
    let name = string(problems, node, what)?;
    if accounts.contains_key(name) {
        Some(name.to_owned())
    } else {
        problems.add(
            node.pos,
            format!(
                "{} is not declared under accounts (declared: {})",
                with_value(what, name),
                list_or_none(accounts.keys())
            ),
        );
        None
    }
}

fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

struct BucketContext<'a> {
    accounts: &'a BTreeMap<String, KnownAccount>,
    sid_prefix: Option<&'a str>,
    topic_regions: &'a BTreeMap<String, Option<String>>,
    has_cloudtrail: bool,
    has_quilt: bool,
}

fn bucket(
    problems: &mut Problems,
    name: &str,
    name_pos: Pos,
    node: &Node,
    context: &BucketContext<'_>,
    logging_targets: &mut Vec<hardening::LoggingTarget>,
) -> Option<Bucket> {
    if let Err(reason) = names::check_bucket_name(name) {
        problems.add(name_pos, format!("bucket name {} {reason}", quoted(name)));
    }
    let fields = fields(
        problems,
        node,
        format!("bucket {}", quoted(name)),
        &bucket_keys(),
        name_pos,
    )?;

    let account = fields.required(problems, "account").and_then(|node| {
        account_reference(problems, node, &fields.what("account"), context.accounts)
    });
    let bucket_region = fields
        .get("region")
        .and_then(|node| region(problems, node, &fields.what("region")));
    let object_ownership = fields.get("object_ownership").and_then(|node| {
        let what = fields.what("object_ownership");
        let text = string(problems, node, &what)?;
        let parsed = ObjectOwnership::parse(text);
        if parsed.is_none() {
            problems.add(
                node.pos,
                format!(
                    "{} must be one of: BucketOwnerEnforced, BucketOwnerPreferred, \
                     ObjectWriter",
                    with_value(&what, text)
                ),
            );
        }
        parsed
    });
    // The region the bucket is in, as far as the spec tells.
    let effective_region = bucket_region.clone().or_else(|| {
        account
            .as_ref()
            .and_then(|account| context.accounts.get(account))
            .and_then(|account| account.region.clone())
    });
    let grant_context = GrantContext {
        accounts: context.accounts,
        sid_prefix: context.sid_prefix,
        kind: PolicyKind::Bucket,
        owner: fields.context.clone(),
        region: effective_region.clone(),
    };
    let access = fields
        .get("access")
        .map(|node| grants(problems, node, &grant_context));
    let notifications = fields.get("notifications").and_then(|node| {
        notifications(
            problems,
            node,
            &fields,
            effective_region.as_deref(),
            context.topic_regions,
        )
    });

    let cloudtrail = match fields.get("cloudtrail") {
        None => false,
        Some(node) => {
            let flag = boolean(problems, node, &fields.what("cloudtrail")).unwrap_or(false);
            if flag && !context.has_cloudtrail {
                problems.add(
                    node.pos,
                    format!(
                        "cloudtrail: true on bucket {} needs a top-level `cloudtrail:` section \
                         naming the trail",
                        quoted(name)
                    ),
                );
            }
            flag
        }
    };

    let hardening = hardening::hardening(
        problems,
        &fields,
        name,
        effective_region.as_deref(),
        logging_targets,
    );

    let catalog = catalog::catalog(problems, &fields, notifications.as_ref(), context.has_quilt);

    Some(Bucket {
        name: name.to_owned(),
        account: account?,
        region: bucket_region,
        object_ownership,
        access: access.map(|grants| grants.unwrap_or_default()),
        notifications,
        cloudtrail,
        hardening,
        catalog,
    })
}

fn notifications(
    problems: &mut Problems,
    node: &Node,
    bucket: &Fields<'_>,
    bucket_region: Option<&str>,
    topic_regions: &BTreeMap<String, Option<String>>,
) -> Option<Notifications> {
    let at = bucket.key_pos("notifications").unwrap_or(node.pos);
    let fields = fields(
        problems,
        node,
        format!("notifications of {}", bucket.context),
        NOTIFICATION_KEYS,
        at,
    )?;

    let eventbridge = fields
        .get("eventbridge")
        .and_then(|node| boolean(problems, node, &fields.what("eventbridge")));

    let topic = fields.get("sns_topic").and_then(|node| {
        let what = fields.what("sns_topic");
        let text = string(problems, node, &what)?;
        let (topic, topic_region) = if let Some(region) = topic_regions.get(text) {
            (TopicRef::Key(text.to_owned()), region.clone())
        } else if text.starts_with("arn:") {
            match names::topic_arn_region(text) {
                Ok(region) => (TopicRef::Arn(text.to_owned()), Some(region.to_owned())),
                Err(reason) => {
                    problems.add(node.pos, format!("{} {reason}", with_value(&what, text)));
                    return None;
                }
            }
        } else {
            problems.add(
                node.pos,
                format!(
                    "{} is neither a key of sns_topics (declared: {}) nor an SNS topic ARN",
                    with_value(&what, text),
                    list_or_none(topic_regions.keys())
                ),
            );
            return None;
        };
        if let (Some(topic_region), Some(bucket_region)) = (&topic_region, bucket_region) {
            if topic_region != bucket_region {
                problems.add(
                    node.pos,
                    format!(
                        "{} is in region {topic_region} but the bucket is in \
                         {bucket_region}: S3 only notifies topics in the bucket's own region",
                        with_value(&what, text)
                    ),
                );
            }
        }
        Some(topic)
    });

    let events = fields
        .get("events")
        .and_then(|node| events(problems, node, &fields.what("events")));

    if let (Some(pos), Some(true)) = (fields.key_pos("sns_topic"), eventbridge) {
        problems.add(
            pos,
            format!(
                "{} sets both sns_topic and eventbridge: true; use one of them",
                fields.context
            ),
        );
    }
    let sns = match (fields.get("sns_topic"), fields.get("events")) {
        (None, Some(_)) => {
            if let Some(pos) = fields.key_pos("events") {
                problems.add(
                    pos,
                    format!(
                        "events of {} need an sns_topic to send them to",
                        bucket.context
                    ),
                );
            }
            None
        }
        (Some(_), None) => {
            if let Some(pos) = fields.key_pos("sns_topic") {
                problems.add(
                    pos,
                    format!(
                        "sns_topic of {} needs `events:` (e.g. [\"s3:ObjectCreated:*\", \
                         \"s3:ObjectRemoved:*\"])",
                        bucket.context
                    ),
                );
            }
            None
        }
        (Some(_), Some(_)) => match (topic, events) {
            (Some(topic), Some(events)) => Some(SnsNotification { topic, events }),
            _ => None,
        },
        (None, None) => None,
    };

    Some(Notifications { sns, eventbridge })
}

fn events(problems: &mut Problems, node: &Node, what: &str) -> Option<Vec<String>> {
    let Value::Seq(items) = &node.value else {
        wrong_type(problems, node, what, "a list of S3 event types");
        return None;
    };
    if items.is_empty() {
        problems.add(node.pos, format!("{what} must not be empty"));
        return None;
    }
    let mut events = BTreeSet::new();
    let mut valid = true;
    for item in items {
        let Some(text) = string(problems, item, &format!("an event of {what}")) else {
            valid = false;
            continue;
        };
        if names::S3_EVENTS.contains(&text) {
            events.insert(text.to_owned());
        } else {
            valid = false;
            problems.add(
                item.pos,
                format!(
                    "event {} of {what} is not an S3 event type (e.g. s3:ObjectCreated:*, \
                     s3:ObjectRemoved:*)",
                    quoted(text)
                ),
            );
        }
    }
    valid.then(|| events.into_iter().collect())
}

fn sns_topic(
    problems: &mut Problems,
    key: &str,
    key_pos: Pos,
    node: &Node,
    accounts: &BTreeMap<String, KnownAccount>,
    sid_prefix: Option<&str>,
) -> Option<SnsTopic> {
    if key.is_empty() {
        problems.add(key_pos, "sns topic keys must not be empty");
    }
    let fields = fields(
        problems,
        node,
        format!("sns topic {}", quoted(key)),
        SNS_TOPIC_KEYS,
        key_pos,
    )?;
    let account = fields
        .required(problems, "account")
        .and_then(|node| account_reference(problems, node, &fields.what("account"), accounts));
    let topic_region = fields
        .get("region")
        .and_then(|node| region(problems, node, &fields.what("region")));
    let name = match fields.get("name") {
        Some(node) => {
            let what = fields.what("name");
            string(problems, node, &what).and_then(|name| match names::check_topic_name(name) {
                Ok(()) => Some(name.to_owned()),
                Err(reason) => {
                    problems.add(node.pos, format!("{} {reason}", with_value(&what, name)));
                    None
                }
            })
        }
        // The key doubles as the topic's name when no name is given.
        None => match names::check_topic_name(key) {
            Ok(()) => Some(key.to_owned()),
            Err(reason) => {
                problems.add(
                    key_pos,
                    format!(
                        "sns topic {} has no `name:`, and as a topic name the key {reason}",
                        quoted(key)
                    ),
                );
                None
            }
        },
    };
    let grant_context = GrantContext {
        accounts,
        sid_prefix,
        kind: PolicyKind::Topic,
        owner: fields.context.clone(),
        region: topic_region.clone().or_else(|| {
            account
                .as_ref()
                .and_then(|account| accounts.get(account))
                .and_then(|account| account.region.clone())
        }),
    };
    let access = fields
        .get("access")
        .map(|node| grants(problems, node, &grant_context));
    Some(SnsTopic {
        key: key.to_owned(),
        account: account?,
        region: topic_region,
        name: name?,
        access: access.map(|grants| grants.unwrap_or_default()),
    })
}

fn cloudtrail(
    problems: &mut Problems,
    node: &Node,
    accounts: &BTreeMap<String, KnownAccount>,
    at: Option<Pos>,
) -> Option<CloudTrail> {
    let fields = fields(
        problems,
        node,
        "cloudtrail".to_owned(),
        CLOUDTRAIL_KEYS,
        at.unwrap_or(node.pos),
    )?;
    // The trail and, when it is given by ARN, its home region and position.
    let trail = fields.required(problems, "trail").and_then(|node| {
        let what = fields.what("trail");
        let text = string(problems, node, &what)?;
        match names::check_trail(text) {
            Ok(home) => Some((
                text.to_owned(),
                home.map(|home| (home.to_owned(), node.pos)),
            )),
            Err(reason) => {
                problems.add(node.pos, format!("{} {reason}", with_value(&what, text)));
                None
            }
        }
    });
    let account = fields
        .required(problems, "account")
        .and_then(|node| account_reference(problems, node, &fields.what("account"), accounts));
    let trail_region = fields
        .get("region")
        .and_then(|node| region(problems, node, &fields.what("region")));
    // CloudTrail changes a trail's selectors only in its home region
    // (elsewhere: InvalidHomeRegionException), so an ARN tells where to call.
    let called_in = trail_region.clone().or_else(|| {
        accounts
            .get(account.as_deref()?)
            .and_then(|known| known.region.clone())
    });
    if let (Some((text, Some((home, pos)))), Some(called_in)) = (&trail, &called_in) {
        if home != called_in {
            problems.add(
                *pos,
                format!(
                    "{} is in region {home}, but the spec reaches it in {called_in}: CloudTrail \
                     only changes a trail's event selectors in its home region (set region: \
                     {home} under cloudtrail)",
                    with_value(&fields.what("trail"), text)
                ),
            );
        }
    }
    let trail = trail.map(|(text, _)| text);
    let read_write = match fields.get("read_write") {
        None => Some(ReadWrite::All),
        Some(node) => one_of(
            problems,
            node,
            &fields.what("read_write"),
            &[
                ("All", ReadWrite::All),
                ("ReadOnly", ReadWrite::ReadOnly),
                ("WriteOnly", ReadWrite::WriteOnly),
            ],
        ),
    };
    let include_management_events = match fields.get("include_management_events") {
        None => Some(true),
        Some(node) => boolean(problems, node, &fields.what("include_management_events")),
    };
    let selector_mode = match fields.get("selector_mode") {
        None => Some(SelectorMode::Auto),
        Some(node) => one_of(
            problems,
            node,
            &fields.what("selector_mode"),
            &[
                ("auto", SelectorMode::Auto),
                ("basic", SelectorMode::Basic),
                ("advanced", SelectorMode::Advanced),
            ],
        ),
    };
    let scope = match fields.get("scope") {
        None => Some(TrailScope::Buckets),
        Some(node) => one_of(
            problems,
            node,
            &fields.what("scope"),
            &[("buckets", TrailScope::Buckets), ("all", TrailScope::All)],
        ),
    };
    if let (Some(TrailScope::All), Some(SelectorMode::Basic), Some(pos)) =
        (scope, selector_mode, fields.key_pos("scope"))
    {
        problems.add(
            pos,
            "cloudtrail scope: all is one advanced event selector, but selector_mode is basic; \
             set selector_mode: advanced (or auto), or scope: buckets",
        );
    }
    Some(CloudTrail {
        trail: trail?,
        account: account?,
        region: trail_region,
        read_write: read_write?,
        include_management_events: include_management_events?,
        selector_mode: selector_mode?,
        scope: scope?,
    })
}

/// A string that must be one of a fixed set of spellings.
fn one_of<T: Copy>(
    problems: &mut Problems,
    node: &Node,
    what: &str,
    choices: &[(&str, T)],
) -> Option<T> {
    let text = string(problems, node, what)?;
    let found = choices
        .iter()
        .find(|(spelling, _)| *spelling == text)
        .map(|(_, value)| *value);
    if found.is_none() {
        let spellings: Vec<&str> = choices.iter().map(|(spelling, _)| *spelling).collect();
        problems.add(
            node.pos,
            format!(
                "{} must be one of: {}",
                with_value(what, text),
                spellings.join(", ")
            ),
        );
    }
    found
}

/// An `access:` list. `None` when any entry was invalid (already reported).
fn grants(problems: &mut Problems, node: &Node, context: &GrantContext<'_>) -> Option<Vec<Grant>> {
    let what = format!("access of {}", context.owner);
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Null => {
            problems.add(
                node.pos,
                format!(
                    "{what} has no value: write a list of grants, or `access: []` to remove \
                     every managed statement"
                ),
            );
            return None;
        }
        _ => {
            wrong_type(problems, node, &what, "a list of grants");
            return None;
        }
    };
    // Sid -> where it was first written, for uniqueness within the document.
    let mut sids: HashMap<String, Pos> = HashMap::new();
    let mut grants = Vec::new();
    let mut valid = true;
    for (index, item) in items.iter().enumerate() {
        match grant(problems, item, index, context, &mut sids) {
            Some(grant) => grants.push(grant),
            None => valid = false,
        }
    }
    // Most entries hold one or two grants: no spare capacity per bucket.
    grants.shrink_to_fit();
    valid.then_some(grants)
}

fn grant(
    problems: &mut Problems,
    node: &Node,
    index: usize,
    context: &GrantContext<'_>,
    sids: &mut HashMap<String, Pos>,
) -> Option<Grant> {
    let entry = format!("access entry {} of {}", index + 1, context.owner);
    let fields = fields(problems, node, entry, GRANT_KEYS, node.pos)?;
    let problems_before = problems.list.len();

    let sid = fields.required(problems, "sid").and_then(|node| {
        let sid = string(problems, node, &fields.what("sid"))?;
        check_sid(problems, sid, node.pos, context, sids);
        Some(sid.to_owned())
    });

    let principals = fields.required(problems, "principals").and_then(|node| {
        let what = fields.what("principals");
        let Value::Seq(items) = &node.value else {
            wrong_type(problems, node, &what, "a list of principals");
            return None;
        };
        if items.is_empty() {
            problems.add(node.pos, format!("{what} must not be empty"));
            return None;
        }
        let sites: Vec<PrincipalSite> = items
            .iter()
            .filter_map(|item| {
                let arn = principal(problems, item, &fields.context, context)?;
                let written = match &item.value {
                    Value::Str(text) => text.clone(),
                    _ => number_as_account_id(&item.value).unwrap_or_default(),
                };
                Some(PrincipalSite {
                    pos: item.pos,
                    written,
                    arn,
                })
            })
            .collect();
        let resolved: BTreeSet<String> = sites.iter().map(|site| site.arn.clone()).collect();
        Some((resolved.into_iter().collect::<Vec<_>>(), sites))
    });

    let actions_node = fields.required(problems, "actions");
    let actions =
        actions_node.and_then(|node| actions(problems, node, &fields.what("actions"), context));

    let (principals, principal_sites) = principals?;
    let grant = Grant {
        sid: sid?,
        principals,
        actions: actions?,
    };
    if problems.list.len() != problems_before {
        return None;
    }
    let (action_sites, preset) = match actions_node {
        Some(Node {
            value: Value::Str(preset),
            ..
        }) => (
            Vec::new(),
            presets::preset(preset).map_or(&[][..], |preset| preset.actions),
        ),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => (
            items
                .iter()
                .filter_map(|item| match &item.value {
                    Value::Str(action) => Some(ActionSite {
                        pos: item.pos,
                        action: action.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            &[][..],
        ),
        _ => (Vec::new(), &[][..]),
    };
    problems.grants.push(GrantSite {
        service: context.kind.service(),
        entry: fields.context.clone(),
        sid: grant.sid.clone(),
        principals: principal_sites,
        actions: action_sites,
        preset,
    });
    Some(grant)
}

fn check_sid(
    problems: &mut Problems,
    sid: &str,
    pos: Pos,
    context: &GrantContext<'_>,
    sids: &mut HashMap<String, Pos>,
) {
    let owner = &context.owner;
    if !names::is_alphanumeric(sid) {
        problems.add(
            pos,
            format!(
                "sid {} in {owner} may contain only letters and digits (A-Z, a-z, 0-9): \
                 AWS refuses other characters in a Sid",
                quoted(sid)
            ),
        );
    }
    if let Some(prefix) = context.sid_prefix {
        if !sid.starts_with(prefix) {
            problems.add(
                pos,
                format!(
                    "sid {} in {owner} must start with the sid_prefix {}: xacct only manages \
                     statements whose Sid starts with it",
                    quoted(sid),
                    quoted(prefix)
                ),
            );
        }
        if matches!(context.kind, PolicyKind::Bucket)
            && sid == format!("{prefix}{S3_ACCESS_LOGS_SID_SUFFIX}")
        {
            problems.add(
                pos,
                format!(
                    "sid {} in {owner} is reserved: xacct writes that statement itself to let S3 \
                     deliver server access logs",
                    quoted(sid)
                ),
            );
        }
        if matches!(context.kind, PolicyKind::Topic)
            && sid == format!("{prefix}{S3_PUBLISH_SID_SUFFIX}")
        {
            problems.add(
                pos,
                format!(
                    "sid {} in {owner} is reserved: xacct writes that statement itself to let S3 \
                     publish bucket notifications",
                    quoted(sid)
                ),
            );
        }
    }
    match sids.get(sid) {
        Some(first) => problems.add(
            pos,
            format!(
                "duplicate sid {} in {owner} (first at {first}): a Sid must be unique within \
                 its policy",
                quoted(sid)
            ),
        ),
        None => {
            sids.insert(sid.to_owned(), pos);
        }
    }
}

/// Resolves one principal to an IAM principal ARN in the partition of the
/// document it is written into.
fn principal(
    problems: &mut Problems,
    node: &Node,
    entry: &str,
    context: &GrantContext<'_>,
) -> Option<String> {
    let accounts = context.accounts;
    let partition = names::partition(context.region.as_deref());
    let root_arn = |account_id: &str| format!("arn:{partition}:iam::{account_id}:root");
    let text = match &node.value {
        Value::Str(text) => text.as_str(),
        value => match number_as_account_id(value) {
            Some(id) => return Some(root_arn(&id)),
            None => {
                wrong_type(
                    problems,
                    node,
                    &format!("a principal of {entry}"),
                    "an account name, a quoted 12-digit account id or an IAM ARN string",
                );
                return None;
            }
        },
    };
    if !text.is_empty() && text.chars().all(|c| c == '*' || c == '?') {
        problems.add(
            node.pos,
            format!(
                "principal {} of {entry} would grant access to everyone: public grants are not \
                 allowed",
                quoted(text)
            ),
        );
        return None;
    }
    if text.contains(['*', '?']) {
        problems.add(
            node.pos,
            format!(
                "principal {} of {entry} contains a wildcard: IAM principals cannot use \
                 wildcards, and public grants are not allowed",
                quoted(text)
            ),
        );
        return None;
    }
    if names::is_account_id(text) {
        return Some(root_arn(text));
    }
    if text.starts_with("arn:") {
        return match names::check_principal_arn(text) {
            Ok(()) => match names::arn_partition(text) {
                Some(named) if named != partition => {
                    problems.add(
                        node.pos,
                        format!(
                            "principal {} of {entry} is in partition {named}, but {} is in \
                             partition {partition} (region {}), where AWS refuses it; name the \
                             principal in {partition}, or by account name or id",
                            quoted(text),
                            context.owner,
                            context
                                .region
                                .as_deref()
                                .unwrap_or("unset: the SDK default"),
                        ),
                    );
                    None
                }
                _ => Some(text.to_owned()),
            },
            Err(reason) => {
                problems.add(
                    node.pos,
                    format!("principal {} of {entry} {reason}", quoted(text)),
                );
                None
            }
        };
    }
    match accounts.get(text) {
        // The account's own id was invalid; that is reported where it is written.
        Some(account) => account.id.as_deref().map(root_arn),
        None => {
            problems.add(
                node.pos,
                format!(
                    "principal {} of {entry} is not an account name (declared: {}), a 12-digit \
                     account id or an IAM ARN",
                    quoted(text),
                    list_or_none(accounts.keys())
                ),
            );
            None
        }
    }
}

fn actions(
    problems: &mut Problems,
    node: &Node,
    what: &str,
    context: &GrantContext<'_>,
) -> Option<Cow<'static, [Cow<'static, str>]>> {
    let service = context.kind.service();
    match &node.value {
        Value::Str(name) => match presets::preset(name) {
            Some(preset) if preset.service == service => Some(Cow::Borrowed(preset.grant_actions)),
            Some(preset) => {
                problems.add(
                    node.pos,
                    format!(
                        "{what}: the preset {} holds {}: actions, which {} cannot \
                         grant (only {service}: actions)",
                        quoted(name),
                        preset.service,
                        context.kind.document()
                    ),
                );
                None
            }
            None => {
                problems.add(
                    node.pos,
                    format!(
                        "{} is not a preset (presets: {}); write a list of actions, \
                         e.g. [{service}:...]",
                        with_value(what, name),
                        presets::PRESET_NAMES.join(", ")
                    ),
                );
                None
            }
        },
        Value::Seq(items) => {
            if items.is_empty() {
                problems.add(
                    node.pos,
                    format!("{what} must not be empty (or name a preset)"),
                );
                return None;
            }
            let mut actions = BTreeSet::new();
            let mut valid = true;
            for item in items {
                let Some(text) = string(problems, item, &format!("an action of {what}")) else {
                    valid = false;
                    continue;
                };
                match names::action_service(text) {
                    Ok(action_service) if action_service.eq_ignore_ascii_case(service) => {
                        actions.insert(text.to_owned());
                    }
                    Ok(_) => {
                        valid = false;
                        problems.add(
                            item.pos,
                            format!(
                                "action {} of {what} is not an {service}: action; {} grants only \
                                 {service}: actions",
                                quoted(text),
                                context.kind.document()
                            ),
                        );
                    }
                    Err(reason) => {
                        valid = false;
                        let hint = if presets::preset(text).is_some() {
                            " (a preset is written alone: `actions: quilt`)"
                        } else {
                            ""
                        };
                        problems.add(
                            item.pos,
                            format!("action {} of {what} {reason}{hint}", quoted(text)),
                        );
                    }
                }
            }
            valid.then(|| Cow::Owned(actions.into_iter().map(Cow::Owned).collect()))
        }
        _ => {
            wrong_type(
                problems,
                node,
                what,
                "a preset name (quilt) or a list of actions",
            );
            None
        }
    }
}

pub(crate) mod catalog;
mod hardening;
pub(crate) mod ignore;
#[cfg(test)]
pub(crate) mod tests;
