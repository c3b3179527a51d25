//! Guide step 5: `quilt:` (the catalog and its admin key) and each bucket's
//! `catalog:` (its listing in the catalog). The rules are the catalog's own,
//! checked here so that a spec the catalog would refuse fails before any write.

use super::{boolean, fields, quoted, string, wrong_type, Fields, Problems};
use crate::model::{
    Catalog, CatalogSettings, CatalogTopic, Notifications, Quilt, SnsNotification, TopicRef,
};
use crate::names;
use crate::raw::{Node, Pos, Value};

pub(crate) const QUILT_KEYS: &[&str] = &["registry_url", "api_key_env"];
pub(crate) const CATALOG_KEYS: &[&str] = &[
    "title",
    "description",
    "icon_url",
    "overview_url",
    "tags",
    "relevance_score",
    "browsable",
    "prefixes",
    "file_extensions_to_index",
    "index_content_bytes",
    "skip_metadata_indexing",
    "sns_notification_arn",
];

/// The most content bytes per object the catalog indexes (its
/// `ContentIndexingSettings.bytesMax`, 1 MiB).
pub(crate) const MAX_INDEX_CONTENT_BYTES: i128 = 1_048_576;

/// Reads `quilt:`.
pub(super) fn quilt(problems: &mut Problems, node: &Node, at: Pos) -> Option<Quilt> {
    let fields = fields(problems, node, "quilt".to_owned(), QUILT_KEYS, at)?;
    let registry_url = fields.required(problems, "registry_url").and_then(|node| {
        let url = url(problems, node, "registry_url of quilt", false)?;
        Some(url.trim_end_matches('/').to_owned())
    });
    let api_key_env = match fields.get("api_key_env") {
        None => Some(Quilt::DEFAULT_API_KEY_ENV.to_owned()),
        Some(node) => string(problems, node, "api_key_env of quilt").and_then(|name| {
            // Never echo the value: it may be the key itself, pasted by mistake.
            if name.starts_with("qk_") || name.len() > 64 {
                problems.add(
                    node.pos,
                    "api_key_env of quilt looks like an API key, not the name of an environment \
                     variable: put the key in an environment variable (e.g. QUILT_API_KEY) and \
                     write that variable's name here",
                );
                return None;
            }
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                problems.add(
                    node.pos,
                    "api_key_env of quilt must be the name of an environment variable \
                     (letters, digits and underscores, not starting with a digit)",
                );
                return None;
            }
            Some(name.to_owned())
        }),
    };
    Some(Quilt {
        registry_url: registry_url?,
        api_key_env: api_key_env?,
    })
}

