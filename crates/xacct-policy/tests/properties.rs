//! Properties of canonicalisation and merging over generated statements,
//! each written once the way xacct builds it and once the way AWS returns it.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use xacct_policy::{merge_owned, Decision, PolicyDocument, Request, Statement};

/// What a statement means, from which both JSON shapes are produced.
#[derive(Clone, Debug)]
struct Meaning {
    sid: Option<String>,
    allow: bool,
    actions: Vec<String>,
    resources: Vec<String>,
    principals: Vec<String>,
    secure_transport: Option<bool>,
    source_accounts: Vec<String>,
}

/// How AWS rewrites what it stores; drawn at random per statement.
#[derive(Clone, Debug)]
struct Rewrite {
    seed: u64,
    scalars: bool,
    upper_actions: bool,
}

fn meaning() -> impl Strategy<Value = Meaning> {
    let principal = prop_oneof![
        "[0-9]{12}",
        ("[0-9]{12}", "[A-Za-z]{1,10}")
            .prop_map(|(id, name)| format!("arn:aws:iam::{id}:role/{name}")),
        Just("*".to_owned()),
    ];
    (
        proptest::option::of("[A-Za-z0-9]{1,10}"),
        any::<bool>(),
        prop::collection::btree_set("[A-Z][a-z]{0,7}", 1..5),
        prop::collection::btree_set("[a-z0-9/*]{1,10}", 0..4),
        prop::collection::btree_set(principal, 0..4),
        proptest::option::of(any::<bool>()),
        prop::collection::btree_set("[0-9]{12}", 0..3),
    )
        .prop_map(
            |(sid, allow, actions, resources, principals, secure_transport, source_accounts)| {
                Meaning {
                    sid,
                    allow,
                    actions: actions
                        .into_iter()
                        .map(|name| format!("s3:Get{name}"))
                        .collect(),
                    resources: resources
                        .into_iter()
                        .map(|path| format!("arn:aws:s3:::bucket/{path}"))
                        .collect(),
                    principals: principals.into_iter().collect(),
                    secure_transport,
                    source_accounts: source_accounts.into_iter().collect(),
                }
            },
        )
}

fn rewrite() -> impl Strategy<Value = Rewrite> {
    (any::<u64>(), any::<bool>(), any::<bool>()).prop_map(|(seed, scalars, upper_actions)| {
        Rewrite {
            seed,
            scalars,
            upper_actions,
        }
    })
}

/// The statement as xacct writes it: arrays everywhere, bare account ids.
fn as_written(meaning: &Meaning) -> Value {
    let mut statement = Map::new();
    if let Some(sid) = &meaning.sid {
        statement.insert("Sid".into(), json!(sid));
    }
    statement.insert(
        "Effect".into(),
        json!(if meaning.allow { "Allow" } else { "Deny" }),
    );
    if !meaning.principals.is_empty() {
        statement.insert("Principal".into(), json!({"AWS": meaning.principals}));
    }
    statement.insert("Action".into(), json!(meaning.actions));
    if !meaning.resources.is_empty() {
        statement.insert("Resource".into(), json!(meaning.resources));
    }
    let mut condition = Map::new();
    if let Some(secure) = meaning.secure_transport {
        condition.insert("Bool".into(), json!({"aws:SecureTransport": secure}));
    }
    if !meaning.source_accounts.is_empty() {
        condition.insert(
            "StringEquals".into(),
            json!({"aws:SourceAccount": meaning.source_accounts}),
        );
    }
    if !condition.is_empty() {
        statement.insert("Condition".into(), Value::Object(condition));
    }
    Value::Object(statement)
}

/// A deterministic shuffle, so a failing case can be replayed from its seed.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut items = items.to_vec();
    let mut state = seed | 1;
    for index in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let other = (state >> 33) as usize % (index + 1);
        items.swap(index, other);
    }
    items
}

