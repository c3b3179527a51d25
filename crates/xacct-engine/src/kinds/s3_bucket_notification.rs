//! `s3_bucket_notification.<bucket>`: the entries of a bucket's notification
//! configuration whose Id starts with the prefix, and the EventBridge flag
//! when the spec sets it. PutBucketNotificationConfiguration replaces the
//! whole document, so every other entry is written back exactly as read.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use xacct_spec::{Bucket, Spec, TopicRef};

use super::sns_topic_policy::{self, SnsTopicPolicy};
use crate::kind::{
    ChangeAction, Declarations, Declared, Dependency, DiffStyle, Holder, Kind, PlanOptions,
    Planned, SliceError, Subject,
};

pub struct S3BucketNotification;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum NotificationWrite {
    /// The whole notification configuration: others' entries as read, ours as wanted.
    PutBucketNotification {
        bucket: String,
        configuration: NotificationConfiguration,
    },
}

impl Kind for S3BucketNotification {
    const NAME: &'static str = "s3_bucket_notification";
    /// After the topic policy: S3 checks on write that it may publish.
    const STAGE: u8 = 3;
    const DIFF: DiffStyle = DiffStyle::Keyed {
        key: "Id",
        noun: "notification",
    };
    const HOLDER: Holder = Holder::Bucket;
    type Desired = DesiredNotification;
    type Observed = NotificationConfiguration;
    type Write = NotificationWrite;

    fn desired(spec: &Spec) -> Declarations<'_, DesiredNotification> {
        Box::new(
            spec.buckets
                .values()
                .map(|bucket| Ok(desired(spec, bucket))),
        )
    }

    fn plan(
        options: &PlanOptions,
        subject: &Subject<'_>,
        desired: &DesiredNotification,
        observed: &NotificationConfiguration,
    ) -> Result<Planned<NotificationWrite>, SliceError> {
        plan(subject.aws_id, &options.sid_prefix, desired, observed)
    }

    fn meaning(observed: &NotificationConfiguration) -> String {
        format!("notification:{}", observed.canonical())
    }

    fn expected(write: &NotificationWrite) -> NotificationConfiguration {
        let NotificationWrite::PutBucketNotification { configuration, .. } = write;
        configuration.clone()
    }

    fn operation(write: &NotificationWrite) -> &'static str {
        match write {
            NotificationWrite::PutBucketNotification { .. } => "PutBucketNotificationConfiguration",
        }
    }

    /// None of the prefixed entries; EventBridge left as found.
    fn unlisted() -> Option<DesiredNotification> {
        Some(DesiredNotification {
            topic: None,
            eventbridge: None,
        })
    }
}

/// A bucket's whole notification configuration, as the engine sees it
/// (xacct-aws converts to and from the SDK's types).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationConfiguration {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<NotificationEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<NotificationEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lambdas: Vec<NotificationEntry>,
    /// `EventBridgeConfiguration` present.
    #[serde(default)]
    pub eventbridge: bool,
}

/// One Topic/Queue/LambdaFunction configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEntry {
    /// S3 assigns one when the writer gave none.
    pub id: Option<String>,
    /// Topic, queue or function ARN.
    pub arn: String,
    pub events: Vec<String>,
    /// Key filter rules (`prefix` / `suffix`) as read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter_rules: Vec<FilterRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterRule {
    pub name: String,
    pub value: String,
}

/// What the spec wants of one bucket's notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredNotification {
    /// The managed topic entry (Id `<prefix>SnsNotification`), if any.
    pub topic: Option<NotificationEntry>,
    /// `Some(true)`: EventBridge on; `Some(false)`: off; `None`: left as found.
    pub eventbridge: Option<bool>,
}

/// The Id of the managed topic entry: stable across runs.
pub fn managed_id(prefix: &str) -> String {
    format!("{prefix}SnsNotification")
}

impl NotificationConfiguration {
    /// A digest input of the configuration's meaning (order of entries and of
    /// events does not matter).
    pub fn canonical(&self) -> String {
        let entries = |entries: &[NotificationEntry]| {
            let mut out: Vec<String> = entries
                .iter()
                .map(|entry| {
                    let mut events = entry.events.clone();
                    events.sort();
                    let mut rules: Vec<String> = entry
                        .filter_rules
                        .iter()
                        .map(|rule| format!("{}={}", rule.name.to_ascii_lowercase(), rule.value))
                        .collect();
                    rules.sort();
                    format!("{:?}|{}|{events:?}|{rules:?}", entry.id, entry.arn)
                })
                .collect();
            out.sort();
            out
        };
        format!(
            "topics:{:?};queues:{:?};lambdas:{:?};eventbridge:{}",
            entries(&self.topics),
            entries(&self.queues),
            entries(&self.lambdas),
            self.eventbridge
        )
    }
}

