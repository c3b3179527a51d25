//! A statement's `Condition` block against a request context known offline.
//!
//! Every part is decided true, decided false, or undecidable (the key is not
//! in the context, or a value cannot be read); undecidable parts are named so
//! a user knows which request context the answer depends on.

use std::cmp::Ordering;
use std::net::IpAddr;

use super::pattern::Pattern;
use super::Truth;
use crate::statement::Conditions;

/// `Condition` is an AND of every operator and key in it. `variables` is the
/// context when the document's Version supports policy variables.
pub(super) fn evaluate(
    conditions: &Conditions,
    context: &[(&str, &str)],
    variables: Option<&[(&str, &str)]>,
) -> Truth {
    conditions
        .iter()
        .flat_map(|(operator, keys)| keys.iter().map(move |key| (operator, key)))
        .map(|(written, (key, values))| {
            let undecidable = || Truth::Unknown(vec![format!("{written} {key}")]);
            let Some(operator) = Operator::parse(written) else {
                return undecidable();
            };
            let request_values: Vec<&str> = context
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(key))
                .map(|(_, value)| *value)
                .collect();
            // Absent from the context: AWS may well fill the key in (even
            // for Null and ...IfExists), so nothing can be said.
            if request_values.is_empty() {
                return undecidable();
            }
            match operator.decide(&request_values, values, variables) {
                Some(decided) => Truth::from(decided),
                None => undecidable(),
            }
        })
        .fold(Truth::True, Truth::and)
}

/// How the request's values of a key combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetOperator {
    /// No prefix: a key given several times in the context is true if any of
    /// its values satisfies the operator.
    Single,
    ForAnyValue,
    ForAllValues,
}

/// What one request value is compared with one policy value by. Negated
/// operators (`StringNotEquals`, ...) are the positive one, negated over all
/// policy values: true when the request value matches none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Order),
    Date(Order),
    Bool,
    BinaryEquals,
    IpAddress,
    /// `ArnEquals` and `ArnLike` behave alike: wildcards in each of the six
    /// colon-separated parts.
    Arn,
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