/// The statement as AWS returns it: keys reordered, arrays shuffled,
/// one-element arrays as scalars, account ids as root ARNs, booleans as
/// strings, condition keys and actions in another case.
fn as_returned(meaning: &Meaning, rewrite: &Rewrite) -> Value {
    let list = |values: Vec<String>| -> Value {
        let values = shuffled(&values, rewrite.seed);
        if rewrite.scalars && values.len() == 1 {
            json!(values[0])
        } else {
            json!(values)
        }
    };
    let mut statement = Map::new();
    if !meaning.source_accounts.is_empty() || meaning.secure_transport.is_some() {
        let mut condition = Map::new();
        if !meaning.source_accounts.is_empty() {
            condition.insert(
                "StringEquals".into(),
                json!({"AWS:SOURCEACCOUNT": list(meaning.source_accounts.clone())}),
            );
        }
        if let Some(secure) = meaning.secure_transport {
            condition.insert(
                "Bool".into(),
                json!({"aws:securetransport": secure.to_string()}),
            );
        }
        statement.insert("Condition".into(), Value::Object(condition));
    }
    if !meaning.resources.is_empty() {
        statement.insert("Resource".into(), list(meaning.resources.clone()));
    }
    let actions = meaning
        .actions
        .iter()
        .map(|action| {
            if rewrite.upper_actions {
                action.to_uppercase()
            } else {
                action.to_lowercase()
            }
        })
        .collect();
    statement.insert("Action".into(), list(actions));
    if !meaning.principals.is_empty() {
        let principals: Vec<String> = meaning
            .principals
            .iter()
            .map(|principal| {
                if principal.len() == 12 && principal.bytes().all(|byte| byte.is_ascii_digit()) {
                    format!("arn:aws:iam::{principal}:root")
                } else {
                    principal.clone()
                }
            })
            .collect();
        if principals == ["*"] && rewrite.scalars {
            statement.insert("Principal".into(), json!("*"));
        } else {
            statement.insert("Principal".into(), json!({"AWS": list(principals)}));
        }
    }
    statement.insert(
        "Effect".into(),
        json!(if meaning.allow { "Allow" } else { "Deny" }),
    );
    if let Some(sid) = &meaning.sid {
        statement.insert("Sid".into(), json!(sid));
    }
    Value::Object(statement)
}

fn statement(value: Value) -> Statement {
    Statement::from_value(value).expect("generated statements are valid")
}