/// Every listed bucket's notification entries are managed: a bucket without
/// `notifications:` wants none of the prefixed entries, and leaves
/// EventBridge as it finds it.
fn desired(spec: &Spec, bucket: &Bucket) -> Declared<DesiredNotification> {
    let notifications = bucket.notifications.as_ref();
    let mut depends_on = Vec::new();
    let topic = notifications.and_then(|n| n.sns.as_ref()).map(|sns| {
        let arn = match &sns.topic {
            TopicRef::Key(key) => {
                depends_on.push(Dependency::on::<SnsTopicPolicy>(key));
                spec.sns_topics
                    .get(key)
                    .and_then(|topic| sns_topic_policy::topic_arn(spec, topic))
                    .unwrap_or_default()
            }
            TopicRef::Arn(arn) => arn.clone(),
        };
        NotificationEntry {
            id: Some(managed_id(&spec.sid_prefix)),
            arn,
            events: sns.events.clone(),
            filter_rules: Vec::new(),
        }
    });
    Declared::of_bucket(
        spec,
        bucket,
        depends_on,
        DesiredNotification {
            topic,
            eventbridge: notifications.and_then(|n| n.eventbridge),
        },
    )
}

/// How the EventBridge flag appears in a plan's slice: S3 gives the flag no
/// Id, but the renderers key notification entries by one.
const EVENTBRIDGE_ID: &str = "EventBridge";

/// The three lists of a notification configuration; an entry's meaning
/// includes which list it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Destination {
    Topic,
    Queue,
    Lambda,
}

impl Destination {
    /// The field naming the destination in a plan's slice (as in S3's JSON API).
    fn arn_field(self) -> &'static str {
        match self {
            Destination::Topic => "TopicArn",
            Destination::Queue => "QueueArn",
            Destination::Lambda => "LambdaFunctionArn",
        }
    }
}

/// Plans the managed slice of `observed` against `desired`: every entry whose
/// Id does not start with `prefix` is written back exactly as read, ours are
/// set to what the spec wants, and the EventBridge flag follows the spec when
/// the spec says anything about it.
fn plan(
    bucket: &str,
    prefix: &str,
    desired: &DesiredNotification,
    observed: &NotificationConfiguration,
) -> Result<Planned<NotificationWrite>, SliceError> {
    if let Some(topic) = &desired.topic {
        if topic.arn.is_empty() {
            return Err(SliceError::Invalid(
                "the ARN of the notification topic is unknown: set `region:` on the topic \
                 or on its account, or name the topic by ARN"
                    .into(),
            ));
        }
    }
    let (owned_before, foreign): (Vec<_>, Vec<_>) = entries(observed)
        .into_iter()
        .partition(|(_, entry)| is_managed(entry, prefix));
    let owned_after: Vec<(Destination, &NotificationEntry)> = desired
        .topic
        .iter()
        .map(|entry| (Destination::Topic, entry))
        .collect();
    let eventbridge_before = desired.eventbridge.is_some() && observed.eventbridge;
    let eventbridge_after = desired.eventbridge == Some(true);
    let before = slice_value(&owned_before, eventbridge_before);
    let after = slice_value(&owned_after, eventbridge_after);
    let action = match (before.is_null(), after.is_null()) {
        (true, true) => ChangeAction::NoOp,
        (true, false) => ChangeAction::Create,
        (false, true) => ChangeAction::Delete,
        (false, false) => {
            if meanings(&owned_before) == meanings(&owned_after)
                && eventbridge_before == eventbridge_after
            {
                ChangeAction::NoOp
            } else {
                ChangeAction::Update
            }
        }
    };

    let mut notes = Vec::new();
    if !foreign.is_empty() {
        notes.push(format!(
            "{} notification entr{} of others kept unchanged",
            foreign.len(),
            if foreign.len() == 1 { "y" } else { "ies" }
        ));
    }
    if desired.eventbridge.is_none() && observed.eventbridge {
        notes.push("EventBridge delivery (not managed by this spec) kept on".into());
    }
    if desired.eventbridge == Some(false) && observed.eventbridge {
        notes.push("EventBridge delivery is turned off (`eventbridge: false`)".into());
    }

    let write = match action {
        ChangeAction::NoOp => None,
        ChangeAction::Create | ChangeAction::Update | ChangeAction::Delete => {
            for (_, ours) in &owned_after {
                check_overlap(ours, &foreign)?;
            }
            let mut merged = NotificationConfiguration {
                eventbridge: desired.eventbridge.unwrap_or(observed.eventbridge),
                ..NotificationConfiguration::default()
            };
            for (destination, entry) in foreign.iter().chain(&owned_after) {
                let list = match destination {
                    Destination::Topic => &mut merged.topics,
                    Destination::Queue => &mut merged.queues,
                    Destination::Lambda => &mut merged.lambdas,
                };
                list.push((*entry).clone());
            }
            Some(NotificationWrite::PutBucketNotification {
                bucket: bucket.to_string(),
                configuration: merged,
            })
        }
    };
    Ok(Planned {
        action,
        before,
        after,
        write,
        notes,
    })
}

