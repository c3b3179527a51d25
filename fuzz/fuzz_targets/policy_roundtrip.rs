//! The policy parser and canonicaliser, on any text:
//! - `parse` answers Ok or Err, never panics or hangs;
//! - a parsed document's `to_json` parses again, to the same canonical form;
//! - removing every owned ("Quilt") statement keeps every foreign statement,
//!   in order and as read, and the result round-trips too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xacct_policy::{merge_owned, PolicyDocument};

const PREFIX: &str = "Quilt";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = PolicyDocument::parse(text) else {
        return;
    };
    let canonical = document.canonical();
    let json = document.to_json();
    let reparsed = PolicyDocument::parse(&json)
        .unwrap_or_else(|error| panic!("to_json output does not parse: {error}\n{json}"));
    assert_eq!(
        canonical,
        reparsed.canonical(),
        "canonical form changed across to_json/parse\ninput: {text}\njson: {json}"
    );
    assert!(document.semantically_eq(&reparsed));

    let foreign: Vec<_> = document
        .statements()
        .iter()
        .filter(|statement| !statement.is_owned(PREFIX))
        .map(|statement| statement.to_value())
        .collect();
    match merge_owned(Some(&document), PREFIX, &[]) {
        None => assert!(foreign.is_empty(), "merge dropped foreign statements"),
        Some(merged) => {
            let kept: Vec<_> = merged
                .statements()
                .iter()
                .map(|statement| statement.to_value())
                .collect();
            assert_eq!(
                kept, foreign,
                "merge did not keep exactly the foreign statements"
            );
            assert_eq!(merged.version(), document.version());
            assert_eq!(merged.id(), document.id());
            let merged_json = merged.to_json();
            let reparsed = PolicyDocument::parse(&merged_json).unwrap_or_else(|error| {
                panic!("merged to_json does not parse: {error}\n{merged_json}")
            });
            assert_eq!(merged.canonical(), reparsed.canonical());
        }
    }
});