proptest! {
    #[test]
    fn aws_rewrite_is_semantically_equal(meaning in meaning(), rewrite in rewrite()) {
        let written = statement(as_written(&meaning));
        let returned = statement(as_returned(&meaning, &rewrite));
        prop_assert!(written.semantically_eq(&returned),
            "{} vs {}", written.canonical(), returned.canonical());
    }

    #[test]
    fn dropping_an_action_is_a_difference(meaning in meaning(), rewrite in rewrite()) {
        prop_assume!(meaning.actions.len() > 1);
        let mut fewer = meaning.clone();
        fewer.actions.pop();
        let written = statement(as_written(&meaning));
        let returned = statement(as_returned(&fewer, &rewrite));
        prop_assert!(!written.semantically_eq(&returned));
    }

    #[test]
    fn canonicalisation_is_idempotent(meaning in meaning(), rewrite in rewrite()) {
        let returned = statement(as_returned(&meaning, &rewrite));
        let again = statement(returned.canonical());
        prop_assert_eq!(again.canonical(), returned.canonical());

        let document = PolicyDocument::new(vec![returned]);
        let reparsed = PolicyDocument::parse(&document.canonical().to_string())
            .expect("canonical form parses");
        prop_assert_eq!(reparsed.canonical(), document.canonical());
    }

    #[test]
    fn document_rewrite_is_semantically_equal(
        meanings in prop::collection::vec((meaning(), rewrite()), 0..6),
        seed in any::<u64>(),
    ) {
        let written: Vec<Value> = meanings.iter().map(|(meaning, _)| as_written(meaning)).collect();
        let returned: Vec<Value> = shuffled(&meanings, seed)
            .iter()
            .map(|(meaning, rewrite)| as_returned(meaning, rewrite))
            .collect();
        let written = PolicyDocument::parse(
            &serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": written}))
                .expect("serialisable"),
        ).expect("valid");
        let returned = PolicyDocument::parse(
            &json!({"Statement": returned, "Version": "2012-10-17"}).to_string(),
        ).expect("valid");
        prop_assert!(written.semantically_eq(&returned));
    }

    #[test]
    fn merge_keeps_every_foreign_statement_and_places_owned_ones(
        observed in prop::collection::vec((meaning(), rewrite(), 0..4u8), 0..8),
        desired_picks in prop::collection::btree_set(0..12usize, 0..6),
    ) {
        // Foreign Sids: none, empty, unrelated, or "Quilt" not at the start.
        let statements: Vec<Value> = observed
            .iter()
            .enumerate()
            .map(|(index, (meaning, rewrite, kind))| {
                let mut meaning = meaning.clone();
                meaning.sid = match kind {
                    0 => Some(format!("Quilt{index}")),
                    1 => None,
                    2 => Some(String::new()),
                    _ => Some(format!("NotQuilt{index}")),
                };
                as_returned(&meaning, rewrite)
            })
            .collect();
        let document = PolicyDocument::parse(
            &json!({"Version": "2012-10-17", "Statement": statements}).to_string(),
        ).expect("valid");
        let desired: Vec<Statement> = desired_picks
            .iter()
            .map(|index| statement(json!({"Sid": format!("Quilt{index}"), "Effect": "Allow", "Action": "s3:GetObject"})))
            .collect();

        let merged = merge_owned(Some(&document), "Quilt", &desired);

        // Expected order: observed with undesired owned ones dropped, then new ones.
        let mut expected: Vec<Value> = Vec::new();
        for observed in document.statements() {
            match observed.sid().filter(|sid| sid.starts_with("Quilt")) {
                None => expected.push(observed.to_value()),
                Some(sid) => {
                    if let Some(wanted) = desired.iter().find(|wanted| wanted.sid() == Some(sid)) {
                        expected.push(wanted.to_value());
                    }
                }
            }
        }
        for wanted in &desired {
            if document.statements().iter().all(|observed| observed.sid() != wanted.sid()) {
                expected.push(wanted.to_value());
            }
        }
        match merged {
            None => prop_assert!(expected.is_empty()),
            Some(merged) => {
                let actual: Vec<Value> = merged.statements().iter().map(Statement::to_value).collect();
                prop_assert_eq!(actual.len(), expected.len());
                for (actual, expected) in actual.iter().zip(&expected) {
                    let expected = statement(expected.clone());
                    if expected.is_owned("Quilt") {
                        prop_assert!(statement(actual.clone()).semantically_eq(&expected));
                    } else {
                        prop_assert_eq!(actual, &expected.to_value());
                    }
                }
                prop_assert_eq!(merged.version(), Some("2012-10-17"));
            }
        }
    }

    #[test]
    fn parse_never_panics_on_text(text in ".{0,200}") {
        let _ = PolicyDocument::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_json(value in arbitrary_json()) {
        let _ = PolicyDocument::parse(&value.to_string());
        let _ = PolicyDocument::parse(&json!({"Statement": value.clone()}).to_string());
        if let Ok(statement) = Statement::from_value(value) {
            let _ = statement.canonical();
        }
    }
}

/// JSON biased towards policy-like keys, so the checks deep inside are reached.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("Effect".to_owned()),
        Just("Action".to_owned()),
        Just("NotAction".to_owned()),
        Just("Resource".to_owned()),
        Just("Principal".to_owned()),
        Just("NotPrincipal".to_owned()),
        Just("AWS".to_owned()),
        Just("Condition".to_owned()),
        Just("Sid".to_owned()),
        "[A-Za-z:]{1,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("Allow".to_owned()),
            Just("*".to_owned()),
            "[a-z0-9:*]{0,8}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

// --- Evaluation (PolicyDocument::evaluate) ---

/// Which of a meaning's own values a request uses, so that generated
/// requests reach matching statements as often as missing ones.
#[derive(Clone, Debug)]
struct RequestPicks {
    principal: prop::sample::Index,
    action: prop::sample::Index,
    resource: prop::sample::Index,
    upper_action: bool,
    secure_transport: Option<bool>,
    source_account: Option<prop::sample::Index>,
}

fn request_picks() -> impl Strategy<Value = RequestPicks> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(
            |(principal, action, resource, upper_action, secure_transport, source_account)| {
                RequestPicks {
                    principal,
                    action,
                    resource,
                    upper_action,
                    secure_transport,
                    source_account,
                }
            },
        )
}