/// Entries without an Id are someone else's (S3 assigns one on write anyway).
fn is_managed(entry: &NotificationEntry, prefix: &str) -> bool {
    entry.id.as_deref().is_some_and(|id| id.starts_with(prefix))
}

/// Every Topic/Queue/LambdaFunction configuration, in document order.
fn entries(configuration: &NotificationConfiguration) -> Vec<(Destination, &NotificationEntry)> {
    let lists = [
        (Destination::Topic, &configuration.topics),
        (Destination::Queue, &configuration.queues),
        (Destination::Lambda, &configuration.lambdas),
    ];
    lists
        .into_iter()
        .flat_map(|(destination, list)| list.iter().map(move |entry| (destination, entry)))
        .collect()
}

/// What a set of entries means: order of entries and of events does not
/// matter, nor the case of filter rule names (S3 answers `Prefix` for `prefix`).
fn meanings(entries: &[(Destination, &NotificationEntry)]) -> Vec<String> {
    let mut out: Vec<String> = entries
        .iter()
        .map(|(destination, entry)| {
            let mut events = entry.events.clone();
            events.sort();
            events.dedup();
            let mut rules: Vec<(String, &str)> = entry
                .filter_rules
                .iter()
                .map(|rule| (rule.name.to_ascii_lowercase(), rule.value.as_str()))
                .collect();
            rules.sort();
            format!(
                "{destination:?}|{:?}|{}|{events:?}|{rules:?}",
                entry.id, entry.arn
            )
        })
        .collect();
    out.sort();
    out
}

/// The managed slice as shown in plans: one object per entry, keyed by `Id`,
/// and the EventBridge flag as an entry of its own; `null` when empty.
fn slice_value(entries: &[(Destination, &NotificationEntry)], eventbridge: bool) -> Value {
    let mut items: Vec<Value> = entries
        .iter()
        .map(|(destination, entry)| entry_value(*destination, entry))
        .collect();
    if eventbridge {
        items.push(json!({"Id": EVENTBRIDGE_ID, "EventBridgeConfiguration": "enabled"}));
    }
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

fn entry_value(destination: Destination, entry: &NotificationEntry) -> Value {
    let mut events = entry.events.clone();
    events.sort();
    events.dedup();
    let mut object = Map::new();
    object.insert("Id".into(), json!(entry.id));
    object.insert(destination.arn_field().into(), json!(entry.arn));
    object.insert("Events".into(), json!(events));
    if !entry.filter_rules.is_empty() {
        let filter: Map<String, Value> = entry
            .filter_rules
            .iter()
            .map(|rule| (rule_name(&rule.name), json!(rule.value)))
            .collect();
        object.insert("Filter".into(), Value::Object(filter));
    }
    Value::Object(object)
}

/// `Prefix` / `Suffix`, however the rule was spelled.
fn rule_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => lower,
    }
}

