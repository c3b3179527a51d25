//! The YAML shape of deploy.yaml: a generic tree of nodes, each with its position.
//!
//! We deserialise into this tree instead of into typed structs because serde's derived
//! structs stop at the first problem; walking the tree ourselves lets validation
//! report every unknown key, wrong type and bad value of a file together. The
//! parser (serde-saphyr) is used here and nowhere else.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, MessageFormatter, Spanned};

/// A 1-based line and column in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// The start of the file: where problems without a better place are reported.
    pub const START: Pos = Pos { line: 1, column: 1 };

    fn from_location(location: serde_saphyr::Location) -> Pos {
        let line = usize::try_from(location.line()).unwrap_or(0);
        let column = usize::try_from(location.column()).unwrap_or(0);
        if line == 0 {
            // Unknown location (the parser could not tell): point at the file start.
            Pos::START
        } else {
            Pos {
                line,
                column: column.max(1),
            }
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One YAML node with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// A YAML value, scalars already typed by YAML 1.2's core schema
/// (quoted scalars are always strings).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order, duplicates included (validation reports them).
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            value: spanned.value,
            pos: Pos::from_location(spanned.referenced),
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i128::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// A YAML problem the parser itself found (syntax, nesting, limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses one YAML document into a tree. An empty document is `Value::Null`.
pub(crate) fn parse(source: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        // We detect duplicates ourselves, so that all of them are reported with
        // every other problem of the file instead of stopping at the first.
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        // YAML 1.2 booleans only: `on`/`yes` stay strings (a profile named `yes`).
        strict_booleans: true,
        with_snippet: false,
    };
    if source.trim().is_empty() {
        return Ok(Node {
            value: Value::Null,
            pos: Pos::START,
        });
    }
    serde_saphyr::from_str_with_options::<Node>(source, options).map_err(|error| {
        let error = error.without_snippet();
        let pos = error.location().map_or(Pos::START, Pos::from_location);
        let message = serde_saphyr::DefaultMessageFormatter.format_message(error);
        SyntaxError {
            pos,
            message: syntax_message(&message),
        }
    })
}

/// The parser's message in the spec's terms: a few of them give advice about the
/// parser's own API, which means nothing to someone editing deploy.yaml.
fn syntax_message(message: &str) -> String {
    if message.contains("multiple YAML documents") {
        return "a spec is a single YAML document (found a second one after `---`)".to_owned();
    }
    if message.contains("recursive references") {
        return "an alias refers to the node that contains it (recursive anchors are not allowed)"
            .to_owned();
    }
    // Keep each error on one line.
    message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_entries(node: &Node) -> &[(Node, Node)] {
        match &node.value {
            Value::Map(entries) => entries,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn keys_and_values_carry_positions() {
        let tree = parse("a: 1\nb:\n  c: \"x\"\n  d: [true, ~]\n").unwrap();
        let entries = map_entries(&tree);
        assert_eq!(entries[0].0.value, Value::Str("a".into()));
        assert_eq!(entries[0].0.pos, Pos { line: 1, column: 1 });
        assert_eq!(entries[0].1.value, Value::Int(1));
        assert_eq!(entries[0].1.pos, Pos { line: 1, column: 4 });
        let inner = map_entries(&entries[1].1);
        assert_eq!(inner[0].0.pos, Pos { line: 3, column: 3 });
        assert_eq!(inner[0].1.value, Value::Str("x".into()));
        assert_eq!(inner[0].1.pos, Pos { line: 3, column: 6 });
        match &inner[1].1.value {
            Value::Seq(items) => {
                assert_eq!(items[0].value, Value::Bool(true));
                assert_eq!(items[1].value, Value::Null);
                assert_eq!(
                    items[1].pos,
                    Pos {
                        line: 4,
                        column: 13
                    }
                );
            }
            other => panic!("not a seq: {other:?}"),
        }
    }

    #[test]
    fn duplicates_are_kept_for_validation() {
        let tree = parse("a: 1\nb: 2\na: 3\n").unwrap();
        let entries = map_entries(&tree);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2].0.pos, Pos { line: 3, column: 1 });
    }

    #[test]
    fn quoted_numbers_are_strings_and_yes_is_a_string() {
        let tree = parse("id: \"012345678901\"\nn: 012345678901\ny: yes\n").unwrap();
        let entries = map_entries(&tree);
        assert_eq!(entries[0].1.value, Value::Str("012345678901".into()));
        // A leading zero does not make a string: validation asks for quotes.
        assert!(matches!(
            entries[1].1.value,
            Value::Int(_) | Value::Float(_)
        ));
        assert_eq!(entries[2].1.value, Value::Str("yes".into()));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(error.pos.line >= 2, "{error:?}");
        assert!(!error.message.is_empty());
        let error = parse("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(error.pos.line, 2, "{error:?}");
    }

    #[test]
    fn parser_api_advice_is_rephrased() {
        let error = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(error.message.contains("single YAML document"), "{error:?}");
        let error = parse("a: &x [*x]\n").unwrap_err();
        assert!(error.message.contains("recursive anchors"), "{error:?}");
        let error = parse("\u{0}").unwrap_err();
        assert!(!error.message.contains('\u{0}'), "{error:?}");
    }

    #[test]
    fn empty_documents_are_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
    }
}