/// An owned request: (principal, action, resource, context).
type OwnedRequest = (String, String, String, Vec<(String, String)>);

fn request_for(meaning: &Meaning, picks: &RequestPicks) -> OwnedRequest {
    let pick = |values: &[String], index: &prop::sample::Index, otherwise: &str| {
        if values.is_empty() {
            otherwise.to_owned()
        } else {
            values[index.index(values.len())].clone()
        }
    };
    let principal = match pick(&meaning.principals, &picks.principal, "*").as_str() {
        "*" => "arn:aws:iam::555555555555:role/Anyone".to_owned(),
        id if id.len() == 12 => format!("arn:aws:iam::{id}:role/Reader"),
        role => role.to_owned(),
    };
    let action = pick(&meaning.actions, &picks.action, "s3:GetObject");
    let action = if picks.upper_action {
        action.to_uppercase()
    } else {
        action
    };
    // A wildcard resource is asked about as one object it covers.
    let resource = pick(
        &meaning.resources,
        &picks.resource,
        "arn:aws:s3:::bucket/key",
    )
    .replace('*', "some/key");
    let mut context = Vec::new();
    if let Some(secure) = picks.secure_transport {
        context.push(("aws:SecureTransport".to_owned(), secure.to_string()));
    }
    if let Some(index) = &picks.source_account {
        let account = pick(&meaning.source_accounts, index, "999999999999");
        context.push(("aws:SourceAccount".to_owned(), account));
    }
    (principal, action, resource, context)
}

fn evaluate(document: &PolicyDocument, request: &OwnedRequest) -> Decision {
    let (principal, action, resource, context) = request;
    let context: Vec<(&str, &str)> = context
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    document.evaluate(&Request {
        principal,
        action,
        resource,
        context: &context,
    })
}

fn document_of(statements: Vec<Value>) -> PolicyDocument {
    PolicyDocument::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())
        .expect("generated documents are valid")
}

/// Condition names carry keys as written and in document order; AWS may
/// return them in another case and order.
fn conditions_as_set(decision: Decision) -> Decision {
    match decision {
        Decision::DependsOnContext {
            effect,
            sid,
            conditions,
        } => Decision::DependsOnContext {
            effect,
            sid,
            conditions: conditions
                .iter()
                .map(|name| name.to_lowercase())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        },
        other => other,
    }
}