/// S3 refuses the whole write ("Configurations overlap") when two entries
/// with a common event type and overlapping key filters go to different
/// destinations; saying which foreign entry is in the way beats a bare 400.
fn check_overlap(
    ours: &NotificationEntry,
    foreign: &[(Destination, &NotificationEntry)],
) -> Result<(), SliceError> {
    for (_, theirs) in foreign {
        if theirs.arn == ours.arn || !filters_overlap(ours, theirs) {
            continue;
        }
        let Some((our_event, their_event)) = ours.events.iter().find_map(|ours| {
            theirs
                .events
                .iter()
                .find(|theirs| events_overlap(ours, theirs))
                .map(|theirs| (ours, theirs))
        }) else {
            continue;
        };
        let event = if our_event == their_event {
            format!("event {our_event}")
        } else {
            format!("events {our_event} and {their_event}")
        };
        let their_id = theirs
            .id
            .as_deref()
            .map(|id| format!("{id:?}"))
            .unwrap_or_else(|| "without an Id".into());
        return Err(SliceError::Invalid(format!(
            "the managed notification {:?} (to {}) would overlap the existing notification \
             {their_id} (to {}, not managed by xacct) on {event} with overlapping key filters, \
             and S3 refuses overlapping configurations (\"Configurations overlap\"); change \
             this bucket's `events:`, or narrow or remove that notification",
            ours.id.as_deref().unwrap_or_default(),
            ours.arn,
            theirs.arn,
        )));
    }
    Ok(())
}

/// `s3:ObjectCreated:*` covers every `s3:ObjectCreated:...` event.
fn events_overlap(a: &str, b: &str) -> bool {
    let covers = |wide: &str, narrow: &str| {
        wide.strip_suffix('*')
            .is_some_and(|family| family.ends_with(':') && narrow.starts_with(family))
    };
    a == b || covers(a, b) || covers(b, a)
}

