//! Field-level diff of managed slices, shared by the text renderers.
//!
//! A statement is flattened to `Field = "value"` leaves (one per array element)
//! so that a changed statement shows just the actions, principals or resources
//! that change, not two JSON blobs.

use serde_json::Value;

/// One `+`/`-`/`~`/` ` line of a diff, with its nesting depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub marker: char,
    pub depth: usize,
    pub text: String,
}

impl Line {
    fn new(marker: char, depth: usize, text: impl Into<String>) -> Self {
        Line {
            marker,
            depth,
            text: text.into(),
        }
    }
}

/// A leaf of a flattened statement: how it is shown, and what it means.
#[derive(Debug, Clone)]
struct Leaf {
    shown: String,
    meaning: String,
}

/// Lines describing the change of a slice that is an array of objects (or
/// `null`) identified by their `key` field: statements by `Sid`, notification
/// entries by `Id`, selectors by `Name`. `label` names one such object.
pub fn keyed(before: &Value, after: &Value, key: &str, label: &str) -> Vec<Line> {
    let before = as_keyed(before, key);
    let after = as_keyed(after, key);
    let mut lines = Vec::new();
    for (sid, wanted) in &after {
        match before.iter().find(|(old_sid, _)| old_sid == sid) {
            None => block(&mut lines, '+', label, key, sid, wanted),
            Some((_, found)) => {
                let changed = leaf_changes(found, wanted, key);
                if !changed.is_empty() {
                    lines.push(Line::new('~', 0, format!("{label} {sid:?} {{")));
                    lines.extend(changed);
                    lines.push(Line::new(' ', 0, "}"));
                }
            }
        }
    }
    for (sid, found) in &before {
        if !after.iter().any(|(new_sid, _)| new_sid == sid) {
            block(&mut lines, '-', label, key, sid, found);
        }
    }
    lines
}

/// Lines describing the change of a flat object slice (e.g. ownership controls).
pub fn fields(before: &Value, after: &Value) -> Vec<Line> {
    let empty = serde_json::Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut lines = Vec::new();
    for (key, wanted) in after {
        match before.get(key) {
            None => lines.push(Line::new('+', 0, format!("{key} = {wanted}"))),
            Some(found) if found != wanted => {
                lines.push(Line::new('~', 0, format!("{key} = {found} -> {wanted}")))
            }
            Some(_) => {}
        }
    }
    for (key, found) in before {
        if !after.contains_key(key) {
            lines.push(Line::new('-', 0, format!("{key} = {found}")));
        }
    }
    lines
}

fn as_keyed<'a>(slice: &'a Value, key: &str) -> Vec<(String, &'a Value)> {
    let Some(items) = slice.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(index, statement)| {
            let sid = statement
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{}", index + 1));
            (sid, statement)
        })
        .collect()
}

/// A whole entry added or removed. A managed entry is only ever removed
/// because the spec no longer asks for it, and the header says so: a
/// reviewer must not read a revocation as noise.
fn block(lines: &mut Vec<Line>, marker: char, label: &str, key: &str, id: &str, item: &Value) {
    let why = if marker == '-' {
        " (no longer in the spec)"
    } else {
        ""
    };
    lines.push(Line::new(marker, 0, format!("{label} {id:?}{why} {{")));
    for leaf in leaves(item, key) {
        lines.push(Line::new(marker, 1, leaf.shown));
    }
    lines.push(Line::new(' ', 0, "}"));
}

fn leaf_changes(before: &Value, after: &Value, key: &str) -> Vec<Line> {
    let before = leaves(before, key);
    let after = leaves(after, key);
    let mut lines = Vec::new();
    for leaf in &before {
        if !after.iter().any(|other| other.meaning == leaf.meaning) {
            lines.push(Line::new('-', 1, leaf.shown.clone()));
        }
    }
    for leaf in &after {
        if !before.iter().any(|other| other.meaning == leaf.meaning) {
            lines.push(Line::new('+', 1, leaf.shown.clone()));
        }
    }
    lines
}

fn leaves(item: &Value, key: &str) -> Vec<Leaf> {
    let mut out = Vec::new();
    if let Some(fields) = item.as_object() {
        for (field, value) in fields {
            if field != key {
                flatten(field, value, &mut out);
            }
        }
    }
    out
}

fn flatten(path: &str, value: &Value, out: &mut Vec<Leaf>) {
    match value {
        Value::Array(items) => {
            for item in items {
                flatten(path, item, out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                flatten(&format!("{path}.{key}"), item, out);
            }
        }
        Value::String(text) => out.push(leaf(path, text)),
        other => out.push(leaf(path, &other.to_string())),
    }
}

/// The meaning of a leaf follows the policy crate's canonical form: action
/// names are case-insensitive, a bare account id is its root ARN, and
/// `Principal: "*"` is `Principal.AWS: "*"`.
fn leaf(path: &str, value: &str) -> Leaf {
    let shown = format!("{path} = {value:?}");
    let meaning_path = if path == "Principal" || path == "NotPrincipal" {
        format!("{path}.AWS")
    } else {
        path.to_string()
    };
    let meaning_value = if path.ends_with("Action") {
        value.to_ascii_lowercase()
    } else if path.ends_with("Principal.AWS")
        && value.len() == 12
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        format!("arn:aws:iam::{value}:root")
    } else {
        value.to_string()
    };
    Leaf {
        shown,
        meaning: format!("{meaning_path}={meaning_value}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_statement_shows_only_the_changed_leaves() {
        let before = json!([{"Sid": "QuiltA", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"]}]);
        let after = json!([{"Sid": "QuiltA", "Effect": "Allow", "Action": ["s3:GetObject"]}]);
        let lines = keyed(&before, &after, "Sid", "statement");
        assert_eq!(
            lines,
            vec![
                Line::new('~', 0, "statement \"QuiltA\" {"),
                Line::new('-', 1, "Action = \"s3:PutObject\""),
                Line::new(' ', 0, "}"),
            ]
        );
    }

    #[test]
    fn representation_differences_are_not_shown_as_changes() {
        let before = json!([{"Sid": "QuiltA", "Principal": {"AWS": "111111111111"}, "Action": "S3:getobject", "Resource": "r"}]);
        let after = json!([{"Sid": "QuiltA", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]}, "Action": ["s3:GetObject"], "Resource": ["r", "q"]}]);
        let lines = keyed(&before, &after, "Sid", "statement");
        assert_eq!(lines[1], Line::new('+', 1, "Resource = \"q\""));
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn added_and_removed_statements_are_listed_whole() {
        let before = json!([{"Sid": "QuiltOld", "Effect": "Allow"}]);
        let after = json!([{"Sid": "QuiltNew", "Effect": "Allow"}]);
        let markers: Vec<char> = keyed(&before, &after, "Sid", "statement")
            .iter()
            .map(|l| l.marker)
            .collect();
        assert_eq!(markers, ['+', '+', ' ', '-', '-', ' ']);
    }
}
