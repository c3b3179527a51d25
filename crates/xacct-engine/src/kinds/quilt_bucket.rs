//! `quilt_bucket.<bucket>`: the bucket's listing in the Quilt catalog (guide
//! step 5). The catalog's `bucketUpdate` replaces every field, so a write
//! always carries the whole configuration: the spec's keys, and every other
//! key as it was read. Written after every AWS write of its bucket, topic and
//! trail, because the catalog checks on add that it can read the bucket and
//! use the topic; removed before them, since removals run in reverse.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use xacct_spec::{Bucket, Catalog, CatalogSettings, CatalogTopic, Spec, TopicRef};

use crate::kind::{
    ChangeAction, Declarations, Declared, Dependency, DiffStyle, Holder, Kind, PlanOptions,
    Planned, SliceError, Subject,
};
use crate::kinds::cloudtrail_event_selectors::{trail_name, CloudTrailEventSelectors};
use crate::kinds::s3_bucket_notification::S3BucketNotification;
use crate::kinds::s3_bucket_policy::S3BucketPolicy;
use crate::kinds::s3_ownership_controls::S3OwnershipControls;
use crate::kinds::sns_topic_policy::{self, SnsTopicPolicy};

pub struct QuiltBucket;

/// A bucket's configuration in the catalog, as far as xacct reads and
/// writes it: every field of the catalog's `BucketConfig` that an update
/// sets (`lastIndexed` is the indexer's and left out, so indexing never
/// looks like a change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogConfig {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    pub relevance_score: i32,
    pub browsable: bool,
    pub prefixes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_notification_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_extensions_to_index: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_content_bytes: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_metadata_indexing: Option<bool>,
    /// Not in the spec: sent back as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanner_parallel_shards_depth: Option<i32>,
    /// Not in the spec (schema.org JSON-LD): sent back as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_data: Option<Value>,
}

impl CatalogConfig {
    /// What the catalog stores for a bucket added with only a title: the
    /// schema's defaults. A new listing starts from it, so that the write
    /// says every value and nothing is left for the catalog to choose.
    pub fn titled(title: &str) -> Self {
        CatalogConfig {
            title: title.to_string(),
            description: None,
            icon_url: None,
            overview_url: None,
            tags: None,
            relevance_score: 0,
            browsable: false,
            prefixes: Vec::new(),
            sns_notification_arn: None,
            file_extensions_to_index: None,
            index_content_bytes: None,
            skip_metadata_indexing: None,
            scanner_parallel_shards_depth: None,
            linked_data: None,
        }
    }

    /// `self` with the spec's keys set; the others stay as they are.
    fn with(mut self, wanted: &WantedListing) -> Self {
        let settings = &wanted.settings;
        self.title.clone_from(&settings.title);
        let keep = |current: &mut Option<String>, wanted: &Option<String>| {
            if wanted.is_some() {
                current.clone_from(wanted);
            }
        };
        keep(&mut self.description, &settings.description);
        keep(&mut self.icon_url, &settings.icon_url);
        keep(&mut self.overview_url, &settings.overview_url);
        keep(&mut self.sns_notification_arn, &wanted.topic);
        if settings.tags.is_some() {
            self.tags.clone_from(&settings.tags);
        }
        if settings.file_extensions_to_index.is_some() {
            self.file_extensions_to_index
                .clone_from(&settings.file_extensions_to_index);
        }
        if let Some(prefixes) = &settings.prefixes {
            self.prefixes.clone_from(prefixes);
        }
        if let Some(score) = settings.relevance_score {
            self.relevance_score = score;
        }
        if let Some(browsable) = settings.browsable {
            self.browsable = browsable;
        }
        if settings.index_content_bytes.is_some() {
            self.index_content_bytes = settings.index_content_bytes;
        }
        if settings.skip_metadata_indexing.is_some() {
            self.skip_metadata_indexing = settings.skip_metadata_indexing;
        }
        self
    }
}

/// The listing the spec wants, with `sns_notification_arn: auto` resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct WantedListing {
    pub settings: CatalogSettings,
    /// The topic to set; `None`: not managed (auto, and no SNS notification).
    pub topic: Option<String>,
}

/// `None`: `catalog: false`, the bucket must not be listed.
pub type DesiredListing = Option<WantedListing>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "operation")]
pub enum CatalogWrite {
    BucketAdd {
        bucket: String,
        config: Box<CatalogConfig>,
    },
    BucketUpdate {
        bucket: String,
        config: Box<CatalogConfig>,
    },
    BucketRemove {
        bucket: String,
    },
}

