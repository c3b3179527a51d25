//! The catalog's admin GraphQL API on the wire: the documents xacct sends,
//! and the answers it reads. The one place that knows the catalog's field
//! names. Sources (quiltdata/quilt): `shared/graphql/schema.graphql` (types,
//! unions), `api/python/quilt3-graphql/queries.graphql` (what quilt3 selects,
//! including `prefixes` and `InsufficientPermissions.message`),
//! `api/python/quilt3/admin/buckets.py` (the add and update inputs, including
//! `browsable`, `prefixes`, `SubscriptionInvalid`), and the catalog's own
//! admin form (`BucketConfigSelection`: `browsable`, `linkedData`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use xacct_engine::kinds::quilt_bucket::CatalogConfig;

/// Every field of `BucketConfig` an update sets, as selected in reads.
const CONFIG_FIELDS: &str = "title iconUrl description linkedData overviewUrl tags relevanceScore \
     snsNotificationArn scannerParallelShardsDepth skipMetaDataIndexing fileExtensionsToIndex \
     indexContentBytes browsable prefixes";

pub(super) fn bucket_config_query() -> String {
    format!(
        "query bucketConfig($name: String!) {{ bucketConfig(name: $name) {{ {CONFIG_FIELDS} }} }}"
    )
}

pub(super) const BUCKET_ADD: &str = "mutation bucketAdd($input: BucketAddInput!) { \
     bucketAdd(input: $input) { __typename ... on InsufficientPermissions { message } } }";

pub(super) const BUCKET_UPDATE: &str =
    "mutation bucketUpdate($name: String!, $input: BucketUpdateInput!) { \
     bucketUpdate(name: $name, input: $input) { __typename \
     ... on InsufficientPermissions { message } } }";

pub(super) const BUCKET_REMOVE: &str =
    "mutation bucketRemove($name: String!) { bucketRemove(name: $name) { __typename } }";

/// `BucketConfig` as the catalog answers it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConfig {
    title: String,
    icon_url: Option<String>,
    description: Option<String>,
    linked_data: Option<Value>,
    overview_url: Option<String>,
    tags: Option<Vec<String>>,
    relevance_score: Option<i32>,
    sns_notification_arn: Option<String>,
    scanner_parallel_shards_depth: Option<i32>,
    skip_meta_data_indexing: Option<bool>,
    file_extensions_to_index: Option<Vec<String>>,
    index_content_bytes: Option<i32>,
    browsable: Option<bool>,
    prefixes: Option<Vec<String>>,
}

/// `BucketAddInput` / `BucketUpdateInput`: every field said, `null`
/// included, since an update replaces the whole configuration.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WireInput<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    title: &'a str,
    icon_url: &'a Option<String>,
    description: &'a Option<String>,
    linked_data: &'a Option<Value>,
    overview_url: &'a Option<String>,
    tags: &'a Option<Vec<String>>,
    relevance_score: i32,
    sns_notification_arn: &'a Option<String>,
    scanner_parallel_shards_depth: &'a Option<i32>,
    skip_meta_data_indexing: &'a Option<bool>,
    file_extensions_to_index: &'a Option<Vec<String>>,
    index_content_bytes: &'a Option<i32>,
    browsable: bool,
    prefixes: &'a [String],
}

/// The input of `bucketAdd` (with the bucket's name) or `bucketUpdate`.
pub(super) fn input(name: Option<&str>, config: &CatalogConfig) -> Value {
    let input = WireInput {
        name,
        title: &config.title,
        icon_url: &config.icon_url,
        description: &config.description,
        linked_data: &config.linked_data,
        overview_url: &config.overview_url,
        tags: &config.tags,
        relevance_score: config.relevance_score,
        sns_notification_arn: &config.sns_notification_arn,
        scanner_parallel_shards_depth: &config.scanner_parallel_shards_depth,
        skip_meta_data_indexing: &config.skip_metadata_indexing,
        file_extensions_to_index: &config.file_extensions_to_index,
        index_content_bytes: &config.index_content_bytes,
        browsable: config.browsable,
        prefixes: &config.prefixes,
    };
    serde_json::to_value(input).unwrap_or(Value::Null)
}

/// The `bucketConfig` of a read's `data`; `None` when the catalog does not
/// list the bucket.
pub(super) fn config(data: &Value) -> Result<Option<CatalogConfig>, String> {
    let found = &data["bucketConfig"];
    if found.is_null() {
        return Ok(None);
    }
    let wire: WireConfig = serde_json::from_value(found.clone())
        .map_err(|error| format!("unexpected bucketConfig answer: {error}"))?;
    Ok(Some(CatalogConfig {
        title: wire.title,
        description: wire.description,
        icon_url: wire.icon_url,
        overview_url: wire.overview_url,
        tags: wire.tags,
        relevance_score: wire.relevance_score.unwrap_or(0),
        browsable: wire.browsable.unwrap_or(false),
        prefixes: wire.prefixes.unwrap_or_default(),
        sns_notification_arn: wire.sns_notification_arn,
        file_extensions_to_index: wire.file_extensions_to_index,
        index_content_bytes: wire.index_content_bytes,
        skip_metadata_indexing: wire.skip_meta_data_indexing,
        scanner_parallel_shards_depth: wire.scanner_parallel_shards_depth,
        linked_data: wire.linked_data,
    }))
}

