//! A whole policy document: Version, Id and statements.

use serde_json::{Map, Value};

use crate::canonical;
use crate::error::PolicyError;
use crate::statement::Statement;

/// The Version xacct writes into documents it creates.
pub const CURRENT_VERSION: &str = "2012-10-17";
/// The Version IAM assumes when a document has none.
pub const DEFAULT_VERSION: &str = "2008-10-17";

const KNOWN_KEYS: [&str; 3] = ["Version", "Id", "Statement"];

/// The principal values AWS refuses on write-back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPrincipal {
    /// The statement's Sid, or `#<1-based index>` when it has none.
    pub statement: String,
    /// The offending value, as read.
    pub principal: String,
}

/// A policy document as read from AWS (or built by xacct).
///
/// The top-level object is kept as read (key order, Version, Id) so that
/// writing it back changes only the statements xacct owns.
#[derive(Clone, Debug)]
pub struct PolicyDocument {
    /// Top-level members as read; the `Statement` entry is a placeholder that
    /// [`PolicyDocument::to_json`] fills from `statements`.
    pub(crate) fields: Map<String, Value>,
    pub(crate) statements: Vec<Statement>,
    /// The document had `"Statement": {..}` rather than an array; kept so a
    /// one-statement document is written back the way it was read.
    pub(crate) single_object: bool,
}