impl Order {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Order::Equals => ordering == Ordering::Equal,
            Order::LessThan => ordering == Ordering::Less,
            Order::LessThanEquals => ordering != Ordering::Greater,
            Order::GreaterThan => ordering == Ordering::Greater,
            Order::GreaterThanEquals => ordering != Ordering::Less,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Operator {
    set: SetOperator,
    comparison: Comparison,
    negated: bool,
}

impl Operator {
    /// `None` for an operator IAM does not have (operator names are
    /// case-sensitive). `...IfExists` reads as the operator itself: it only
    /// differs when the key is absent, which is undecidable anyway.
    fn parse(written: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = written.strip_prefix("ForAnyValue:") {
            (SetOperator::ForAnyValue, rest)
        } else if let Some(rest) = written.strip_prefix("ForAllValues:") {
            (SetOperator::ForAllValues, rest)
        } else {
            (SetOperator::Single, written)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let (comparison, negated) = match base {
            "StringEquals" => (Comparison::StringEquals, false),
            "StringNotEquals" => (Comparison::StringEquals, true),
            "StringEqualsIgnoreCase" => (Comparison::StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Comparison::StringEqualsIgnoreCase, true),
            "StringLike" => (Comparison::StringLike, false),
            "StringNotLike" => (Comparison::StringLike, true),
            "NumericEquals" => (Comparison::Numeric(Order::Equals), false),
            "NumericNotEquals" => (Comparison::Numeric(Order::Equals), true),
            "NumericLessThan" => (Comparison::Numeric(Order::LessThan), false),
            "NumericLessThanEquals" => (Comparison::Numeric(Order::LessThanEquals), false),
            "NumericGreaterThan" => (Comparison::Numeric(Order::GreaterThan), false),
            "NumericGreaterThanEquals" => (Comparison::Numeric(Order::GreaterThanEquals), false),
            "DateEquals" => (Comparison::Date(Order::Equals), false),
            "DateNotEquals" => (Comparison::Date(Order::Equals), true),
            "DateLessThan" => (Comparison::Date(Order::LessThan), false),
            "DateLessThanEquals" => (Comparison::Date(Order::LessThanEquals), false),
            "DateGreaterThan" => (Comparison::Date(Order::GreaterThan), false),
            "DateGreaterThanEquals" => (Comparison::Date(Order::GreaterThanEquals), false),
            "Bool" => (Comparison::Bool, false),
            "BinaryEquals" => (Comparison::BinaryEquals, false),
            "IpAddress" => (Comparison::IpAddress, false),
            "NotIpAddress" => (Comparison::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Comparison::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Comparison::Arn, true),
            "Null" if !if_exists => (Comparison::Null, false),
            _ => return None,
        };
        Some(Operator {
            set,
            comparison,
            negated,
        })
    }

    /// The operator over the request's values of a key (at least one) and
    /// the policy's values (OR); `None` if a value cannot be read.
    fn decide(
        self,
        request_values: &[&str],
        policy_values: &[String],
        variables: Option<&[(&str, &str)]>,
    ) -> Option<bool> {
        if self.comparison == Comparison::Null {
            // The key is in the context, so it is not null.
            return Some(
                policy_values
                    .iter()
                    .any(|value| value.eq_ignore_ascii_case("false")),
            );
        }
        let one = |request_value: &str| {
            any(policy_values
                .iter()
                .map(|policy_value| self.compare(request_value, policy_value, variables)))
            .map(|matched| matched != self.negated)
        };
        let each = request_values.iter().map(|value| one(value));
        match self.set {
            SetOperator::Single | SetOperator::ForAnyValue => any(each),
            SetOperator::ForAllValues => all(each),
        }
    }

    /// The positive comparison of one request value with one policy value.
    fn compare(
        self,
        request_value: &str,
        policy_value: &str,
        variables: Option<&[(&str, &str)]>,
    ) -> Option<bool> {
        let pattern = || Pattern::new(policy_value, variables).ok();
        match self.comparison {
            Comparison::StringEquals => Some(pattern()?.literal() == request_value),
            Comparison::StringEqualsIgnoreCase => {
                Some(pattern()?.literal().to_lowercase() == request_value.to_lowercase())
            }
            Comparison::StringLike => Some(pattern()?.matches(request_value, false)),
            Comparison::Arn => Some(arn_matches(&pattern()?, request_value)),
            Comparison::Numeric(order) => {
                let ordering = number(request_value)?.partial_cmp(&number(policy_value)?)?;
                Some(order.holds(ordering))
            }
            Comparison::Date(order) => {
                Some(order.holds(date_millis(request_value)?.cmp(&date_millis(policy_value)?)))
            }
            Comparison::Bool => Some(request_value.eq_ignore_ascii_case(policy_value)),
            Comparison::BinaryEquals => Some(request_value == policy_value),
            Comparison::IpAddress => in_network(request_value, policy_value),
            Comparison::Null => None,
        }
    }
}

/// OR over decisions: true if any is true, else undecidable if any is.
fn any(decisions: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut result = Some(false);
    for decision in decisions {
        match decision {
            Some(true) => return Some(true),
            None => result = None,
            Some(false) => {}
        }
    }
    result
}

/// AND over decisions: false if any is false, else undecidable if any is.
fn all(decisions: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    any(decisions.map(|decision| decision.map(|value| !value))).map(|value| !value)
}

/// Each of the six parts of an ARN is matched on its own, so `*` does not
/// cross a colon before the resource part. A policy value that is not an ARN
/// is matched as a whole.
fn arn_matches(pattern: &Pattern, value: &str) -> bool {
    match pattern.arn_parts() {
        Some(parts) => {
            let values: Vec<&str> = value.splitn(6, ':').collect();
            values.len() == 6
                && parts
                    .iter()
                    .zip(values)
                    .all(|(part, value)| part.matches(value, false))
        }
        None => pattern.matches(value, false),
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// Whether `address` is in `network` (`203.0.113.0/24`, or one address);
/// `None` if either does not parse. Families never match each other.
fn in_network(address: &str, network: &str) -> Option<bool> {
    let address: IpAddr = address.trim().parse().ok()?;
    let (base, prefix) = match network.trim().split_once('/') {
        Some((base, prefix)) => (base, Some(prefix.parse::<u32>().ok()?)),
        None => (network.trim(), None),
    };
    let base: IpAddr = base.parse().ok()?;
    let (address, base, bits) = match (address, base) {
        (IpAddr::V4(address), IpAddr::V4(base)) => (
            u128::from(address.to_bits()),
            u128::from(base.to_bits()),
            32,
        ),
        (IpAddr::V6(address), IpAddr::V6(base)) => (address.to_bits(), base.to_bits(), 128),
        _ => return Some(false),
    };
    let prefix = prefix.unwrap_or(bits);
    if prefix > bits {
        return None;
    }
    // Compare the top `prefix` bits of the `bits`-wide values.
    Some(prefix == 0 || address >> (bits - prefix) == base >> (bits - prefix))
}

/// Milliseconds since the Unix epoch of an ISO 8601 date or date-time
/// (`2026-01-31`, `2026-01-31T12:00:00Z`, `...T12:00:00.5+02:00`; no zone
/// means UTC) or of whole epoch seconds; `None` for anything else.
fn date_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse::<i64>().ok()?.checked_mul(1000);
    }
    let mut reader = Reader(text.as_bytes());
    let year = reader.digits(4)?;
    reader.expect(b'-')?;
    let month = reader.digits(2)?;
    reader.expect(b'-')?;
    let day = reader.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if reader.0.is_empty() {
        return Some(millis);
    }
    reader.expect_any(b"Tt")?;
    let hour = reader.digits(2)?;
    reader.expect(b':')?;
    let minute = reader.digits(2)?;
    let second = if reader.expect(b':').is_some() {
        reader.digits(2)?
    } else {
        0
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000;
    if reader.expect_any(b".,").is_some() {
        let fraction = reader.take_digits();
        if fraction.is_empty() {
            return None;
        }
        // Milliseconds: the first three digits, padded; finer ones dropped.
        millis += fraction
            .iter()
            .chain(b"00")
            .take(3)
            .fold(0, |sum, digit| sum * 10 + i64::from(digit - b'0'));
    }
    match reader.0.first() {
        None => {}
        Some(b'Z' | b'z') if reader.0.len() == 1 => {}
        Some(sign @ (b'+' | b'-')) => {
            let sign = if *sign == b'+' { 1 } else { -1 };
            reader.0 = &reader.0[1..];
            let hours = reader.digits(2)?;
            // `+02:00` and `+0200` are both ISO 8601.
            let _ = reader.expect(b':');
            let minutes = reader.digits(2)?;
            if !reader.0.is_empty() || hours > 23 || minutes > 59 {
                return None;
            }
            millis -= sign * (hours * 60 + minutes) * 60_000;
        }
        Some(_) => return None,
    }
    Some(millis)
}

/// A cursor over the bytes of a date.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.0.get(..count)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[count..];
        Some(
            digits
                .iter()
                .fold(0, |sum, digit| sum * 10 + i64::from(digit - b'0')),
        )
    }

