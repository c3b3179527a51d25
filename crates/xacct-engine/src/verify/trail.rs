//! Whether a trail's data-event selectors log a bucket's object events: the
//! guide's "check CloudTrail is logging S3 data events", read from the
//! selectors rather than by waiting for log files.

use crate::kinds::cloudtrail_event_selectors::{
    AdvancedSelector, BasicSelector, EventSelectors, S3_OBJECT,
};

use super::{cause, CheckResult, Status, TrailVerification};

/// How much of a bucket's object events a selector logs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Coverage {
    Whole,
    /// Only some objects or only reads or writes; says which.
    Partial(String),
    None,
}

/// One result per logged bucket of the trail.
pub fn judge_selectors(trail: &TrailVerification, selectors: &EventSelectors) -> Vec<CheckResult> {
    let subject = format!("trail {}", trail.name);
    trail
        .buckets
        .iter()
        .map(|(bucket, prefix)| {
            let coverages: Vec<Coverage> = selectors
                .basic
                .iter()
                .map(|selector| basic_coverage(selector, prefix))
                .chain(
                    selectors
                        .advanced
                        .iter()
                        .map(|selector| advanced_coverage(selector, prefix)),
                )
                .collect();
            let check = format!("data events of bucket {bucket} are selected");
            if coverages.contains(&Coverage::Whole) {
                return CheckResult::new(Status::Pass, &subject, check, None);
            }
            let partial: Vec<String> = coverages
                .into_iter()
                .filter_map(|coverage| match coverage {
                    Coverage::Partial(what) => Some(what),
                    _ => None,
                })
                .collect();
            if partial.is_empty() {
                CheckResult::new(
                    Status::Fail,
                    &subject,
                    format!("no data-event selector covers bucket {bucket}"),
                    Some(format!(
                        "{}: add the bucket ({prefix}) to the trail's S3 data events (`cloudtrail: true`, then apply)",
                        cause::TRAIL
                    )),
                )
            } else {
                CheckResult::new(
                    Status::Warn,
                    &subject,
                    format!("selectors cover bucket {bucket} only in part: {}", partial.join("; ")),
                    Some(format!(
                        "{}: some object events of the bucket are not logged",
                        cause::TRAIL
                    )),
                )
            }
        })
        .collect()
}

/// A basic `AWS::S3::Object` value covers the bucket when it is a prefix of
/// `arn:aws:s3:::<bucket>/` (`arn:aws:s3` logs every bucket); a longer value
/// covers only a key prefix.
fn basic_coverage(selector: &BasicSelector, bucket_prefix: &str) -> Coverage {
    let mut best = Coverage::None;
    for resource in &selector.data_resources {
        if resource.resource_type != S3_OBJECT {
            continue;
        }
        for value in &resource.values {
            let all_buckets = value == "arn:aws:s3" || value == "arn:aws:s3:::";
            if all_buckets || (value.ends_with('/') && bucket_prefix.starts_with(value.as_str())) {
                best = Coverage::Whole;
            } else if value.starts_with(bucket_prefix) && best == Coverage::None {
                best = Coverage::Partial(format!("only keys under {value}"));
            }
        }
    }
    match (best, selector.read_write_type.as_str()) {
        (Coverage::Whole, "All") => Coverage::Whole,
        (Coverage::Whole, only) => Coverage::Partial(format!("only {only} events")),
        (other, _) => other,
    }
}

/// The advanced-selector fields whose effect on a bucket's coverage is
/// judged; any other field (`eventName`, `eventSource`, `userIdentity.arn`,
/// ...) narrows the selector to some events, which is never the whole.
const JUDGED_FIELDS: [&str; 4] = [
    "eventCategory",
    "resources.type",
    "resources.ARN",
    "readOnly",
];