/// Reads a bucket's `catalog:`. `has_quilt`: whether the spec says where
/// the catalog is.
pub(super) fn catalog(
    problems: &mut Problems,
    bucket: &Fields<'_>,
    notifications: Option<&Notifications>,
    has_quilt: bool,
) -> Option<Catalog> {
    let node = bucket.get("catalog")?;
    let what = bucket.what("catalog");
    if !has_quilt {
        problems.add(
            bucket.key_pos("catalog").unwrap_or(node.pos),
            format!("{what} needs a top-level `quilt:` section with the catalog's registry_url"),
        );
    }
    match &node.value {
        Value::Bool(false) => return Some(Catalog::Removed),
        Value::Bool(true) => {
            problems.add(
                node.pos,
                format!(
                    "{what} must be false (remove the bucket from the catalog) or its settings \
                     (at least `title:`), found true"
                ),
            );
            return None;
        }
        _ => {}
    }
    let at = bucket.key_pos("catalog").unwrap_or(node.pos);
    let fields = fields(problems, node, what.clone(), CATALOG_KEYS, at)?;
    let title = fields.required(problems, "title").and_then(|node| {
        let title = string(problems, node, &fields.what("title"))?;
        if title.trim().is_empty() {
            problems.add(
                node.pos,
                format!("{} must not be empty", fields.what("title")),
            );
            return None;
        }
        Some(title.to_owned())
    });
    let text = |problems: &mut Problems, key: &str| {
        let node = fields.get(key)?;
        string(problems, node, &fields.what(key)).map(str::to_owned)
    };
    let description = text(problems, "description");
    let icon_url = fields
        .get("icon_url")
        .and_then(|node| url(problems, node, &fields.what("icon_url"), true).map(str::to_owned));
    let overview_url = fields.get("overview_url").and_then(|node| {
        url(problems, node, &fields.what("overview_url"), false).map(str::to_owned)
    });
    let tags = fields
        .get("tags")
        .and_then(|node| words(problems, node, &fields.what("tags"), |_| Ok(())));
    let prefixes = fields.get("prefixes").and_then(|node| {
        words(problems, node, &fields.what("prefixes"), |prefix| {
            if prefix.starts_with('/') {
                Err("must not start with / (S3 keys have no leading slash)")
            } else {
                Ok(())
            }
        })
    });
    let file_extensions_to_index = fields.get("file_extensions_to_index").and_then(|node| {
        words(
            problems,
            node,
            &fields.what("file_extensions_to_index"),
            |extension| {
                let valid = extension.len() > 1
                    && extension.starts_with('.')
                    && !extension.chars().any(char::is_whitespace);
                if valid {
                    Ok(())
                } else {
                    Err("must be a file extension with its dot, e.g. .csv")
                }
            },
        )
    });
    let relevance_score = fields.get("relevance_score").and_then(|node| {
        integer(
            problems,
            node,
            &fields.what("relevance_score"),
            i128::from(i32::MIN)..=i128::from(i32::MAX),
        )
    });
    let index_content_bytes = fields.get("index_content_bytes").and_then(|node| {
        integer(
            problems,
            node,
            &fields.what("index_content_bytes"),
            0..=MAX_INDEX_CONTENT_BYTES,
        )
    });
    let browsable = fields
        .get("browsable")
        .and_then(|node| boolean(problems, node, &fields.what("browsable")));
    let skip_metadata_indexing = fields
        .get("skip_metadata_indexing")
        .and_then(|node| boolean(problems, node, &fields.what("skip_metadata_indexing")));
    let sns_notification_arn = match fields.get("sns_notification_arn") {
        None => Some(CatalogTopic::Auto),
        Some(node) => topic(problems, node, &fields.what("sns_notification_arn")),
    };

    let sns = notifications.and_then(|n| n.sns.as_ref());
    if let Some(sns) = sns {
        check_events_cover_the_catalog(problems, &fields, sns, &sns_notification_arn);
    }

    Some(Catalog::Listed(Box::new(CatalogSettings {
        title: title?,
        description,
        icon_url,
        overview_url,
        tags,
        relevance_score,
        browsable,
        prefixes,
        file_extensions_to_index,
        index_content_bytes,
        skip_metadata_indexing,
        sns_notification_arn: sns_notification_arn?,
    })))
}

/// The catalog refuses a bucket whose notification to its topic does not
/// announce both new and removed objects: its index would go stale.
fn check_events_cover_the_catalog(
    problems: &mut Problems,
    fields: &Fields<'_>,
    sns: &SnsNotification,
    topic: &Option<CatalogTopic>,
) {
    // An explicit ARN of another topic than the notification's is not this
    // notification's concern (the catalog checks that topic's notification).
    if let (Some(CatalogTopic::Arn(arn)), TopicRef::Arn(notified)) = (topic, &sns.topic) {
        if arn != notified {
            return;
        }
    }
    let missing: Vec<&str> = [
        ("object creation", covers_creation(&sns.events)),
        ("object removal", covers_removal(&sns.events)),
    ]
    .into_iter()
    .filter(|(_, covered)| !covered)
    .map(|(what, _)| what)
    .collect();
    if !missing.is_empty() {
        problems.add(
            fields.at,
            format!(
                "{} lists the bucket, but its notifications.events ({}) do not cover {}: the \
                 catalog refuses such a bucket (its index would miss changes); add \
                 \"s3:ObjectCreated:*\" and \"s3:ObjectRemoved:*\"",
                fields.context,
                sns.events.join(", "),
                missing.join(" and ")
            ),
        );
    }
}

/// Whether S3 event types cover every way an object is created.
pub(crate) fn covers_creation(events: &[String]) -> bool {
    covers(
        events,
        "s3:ObjectCreated:*",
        &["Put", "Post", "Copy", "CompleteMultipartUpload"],
    )
}

/// Whether S3 event types cover every way an object is removed.
pub(crate) fn covers_removal(events: &[String]) -> bool {
    covers(
        events,
        "s3:ObjectRemoved:*",
        &["Delete", "DeleteMarkerCreated"],
    )
}

fn covers(events: &[String], wildcard: &str, each: &[&str]) -> bool {
    let family = wildcard.trim_end_matches('*');
    events.iter().any(|event| event == wildcard)
        || each.iter().all(|name| {
            events
                .iter()
                .any(|event| *event == format!("{family}{name}"))
        })
}