    fn take_digits(&mut self) -> &[u8] {
        let count = self
            .0
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let (digits, rest) = self.0.split_at(count);
        self.0 = rest;
        digits
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.expect_any(&[byte])
    }

    fn expect_any(&mut self, bytes: &[u8]) -> Option<()> {
        let (first, rest) = self.0.split_first()?;
        if !bytes.contains(first) {
            return None;
        }
        self.0 = rest;
        Some(())
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_every_form_aws_accepts() {
        assert_eq!(date_millis("1970-01-01"), Some(0));
        assert_eq!(date_millis("1970-01-02T00:00:00Z"), Some(86_400_000));
        assert_eq!(date_millis("86400"), Some(86_400_000));
        assert_eq!(
            date_millis("2026-11-29T10:00:00Z"),
            date_millis("2026-11-29T12:00:00+02:00")
        );
        assert_eq!(
            date_millis("2026-11-29T10:00:00.25Z"),
            date_millis("2026-11-29T10:00:00Z").map(|base| base + 250)
        );
        assert_eq!(date_millis("2000-02-29T00:00"), Some(951_782_400_000));
        assert_eq!(
            date_millis("2026-11-29T10:00:00-0130"),
            date_millis("2026-11-29T11:30:00Z")
        );
        for invalid in [
            "",
            "yesterday",
            "2026-02-29",
            "2026-13-01",
            "2026-11-29T25:00:00Z",
            "2026-11-29T10:00:00Zjunk",
            "2026-11-29T10:00:00.Z",
            "99999999999999999999",
        ] {
            assert_eq!(date_millis(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        assert_eq!(in_network("203.0.113.5", "203.0.113.0/24"), Some(true));
        assert_eq!(in_network("203.0.114.5", "203.0.113.0/24"), Some(false));
        assert_eq!(in_network("203.0.113.5", "203.0.113.5"), Some(true));
        assert_eq!(in_network("10.1.2.3", "0.0.0.0/0"), Some(true));
        assert_eq!(in_network("2001:db8::1", "2001:db8::/32"), Some(true));
        assert_eq!(in_network("2001:db9::1", "2001:db8::/32"), Some(false));
        assert_eq!(in_network("2001:db8::1", "203.0.113.0/24"), Some(false));
        assert_eq!(in_network("203.0.113.5", "203.0.113.0/33"), None);
        assert_eq!(in_network("not-an-ip", "203.0.113.0/24"), None);
    }

    #[test]
    fn operator_names_are_read_exactly() {
        let parsed = Operator::parse("ForAllValues:StringNotLikeIfExists").expect("known");
        assert_eq!(parsed.set, SetOperator::ForAllValues);
        assert_eq!(parsed.comparison, Comparison::StringLike);
        assert!(parsed.negated);
        assert_eq!(Operator::parse("stringequals"), None);
        assert_eq!(Operator::parse("NullIfExists"), None);
        assert_eq!(Operator::parse("ForSomeValues:StringEquals"), None);
    }
}
