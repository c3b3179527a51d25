//! Canonical forms: one JSON value per meaning, so that what AWS rewrites on
//! storage (scalars for one-element arrays, key and value order, account ids
//! as root ARNs, action case) never shows up as a difference.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::statement::{Conditions, Elements, Principals};

/// Canonical statement: keys in sorted order, every set a sorted,
/// deduplicated array.
pub(crate) fn statement(elements: &Elements) -> Value {
    let mut fields = BTreeMap::new();
    if let Some(sid) = elements.sid.as_deref().filter(|sid| !sid.is_empty()) {
        fields.insert("Sid", Value::String(sid.to_owned()));
    }
    fields.insert("Effect", Value::String(elements.effect.clone()));
    let (action_name, actions) = &elements.action;
    // IAM matches action names case-insensitively.
    fields.insert(
        action_name,
        set(actions.iter().map(|action| action.to_ascii_lowercase())),
    );
    if let Some((name, resources)) = &elements.resource {
        fields.insert(name, set(resources.iter().cloned()));
    }
    if let Some((name, kinds)) = &elements.principal {
        fields.insert(name, principal(kinds, resource_partition(elements)));
    }
    if let Some(condition) = condition(&elements.condition) {
        fields.insert("Condition", condition);
    }
    object(fields)
}

/// Canonical document: Version (missing means "2008-10-17", as IAM reads it),
/// Id if any, and statements sorted by their canonical text, duplicates kept
/// (the order of statements has no meaning; their number is kept as read).
pub(crate) fn document(version: Option<&str>, id: Option<&str>, statements: Vec<Value>) -> Value {
    let mut keyed: Vec<(String, Value)> = statements
        .into_iter()
        .map(|statement| (statement.to_string(), statement))
        .collect();
    keyed.sort_by(|left, right| left.0.cmp(&right.0));
    let mut fields = BTreeMap::new();
    fields.insert(
        "Version",
        Value::String(version.unwrap_or(crate::DEFAULT_VERSION).to_owned()),
    );
    if let Some(id) = id {
        fields.insert("Id", Value::String(id.to_owned()));
    }
    fields.insert(
        "Statement",
        Value::Array(keyed.into_iter().map(|(_, value)| value).collect()),
    );
    object(fields)
}

/// The partition of the statement's own resources (`arn:aws-us-gov:s3:::b`):
/// a resource policy lives in one partition, and AWS stores a bare account
/// id as the root ARN of that partition. `aws` when no resource names one.
fn resource_partition(elements: &Elements) -> &str {
    elements
        .resource
        .iter()
        .flat_map(|(_, resources)| resources)
        .find_map(|resource| arn_partition(resource))
        .unwrap_or("aws")
}

/// The partition an ARN names (`aws-us-gov` in `arn:aws-us-gov:s3:::b`).
pub(crate) fn arn_partition(arn: &str) -> Option<&str> {
    let partition = arn.strip_prefix("arn:")?.split(':').next()?;
    (!partition.is_empty()).then_some(partition)
}

/// `Principal: "*"` arrives here already as `{"AWS": ["*"]}`.
fn principal(kinds: &Principals, partition: &str) -> Value {
    let mut merged: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (kind, values) in kinds {
        let entry = merged.entry(kind.as_str()).or_default();
        if kind == "AWS" {
            entry.extend(values.iter().map(|value| aws_principal(value, partition)));
        } else {
            entry.extend(values.iter().cloned());
        }
    }
    object(
        merged
            .into_iter()
            .map(|(kind, values)| (kind, set(values)))
            .collect(),
    )
}

/// AWS stores a bare account id as that account's root ARN in `partition`.
pub(crate) fn aws_principal(value: &str, partition: &str) -> String {
    if is_account_id(value) {
        format!("arn:{partition}:iam::{value}:root")
    } else {
        value.to_owned()
    }
}

pub(crate) fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|byte| byte.is_ascii_digit())
}

/// Condition keys are case-insensitive in IAM, so they are lowercased.
/// Operators with no keys, and an empty Condition, mean nothing and are
/// dropped. Two keys that differ only in case under one operator are both
/// conditions (AND), so their value sets are kept apart rather than united.
fn condition(operators: &Conditions) -> Option<Value> {
    let mut canonical: BTreeMap<&str, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
    for (operator, keys) in operators {
        if keys.is_empty() {
            continue;
        }
        let entry = canonical.entry(operator.as_str()).or_default();
        for (key, values) in keys {
            entry
                .entry(key.to_lowercase())
                .or_default()
                .push(set(values.iter().cloned()));
        }
    }
    if canonical.is_empty() {
        return None;
    }
    let operators = canonical
        .into_iter()
        .map(|(operator, keys)| {
            let keys = keys.into_iter().map(|(key, mut value_sets)| {
                let value = if value_sets.len() == 1 {
                    value_sets.remove(0)
                } else {
                    value_sets.sort_by_key(|value_set| value_set.to_string());
                    Value::Array(value_sets)
                };
                (key, value)
            });
            (operator, Value::Object(keys.collect()))
        })
        .collect();
    Some(object(operators))
}

/// A sorted, deduplicated array of strings.
fn set(values: impl IntoIterator<Item = String>) -> Value {
    let mut values: Vec<String> = values.into_iter().collect();
    values.sort();
    values.dedup();
    Value::Array(values.into_iter().map(Value::String).collect())
}

/// A JSON object with keys in sorted order (the map keeps insertion order).
fn object<K: Into<String> + Ord>(fields: BTreeMap<K, Value>) -> Value {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert(key.into(), value);
    }
    Value::Object(map)
}