/// `auto` or an SNS topic ARN.
fn topic(problems: &mut Problems, node: &Node, what: &str) -> Option<CatalogTopic> {
    let value = string(problems, node, what)?;
    if value == "auto" {
        return Some(CatalogTopic::Auto);
    }
    match names::topic_arn_region(value) {
        Ok(_) => Some(CatalogTopic::Arn(value.to_owned())),
        Err(reason) => {
            problems.add(
                node.pos,
                format!(
                    "{what} {} must be `auto` or a topic ARN: it {reason}",
                    quoted(value)
                ),
            );
            None
        }
    }
}

/// An http(s) URL with a host and no spaces; `data_image`: also an inline
/// `data:image/...` URL (what the catalog's icon editor stores).
fn url<'a>(
    problems: &mut Problems,
    node: &'a Node,
    what: &str,
    data_image: bool,
) -> Option<&'a str> {
    let value = string(problems, node, what)?;
    if data_image && value.starts_with("data:image/") && !value.contains(char::is_whitespace) {
        return Some(value);
    }
    let host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let valid = host.is_some_and(|host| {
        let host = host.rsplit('@').next().unwrap_or_default();
        !host.is_empty() && !host.starts_with(':')
    }) && !value.contains(char::is_whitespace);
    if valid {
        Some(value)
    } else {
        let expected = if data_image {
            "an http(s) URL or a data:image/ URL"
        } else {
            "an http(s) URL like https://example.com/page"
        };
        problems.add(
            node.pos,
            format!("{what} {} is not {expected}", quoted(value)),
        );
        None
    }
}

/// A list of non-empty strings, each checked by `check`.
fn words(
    problems: &mut Problems,
    node: &Node,
    what: &str,
    check: impl Fn(&str) -> Result<(), &'static str>,
) -> Option<Vec<String>> {
    let Value::Seq(items) = &node.value else {
        wrong_type(problems, node, what, "a list of strings");
        return None;
    };
    let mut words = Vec::new();
    let mut valid = true;
    for item in items {
        let Some(word) = string(problems, item, &format!("an entry of {what}")) else {
            valid = false;
            continue;
        };
        let problem = if word.trim().is_empty() {
            Err("must not be empty")
        } else {
            check(word)
        };
        match problem {
            Ok(()) => words.push(word.to_owned()),
            Err(reason) => {
                valid = false;
                problems.add(
                    item.pos,
                    format!("entry {} of {what} {reason}", quoted(word)),
                );
            }
        }
    }
    valid.then_some(words)
}

