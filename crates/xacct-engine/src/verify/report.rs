//! The verify report: one line per check for people, one document for machines.

use serde_json::{json, Value};

use super::{CheckResult, Status};

/// Each bucket's, topic's and trail's checks together (buckets, then topics,
/// then the trail), static before live: a stable sort by subject.
pub fn in_report_order(results: &mut [CheckResult]) {
    results.sort_by(|a, b| a.subject.cmp(&b.subject));
}

fn count(results: &[CheckResult], status: Status) -> usize {
    results
        .iter()
        .filter(|result| result.status == status)
        .count()
}

/// `pass  bucket b: what was checked`, `fail  ...: what was found -- likely
/// cause: ...`, then a summary line.
pub fn verify_text(results: &[CheckResult]) -> String {
    let mut text = String::new();
    for result in results {
        let status = match result.status {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        };
        text.push_str(&format!("{status}  {}: {}", result.subject, result.check));
        if let Some(cause) = &result.cause {
            text.push_str(&format!(" -- likely cause: {cause}"));
        }
        text.push('\n');
    }
    let (pass, warn, fail) = (
        count(results, Status::Pass),
        count(results, Status::Warn),
        count(results, Status::Fail),
    );
    text.push_str(&format!(
        "\nVerify: {pass} passed, {warn} warning{}, {fail} failed.\n",
        if warn == 1 { "" } else { "s" }
    ));
    text
}

/// `{format_version, checks: [{status, subject, check, cause?}], summary, interrupted}`.
pub fn verify_json(results: &[CheckResult], interrupted: bool) -> Value {
    json!({
        "format_version": 1,
        "checks": results,
        "summary": {
            "pass": count(results, Status::Pass),
            "warn": count(results, Status::Warn),
            "fail": count(results, Status::Fail),
        },
        "interrupted": interrupted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> Vec<CheckResult> {
        vec![
            CheckResult::new(Status::Pass, "bucket b", "object ownership is BucketOwnerEnforced".into(), None),
            CheckResult::new(
                Status::Fail,
                "bucket b",
                "bucket policy does not let arn:aws:iam::111111111111:root s3:PutObject (grant QuiltAccess)".into(),
                Some("the bucket policy is missing s3:PutObject".into()),
            ),
        ]
    }

    #[test]
    fn text_has_one_line_per_check_and_a_summary() {
        assert_eq!(
            verify_text(&results()),
            "pass  bucket b: object ownership is BucketOwnerEnforced\n\
             fail  bucket b: bucket policy does not let arn:aws:iam::111111111111:root s3:PutObject \
             (grant QuiltAccess) -- likely cause: the bucket policy is missing s3:PutObject\n\
             \nVerify: 1 passed, 0 warnings, 1 failed.\n"
        );
    }

    #[test]
    fn json_lists_checks_with_status_and_cause() {
        let value = verify_json(&results(), false);
        assert_eq!(value["summary"], json!({"pass": 1, "warn": 0, "fail": 1}));
        assert_eq!(value["checks"][1]["status"], "fail");
        assert_eq!(value["checks"][0].get("cause"), None);
        assert_eq!(value["interrupted"], false);
    }
}