/// An advanced selector covers the bucket when it selects `Data` events of
/// `AWS::S3::Object`, its ARN conditions (if any) take in every key of it,
/// and it has no other condition than on read-only-ness (partial) and those.
fn advanced_coverage(selector: &AdvancedSelector, bucket_prefix: &str) -> Coverage {
    let field = |name: &str| {
        selector
            .field_selectors
            .iter()
            .find(|field| field.field.eq_ignore_ascii_case(name))
    };
    let equals = |name: &str, value: &str| {
        field(name).is_some_and(|field| field.equals.iter().any(|v| v == value))
    };
    if !equals("eventCategory", "Data") || !equals("resources.type", S3_OBJECT) {
        return Coverage::None;
    }
    let coverage = match field("resources.ARN") {
        None => Coverage::Whole,
        Some(arn) => {
            let excluded = arn
                .not_starts_with
                .iter()
                .any(|value| bucket_prefix.starts_with(value.as_str()));
            let excluded_part = arn
                .not_starts_with
                .iter()
                .chain(&arn.not_equals)
                .any(|value| value.starts_with(bucket_prefix));
            let selected = arn.starts_with.is_empty() && arn.equals.is_empty()
                || arn
                    .starts_with
                    .iter()
                    .any(|value| bucket_prefix.starts_with(value.as_str()));
            let selected_part = arn
                .starts_with
                .iter()
                .chain(&arn.equals)
                .any(|value| value.starts_with(bucket_prefix));
            if excluded {
                Coverage::None
            } else if selected && !excluded_part && arn.ends_with.is_empty() {
                Coverage::Whole
            } else if selected || selected_part {
                Coverage::Partial("only some keys (ARN conditions)".to_string())
            } else {
                Coverage::None
            }
        }
    };
    let coverage = match (coverage, field("readOnly").and_then(|f| f.equals.first())) {
        (Coverage::Whole, Some(value)) => Coverage::Partial(if value == "true" {
            "only read events".to_string()
        } else {
            "only write events".to_string()
        }),
        (coverage, _) => coverage,
    };
    let narrowing: Vec<&str> = selector
        .field_selectors
        .iter()
        .map(|field| field.field.as_str())
        .filter(|name| !JUDGED_FIELDS.iter().any(|j| j.eq_ignore_ascii_case(name)))
        .collect();
    if narrowing.is_empty() {
        return coverage;
    }
    let only = format!(
        "only events matching its {} conditions",
        narrowing.join(", ")
    );
    match coverage {
        Coverage::Whole => Coverage::Partial(only),
        Coverage::Partial(what) => Coverage::Partial(format!("{what}, {only}")),
        Coverage::None => Coverage::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::cloudtrail_event_selectors::{DataResource, FieldSelector};
    use crate::location::Location;

    fn trail() -> TrailVerification {
        TrailVerification {
            trail: "quilt-trail".into(),
            name: "quilt-trail".into(),
            location: Location {
                account: "control".into(),
                account_id: "111111111111".into(),
                region: Some("us-east-1".into()),
            },
            buckets: vec![("data-bucket".into(), "arn:aws:s3:::data-bucket/".into())],
        }
    }

    fn basic(read_write: &str, values: &[&str]) -> EventSelectors {
        EventSelectors {
            basic: vec![BasicSelector {
                read_write_type: read_write.into(),
                include_management_events: true,
                data_resources: vec![DataResource {
                    resource_type: S3_OBJECT.into(),
                    values: values.iter().map(|v| v.to_string()).collect(),
                }],
                exclude_management_event_sources: vec![],
            }],
            advanced: vec![],
        }
    }

    fn field(name: &str, equals: &[&str], starts_with: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.into(),
            equals: equals.iter().map(|v| v.to_string()).collect(),
            starts_with: starts_with.iter().map(|v| v.to_string()).collect(),
            ..FieldSelector::default()
        }
    }

    fn advanced(arn_starts_with: &[&str]) -> EventSelectors {
        let mut fields = vec![
            field("eventCategory", &["Data"], &[]),
            field("resources.type", &[S3_OBJECT], &[]),
        ];
        if !arn_starts_with.is_empty() {
            fields.push(field("resources.ARN", &[], arn_starts_with));
        }
        EventSelectors {
            basic: vec![],
            advanced: vec![AdvancedSelector {
                name: Some("QuiltS3DataEvents".into()),
                field_selectors: fields,
            }],
        }
    }

    fn status(selectors: &EventSelectors) -> Status {
        judge_selectors(&trail(), selectors)[0].status
    }

    #[test]
    fn basic_values_cover_the_bucket_by_prefix() {
        assert_eq!(
            status(&basic("All", &["arn:aws:s3:::data-bucket/"])),
            Status::Pass
        );
        assert_eq!(status(&basic("All", &["arn:aws:s3"])), Status::Pass);
        assert_eq!(
            status(&basic("ReadOnly", &["arn:aws:s3:::data-bucket/"])),
            Status::Warn
        );
        assert_eq!(
            status(&basic("All", &["arn:aws:s3:::data-bucket/logs/"])),
            Status::Warn
        );
        // Without the slash no object events are logged; another bucket is no cover.
        assert_eq!(
            status(&basic("All", &["arn:aws:s3:::data-bucket"])),
            Status::Fail
        );
        assert_eq!(
            status(&basic("All", &["arn:aws:s3:::data-bucket-2/"])),
            Status::Fail
        );
    }

    #[test]
    fn advanced_selectors_cover_the_bucket_by_arn_condition() {
        assert_eq!(
            status(&advanced(&["arn:aws:s3:::data-bucket/"])),
            Status::Pass
        );
        assert_eq!(status(&advanced(&[])), Status::Pass);
        assert_eq!(status(&advanced(&["arn:aws:s3:::other/"])), Status::Fail);
        assert_eq!(
            status(&advanced(&["arn:aws:s3:::data-bucket/raw/"])),
            Status::Warn
        );
    }

    #[test]
    fn an_advanced_selector_narrowed_by_other_fields_covers_only_part() {
        let mut selectors = advanced(&["arn:aws:s3:::data-bucket/"]);
        selectors.advanced[0]
            .field_selectors
            .push(field("eventName", &["PutObject"], &[]));
        let results = judge_selectors(&trail(), &selectors);
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].status, Status::Warn);
        assert_eq!(
            results[0].check,
            "selectors cover bucket data-bucket only in part: only events matching its \
             eventName conditions"
        );

        // With readOnly as well, both narrowings are named.
        selectors.advanced[0]
            .field_selectors
            .push(field("readOnly", &["false"], &[]));
        assert_eq!(
            judge_selectors(&trail(), &selectors)[0].check,
            "selectors cover bucket data-bucket only in part: only write events, only events \
             matching its eventName conditions"
        );

        // The judged fields alone, in any case, still cover the whole bucket.
        let mut whole = advanced(&["arn:aws:s3:::data-bucket/"]);
        whole.advanced[0].field_selectors[0].field = "EventCategory".into();
        assert_eq!(status(&whole), Status::Pass);
    }

    #[test]
    fn no_selector_names_the_trail_cause() {
        let results = judge_selectors(&trail(), &EventSelectors::default());
        assert_eq!(results[0].status, Status::Fail);
        assert!(results[0]
            .cause
            .as_deref()
            .is_some_and(|cause| cause.starts_with("trail not logging data events")));
    }
}
