//! `drift --format junit`: one `testsuite` per account, one `testcase` per
//! managed resource named by its address; drift is a `failure` holding the
//! change lines, a document that could not be read an `error`. CI
//! dashboards (GitLab, Jenkins, GitHub test reporters) read it as tests.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::text::changed_lines;
use crate::address::Address;
use crate::change::ResourceChange;
use crate::ignore::Ignored;
use crate::location::Location;
use crate::plan::Plan;

/// A managed resource whose document could not be read, and why.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub address: Address,
    pub location: Location,
    pub message: String,
}

enum Case<'a> {
    Checked(&'a ResourceChange),
    Unread(&'a ReadError),
    Ignored(&'a Ignored),
}

impl Case<'_> {
    fn address(&self) -> &Address {
        match self {
            Case::Checked(change) => &change.address,
            Case::Unread(error) => &error.address,
            Case::Ignored(ignored) => &ignored.change.address,
        }
    }
}

/// The JUnit XML document of a drift check made at `checked_at` (RFC 3339).
pub fn drift_junit(plan: &Plan, unread: &[ReadError], checked_at: &str) -> String {
    let mut suites: BTreeMap<(&str, &str), Vec<Case<'_>>> = BTreeMap::new();
    for change in &plan.changes {
        let key = (
            change.location.account.as_str(),
            change.location.account_id.as_str(),
        );
        suites.entry(key).or_default().push(Case::Checked(change));
    }
    for ignored in &plan.ignored {
        let key = (
            ignored.change.location.account.as_str(),
            ignored.change.location.account_id.as_str(),
        );
        suites.entry(key).or_default().push(Case::Ignored(ignored));
    }
    for error in unread {
        let key = (
            error.location.account.as_str(),
            error.location.account_id.as_str(),
        );
        suites.entry(key).or_default().push(Case::Unread(error));
    }
    let count = |cases: &[Case<'_>]| {
        let failures = cases
            .iter()
            .filter(|case| matches!(case, Case::Checked(change) if change.write.is_some()))
            .count();
        let errors = cases
            .iter()
            .filter(|case| matches!(case, Case::Unread(_)))
            .count();
        let skipped = cases
            .iter()
            .filter(|case| matches!(case, Case::Ignored(_)))
            .count();
        (cases.len(), failures, errors, skipped)
    };
    let all: Vec<(usize, usize, usize, usize)> =
        suites.values().map(|cases| count(cases)).collect();
    let total =
        |pick: fn(&(usize, usize, usize, usize)) -> usize| all.iter().map(pick).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"xacct drift\" tests=\"{}\" failures=\"{}\" errors=\"{}\" timestamp=\"{}\">",
        total(|c| c.0),
        total(|c| c.1),
        total(|c| c.2),
        escape(checked_at)
    );
    for ((account, account_id), mut cases) in suites {
        cases.sort_by(|a, b| a.address().cmp(b.address()));
        let (tests, failures, errors, skipped) = count(&cases);
        let _ = writeln!(
            out,
            "  <testsuite name=\"account {} ({})\" tests=\"{tests}\" failures=\"{failures}\" \
             errors=\"{errors}\" skipped=\"{skipped}\" timestamp=\"{}\">",
            escape(account),
            escape(account_id),
            escape(checked_at)
        );
        for case in &cases {
            let address = case.address();
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}.{}\"",
                escape(&address.to_string()),
                escape(account),
                address.kind
            );
            match case {
                Case::Checked(change) if change.write.is_some() => {
                    let lines = changed_lines(change).join("\n");
                    let _ = writeln!(
                        out,
                        ">\n      <failure type=\"drift\" message=\"{}: drifted\">{}</failure>\n    </testcase>",
                        escape(&address.to_string()),
                        escape(&lines)
                    );
                }
                Case::Checked(_) => out.push_str("/>\n"),
                Case::Ignored(ignored) => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"ignored until {}: {}\"/>\n    </testcase>",
                        escape(&ignored.until),
                        escape(&ignored.reason)
                    );
                }
                Case::Unread(error) => {
                    let _ = writeln!(
                        out,
                        ">\n      <error type=\"read\" message=\"{}\">{}</error>\n    </testcase>",
                        escape(&error.message),
                        escape(&error.message)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// XML text and attribute escaping; characters XML 1.0 cannot carry at all
/// (control characters other than tab and newline) are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::tests::sample_plan;

    #[test]
    fn drift_is_a_failure_with_its_lines_and_an_unread_document_an_error() {
        let plan = sample_plan();
        let unread = [ReadError {
            address: Address::parse("s3_bucket_policy.gone").expect("address"),
            location: Location {
                account: "data".into(),
                account_id: "222222222222".into(),
                region: None,
            },
            message: "bucket \"gone\" does not exist <NoSuchBucket>".into(),
        }];
        let xml = drift_junit(&plan, &unread, "2026-12-06T00:00:00Z");
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert!(
            xml.contains("<testsuite name=\"account data (222222222222)\""),
            "{xml}"
        );
        assert!(xml.contains("<failure type=\"drift\""), "{xml}");
        assert!(
            xml.contains("~ object_ownership = &quot;ObjectWriter&quot; -&gt; &quot;BucketOwnerEnforced&quot;"),
            "{xml}"
        );
        assert!(xml.contains("&lt;NoSuchBucket&gt;"), "escaped: {xml}");
        assert!(xml.contains("<error type=\"read\""), "{xml}");
    }
}
