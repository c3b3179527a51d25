//! `ignore:`: accepted exceptions, each with a reason and an end date, so an
//! exception never outlives its review. What an entry does to a plan is the
//! engine's; here are its shape and its date.

use std::fmt;

use super::{fields, quoted, string, wrong_type, Problems};
use crate::model::Ignore;
use crate::raw::{Node, Value};

pub(crate) const IGNORE_KEYS: &[&str] = &["address", "reason", "until"];

/// A calendar date (`2027-01-31`), as `until:` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// `YYYY-MM-DD`, a real day of the Gregorian calendar.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
        if !shaped {
            return None;
        }
        let date = Date {
            year: text[0..4].parse().ok()?,
            month: text[5..7].parse().ok()?,
            day: text[8..10].parse().ok()?,
        };
        let valid =
            (1..=12).contains(&date.month) && (1..=date.days_in_month()).contains(&date.day);
        valid.then_some(date)
    }

    fn days_in_month(self) -> u8 {
        let year = self.year;
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Reads the top-level `ignore:` list; entries with a problem are reported
/// and left out.
pub(crate) fn ignores(problems: &mut Problems, node: &Node) -> Vec<Ignore> {
    let Value::Seq(items) = &node.value else {
        wrong_type(
            problems,
            node,
            "ignore",
            "a list of {address, reason, until}",
        );
        return Vec::new();
    };
    let mut entries = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let what = format!("ignore entry {}", index + 1);
        let Some(entry) = fields(problems, item, what.clone(), IGNORE_KEYS, item.pos) else {
            continue;
        };
        let address = entry
            .required(problems, "address")
            .and_then(|node| string(problems, node, &entry.what("address")))
            .filter(|text| {
                let shaped = text.split_once('.').is_some_and(|(kind, name)| {
                    !kind.is_empty() && !name.is_empty()
                });
                if !shaped {
                    problems.add(
                        item.pos,
                        format!(
                            "address {} of {what} is not an address like s3_bucket_policy.my-bucket",
                            quoted(text)
                        ),
                    );
                }
                shaped
            });
        let reason = entry.required(problems, "reason").and_then(|node| {
            let text = string(problems, node, &entry.what("reason"))?;
            if text.trim().is_empty() {
                problems.add(node.pos, format!("reason of {what} must say why"));
                return None;
            }
            Some(text)
        });
        let until = entry.required(problems, "until").and_then(|node| {
            let text = string(problems, node, &entry.what("until"))?;
            let date = Date::parse(text);
            if date.is_none() {
                problems.add(
                    node.pos,
                    format!(
                        "until of {what} is {}, not a date like 2027-01-31 (YYYY-MM-DD)",
                        quoted(text)
                    ),
                );
            }
            date
        });
        if let (Some(address), Some(reason), Some(until)) = (address, reason, until) {
            entries.push(Ignore {
                address: address.to_owned(),
                reason: reason.to_owned(),
                until,
                line: item.pos.line,
                column: item.pos.column,
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn dates_are_real_days_written_yyyy_mm_dd() {
        assert_eq!(
            Date::parse("2028-02-29"),
            Some(Date {
                year: 2028,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "2027-1-01",
            "27-01-01",
            "2027/01/01",
            "2027-01-32",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2026-12-31") < Date::parse("2027-01-01"));
        assert_eq!(
            Date::parse("2027-03-04")
                .map(|date| date.to_string())
                .as_deref(),
            Some("2027-03-04")
        );
    }
}