/// Statements that are valid in shape but hold anything in their strings:
/// wildcards, `${` variables, unknown operators, non-ASCII text.
fn wild_statement() -> impl Strategy<Value = Value> {
    let text = "[a-zA-Z0-9:/*?${}., é-]{0,16}";
    let operator = prop_oneof![
        prop::sample::select(vec![
            "StringEquals",
            "StringNotLike",
            "StringEqualsIgnoreCase",
            "ArnLike",
            "ArnNotEquals",
            "NumericLessThan",
            "DateGreaterThanEquals",
            "Bool",
            "Null",
            "IpAddress",
            "NotIpAddress",
            "BinaryEquals",
            "ForAnyValue:StringLike",
            "ForAllValues:ArnLikeIfExists",
            "StringEqualsIfExists",
            "NullIfExists",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z:]{0,12}",
    ];
    let principal = prop_oneof![
        Just(json!("*")),
        prop::collection::vec(
            prop_oneof![
                Just("*".to_owned()),
                "[0-9]{12}",
                "arn:aws:iam::[0-9]{12}:(root|role/[a-z]{1,3})",
                text
            ],
            0..3
        )
        .prop_map(|values| json!({"AWS": values})),
        text.prop_map(|value| json!({"Service": value})),
    ];
    let condition = prop::collection::vec(
        (
            operator,
            prop::collection::vec(
                (
                    "(aws:[A-Za-z]{1,6}|[a-z:]{0,6})",
                    prop::collection::vec(text, 0..3),
                ),
                0..3,
            ),
        ),
        0..3,
    )
    .prop_map(|operators| {
        let blocks: Map<String, Value> = operators
            .into_iter()
            .map(|(operator, keys)| {
                let keys: Map<String, Value> = keys
                    .into_iter()
                    .map(|(key, values)| (key, json!(values)))
                    .collect();
                (operator, Value::Object(keys))
            })
            .collect();
        Value::Object(blocks)
    });
    (
        any::<bool>(),
        (any::<bool>(), principal),
        (any::<bool>(), prop::collection::vec(text, 0..3)),
        proptest::option::of((any::<bool>(), prop::collection::vec(text, 0..3))),
        condition,
    )
        .prop_map(|(allow, principal, action, resource, condition)| {
            let named = |not: bool, name: &str| {
                if not {
                    format!("Not{name}")
                } else {
                    name.to_owned()
                }
            };
            let mut statement = Map::new();
            statement.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
            statement.insert(named(principal.0, "Principal"), principal.1);
            statement.insert(named(action.0, "Action"), json!(action.1));
            if let Some((not, resources)) = resource {
                statement.insert(named(not, "Resource"), json!(resources));
            }
            statement.insert("Condition".into(), condition);
            Value::Object(statement)
        })
}

proptest! {
    #[test]
    fn evaluation_is_the_same_for_the_aws_rewrite(
        meaning in meaning(), rewrite in rewrite(), picks in request_picks(),
    ) {
        let written = document_of(vec![as_written(&meaning)]);
        let returned = document_of(vec![as_returned(&meaning, &rewrite)]);
        let request = request_for(&meaning, &picks);
        prop_assert_eq!(
            conditions_as_set(evaluate(&written, &request)),
            conditions_as_set(evaluate(&returned, &request))
        );
    }

    #[test]
    fn an_unconditional_deny_of_the_request_always_wins(
        meanings in prop::collection::vec((meaning(), rewrite()), 1..5),
        at in any::<prop::sample::Index>(),
        picks in request_picks(),
    ) {
        let mut statements: Vec<Value> = meanings
            .iter()
            .map(|(meaning, rewrite)| as_returned(meaning, rewrite))
            .collect();
        statements.insert(
            at.index(statements.len() + 1),
            json!({"Sid": "Guard", "Effect": "Deny", "Principal": "*", "Action": "*"}),
        );
        let document = document_of(statements);
        let decision = evaluate(&document, &request_for(&meanings[0].0, &picks));
        prop_assert!(matches!(decision, Decision::Denied { .. }), "{:?}", decision);
    }

    #[test]
    fn evaluate_never_panics_on_foreign_policies(
        statements in prop::collection::vec(wild_statement(), 0..4),
        version in prop::sample::select(vec!["2012-10-17", "2008-10-17"]),
        request in ("[a-zA-Z0-9:/*?${}.é-]{0,24}", "[a-zA-Z0-9:*?]{0,12}", "[a-zA-Z0-9:/*?${}é-]{0,24}"),
        context in prop::collection::vec(("(aws:[A-Za-z]{1,6}|[a-z:]{0,6})", "[a-zA-Z0-9:/*?${}.é-]{0,16}"), 0..4),
    ) {
        let document = PolicyDocument::parse(
            &json!({"Version": version, "Statement": statements}).to_string(),
        ).expect("wild statements are valid in shape");
        let context: Vec<(&str, &str)> = context.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        let decision = document.evaluate(&Request {
            principal: &request.0,
            action: &request.1,
            resource: &request.2,
            context: &context,
        });
        if let Decision::DependsOnContext { conditions, .. } = decision {
            prop_assert!(!conditions.is_empty());
        }
    }
}