/// A whole number in `range`.
fn integer(
    problems: &mut Problems,
    node: &Node,
    what: &str,
    range: std::ops::RangeInclusive<i128>,
) -> Option<i32> {
    match node.value {
        Value::Int(number) if range.contains(&number) => i32::try_from(number).ok(),
        Value::Int(number) => {
            problems.add(
                node.pos,
                format!(
                    "{what} must be between {} and {}, found {number}",
                    range.start(),
                    range.end()
                ),
            );
            None
        }
        _ => {
            wrong_type(problems, node, what, "a whole number");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_str;
    use crate::validate::tests::{assert_error, errors, HEAD};

    /// A data bucket notifying a topic, listed in the catalog with `catalog`
    /// (indented under `catalog:`, line 16 on); `events` its notification's.
    fn spec(events: &str, catalog: &str) -> String {
        format!(
            "{HEAD}quilt:
  registry_url: https://registry.example.com/
buckets:
  raw-data:
    account: data
    notifications:
      sns_topic: arn:aws:sns:us-east-1:111111111111:quilt-events
      events: {events}
    catalog:
{catalog}"
        )
    }

    const BOTH: &str = "[\"s3:ObjectCreated:*\", \"s3:ObjectRemoved:*\"]";

    #[test]
    fn a_listing_is_read_with_its_settings_and_the_registry_without_its_slash() {
        let yaml = spec(
            BOTH,
            "      title: Raw data\n      tags: [genomics]\n      relevance_score: 10\n      \
             index_content_bytes: 1000000\n      file_extensions_to_index: [.csv]\n",
        );
        let spec = load_str(&yaml, "deploy.yaml").expect("valid");
        let quilt = spec.quilt.expect("quilt");
        assert_eq!(quilt.registry_url, "https://registry.example.com");
        assert_eq!(quilt.api_key_env, "QUILT_API_KEY");
        let Some(Catalog::Listed(settings)) = &spec.buckets["raw-data"].catalog else {
            panic!("not listed");
        };
        assert_eq!(settings.title, "Raw data");
        assert_eq!(settings.relevance_score, Some(10));
        assert_eq!(settings.sns_notification_arn, CatalogTopic::Auto);
        assert_eq!(settings.browsable, None);
    }

    #[test]
    fn catalog_false_removes_and_catalog_true_is_refused() {
        let removed = spec(BOTH, "").replace("    catalog:\n", "    catalog: false\n");
        let spec_ok = load_str(&removed, "deploy.yaml").expect("valid");
        assert_eq!(spec_ok.buckets["raw-data"].catalog, Some(Catalog::Removed));
        let yaml = spec(BOTH, "").replace("    catalog:\n", "    catalog: true\n");
        assert_error(
            &yaml,
            (16, 14),
            &["catalog of bucket \"raw-data\"", "title"],
        );
    }

    #[test]
    fn the_title_is_required() {
        let yaml = spec(BOTH, "      description: no title\n");
        assert_error(&yaml, (16, 5), &["missing key \"title\""]);
    }

    #[test]
    fn events_must_cover_creation_and_removal() {
        let yaml = spec("[\"s3:ObjectCreated:Put\"]", "      title: Raw\n");
        assert_error(
            &yaml,
            (16, 5),
            &["object creation and object removal", "s3:ObjectRemoved:*"],
        );
    }

    #[test]
    fn urls_numbers_and_extensions_are_checked() {
        let yaml = spec(
            BOTH,
            "      title: Raw\n      icon_url: not a url\n      overview_url: ftp://x\n      \
             relevance_score: 99999999999\n      index_content_bytes: 2000000\n      \
             file_extensions_to_index: [csv]\n      sns_notification_arn: topic\n",
        );
        let found: Vec<String> = errors(&yaml).iter().map(ToString::to_string).collect();
        let all = found.join("\n");
        for part in [
            "icon_url of catalog of bucket \"raw-data\" \"not a url\" is not an http(s) URL",
            "overview_url of catalog of bucket \"raw-data\" \"ftp://x\" is not an http(s) URL",
            "relevance_score of catalog of bucket \"raw-data\" must be between",
            "index_content_bytes of catalog of bucket \"raw-data\" must be between 0 and 1048576",
            "entry \"csv\" of file_extensions_to_index",
            "must be `auto` or a topic ARN",
        ] {
            assert!(all.contains(part), "{part:?} not in:\n{all}");
        }
    }

    #[test]
    fn a_catalog_needs_quilt_and_the_key_is_never_written_in_the_spec() {
        let yaml = spec(BOTH, "      title: Raw\n").replace(
            "quilt:\n  registry_url: https://registry.example.com/\nbuckets:",
            "buckets:",
        );
        assert_error(&yaml, (14, 5), &["needs a top-level `quilt:` section"]);
        let yaml = spec(BOTH, "      title: Raw\n").replace(
            "  registry_url: https://registry.example.com/\n",
            "  registry_url: https://registry.example.com/\n  api_key_env: qk_SECRETVALUE\n",
        );
        let found = errors(&yaml);
        assert!(found
            .iter()
            .any(|e| e.message.contains("looks like an API key")));
        assert!(found.iter().all(|e| !e.message.contains("SECRETVALUE")));
    }

    fn events(list: &[&str]) -> Vec<String> {
        list.iter().map(|event| (*event).to_owned()).collect()
    }

    #[test]
    fn creation_and_removal_are_covered_by_wildcards_or_every_subtype() {
        assert!(covers_creation(&events(&["s3:ObjectCreated:*"])));
        assert!(covers_creation(&events(&[
            "s3:ObjectCreated:Put",
            "s3:ObjectCreated:Post",
            "s3:ObjectCreated:Copy",
            "s3:ObjectCreated:CompleteMultipartUpload",
        ])));
        assert!(!covers_creation(&events(&["s3:ObjectCreated:Put"])));
        assert!(covers_removal(&events(&["s3:ObjectRemoved:*"])));
        assert!(covers_removal(&events(&[
            "s3:ObjectRemoved:Delete",
            "s3:ObjectRemoved:DeleteMarkerCreated"
        ])));
        assert!(!covers_removal(&events(&["s3:ObjectRemoved:Delete"])));
        assert!(!covers_removal(&events(&["s3:ObjectCreated:*"])));
    }
}