impl PolicyDocument {
    /// Parses a policy document in any shape AWS returns.
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| PolicyError::InvalidJson {
                message: error.to_string(),
            })?;
        let Value::Object(mut fields) = value else {
            return Err(invalid_document("policy must be a JSON object"));
        };
        if let Some(unknown) = fields
            .keys()
            .find(|key| !KNOWN_KEYS.contains(&key.as_str()))
        {
            return Err(invalid_document(format!(
                "unknown top-level key \"{unknown}\" (expected Version, Id, Statement)"
            )));
        }
        match fields.get("Version") {
            None => {}
            Some(Value::String(version))
                if version == CURRENT_VERSION || version == DEFAULT_VERSION => {}
            Some(_) => {
                return Err(invalid_document(format!(
                    "Version must be \"{CURRENT_VERSION}\" or \"{DEFAULT_VERSION}\""
                )))
            }
        }
        if fields.get("Id").is_some_and(|id| !id.is_string()) {
            return Err(invalid_document("Id must be a string"));
        }
        // Take the statements out (leaving a placeholder that keeps the key's
        // position) rather than cloning them.
        let (statements, single_object) = match fields.get_mut("Statement").map(Value::take) {
            None => return Err(invalid_document("Statement is required")),
            Some(Value::Array(items)) => (items, false),
            Some(single @ Value::Object(_)) => (vec![single], true),
            Some(_) => return Err(invalid_document("Statement must be an object or an array")),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, value)| Statement::parse(value, Some(index + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PolicyDocument {
            fields,
            statements,
            single_object,
        })
    }

    /// A new document (Version 2012-10-17) holding `statements`.
    pub fn new(statements: Vec<Statement>) -> PolicyDocument {
        let mut fields = Map::new();
        fields.insert(
            "Version".to_owned(),
            Value::String(CURRENT_VERSION.to_owned()),
        );
        fields.insert("Statement".to_owned(), Value::Null);
        PolicyDocument {
            fields,
            statements,
            single_object: false,
        }
    }

    /// A document with the same Version, Id and shape as `self` but other
    /// statements (used by merging, which must not rewrite the header).
    pub(crate) fn with_statements(&self, statements: Vec<Statement>) -> PolicyDocument {
        PolicyDocument {
            fields: self.fields.clone(),
            statements,
            single_object: self.single_object,
        }
    }

    /// All statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// `Version` as read (`None` if the document has none).
    pub fn version(&self) -> Option<&str> {
        self.fields.get("Version").and_then(Value::as_str)
    }

    /// `Id` as read.
    pub fn id(&self) -> Option<&str> {
        self.fields.get("Id").and_then(Value::as_str)
    }

    /// Statements whose non-empty Sid starts with `prefix`, in document order.
    pub fn owned<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Statement> + 'a {
        self.statements
            .iter()
            .filter(move |statement| statement.is_owned(prefix))
    }

    /// Compact JSON to send to AWS: top-level keys in their original order,
    /// Version/Id and every statement as read or built.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// The document as JSON (see [`PolicyDocument::to_json`]).
    pub fn to_value(&self) -> Value {
        let statements = match self.statements.as_slice() {
            [only] if self.single_object => only.to_value(),
            all => Value::Array(all.iter().map(Statement::to_value).collect()),
        };
        let mut fields = self.fields.clone();
        match fields.get_mut("Statement") {
            Some(slot) => *slot = statements,
            None => {
                fields.insert("Statement".to_owned(), statements);
            }
        }
        Value::Object(fields)
    }

    /// Canonical form: sorted keys, sorted/deduplicated sets, missing Version
    /// as "2008-10-17", statements in canonical order. Equal iff semantically
    /// equal.
    pub fn canonical(&self) -> Value {
        canonical::document(
            self.version(),
            self.id(),
            self.statements.iter().map(Statement::canonical).collect(),
        )
    }

    /// Whether both documents mean the same: Version, Id and the multiset of
    /// canonical statements.
    pub fn semantically_eq(&self, other: &PolicyDocument) -> bool {
        self.canonical() == other.canonical()
    }

    /// Principals AWS would refuse on write-back: under `AWS`, anything but
    /// `"*"`, a 12-digit account id or an ARN. These are typically the bare
    /// unique ids (`AROA...`, `AIDA...`) AWS leaves when a role or user that
    /// a policy named is deleted; writing the document back fails until they
    /// are removed, so the caller should report them up front.
    pub fn invalid_principals(&self) -> Vec<InvalidPrincipal> {
        self.statements
            .iter()
            .enumerate()
            .flat_map(|(index, statement)| {
                let label = match statement.sid() {
                    Some(sid) => sid.to_owned(),
                    None => format!("#{}", index + 1),
                };
                statement
                    .aws_principals()
                    .filter(|value| !is_valid_aws_principal(value))
                    .map(move |value| InvalidPrincipal {
                        statement: label.clone(),
                        principal: value.clone(),
                    })
            })
            .collect()
    }

    /// Statements (by Sid, or `#<1-based index>`) that deny `owner_account_id`
    /// every action on `bucket_arn` with no condition: a bucket policy holding
    /// one locks the owner's own roles out of the bucket, its policy included.
    pub fn lockout_statements(&self, owner_account_id: &str, bucket_arn: &str) -> Vec<String> {
        let partition = canonical::arn_partition(bucket_arn).unwrap_or("aws");
        let owner_root = canonical::aws_principal(owner_account_id, partition);
        let every_bucket = format!("arn:{partition}:s3:::*");
        let strings = |value: &serde_json::Value| -> Vec<String> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        self.statements
            .iter()
            .enumerate()
            .filter(|(_, statement)| {
                let canonical = statement.canonical();
                let principals = strings(&canonical["Principal"]["AWS"]);
                let actions = strings(&canonical["Action"]);
                let resources = strings(&canonical["Resource"]);
                canonical["Effect"] == "Deny"
                    && canonical.get("Condition").is_none()
                    && principals.iter().any(|p| p == "*" || *p == owner_root)
                    && actions.iter().any(|a| a == "*" || a == "s3:*")
                    && resources
                        .iter()
                        .any(|r| r == "*" || *r == every_bucket || r == bucket_arn)
            })
            .map(|(index, statement)| match statement.sid() {
                Some(sid) => sid.to_owned(),
                None => format!("#{}", index + 1),
            })
            .collect()
    }

    /// Byte length of [`PolicyDocument::to_json`]; an error if over `limit`
    /// (S3 bucket policies: 20480 bytes).
    pub fn check_size(&self, limit: usize) -> Result<(), PolicyError> {
        let size = self.to_json().len();
        if size > limit {
            Err(PolicyError::TooLarge { size, limit })
        } else {
            Ok(())
        }
    }
}

fn is_valid_aws_principal(value: &str) -> bool {
    value == "*" || canonical::is_account_id(value) || value.starts_with("arn:")
}

fn invalid_document(message: impl Into<String>) -> PolicyError {
    PolicyError::InvalidDocument {
        message: message.into(),
    }
}

#[cfg(test)]
mod lockout_tests {
    use super::*;

    const ARN: &str = "arn:aws:s3:::data-bucket";

