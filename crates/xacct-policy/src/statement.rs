//! One policy statement: validated on the way in, kept as read for the way out.

use serde_json::{Map, Value};

use crate::canonical;
use crate::error::PolicyError;

/// The elements a statement may carry. AWS rejects anything else, so an
/// unknown key is a shape error rather than something to carry along silently.
const KNOWN_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The keys a `Principal` object may have.
const PRINCIPAL_KINDS: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

/// One statement of a policy document.
///
/// The raw JSON is kept exactly as read (or built) so a statement xacct does
/// not own can be written back unchanged; the canonical form is computed once
/// so comparisons are cheap.
#[derive(Clone, Debug)]
pub struct Statement {
    raw: Value,
    /// The validated elements, which evaluation reads.
    elements: Elements,
    canonical: Value,
}

/// Principal kind (`AWS`, `Service`, ...) -> values, as read.
pub(crate) type Principals = Vec<(String, Vec<String>)>;
/// Condition operator -> [(condition key, values as strings)], as read.
pub(crate) type Conditions = Vec<(String, Vec<(String, Vec<String>)>)>;

/// A statement's elements after shape checks, before canonicalisation.
/// `(name, values)` pairs carry which of Action/NotAction etc. was used.
#[derive(Clone, Debug)]
pub(crate) struct Elements {
    pub sid: Option<String>,
    pub effect: String,
    pub principal: Option<(&'static str, Principals)>,
    pub action: (&'static str, Vec<String>),
    pub resource: Option<(&'static str, Vec<String>)>,
    pub condition: Conditions,
}

impl Statement {
    /// Validates one statement object (as found in a document's `Statement`).
    pub fn from_value(value: Value) -> Result<Statement, PolicyError> {
        Statement::parse(value, None)
    }

    /// `index` is the 1-based position in a document, used in error messages.
    pub(crate) fn parse(value: Value, index: Option<usize>) -> Result<Statement, PolicyError> {
        let elements = match &value {
            Value::Object(map) => read_elements(map),
            _ => Err("must be an object".to_owned()),
        }
        .map_err(|reason| PolicyError::InvalidStatement { index, reason })?;
        Ok(Statement {
            canonical: canonical::statement(&elements),
            elements,
            raw: value,
        })
    }

    /// The statement id; an empty `Sid` counts as none (it identifies nothing).
    pub fn sid(&self) -> Option<&str> {
        self.elements.sid.as_deref().filter(|sid| !sid.is_empty())
    }

    /// Whether xacct owns this statement: its non-empty Sid starts with `prefix`.
    pub fn is_owned(&self, prefix: &str) -> bool {
        self.sid().is_some_and(|sid| sid.starts_with(prefix))
    }

    /// The statement's JSON exactly as read or built.
    pub fn to_value(&self) -> Value {
        self.raw.clone()
    }

    /// Borrowed form of [`Statement::to_value`].
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Canonical form: sorted keys, sets sorted and deduplicated, scalars as
    /// one-element arrays, account ids as root ARNs, actions and condition keys
    /// lowercase, condition values as strings. Equal iff semantically equal.
    pub fn canonical(&self) -> Value {
        self.canonical.clone()
    }

    /// Whether the two statements mean the same (see [`Statement::canonical`]).
    pub fn semantically_eq(&self, other: &Statement) -> bool {
        self.canonical == other.canonical
    }

    /// Values under `Principal.AWS` or `NotPrincipal.AWS`, as read.
    pub(crate) fn aws_principals(&self) -> impl Iterator<Item = &String> {
        self.elements
            .principal
            .iter()
            .flat_map(|(_, kinds)| kinds.iter())
            .filter(|(kind, _)| kind == "AWS")
            .flat_map(|(_, values)| values.iter())
    }

    /// The validated elements (Effect, Principal, Action, ...), as read.
    pub(crate) fn elements(&self) -> &Elements {
        &self.elements
    }
}

fn read_elements(map: &Map<String, Value>) -> Result<Elements, String> {
    if let Some(unknown) = map
        .keys()
        .find(|key| !KNOWN_ELEMENTS.contains(&key.as_str()))
    {
        return Err(format!("unknown element \"{unknown}\""));
    }
    let sid = match map.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.clone()),
        Some(_) => return Err("Sid must be a string".to_owned()),
    };
    let effect = match map.get("Effect") {
        None => return Err("Effect is required".to_owned()),
        Some(Value::String(effect)) if effect == "Allow" || effect == "Deny" => effect.clone(),
        Some(_) => return Err("Effect must be \"Allow\" or \"Deny\"".to_owned()),
    };
    let principal = match one_of(map, "Principal", "NotPrincipal")? {
        None => None,
        Some((name, value)) => Some((name, read_principal(name, value)?)),
    };
    let action = match one_of(map, "Action", "NotAction")? {
        None => return Err("Action or NotAction is required".to_owned()),
        Some((name, value)) => (name, read_strings(name, value)?),
    };
    let resource = match one_of(map, "Resource", "NotResource")? {
        None => None,
        Some((name, value)) => Some((name, read_strings(name, value)?)),
    };
    let condition = match map.get("Condition") {
        None => Vec::new(),
        Some(value) => read_condition(value)?,
    };
    Ok(Elements {
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
    })
}

/// At most one of an element and its `Not` twin may be present.
fn one_of<'a>(
    map: &'a Map<String, Value>,
    name: &'static str,
    not_name: &'static str,
) -> Result<Option<(&'static str, &'a Value)>, String> {
    match (map.get(name), map.get(not_name)) {
        (Some(_), Some(_)) => Err(format!("{name} and {not_name} cannot both be present")),
        (Some(value), None) => Ok(Some((name, value))),
        (None, Some(value)) => Ok(Some((not_name, value))),
        (None, None) => Ok(None),
    }
}