/// Two key filters overlap when some key can match both: prefixes when one
/// is a prefix of the other, suffixes when one is a suffix of the other (no
/// rule matches every key).
fn filters_overlap(a: &NotificationEntry, b: &NotificationEntry) -> bool {
    let rule = |entry: &NotificationEntry, name: &str| -> String {
        entry
            .filter_rules
            .iter()
            .find(|rule| rule.name.eq_ignore_ascii_case(name))
            .map(|rule| rule.value.clone())
            .unwrap_or_default()
    };
    let (prefix_a, prefix_b) = (rule(a, "prefix"), rule(b, "prefix"));
    let (suffix_a, suffix_b) = (rule(a, "suffix"), rule(b, "suffix"));
    let prefixes = prefix_a.starts_with(&prefix_b) || prefix_b.starts_with(&prefix_a);
    let suffixes = suffix_a.ends_with(&suffix_b) || suffix_b.ends_with(&suffix_a);
    prefixes && suffixes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plans with the default prefix on the test bucket.
    fn plan_quilt(
        desired: &DesiredNotification,
        observed: &NotificationConfiguration,
    ) -> Result<Planned<NotificationWrite>, SliceError> {
        plan("data-bucket", "Quilt", desired, observed)
    }

    const OUR_TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:quilt-events";
    const ANALYTICS_TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:analytics-events";
    const AUDIT_QUEUE: &str = "arn:aws:sqs:us-east-1:222222222222:audit";
    const THUMBNAILER: &str = "arn:aws:lambda:us-east-1:222222222222:function:thumbnailer";

    fn entry(
        id: Option<&str>,
        arn: &str,
        events: &[&str],
        rules: &[(&str, &str)],
    ) -> NotificationEntry {
        NotificationEntry {
            id: id.map(str::to_string),
            arn: arn.to_string(),
            events: events.iter().map(|e| e.to_string()).collect(),
            filter_rules: rules
                .iter()
                .map(|(name, value)| FilterRule {
                    name: name.to_string(),
                    value: value.to_string(),
                })
                .collect(),
        }
    }

    fn ours(events: &[&str]) -> NotificationEntry {
        entry(Some("QuiltSnsNotification"), OUR_TOPIC, events, &[])
    }

    fn wants_topic(events: &[&str]) -> DesiredNotification {
        DesiredNotification {
            topic: Some(ours(events)),
            eventbridge: None,
        }
    }

    /// Another team's entries as S3 returns them: S3-assigned Ids, filter
    /// rule names capitalised whatever the writer sent.
    fn foreign_document() -> NotificationConfiguration {
        NotificationConfiguration {
            topics: vec![entry(
                Some("AnalyticsTeamEvents"),
                ANALYTICS_TOPIC,
                &["s3:ObjectTagging:*"],
                &[("Prefix", "analytics/")],
            )],
            queues: vec![entry(
                Some("NjE0YjQ1ZjktMDg5Ny00ZGU4LWE4ZTMtOGE3ZjE1ZmM5ZmNj"),
                AUDIT_QUEUE,
                &["s3:ObjectRestore:Completed"],
                &[],
            )],
            lambdas: vec![entry(
                Some("thumbnails"),
                THUMBNAILER,
                &["s3:ObjectTagging:Put"],
                &[("Prefix", "images/"), ("Suffix", ".jpg")],
            )],
            eventbridge: false,
        }
    }

    fn written(planned: &Planned<NotificationWrite>) -> &NotificationConfiguration {
        match &planned.write {
            Some(NotificationWrite::PutBucketNotification {
                bucket,
                configuration,
            }) => {
                assert_eq!(bucket, "data-bucket");
                configuration
            }
            other => panic!("expected a PutBucketNotification, got {other:?}"),
        }
    }

    #[test]
    fn desired_derives_the_managed_entry_and_its_dependency_from_the_spec() {
        let spec = xacct_spec::load_str(
            r#"version: 1
accounts:
  data: { id: "222222222222", region: us-east-1 }
buckets:
  data-bucket:
    account: data
    notifications: { sns_topic: quilt-events, events: ["s3:ObjectCreated:*"] }
sns_topics:
  quilt-events: { account: data, name: quilt-events }
"#,
            "deploy.yaml",
        )
        .unwrap();
        let resource = desired(&spec, &spec.buckets["data-bucket"]);
        assert_eq!(resource.name, "data-bucket");
        assert_eq!(resource.aws_id, "data-bucket");
        assert_eq!(
            resource.depends_on,
            vec![Dependency::on::<SnsTopicPolicy>("quilt-events")]
        );
        assert_eq!(resource.desired, wants_topic(&["s3:ObjectCreated:*"]));
    }

    #[test]
    fn create_adds_our_entry_and_writes_every_foreign_entry_back_as_read() {
        let observed = foreign_document();
        let planned = plan_quilt(
            &wants_topic(&["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(planned.before, Value::Null);
        assert_eq!(
            planned.after,
            json!([{
                "Id": "QuiltSnsNotification",
                "TopicArn": OUR_TOPIC,
                "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
            }])
        );
        let merged = written(&planned);
        assert_eq!(merged.topics[0], observed.topics[0]);
        assert_eq!(
            merged.topics[1],
            ours(&["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
        );
        assert_eq!(merged.queues, observed.queues);
        assert_eq!(merged.lambdas, observed.lambdas);
        assert!(!merged.eventbridge);
        assert_eq!(
            planned.notes,
            vec!["3 notification entries of others kept unchanged".to_string()]
        );
    }

    #[test]
    fn a_foreign_entry_without_an_id_is_kept_and_not_ours() {
        let observed = NotificationConfiguration {
            topics: vec![entry(None, ANALYTICS_TOPIC, &["s3:ObjectTagging:*"], &[])],
            ..NotificationConfiguration::default()
        };
        let planned = plan_quilt(&wants_topic(&["s3:ObjectCreated:*"]), &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        assert_eq!(written(&planned).topics[0], observed.topics[0]);
        assert_eq!(written(&planned).topics.len(), 2);
    }

    #[test]
    fn converged_is_a_no_op_whatever_the_order_of_events() {
        let mut observed = foreign_document();
        observed
            .topics
            .insert(0, ours(&["s3:ObjectRemoved:*", "s3:ObjectCreated:*"]));
        let planned = plan_quilt(
            &wants_topic(&["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
        assert_eq!(planned.before, planned.after);
    }

    #[test]
    fn filter_rule_names_compare_without_case() {
        let mut wanted = wants_topic(&["s3:ObjectCreated:*"]);
        if let Some(topic) = wanted.topic.as_mut() {
            topic.filter_rules = vec![FilterRule {
                name: "prefix".into(),
                value: "data/".into(),
            }];
        }
        let mut found = ours(&["s3:ObjectCreated:*"]);
        found.filter_rules = vec![FilterRule {
            name: "Prefix".into(),
            value: "data/".into(),
        }];
        let observed = NotificationConfiguration {
            topics: vec![found],
            ..NotificationConfiguration::default()
        };
        let planned = plan_quilt(&wanted, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.after[0]["Filter"], json!({"Prefix": "data/"}));
    }

    #[test]
    fn changed_events_update_our_entry_only() {
        let mut observed = foreign_document();
        observed.topics.push(ours(&["s3:ObjectCreated:*"]));
        let planned = plan_quilt(
            &wants_topic(&["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]),
            &observed,
        )
        .unwrap();
        assert_eq!(planned.action, ChangeAction::Update);
        let merged = written(&planned);
        assert_eq!(merged.topics.len(), 2);
        assert_eq!(merged.topics[0], observed.topics[0]);
        assert_eq!(
            merged.topics[1].events,
            vec!["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
        );
    }

    #[test]
    fn switching_to_eventbridge_removes_our_topic_entry() {
        let mut observed = foreign_document();
        observed.topics.push(ours(&["s3:ObjectCreated:*"]));
        let wanted = DesiredNotification {
            topic: None,
            eventbridge: Some(true),
        };
        let planned = plan_quilt(&wanted, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Update);
        assert_eq!(
            planned.after,
            json!([{"Id": "EventBridge", "EventBridgeConfiguration": "enabled"}])
        );
        assert_eq!(planned.before[0]["Id"], json!("QuiltSnsNotification"));
        let merged = written(&planned);
        assert!(merged.eventbridge);
        assert_eq!(merged.topics, foreign_document().topics);
        assert_eq!(merged.queues, observed.queues);
        assert_eq!(merged.lambdas, observed.lambdas);
    }

    #[test]
    fn eventbridge_already_on_is_a_no_op() {
        let observed = NotificationConfiguration {
            eventbridge: true,
            ..foreign_document()
        };
        let wanted = DesiredNotification {
            topic: None,
            eventbridge: Some(true),
        };
        let planned = plan_quilt(&wanted, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.write, None);
    }

    #[test]
    fn an_unmanaged_eventbridge_flag_is_left_as_found() {
        let observed = NotificationConfiguration {
            eventbridge: true,
            ..foreign_document()
        };
        let planned = plan_quilt(&wants_topic(&["s3:ObjectCreated:*"]), &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
        assert!(written(&planned).eventbridge, "someone else's flag is kept");
        assert!(planned
            .after
            .as_array()
            .is_some_and(|items| items.iter().all(|item| item["Id"] != json!("EventBridge"))));
    }

    #[test]
    fn eventbridge_false_turns_off_a_flag_someone_else_set() {
        let observed = NotificationConfiguration {
            eventbridge: true,
            ..foreign_document()
        };
        let wanted = DesiredNotification {
            topic: None,
            eventbridge: Some(false),
        };
        let planned = plan_quilt(&wanted, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(planned.after, Value::Null);
        let merged = written(&planned);
        assert!(!merged.eventbridge);
        assert_eq!(merged.topics, observed.topics);
    }

    #[test]
    fn eventbridge_false_on_a_bucket_without_it_is_a_no_op() {
        let wanted = DesiredNotification {
            topic: None,
            eventbridge: Some(false),
        };
        let planned = plan_quilt(&wanted, &NotificationConfiguration::default()).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
        assert_eq!(planned.before, Value::Null);
    }

    #[test]
    fn managed_entries_no_longer_wanted_are_removed_from_every_list() {
        let mut observed = foreign_document();
        observed.queues.push(entry(
            Some("QuiltOldQueue"),
            AUDIT_QUEUE,
            &["s3:ObjectCreated:*"],
            &[],
        ));
        let wanted = DesiredNotification {
            topic: None,
            eventbridge: Some(false),
        };
        let planned = plan_quilt(&wanted, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Delete);
        assert_eq!(planned.before[0]["QueueArn"], json!(AUDIT_QUEUE));
        assert_eq!(written(&planned), &foreign_document());
    }

    #[test]
    fn an_overlapping_foreign_entry_is_refused_with_its_id_arn_and_event() {
        let observed = NotificationConfiguration {
            topics: vec![entry(
                Some("AnalyticsTeamEvents"),
                ANALYTICS_TOPIC,
                &["s3:ObjectCreated:*"],
                &[],
            )],
            ..NotificationConfiguration::default()
        };
        let error = plan_quilt(&wants_topic(&["s3:ObjectCreated:*"]), &observed)
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"AnalyticsTeamEvents\""), "{error}");
        assert!(error.contains(ANALYTICS_TOPIC), "{error}");
        assert!(error.contains("event s3:ObjectCreated:*"), "{error}");
        assert!(error.contains("Configurations overlap"), "{error}");
    }

    #[test]
    fn a_wildcard_overlaps_the_events_it_covers() {
        let observed = NotificationConfiguration {
            lambdas: vec![entry(
                Some("thumbnails"),
                THUMBNAILER,
                &["s3:ObjectCreated:Put"],
                &[("Prefix", "images/"), ("Suffix", ".jpg")],
            )],
            ..NotificationConfiguration::default()
        };
        let error = plan_quilt(&wants_topic(&["s3:ObjectCreated:*"]), &observed)
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"thumbnails\""), "{error}");
        assert!(error.contains(THUMBNAILER), "{error}");
        assert!(
            error.contains("s3:ObjectCreated:* and s3:ObjectCreated:Put"),
            "{error}"
        );
    }

    #[test]
    fn disjoint_filters_or_the_same_destination_do_not_overlap() {
        let mut narrow = wants_topic(&["s3:ObjectCreated:*"]);
        if let Some(topic) = narrow.topic.as_mut() {
            topic.filter_rules = vec![FilterRule {
                name: "prefix".into(),
                value: "raw/".into(),
            }];
        }
        let observed = NotificationConfiguration {
            topics: vec![
                entry(Some("SameTopic"), OUR_TOPIC, &["s3:ObjectCreated:*"], &[]),
                entry(
                    Some("OtherPrefix"),
                    ANALYTICS_TOPIC,
                    &["s3:ObjectCreated:*"],
                    &[("Prefix", "analytics/")],
                ),
            ],
            ..NotificationConfiguration::default()
        };
        let planned = plan_quilt(&narrow, &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::Create);
    }

    #[test]
    fn key_filters_overlap_as_s3_sees_them() {
        let with = |rules: &[(&str, &str)]| entry(None, "arn", &[], rules);
        let overlap = |a: &[(&str, &str)], b: &[(&str, &str)]| filters_overlap(&with(a), &with(b));
        assert!(
            overlap(&[], &[("Prefix", "a/")]),
            "no filter overlaps everything"
        );
        assert!(overlap(&[("prefix", "a/")], &[("Prefix", "a/b/")]));
        assert!(!overlap(&[("prefix", "a/")], &[("prefix", "b/")]));
        assert!(overlap(&[("suffix", ".jpg")], &[("Suffix", "thumb.jpg")]));
        assert!(!overlap(&[("suffix", ".jpg")], &[("suffix", ".png")]));
        assert!(!overlap(
            &[("prefix", "a/"), ("suffix", ".jpg")],
            &[("prefix", "a/"), ("suffix", ".png")]
        ));
        assert!(overlap(&[("prefix", "a/")], &[("suffix", ".png")]));
    }

    #[test]
    fn event_overlap_follows_wildcards() {
        assert!(events_overlap("s3:ObjectCreated:*", "s3:ObjectCreated:*"));
        assert!(events_overlap("s3:ObjectCreated:Put", "s3:ObjectCreated:*"));
        assert!(!events_overlap("s3:ObjectCreated:*", "s3:ObjectRemoved:*"));
        assert!(!events_overlap(
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Post"
        ));
        assert!(!events_overlap(
            "s3:LifecycleTransition",
            "s3:LifecycleExpiration:*"
        ));
    }

    #[test]
    fn a_topic_without_an_arn_is_a_plan_error() {
        let mut wanted = wants_topic(&["s3:ObjectCreated:*"]);
        if let Some(topic) = wanted.topic.as_mut() {
            topic.arn.clear();
        }
        let error = plan_quilt(&wanted, &NotificationConfiguration::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("region"), "{error}");
    }

    #[test]
    fn no_overlap_check_when_nothing_is_written() {
        // A converged bucket plans clean even if a foreign entry was added
        // since (S3 would have refused it; nothing of ours is written).
        let mut observed = foreign_document();
        observed.topics.push(ours(&["s3:ObjectRemoved:*"]));
        let planned = plan_quilt(&wants_topic(&["s3:ObjectRemoved:*"]), &observed).unwrap();
        assert_eq!(planned.action, ChangeAction::NoOp);
    }
}