    #[test]
    fn an_unconditional_deny_of_everything_to_everyone_is_a_lockout() {
        let document = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::data-bucket","arn:aws:s3:::data-bucket/*"]},
                {"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        assert_eq!(
            document.lockout_statements("222222222222", ARN),
            ["Guard", "#2"]
        );
    }

    #[test]
    fn conditional_or_partial_denies_are_not_lockouts() {
        let document = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
                {"Sid":"ObjectsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*"},
                {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"},
                {"Sid":"OtherAccount","Effect":"Deny","Principal":{"AWS":"333333333333"},"Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        assert!(document.lockout_statements("222222222222", ARN).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AS_WRITTEN: &str = include_str!("../tests/fixtures/bucket_policy_as_written.json");
    const AS_RETURNED: &str = include_str!("../tests/fixtures/bucket_policy_as_returned.json");
    const SNS_SINGLE: &str = include_str!("../tests/fixtures/sns_topic_single_statement.json");
    const DELETED_ROLE: &str = include_str!("../tests/fixtures/deleted_role.json");

    fn parse(text: &str) -> PolicyDocument {
        PolicyDocument::parse(text).expect("valid policy")
    }

    fn error(text: &str) -> String {
        PolicyDocument::parse(text)
            .expect_err("invalid policy")
            .to_string()
    }

    #[test]
    fn aws_rewrite_of_a_document_is_semantically_equal() {
        let written = parse(AS_WRITTEN);
        let returned = parse(AS_RETURNED);
        assert!(written.semantically_eq(&returned));
        assert_eq!(written.canonical(), returned.canonical());
    }

    #[test]
    fn a_real_change_is_not_equal() {
        let written = parse(AS_WRITTEN);
        let dropped_action = AS_RETURNED.replace("\"s3:listbucket\",", "");
        assert_ne!(dropped_action, AS_RETURNED);
        assert!(!written.semantically_eq(&parse(&dropped_action)));
        let other_id = AS_RETURNED.replace("DataBucketPolicy", "Other");
        assert!(!written.semantically_eq(&parse(&other_id)));
    }

    #[test]
    fn statement_order_does_not_matter_but_count_does() {
        let forward = parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:A"},{"Effect":"Deny","Action":"s3:B"}]}"#,
        );
        let backward = parse(
            r#"{"Statement":[{"Effect":"Deny","Action":"s3:B"},{"Effect":"Allow","Action":"s3:A"}],"Version":"2012-10-17"}"#,
        );
        let doubled = parse(
            r#"{"Statement":[{"Effect":"Deny","Action":"s3:B"},{"Effect":"Allow","Action":"s3:A"},{"Effect":"Allow","Action":"s3:A"}],"Version":"2012-10-17"}"#,
        );
        assert!(forward.semantically_eq(&backward));
        assert!(!forward.semantically_eq(&doubled));
    }

    #[test]
    fn missing_version_means_2008() {
        let statement = r#"[{"Effect":"Allow","Action":"s3:A"}]"#;
        let missing = parse(&format!(r#"{{"Statement":{statement}}}"#));
        let old = parse(&format!(
            r#"{{"Version":"2008-10-17","Statement":{statement}}}"#
        ));
        let current = parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":{statement}}}"#
        ));
        assert!(missing.semantically_eq(&old));
        assert!(!missing.semantically_eq(&current));
        assert_eq!(missing.version(), None);
        assert_eq!(missing.canonical()["Version"], json!("2008-10-17"));
    }

    #[test]
    fn single_object_statement_parses_and_round_trips() {
        let document = parse(SNS_SINGLE);
        assert_eq!(document.statements().len(), 1);
        assert_eq!(
            document.statements()[0].sid(),
            Some("__default_statement_ID")
        );
        assert_eq!(document.to_json(), SNS_SINGLE.trim_end());
        let mut as_array: Value = serde_json::from_str(SNS_SINGLE).expect("fixture is JSON");
        as_array["Statement"] = json!([as_array["Statement"].take()]);
        assert!(document.semantically_eq(&parse(&as_array.to_string())));
    }

    #[test]
    fn to_json_is_compact_and_keeps_everything_as_read() {
        let returned = parse(AS_RETURNED);
        assert_eq!(returned.to_json(), AS_RETURNED.trim_end());
        let written = parse(AS_WRITTEN);
        let expected: Value = serde_json::from_str(AS_WRITTEN).expect("fixture is JSON");
        assert_eq!(written.to_json(), expected.to_string());
        assert!(!written.to_json().contains('\n'));
    }

    #[test]
    fn new_document_has_current_version() {
        let statement =
            Statement::from_value(json!({"Sid": "QuiltA", "Effect": "Allow", "Action": "s3:A"}))
                .expect("valid statement");
        let document = PolicyDocument::new(vec![statement]);
        assert_eq!(
            document.to_json(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"QuiltA","Effect":"Allow","Action":"s3:A"}]}"#
        );
        assert!(document.semantically_eq(&parse(&document.to_json())));
    }

    #[test]
    fn owned_filters_by_prefix_in_order() {
        let document = parse(AS_WRITTEN);
        let sids: Vec<_> = document.owned("Quilt").filter_map(Statement::sid).collect();
        assert_eq!(sids, ["QuiltCrossAccountAccess"]);
        assert_eq!(document.owned("Deny").count(), 1);
        assert_eq!(document.owned("Nope").count(), 0);
    }

    #[test]
    fn invalid_principals_names_bare_unique_ids() {
        let document = parse(DELETED_ROLE);
        let found = document.invalid_principals();
        let expected = [
            ("#1", "AROAEXAMPLEID1234567"),
            ("OldUserAccess", "AIDAEXAMPLEUSER12345"),
            ("DenyOthers", "AROAEXAMPLEOTHER7654"),
        ]
        .map(|(statement, principal)| InvalidPrincipal {
            statement: statement.to_owned(),
            principal: principal.to_owned(),
        });
        assert_eq!(found, expected);
        assert!(parse(AS_WRITTEN).invalid_principals().is_empty());
    }

    #[test]
    fn check_size_names_size_and_limit() {
        let document = parse(AS_RETURNED);
        let size = document.to_json().len();
        assert_eq!(document.check_size(size), Ok(()));
        let error = document.check_size(size - 1).expect_err("over limit");
        assert_eq!(
            error,
            PolicyError::TooLarge {
                size,
                limit: size - 1
            }
        );
        assert_eq!(
            error.to_string(),
            format!(
                "policy is {size} bytes, over the limit of {} bytes",
                size - 1
            )
        );
    }

    #[test]
    fn wrong_document_shapes_are_named() {
        assert!(error("{").starts_with("policy is not valid JSON: "));
        assert!(error("").starts_with("policy is not valid JSON: "));
        assert_eq!(error("[]"), "policy must be a JSON object");
        assert_eq!(
            error(r#"{"Version":"2012-10-17"}"#),
            "Statement is required"
        );
        assert_eq!(
            error(r#"{"Statement":"Allow"}"#),
            "Statement must be an object or an array"
        );
        assert_eq!(
            error(r#"{"Version":"2012-10-18","Statement":[]}"#),
            "Version must be \"2012-10-17\" or \"2008-10-17\""
        );
        assert_eq!(error(r#"{"Id":1,"Statement":[]}"#), "Id must be a string");
        assert_eq!(
            error(r#"{"Statment":[]}"#),
            "unknown top-level key \"Statment\" (expected Version, Id, Statement)"
        );
        assert_eq!(
            error(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:A"},{"Effect":"Permit","Action":"s3:A"}]}"#
            ),
            "Statement #2: Effect must be \"Allow\" or \"Deny\""
        );
        assert_eq!(
            error(r#"{"Statement":[{"Effect":"Allow","Action":"s3:A"},null]}"#),
            "Statement #2: must be an object"
        );
    }

    #[test]
    fn empty_statement_array_is_a_document() {
        let document = parse(r#"{"Version":"2012-10-17","Statement":[]}"#);
        assert!(document.statements().is_empty());
        assert_eq!(
            document.to_json(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
    }

    /// Caught by the policy_roundtrip fuzz target (seed: fuzz/corpus/
    /// policy_roundtrip/float_condition_drift.json):
    /// serde_json's default float parser may be off by one ULP, so a foreign
    /// numeric condition value drifted on every read/write cycle and the
    /// written document no longer compared equal to the one read.
    #[test]
    fn float_condition_values_survive_write_and_read_back() {
        let text = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Condition":{"NumericLessThan":{"s3:max-keys":[1.0715660391465826e-75,3.0261999441573203e-52,2.347135155778617e+214]}}}}"#;
        let read = parse(text);
        assert_eq!(read.to_json(), text);
        let read_back = parse(&read.to_json());
        assert_eq!(read_back.canonical(), read.canonical());
        assert_eq!(read_back.to_json(), text);
    }
}