/// AWS writes a one-element list as a bare string; accept both.
fn read_strings(name: &str, value: &Value) -> Result<Vec<String>, String> {
    let shape_error = || format!("{name} must be a string or an array of strings");
    match value {
        Value::String(single) => Ok(vec![single.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(shape_error))
            .collect(),
        _ => Err(shape_error()),
    }
}

/// `"*"` is read as `{"AWS": "*"}`, which AWS treats the same.
fn read_principal(name: &str, value: &Value) -> Result<Principals, String> {
    match value {
        Value::String(star) if star == "*" => Ok(vec![("AWS".to_owned(), vec!["*".to_owned()])]),
        Value::Object(kinds) => kinds
            .iter()
            .map(|(kind, values)| {
                if !PRINCIPAL_KINDS.contains(&kind.as_str()) {
                    return Err(format!(
                        "{name} has unknown key \"{kind}\" (expected AWS, Service, Federated or CanonicalUser)"
                    ));
                }
                Ok((kind.clone(), read_strings(&format!("{name}.{kind}"), values)?))
            })
            .collect(),
        _ => Err(format!("{name} must be \"*\" or an object")),
    }
}

/// `{operator: {key: value-or-array}}`; values may be strings, numbers or
/// booleans and are kept as their string form, which is how AWS compares them.
fn read_condition(value: &Value) -> Result<Conditions, String> {
    let Value::Object(operators) = value else {
        return Err("Condition must be an object".to_owned());
    };
    operators
        .iter()
        .map(|(operator, keys)| {
            let Value::Object(keys) = keys else {
                return Err(format!("Condition.{operator} must be an object"));
            };
            let keys = keys
                .iter()
                .map(|(key, values)| {
                    let shape_error = || {
                        format!(
                            "Condition.{operator}.{key} must be a string, number, boolean or an array of them"
                        )
                    };
                    let values = match values {
                        Value::Array(items) => items
                            .iter()
                            .map(|item| condition_scalar(item).ok_or_else(shape_error))
                            .collect::<Result<Vec<_>, _>>()?,
                        single => vec![condition_scalar(single).ok_or_else(shape_error)?],
                    };
                    Ok((key.clone(), values))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok((operator.clone(), keys))
        })
        .collect()
}

fn condition_scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn statement(value: Value) -> Statement {
        Statement::from_value(value).expect("valid statement")
    }

    fn reason(value: Value) -> String {
        Statement::from_value(value)
            .expect_err("invalid statement")
            .to_string()
    }

    #[test]
    fn scalar_equals_one_element_array() {
        let array = statement(json!({
            "Sid": "QuiltA", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/R"]},
            "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]
        }));
        let scalar = statement(json!({
            "Sid": "QuiltA", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/R"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"
        }));
        assert!(array.semantically_eq(&scalar));
        assert_eq!(array.canonical(), scalar.canonical());
    }

    #[test]
    fn sets_are_sorted_and_deduplicated() {
        let left = statement(json!({
            "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObject"],
            "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]
        }));
        let right = statement(json!({
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow"
        }));
        assert!(left.semantically_eq(&right));
        assert_eq!(
            left.canonical()["Action"],
            json!(["s3:getobject", "s3:putobject"])
        );
    }

    #[test]
    fn account_id_equals_root_arn_but_not_a_role() {
        let id = statement(
            json!({"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:GetObject"}),
        );
        let root = statement(
            json!({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]}, "Action": "s3:GetObject"}),
        );
        let role = statement(
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/R"}, "Action": "s3:GetObject"}),
        );
        assert!(id.semantically_eq(&root));
        assert!(!id.semantically_eq(&role));
    }

    #[test]
    fn star_principal_equals_aws_star_but_not_service_star() {
        let star = statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*"}));
        let aws_star =
            statement(json!({"Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": "s3:*"}));
        let service =
            statement(json!({"Effect": "Deny", "Principal": {"Service": "*"}, "Action": "s3:*"}));
        assert!(star.semantically_eq(&aws_star));
        assert!(!star.semantically_eq(&service));
    }

    #[test]
    fn actions_compare_case_insensitively_resources_do_not() {
        let lower = statement(
            json!({"Effect": "Allow", "Action": "sns:publish", "Resource": "arn:aws:sns:us-east-1:1:Topic"}),
        );
        let upper = statement(
            json!({"Effect": "Allow", "Action": "SNS:Publish", "Resource": "arn:aws:sns:us-east-1:1:Topic"}),
        );
        let other_topic = statement(
            json!({"Effect": "Allow", "Action": "SNS:Publish", "Resource": "arn:aws:sns:us-east-1:1:topic"}),
        );
        assert!(lower.semantically_eq(&upper));
        assert!(!upper.semantically_eq(&other_topic));
    }

    #[test]
    fn condition_values_compare_as_strings_and_keys_ignore_case() {
        let boolean = statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:TlsVersion": 1.2}}}));
        let text = statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"NumericLessThan": {"S3:TLSVERSION": ["1.2"]}, "Bool": {"aws:securetransport": "false"}}}));
        let opposite = statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:TlsVersion": 1.2}}}));
        assert!(boolean.semantically_eq(&text));
        assert!(!boolean.semantically_eq(&opposite));
    }

    #[test]
    fn keys_differing_only_in_case_stay_separate_conditions() {
        let two_keys = statement(json!({"Effect": "Allow", "Action": "s3:*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "1", "AWS:SourceAccount": "2"}}}));
        let union = statement(json!({"Effect": "Allow", "Action": "s3:*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "2"]}}}));
        assert!(!two_keys.semantically_eq(&union));
    }

    #[test]
    fn effect_sid_and_not_elements_are_significant() {
        let base = json!({"Sid": "QuiltA", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
        let allow = statement(base.clone());
        let mut deny = base.clone();
        deny["Effect"] = json!("Deny");
        let mut other_sid = base.clone();
        other_sid["Sid"] = json!("QuiltB");
        let not_action = statement(
            json!({"Sid": "QuiltA", "Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
        );
        assert!(!allow.semantically_eq(&statement(deny)));
        assert!(!allow.semantically_eq(&statement(other_sid)));
        assert!(!allow.semantically_eq(&not_action));
    }

    #[test]
    fn empty_sid_is_none_and_never_owned() {
        let empty = statement(json!({"Sid": "", "Effect": "Allow", "Action": "s3:GetObject"}));
        let missing = statement(json!({"Effect": "Allow", "Action": "s3:GetObject"}));
        assert_eq!(empty.sid(), None);
        assert!(!empty.is_owned(""));
        assert!(!empty.is_owned("Quilt"));
        assert!(empty.semantically_eq(&missing));
        assert_eq!(
            empty.to_value()["Sid"],
            json!(""),
            "raw form keeps the empty Sid"
        );
    }

    #[test]
    fn ownership_is_by_sid_prefix() {
        let owned =
            statement(json!({"Sid": "QuiltAccess", "Effect": "Allow", "Action": "s3:GetObject"}));
        assert!(owned.is_owned("Quilt"));
        assert!(!owned.is_owned("quilt"));
        assert!(!owned.is_owned("Other"));
    }

    #[test]
    fn to_value_is_as_read() {
        let raw =
            json!({"Resource": "arn:aws:s3:::b", "Effect": "Allow", "Action": ["S3:ListBucket"]});
        assert_eq!(
            statement(raw.clone()).to_value().to_string(),
            raw.to_string()
        );
    }

    #[test]
    fn wrong_shapes_are_named() {
        assert_eq!(reason(json!("Allow")), "Statement: must be an object");
        assert_eq!(
            reason(json!({"Effect": "allow", "Action": "s3:*"})),
            "Statement: Effect must be \"Allow\" or \"Deny\""
        );
        assert_eq!(
            reason(json!({"Action": "s3:*"})),
            "Statement: Effect is required"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow"})),
            "Statement: Action or NotAction is required"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*"})),
            "Statement: Action and NotAction cannot both be present"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": ["s3:*", 3]})),
            "Statement: Action must be a string or an array of strings"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Resource": {"a": 1}})),
            "Statement: Resource must be a string or an array of strings"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Principal": "me"})),
            "Statement: Principal must be \"*\" or an object"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Principal": {"User": "x"}})),
            "Statement: Principal has unknown key \"User\" (expected AWS, Service, Federated or CanonicalUser)"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": [null]}})),
            "Statement: Principal.AWS must be a string or an array of strings"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Condition": []})),
            "Statement: Condition must be an object"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": true}})),
            "Statement: Condition.Bool must be an object"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": null}}})),
            "Statement: Condition.Bool.aws:SecureTransport must be a string, number, boolean or an array of them"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Sid": 7})),
            "Statement: Sid must be a string"
        );
        assert_eq!(
            reason(json!({"Effect": "Allow", "Action": "s3:*", "Actions": "s3:*"})),
            "Statement: unknown element \"Actions\""
        );
    }

    #[test]
    fn canonical_is_idempotent_on_its_own_output() {
        let original = statement(
            json!({"Sid": "QuiltA", "Effect": "Allow", "Principal": {"AWS": "111111111111"},
            "Action": ["S3:GetObject", "s3:getobject"], "Condition": {"Bool": {"AWS:SecureTransport": true}}}),
        );
        let again = statement(original.canonical());
        assert_eq!(again.canonical(), original.canonical());
    }
}