impl Kind for QuiltBucket {
    const NAME: &'static str = "quilt_bucket";
    /// After every AWS write: the catalog checks the grants on add.
    const STAGE: u8 = 5;
    const DIFF: DiffStyle = DiffStyle::Fields;
    const HOLDER: Holder = Holder::Catalog;
    type Desired = DesiredListing;
    /// `None`: the catalog does not list the bucket. Boxed: a listing is
    /// several times the size of any AWS kind's document summary.
    type Observed = Option<Box<CatalogConfig>>;
    type Write = CatalogWrite;

    fn desired(spec: &Spec) -> Declarations<'_, DesiredListing> {
        Box::new(spec.buckets.values().filter_map(|bucket| {
            let desired = match bucket.catalog.as_ref()? {
                Catalog::Removed => None,
                Catalog::Listed(settings) => Some(WantedListing {
                    settings: (**settings).clone(),
                    topic: topic(spec, bucket, &settings.sns_notification_arn),
                }),
            };
            let depends_on = match &desired {
                Some(_) => dependencies(spec, bucket),
                None => Vec::new(),
            };
            Some(Ok(Declared::of_bucket(spec, bucket, depends_on, desired)))
        }))
    }

    fn plan(
        _: &PlanOptions,
        subject: &Subject<'_>,
        desired: &DesiredListing,
        observed: &Option<Box<CatalogConfig>>,
    ) -> Result<Planned<CatalogWrite>, SliceError> {
        Ok(plan(subject.aws_id, desired.as_ref(), observed.as_deref()))
    }

    fn meaning(observed: &Option<Box<CatalogConfig>>) -> String {
        format!(
            "catalog:{}",
            serde_json::to_string(observed).unwrap_or_default()
        )
    }

    fn expected(write: &CatalogWrite) -> Option<Box<CatalogConfig>> {
        match write {
            CatalogWrite::BucketAdd { config, .. } | CatalogWrite::BucketUpdate { config, .. } => {
                Some(config.clone())
            }
            CatalogWrite::BucketRemove { .. } => None,
        }
    }

    fn operation(write: &CatalogWrite) -> &'static str {
        match write {
            CatalogWrite::BucketAdd { .. } => "bucketAdd",
            CatalogWrite::BucketUpdate { .. } => "bucketUpdate",
            CatalogWrite::BucketRemove { .. } => "bucketRemove",
        }
    }
}

/// The topic `sns_notification_arn` names: an ARN as written, or with
/// `auto` the topic of the bucket's SNS notification.
pub(crate) fn topic(spec: &Spec, bucket: &Bucket, setting: &CatalogTopic) -> Option<String> {
    match setting {
        CatalogTopic::Arn(arn) => Some(arn.clone()),
        CatalogTopic::Auto => {
            let sns = bucket.notifications.as_ref()?.sns.as_ref()?;
            match &sns.topic {
                TopicRef::Arn(arn) => Some(arn.clone()),
                TopicRef::Key(key) => sns_topic_policy::topic_arn(spec, spec.sns_topics.get(key)?),
            }
        }
    }
}

/// Everything the catalog checks on add: the bucket's ownership and grants,
/// its notification, the topic's grants and the trail.
fn dependencies(spec: &Spec, bucket: &Bucket) -> Vec<Dependency> {
    let mut depends_on = vec![
        Dependency::on::<S3BucketPolicy>(&bucket.name),
        Dependency::on::<S3BucketNotification>(&bucket.name),
    ];
    if bucket.object_ownership.is_some() {
        depends_on.push(Dependency::on::<S3OwnershipControls>(&bucket.name));
    }
    let sns = bucket.notifications.as_ref().and_then(|n| n.sns.as_ref());
    if let Some(TopicRef::Key(key)) = sns.map(|sns| &sns.topic) {
        depends_on.push(Dependency::on::<SnsTopicPolicy>(key));
    }
    if let (true, Some(trail)) = (bucket.cloudtrail, &spec.cloudtrail) {
        depends_on.push(Dependency::on::<CloudTrailEventSelectors>(trail_name(
            &trail.trail,
        )));
    }
    depends_on
}

