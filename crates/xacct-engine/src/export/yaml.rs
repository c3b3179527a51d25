//! Block-style YAML of a JSON value, with every string double-quoted.
//!
//! Double-quoted scalars only need escaping, never the plain-scalar rules
//! (`yes`, `0755`, `: `, `#` ...), so no value can be read back as something
//! else; that keeps the emitter small enough not to need a YAML library. The
//! escapes used (`\"`, `\\`, `\n`, `\r`, `\t`, `\uXXXX`) mean the same in JSON
//! and in YAML 1.1 and 1.2.

use serde_json::Value;

/// The value as YAML lines, ending with a newline.
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    for line in lines(value) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Lines at indentation 0; callers indent nested blocks.
fn lines(value: &Value) -> Vec<String> {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            let mut out = Vec::new();
            for (key, field) in fields {
                let key = mapping_key(key);
                if is_block(field) {
                    out.push(format!("{key}:"));
                    out.extend(lines(field).into_iter().map(|line| format!("  {line}")));
                } else {
                    out.push(format!("{key}: {}", scalar(field)));
                }
            }
            out
        }
        Value::Array(items) if !items.is_empty() => {
            let mut out = Vec::new();
            for item in items {
                if is_block(item) {
                    for (index, line) in lines(item).into_iter().enumerate() {
                        let marker = if index == 0 { "- " } else { "  " };
                        out.push(format!("{marker}{line}"));
                    }
                } else {
                    out.push(format!("- {}", scalar(item)));
                }
            }
            out
        }
        scalar_value => vec![scalar(scalar_value)],
    }
}

/// Non-empty collections are written as indented blocks; everything else
/// fits on the line of its key or `-`.
fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(fields) => !fields.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => quoted(text),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// Keys such as `Statement` stay plain (readable); anything else, such as
/// `aws:SourceArn` or a key YAML 1.1 reads as a boolean or null, is quoted.
fn mapping_key(key: &str) -> String {
    const SPECIAL: [&str; 11] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    let plain = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric())
        && !SPECIAL.contains(&key.to_ascii_lowercase().as_str());
    if plain {
        key.to_string()
    } else {
        quoted(key)
    }
}

/// A double-quoted scalar. Characters YAML does not allow raw (controls,
/// DEL, C1 controls, U+FFFE/U+FFFF) or reads as line breaks in YAML 1.1
/// (U+0085, U+2028, U+2029), and a byte-order mark, are written as `\uXXXX`;
/// all of them are in the Basic Multilingual Plane.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_raw_safe(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

fn is_raw_safe(c: char) -> bool {
    matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(yaml: &str) -> Value {
        serde_saphyr::from_str(yaml).unwrap_or_else(|error| panic!("{error}\n{yaml}"))
    }

    #[test]
    fn nested_maps_and_sequences_are_block_style() {
        let value = json!({
            "Statement": [
                {"Sid": "A", "Action": ["s3:GetObject", "s3:PutObject"]},
                [["x"], "y"],
            ],
            "Empty": {"List": [], "Map": {}},
        });
        let yaml = to_yaml(&value);
        assert_eq!(
            yaml,
            "Statement:\n  - Sid: \"A\"\n    Action:\n      - \"s3:GetObject\"\n      - \"s3:PutObject\"\n  \
             - - - \"x\"\n    - \"y\"\nEmpty:\n  List: []\n  Map: {}\n"
        );
        assert_eq!(parsed(&yaml), value);
    }

    #[test]
    fn strings_that_yaml_would_misread_stay_strings() {
        let value = json!({
            "plain-looking": ["yes", "no", "null", "~", "0755", "1e3", "2012-10-17", "true"],
            "punctuation": ["a: b", "# not a comment", "- item", "*alias", "&anchor", "!tag", "{x}", "'q'", "@", "`", "%", "|", ">"],
            "y": "key read as a boolean in YAML 1.1",
            "aws:SourceArn": "colon in a key",
            "": "empty key",
            "numbers": [1, -2.5, true, null],
        });
        let yaml = to_yaml(&value);
        assert_eq!(parsed(&yaml), value);
        // CloudFormation reads YAML 1.1, where these plain scalars are not
        // strings; a YAML 1.2 reader cannot tell, so check they are quoted.
        for quoted in ["\"y\": ", "- \"yes\"", "- \"no\"", "- \"0755\"", "- \"~\""] {
            assert!(yaml.contains(quoted), "{quoted} in {yaml}");
        }
    }

    #[test]
    fn control_and_line_break_characters_are_escaped() {
        let odd =
            "quote\" backslash\\ nl\n cr\r tab\t nul\u{0} esc\u{1b} del\u{7f} c1\u{80} nel\u{85} \
                   ls\u{2028} ps\u{2029} bom\u{feff} nonchar\u{fffe} é 日本 🦀";
        let yaml = to_yaml(&json!({ "Sid": odd }));
        assert!(!yaml.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{7f}']));
        assert_eq!(yaml.lines().count(), 1, "one line: {yaml}");
        assert!(
            yaml.contains("\\u0085") && yaml.contains("\\u2028"),
            "{yaml}"
        );
        assert_eq!(parsed(&yaml), json!({ "Sid": odd }));
        // The same escapes are JSON: the scalar parses as the same string.
        let scalar = yaml.trim_end().trim_start_matches("Sid: ");
        assert_eq!(serde_json::from_str::<String>(scalar).unwrap(), odd);
    }
}
