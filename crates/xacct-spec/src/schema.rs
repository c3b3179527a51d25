//! The JSON Schema (draft 2020-12) of a v1 spec, for editors and `xacct schema`.
//!
//! Hand-written in schema.json (easier to read and review than generated code);
//! tests below keep its keys equal to what the loader accepts.

/// The JSON Schema of deploy.yaml version 1.
pub fn json_schema() -> serde_json::Value {
    // schema.json is part of the crate and checked by the tests below, so it parses;
    // should it ever not, an empty schema (accepts anything) is safer than a panic.
    serde_json::from_str(include_str!("schema.json")).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::S3_EVENTS;
    use crate::validate::catalog::{CATALOG_KEYS, QUILT_KEYS};
    use crate::validate::ignore::IGNORE_KEYS;
    use crate::validate::{
        bucket_keys, ACCOUNT_KEYS, CLOUDTRAIL_KEYS, ENCRYPTION_KEYS, GRANT_KEYS, LOGGING_KEYS,
        NOTIFICATION_KEYS, PUBLIC_ACCESS_BLOCK_KEYS, SNS_TOPIC_KEYS, SPEC_KEYS,
    };
    use serde_json::Value;

    fn property_names(object: &Value) -> Vec<String> {
        let mut names: Vec<String> = object["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn schema_parses_and_is_draft_2020_12() {
        let schema = json_schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], false);
    }

    /// Every object the loader reads has exactly the loader's keys in the schema,
    /// and forbids others, so the two cannot drift apart.
    #[test]
    fn schema_keys_match_the_loader() {
        let schema = json_schema();
        let defs = &schema["$defs"];
        let objects: [(&Value, &[&str]); 14] = [
            (&schema, SPEC_KEYS),
            (&defs["account"], ACCOUNT_KEYS),
            (&defs["bucket"], &bucket_keys()),
            (&defs["bucket_grant"], GRANT_KEYS),
            (&defs["topic_grant"], GRANT_KEYS),
            (&defs["notifications"], NOTIFICATION_KEYS),
            (&defs["sns_topic"], SNS_TOPIC_KEYS),
            (&defs["cloudtrail"], CLOUDTRAIL_KEYS),
            (&defs["public_access_block"], PUBLIC_ACCESS_BLOCK_KEYS),
            (&defs["encryption"], ENCRYPTION_KEYS),
            (&defs["logging"], LOGGING_KEYS),
            (&defs["ignore_entry"], IGNORE_KEYS),
            (&defs["quilt"], QUILT_KEYS),
            (&defs["catalog"], CATALOG_KEYS),
        ];
        for (object, keys) in objects {
            assert_eq!(property_names(object), sorted(keys));
            assert_eq!(object["additionalProperties"], false, "{keys:?}");
            for (name, property) in object["properties"].as_object().expect("properties") {
                let described =
                    property.get("description").is_some() || property.get("$ref").is_some();
                assert!(described, "{name} has no description");
            }
        }
    }

    #[test]
    fn schema_events_match_the_loader() {
        let schema = json_schema();
        let events: Vec<&str> = schema["$defs"]["notifications"]["properties"]["events"]["items"]
            ["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(events, S3_EVENTS);
    }

    /// Walks every mapping of the shipped example specs against the schema.
    #[test]
    fn example_keys_are_in_the_schema() {
        let schema = json_schema();
        for (path, source) in crate::tests::example_specs() {
            let tree = crate::raw::parse(&source).expect("example parses");
            walk(&schema, &schema, &tree, &path);
        }
    }

    fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.trim_start_matches("#/$defs/");
                &root["$defs"][name]
            }
            None => schema,
        }
    }

    fn walk(root: &Value, schema: &Value, node: &crate::raw::Node, path: &str) {
        use crate::raw::Value as Yaml;
        let schema = resolve(root, schema);
        match &node.value {
            Yaml::Map(entries) => {
                // `true | {mapping}` keys: walk the mapping alternative.
                let schema = schema
                    .get("oneOf")
                    .and_then(Value::as_array)
                    .and_then(|alternatives| {
                        alternatives
                            .iter()
                            .map(|alternative| resolve(root, alternative))
                            .find(|alternative| alternative.get("properties").is_some())
                    })
                    .unwrap_or(schema);
                for (key, value) in entries {
                    let Yaml::Str(key) = &key.value else {
                        panic!("{path}: non-string key")
                    };
                    let child = match schema.get("properties").and_then(|p| p.get(key)) {
                        Some(child) => child,
                        None => match schema.get("additionalProperties") {
                            Some(child) if child.is_object() => child,
                            _ => panic!("{path}: key {key} is not in the schema"),
                        },
                    };
                    walk(root, child, value, path);
                }
            }
            Yaml::Seq(items) => {
                let schema = schema
                    .get("items")
                    .or_else(|| {
                        schema.get("oneOf").and_then(|alternatives| {
                            alternatives
                                .as_array()?
                                .iter()
                                .find_map(|alternative| alternative.get("items"))
                        })
                    })
                    .unwrap_or(&Value::Null);
                for item in items {
                    walk(root, schema, item, path);
                }
            }
            _ => {}
        }
    }
}