fn plan(
    bucket: &str,
    desired: Option<&WantedListing>,
    observed: Option<&CatalogConfig>,
) -> Planned<CatalogWrite> {
    let after = desired.map(|wanted| {
        let base = observed
            .cloned()
            .unwrap_or_else(|| CatalogConfig::titled(&wanted.settings.title));
        base.with(wanted)
    });
    let shown = |config: Option<&CatalogConfig>| {
        config.map_or(Value::Null, |config| {
            serde_json::to_value(config).unwrap_or(Value::Null)
        })
    };
    let action = match (observed, &after) {
        (None, None) => ChangeAction::NoOp,
        (None, Some(_)) => ChangeAction::Create,
        (Some(_), None) => ChangeAction::Delete,
        (Some(before), Some(after)) if before == after => ChangeAction::NoOp,
        (Some(_), Some(_)) => ChangeAction::Update,
    };
    let bucket = bucket.to_string();
    let write = match (action, &after) {
        (ChangeAction::Create, Some(config)) => Some(CatalogWrite::BucketAdd {
            bucket,
            config: Box::new(config.clone()),
        }),
        (ChangeAction::Update, Some(config)) => Some(CatalogWrite::BucketUpdate {
            bucket,
            config: Box::new(config.clone()),
        }),
        (ChangeAction::Delete, _) => Some(CatalogWrite::BucketRemove { bucket }),
        _ => None,
    };
    let mut notes = Vec::new();
    if action == ChangeAction::Delete {
        notes.push(
            "the catalog stops listing and indexing the bucket; its objects stay in S3".into(),
        );
    }
    Planned {
        action,
        before: shown(observed),
        after: shown(after.as_ref()),
        write,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(title: &str) -> CatalogSettings {
        CatalogSettings {
            title: title.into(),
            description: None,
            icon_url: None,
            overview_url: None,
            tags: None,
            relevance_score: None,
            browsable: None,
            prefixes: None,
            file_extensions_to_index: None,
            index_content_bytes: None,
            skip_metadata_indexing: None,
            sns_notification_arn: CatalogTopic::Auto,
        }
    }

    fn wanted(title: &str, topic: Option<&str>) -> WantedListing {
        WantedListing {
            settings: settings(title),
            topic: topic.map(str::to_string),
        }
    }

    #[test]
    fn a_new_listing_is_added_with_every_value_said() {
        let planned = plan(
            "b",
            Some(&wanted("Raw", Some("arn:aws:sns:us-east-1:1:t"))),
            None,
        );
        assert_eq!(planned.action, ChangeAction::Create);
        let Some(CatalogWrite::BucketAdd { config, .. }) = &planned.write else {
            panic!("{:?}", planned.write);
        };
        assert_eq!(config.title, "Raw");
        assert_eq!(
            config.sns_notification_arn.as_deref(),
            Some("arn:aws:sns:us-east-1:1:t")
        );
        assert_eq!(config.relevance_score, 0);
        assert!(!config.browsable);
    }

    #[test]
    fn an_update_sends_back_every_key_the_spec_leaves_out() {
        let mut live = CatalogConfig::titled("Old");
        live.description = Some("kept".into());
        live.tags = Some(vec!["x".into()]);
        live.linked_data = Some(json!({"@type": "Dataset"}));
        live.scanner_parallel_shards_depth = Some(2);
        let planned = plan("b", Some(&wanted("New", None)), Some(&live));
        assert_eq!(planned.action, ChangeAction::Update);
        let Some(CatalogWrite::BucketUpdate { config, .. }) = &planned.write else {
            panic!("{:?}", planned.write);
        };
        assert_eq!(config.title, "New");
        assert_eq!(config.description.as_deref(), Some("kept"));
        assert_eq!(config.tags, live.tags);
        assert_eq!(config.linked_data, live.linked_data);
        assert_eq!(config.scanner_parallel_shards_depth, Some(2));
        assert_eq!(planned.before["title"], "Old");
        assert_eq!(planned.after["title"], "New");
    }

    #[test]
    fn a_listing_as_wanted_is_left_alone_and_catalog_false_removes_it() {
        let live = CatalogConfig::titled("Raw");
        assert_eq!(
            plan("b", Some(&wanted("Raw", None)), Some(&live)).action,
            ChangeAction::NoOp
        );
        let removed = plan("b", None, Some(&live));
        assert_eq!(removed.action, ChangeAction::Delete);
        assert_eq!(
            removed.write,
            Some(CatalogWrite::BucketRemove { bucket: "b".into() })
        );
        assert_eq!(plan("b", None, None).action, ChangeAction::NoOp);
    }

    #[test]
    fn a_managed_topic_is_set_and_an_unmanaged_one_kept() {
        let mut live = CatalogConfig::titled("Raw");
        live.sns_notification_arn = Some("arn:aws:sns:us-east-1:1:old".into());
        let kept = plan("b", Some(&wanted("Raw", None)), Some(&live));
        assert_eq!(kept.action, ChangeAction::NoOp);
        let moved = plan(
            "b",
            Some(&wanted("Raw", Some("arn:aws:sns:us-east-1:1:new"))),
            Some(&live),
        );
        assert_eq!(moved.action, ChangeAction::Update);
        assert_eq!(
            moved.after["sns_notification_arn"],
            "arn:aws:sns:us-east-1:1:new"
        );
    }
}