/// A mutation's union answer: `Ok` for its success member, else the
/// member's name and the message the catalog sent with it (only
/// `InsufficientPermissions` has one).
pub(super) fn outcome(data: &Value, field: &str) -> Result<(), (String, Option<String>)> {
    let answer = &data[field];
    let typename = answer["__typename"].as_str().unwrap_or_default();
    if typename.ends_with("Success") {
        return Ok(());
    }
    let message = answer["message"].as_str().map(str::to_string);
    let typename = if typename.is_empty() {
        "an answer without __typename"
    } else {
        typename
    };
    Err((typename.to_string(), message))
}

/// What to do about a union member that is not a success, for `bucket`
/// and, when one is set, `topic`.
pub(super) fn advice(member: &str, bucket: &str, topic: Option<&str>) -> String {
    let topic = topic.unwrap_or("(none)");
    match member {
        "BucketAlreadyAdded" => format!(
            "the catalog already lists bucket {bucket:?} (added since the plan was made?); \
             plan again"
        ),
        "BucketDoesNotExist" => format!(
            "the catalog cannot find S3 bucket {bucket:?}: check its name, and that it exists"
        ),
        "BucketNotFound" => format!(
            "the catalog does not list bucket {bucket:?} (removed since the plan was made?); \
             plan again"
        ),
        "InsufficientPermissions" => format!(
            "the catalog cannot read bucket {bucket:?}: check the bucket's `access:` grant to \
             the control account (e.g. `actions: quilt`), and that it was applied"
        ),
        "NotificationTopicNotFound" => format!(
            "the catalog cannot find SNS topic {topic}: check notifications.sns_topic or \
             catalog.sns_notification_arn"
        ),
        "SnsInvalid" => format!(
            "the catalog cannot use SNS topic {topic}: check the ARN, and that the topic's \
             `access:` lets the control account subscribe (sns:Subscribe)"
        ),
        "SubscriptionInvalid" => format!(
            "the catalog could not subscribe its indexer to SNS topic {topic}: check the \
             topic's `access:` grant to the control account"
        ),
        "NotificationConfigurationError" => format!(
            "bucket {bucket:?} does not notify SNS topic {topic} of created and removed \
             objects: set its notifications (sns_topic, events \"s3:ObjectCreated:*\" and \
             \"s3:ObjectRemoved:*\") and apply them"
        ),
        "BucketFileExtensionsToIndexInvalid" => {
            "the catalog refused file_extensions_to_index: write each with its dot, e.g. .csv"
                .to_string()
        }
        "BucketIndexContentBytesInvalid" => {
            "the catalog refused index_content_bytes: it is out of the catalog's range".to_string()
        }
        "IndexingInProgress" => format!(
            "the catalog is indexing bucket {bucket:?} and cannot remove it now; try again \
             when indexing finishes"
        ),
        other => format!("the catalog answered {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_input_says_every_field_null_included_in_the_catalogs_names() {
        let mut config = CatalogConfig::titled("Raw");
        config.skip_metadata_indexing = Some(true);
        let add = input(Some("b"), &config);
        assert_eq!(add["name"], "b");
        assert_eq!(add["skipMetaDataIndexing"], true);
        assert_eq!(add["description"], Value::Null);
        assert!(add
            .as_object()
            .is_some_and(|o| o.contains_key("description")));
        assert_eq!(add["relevanceScore"], 0);
        assert_eq!(add["prefixes"], json!([]));
        let update = input(None, &config);
        assert!(update.get("name").is_none());
    }

    #[test]
    fn a_read_answer_becomes_the_config_and_null_means_not_listed() {
        let data = json!({"bucketConfig": {
            "title": "Raw", "iconUrl": null, "description": "d", "linkedData": null,
            "overviewUrl": null, "tags": ["a"], "relevanceScore": 3,
            "snsNotificationArn": "arn:aws:sns:us-east-1:111111111111:t",
            "scannerParallelShardsDepth": null, "skipMetaDataIndexing": false,
            "fileExtensionsToIndex": [".csv"], "indexContentBytes": 100,
            "browsable": true, "prefixes": ["data/"]
        }});
        let config = config(&data).expect("parses").expect("listed");
        assert_eq!(config.title, "Raw");
        assert_eq!(config.relevance_score, 3);
        assert_eq!(config.prefixes, vec!["data/".to_string()]);
        assert_eq!(config.skip_metadata_indexing, Some(false));
        assert_eq!(super::config(&json!({"bucketConfig": null})), Ok(None));
    }

    #[test]
    fn a_union_answer_is_success_or_its_member_and_message() {
        let ok = json!({"bucketAdd": {"__typename": "BucketAddSuccess"}});
        assert_eq!(outcome(&ok, "bucketAdd"), Ok(()));
        let denied =
            json!({"bucketAdd": {"__typename": "InsufficientPermissions", "message": "no"}});
        assert_eq!(
            outcome(&denied, "bucketAdd"),
            Err(("InsufficientPermissions".into(), Some("no".into())))
        );
        assert!(advice("InsufficientPermissions", "b", None).contains("access:"));
    }
}
