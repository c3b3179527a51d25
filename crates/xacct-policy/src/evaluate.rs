//! Offline evaluation of a resource policy (bucket or topic policy) for one
//! request, as AWS would evaluate it: so `xacct verify` can say whether a
//! principal may do an action without making the request.
//!
//! Only what the policy says is decided; what AWS adds from the live request
//! (TLS, source IP, the calling service's ARN, ...) is decided only when the
//! caller puts it in [`Request::context`], and otherwise reported as
//! [`Decision::DependsOnContext`], naming the conditions. Identity policies,
//! SCPs and ACLs are outside this view.

mod condition;
mod pattern;

use crate::canonical::is_account_id;
use crate::document::{PolicyDocument, CURRENT_VERSION};
use crate::statement::Statement;
use pattern::Pattern;

/// Whether an action pattern of a policy (`s3:Get*`, `s3:GetObject`) names
/// `action`, as IAM matches actions: case-insensitively, `*` any run of
/// characters, `?` one.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    Pattern::new(pattern, None).is_ok_and(|pattern| pattern.matches(action, true))
}

/// What is asked: "may `principal` do `action` on `resource`?"
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// An IAM principal ARN (`arn:aws:iam::111111111111:root` = some principal of that account,
    /// `arn:aws:iam::111111111111:role/Name`), or a service principal (`s3.amazonaws.com`).
    pub principal: &'a str,
    /// e.g. `s3:GetObject` (matched case-insensitively, as IAM does).
    pub action: &'a str,
    /// e.g. `arn:aws:s3:::bucket/some-key` or `arn:aws:sns:us-east-1:222222222222:topic`.
    pub resource: &'a str,
    /// Request-context values known offline, e.g. ("aws:SecureTransport", "true"),
    /// ("aws:PrincipalAccount", "111111111111"), ("aws:PrincipalArn", role ARN).
    /// Condition keys not listed here cannot be decided. A key listed several
    /// times is a multivalued key (for `ForAnyValue:` / `ForAllValues:`).
    pub context: &'a [(&'a str, &'a str)],
}

/// A statement's effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// What the policy says about a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// An Allow statement matches with all its conditions decided true, and no Deny applies.
    Allowed { sid: Option<String> },
    /// A Deny statement matches with all its conditions decided true.
    Denied { sid: Option<String> },
    /// The deciding statement has conditions that cannot be decided offline; `conditions`
    /// names them as `<Operator> <key>` (e.g. `Bool aws:SecureTransport`), or, for a policy
    /// variable in the statement's resource, as `Resource ${aws:username}`, or, for a Deny
    /// whose NotPrincipal spares the principal only by a role ARN (which AWS may not apply
    /// to the role's sessions), as `NotPrincipal <role ARN>`.
    DependsOnContext {
        effect: Effect,
        sid: Option<String>,
        conditions: Vec<String>,
    },
    /// No statement matches: AWS's implicit deny.
    NoMatch,
}

impl PolicyDocument {
    /// Evaluates the policy for `request`, as AWS evaluates a resource policy:
    /// a Deny that surely applies wins; then a Deny that may apply, if some
    /// Allow may apply too (the request is allowed unless that context
    /// applies; with no Allow it is denied anyway: `NoMatch`); then an Allow
    /// that surely applies; then one that may. When several statements
    /// qualify, the first in document order is reported.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        // Policy variables exist only from Version 2012-10-17; before it
        // `${...}` is plain text.
        let variables = (self.version() == Some(CURRENT_VERSION)).then_some(request.context);
        let applying: Vec<(&Statement, Effect, Truth)> = self
            .statements()
            .iter()
            .filter_map(|statement| {
                let effect = match statement.elements().effect.as_str() {
                    "Deny" => Effect::Deny,
                    _ => Effect::Allow,
                };
                match applies(statement, request, variables) {
                    Truth::False => None,
                    truth => Some((statement, effect, truth)),
                }
            })
            .collect();
        let first = |wanted: Effect, certain: bool| {
            applying.iter().find(|(_, effect, truth)| {
                *effect == wanted && matches!(truth, Truth::True) == certain
            })
        };
        let sid = |statement: &Statement| statement.sid().map(str::to_owned);
        if let Some((statement, _, _)) = first(Effect::Deny, true) {
            return Decision::Denied {
                sid: sid(statement),
            };
        }
        let certain_allow = first(Effect::Allow, true);
        let uncertain_allow = first(Effect::Allow, false);
        // A Deny that may apply matters only if something may allow: without
        // an Allow the request is implicitly denied whatever the context.
        let uncertain_deny = first(Effect::Deny, false)
            .filter(|_| certain_allow.is_some() || uncertain_allow.is_some());
        if let (None, Some((statement, _, _))) = (uncertain_deny, certain_allow) {
            return Decision::Allowed {
                sid: sid(statement),
            };
        }
        match uncertain_deny.or(uncertain_allow) {
            Some((statement, effect, Truth::Unknown(conditions))) => Decision::DependsOnContext {
                effect: *effect,
                sid: sid(statement),
                conditions: conditions.clone(),
            },
            _ => Decision::NoMatch,
        }
    }
}

/// Three-valued logic: a part of a statement is true, false, or undecidable
/// offline (naming what it depends on).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown(Vec<String>),
}

impl Truth {
    /// False wins; undecidable parts accumulate their names.
    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Unknown(mut left), Truth::Unknown(right)) => {
                left.extend(right);
                Truth::Unknown(left)
            }
            (unknown @ Truth::Unknown(_), Truth::True) | (Truth::True, unknown) => unknown,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            unknown => unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(value: bool) -> Truth {
        if value {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// Whether the statement applies to the request, ignoring its effect.
fn applies(
    statement: &Statement,
    request: &Request<'_>,
    variables: Option<&[(&str, &str)]>,
) -> Truth {
    let elements = statement.elements();
    let principal = match &elements.principal {
        Some((name, kinds)) => {
            let naming: Vec<&str> = kinds
                .iter()
                .flat_map(|(kind, values)| {
                    values
                        .iter()
                        .filter(|value| principal_matches(kind, value, request.principal))
                        .map(String::as_str)
                })
                .collect();
            match (*name == "NotPrincipal", naming.first()) {
                (false, named) => Truth::from(named.is_some()),
                (true, None) => Truth::True,
                // AWS: a Deny whose NotPrincipal names a role but not its
                // account may still deny the role's sessions (their
                // assumed-role ARN is not the role's), so whether the role
                // is spared depends on how it calls.
                (true, Some(role))
                    if elements.effect == "Deny" && naming.iter().all(|v| is_role_arn(v)) =>
                {
                    Truth::Unknown(vec![format!("NotPrincipal {role}")])
                }
                (true, Some(_)) => Truth::False,
            }
        }
        // Resource policies must name a principal (S3 and SNS refuse one
        // that does not); a statement without one grants or denies nobody.
        None => Truth::False,
    };
    let (name, actions) = &elements.action;
    let action = actions
        .iter()
        .any(|action| action_matches(action, request.action))
        != (*name == "NotAction");
    if principal == Truth::False || !action {
        return Truth::False;
    }
    let resource = match &elements.resource {
        Some((name, resources)) => {
            let named = resources
                .iter()
                .map(|resource| match Pattern::new(resource, variables) {
                    Ok(pattern) => Truth::from(pattern.matches(request.resource, false)),
                    Err(unknown) => Truth::Unknown(vec![format!("{name} {}", unknown.0)]),
                })
                .fold(Truth::False, or);
            if *name == "NotResource" {
                named.not()
            } else {
                named
            }
        }
        None => Truth::True,
    };
    principal.and(resource).and(condition::evaluate(
        &elements.condition,
        request.context,
        variables,
    ))
}

/// True wins; else undecidable parts accumulate their names.
fn or(left: Truth, right: Truth) -> Truth {
    left.not().and(right.not()).not()
}

/// Whether one value under `Principal.<kind>` names the request principal.
///
/// `*` names everyone; an account id or its root ARN names every IAM
/// principal of the account; any other ARN names only itself (exactly, as
/// AWS stores it). A service principal is named only by itself or `*`;
/// Federated and CanonicalUser principals are never asked about.
fn principal_matches(kind: &str, value: &str, principal: &str) -> bool {
    match kind {
        "AWS" if value == "*" => true,
        "AWS" => match (iam_account(value), iam_account(principal)) {
            (Some(named), Some(asked)) if is_root(value) => {
                named.account == asked.account
                    && (named.partition.is_none()
                        || asked.partition.is_none()
                        || named.partition == asked.partition)
            }
            (Some(_), Some(_)) => value == principal,
            _ => false,
        },
        "Service" => value == principal && iam_account(principal).is_none(),
        _ => false,
    }
}

/// Where an IAM principal lives; `partition` is `None` for a bare account id.
#[derive(Debug, PartialEq, Eq)]
struct IamAccount<'a> {
    partition: Option<&'a str>,
    account: &'a str,
}

/// The account of an IAM principal (`arn:<partition>:iam|sts::<account>:...`
/// or a bare account id); `None` for a service principal or anything else.
fn iam_account(principal: &str) -> Option<IamAccount<'_>> {
    if is_account_id(principal) {
        return Some(IamAccount {
            partition: None,
            account: principal,
        });
    }
    match principal.splitn(6, ':').collect::<Vec<_>>()[..] {
        ["arn", partition, "iam" | "sts", "", account, _] if is_account_id(account) => {
            Some(IamAccount {
                partition: Some(partition),
                account,
            })
        }
        _ => None,
    }
}

/// An IAM role ARN (`arn:<partition>:iam::<account>:role/<path/>Name`).
fn is_role_arn(value: &str) -> bool {
    matches!(
        value.splitn(6, ':').collect::<Vec<_>>()[..],
        ["arn", _, "iam", "", _, resource] if resource.starts_with("role/")
    )
}

/// An account id, or an account's root ARN (`arn:aws:iam::<account>:root`).
fn is_root(value: &str) -> bool {
    is_account_id(value)
        || matches!(
            value.splitn(6, ':').collect::<Vec<_>>()[..],
            ["arn", _, "iam", "", _, "root"]
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const AS_RETURNED: &str = include_str!("../tests/fixtures/bucket_policy_as_returned.json");
    const SHARED_TOPIC: &str = include_str!("../tests/fixtures/shared_topic_policy.json");
    const SNS_SINGLE: &str = include_str!("../tests/fixtures/sns_topic_single_statement.json");

    const CONTROL_ROLE: &str = "arn:aws:iam::111111111111:role/QuiltControl";
    const CONTROL_ROOT: &str = "arn:aws:iam::111111111111:root";
    const DATA_ROLE: &str = "arn:aws:iam::222222222222:role/DataAdmin";
    const OBJECT: &str = "arn:aws:s3:::data-bucket/reports/2026.csv";
    const BUCKET: &str = "arn:aws:s3:::data-bucket";
    const TOPIC: &str = "arn:aws:sns:us-east-1:222222222222:quilt-events";
    const TLS: &[(&str, &str)] = &[("aws:SecureTransport", "true")];

    /// Allow-everything-to-everyone plus the statement under test, so a
    /// Deny's effect shows as Denied vs Allowed.
    const OPEN_BUCKET_WITH: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data-bucket/*"},
        STATEMENT]}"#;

    struct Case {
        name: &'static str,
        policy: String,
        principal: &'static str,
        action: &'static str,
        resource: &'static str,
        context: &'static [(&'static str, &'static str)],
        expected: Decision,
    }

    fn case(
        name: &'static str,
        policy: &str,
        (principal, action, resource): (&'static str, &'static str, &'static str),
        context: &'static [(&'static str, &'static str)],
        expected: Decision,
    ) -> Case {
        Case {
            name,
            policy: policy.to_owned(),
            principal,
            action,
            resource,
            context,
            expected,
        }
    }

    /// The open bucket policy with `statement` added after the Allow.
    fn open_bucket_with(statement: &str) -> String {
        OPEN_BUCKET_WITH.replace("STATEMENT", statement)
    }

    fn allowed(sid: Option<&str>) -> Decision {
        Decision::Allowed {
            sid: sid.map(str::to_owned),
        }
    }

    fn denied(sid: &str) -> Decision {
        Decision::Denied {
            sid: Some(sid.to_owned()),
        }
    }

    fn depends(effect: Effect, sid: Option<&str>, conditions: &[&str]) -> Decision {
        Decision::DependsOnContext {
            effect,
            sid: sid.map(str::to_owned),
            conditions: conditions.iter().map(|name| (*name).to_owned()).collect(),
        }
    }

    fn cases() -> Vec<Case> {
        use Effect::{Allow, Deny};
        let get_object = |principal| (principal, "s3:GetObject", OBJECT);
        vec![
            case(
                "plain allow of a role through its account root",
                AS_RETURNED,
                get_object(CONTROL_ROLE),
                TLS,
                allowed(Some("QuiltCrossAccountAccess")),
            ),
            case(
                "account root asks as itself",
                AS_RETURNED,
                get_object(CONTROL_ROOT),
                TLS,
                allowed(Some("QuiltCrossAccountAccess")),
            ),
            case(
                "TLS-only deny without context depends on it",
                AS_RETURNED,
                get_object(CONTROL_ROLE),
                &[],
                depends(
                    Deny,
                    Some("DenyInsecureTransport"),
                    &["Bool aws:securetransport"],
                ),
            ),
            case(
                "TLS-only deny decided by context false",
                AS_RETURNED,
                get_object(CONTROL_ROLE),
                &[("AWS:SecureTransport", "false")],
                denied("DenyInsecureTransport"),
            ),
            case(
                "other principal: no match",
                AS_RETURNED,
                get_object("arn:aws:iam::555555555555:role/Stranger"),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "other action: no match",
                AS_RETURNED,
                (CONTROL_ROLE, "s3:DeleteObject", OBJECT),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "other resource: no match",
                AS_RETURNED,
                (
                    CONTROL_ROLE,
                    "s3:GetObject",
                    "arn:aws:s3:::other-bucket/reports/2026.csv",
                ),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "resources are case-sensitive",
                AS_RETURNED,
                (
                    CONTROL_ROLE,
                    "s3:GetObject",
                    "arn:aws:s3:::Data-Bucket/reports/2026.csv",
                ),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "actions are case-insensitive both ways",
                AS_RETURNED,
                (CONTROL_ROLE, "S3:putObject", OBJECT),
                TLS,
                allowed(Some("QuiltCrossAccountAccess")),
            ),
            case(
                "bucket resource without wildcard",
                AS_RETURNED,
                (CONTROL_ROLE, "s3:ListBucket", BUCKET),
                TLS,
                allowed(Some("QuiltCrossAccountAccess")),
            ),
            case(
                "root principal in policy matches a role of that account (empty Sid is none)",
                AS_RETURNED,
                get_object("arn:aws:iam::444444444444:role/Reader"),
                TLS,
                allowed(None),
            ),
            case(
                "role ARN matches that exact role",
                AS_RETURNED,
                get_object("arn:aws:iam::333333333333:role/Analytics"),
                TLS,
                allowed(None),
            ),
            case(
                "role ARN does not match another role",
                AS_RETURNED,
                get_object("arn:aws:iam::333333333333:role/Analytics2"),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "role ARN matches case-sensitively",
                AS_RETURNED,
                get_object("arn:aws:iam::333333333333:role/analytics"),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "role ARN does not match its account root",
                AS_RETURNED,
                get_object("arn:aws:iam::333333333333:root"),
                TLS,
                Decision::NoMatch,
            ),
            case(
                "service principal named by Service",
                AS_RETURNED,
                get_object("logging.s3.amazonaws.com"),
                TLS,
                allowed(None),
            ),
            case(
                "service principal matches no account principal",
                SHARED_TOPIC,
                ("sns.amazonaws.com", "SNS:Subscribe", TOPIC),
                &[("aws:SourceOwner", "999999999999")],
                Decision::NoMatch,
            ),
            case(
                "IAM principal does not match a Service principal",
                SHARED_TOPIC,
                (
                    "arn:aws:iam::555555555555:role/Events",
                    "sns:Publish",
                    TOPIC,
                ),
                &[("aws:SourceOwner", "999999999999")],
                Decision::NoMatch,
            ),
            case(
                "* principal matches a service principal; first qualifying statement reported",
                SHARED_TOPIC,
                ("s3.amazonaws.com", "sns:Publish", TOPIC),
                &[],
                depends(
                    Allow,
                    Some("__default_statement_ID"),
                    &["StringEquals AWS:SourceOwner"],
                ),
            ),
            case(
                "service publish allowed when its conditions are decided true",
                SHARED_TOPIC,
                ("s3.amazonaws.com", "sns:Publish", TOPIC),
                &[
                    ("aws:SourceOwner", "999999999999"),
                    ("aws:SourceAccount", "222222222222"),
                    ("aws:SourceArn", "arn:aws:s3:::data-bucket"),
                ],
                allowed(Some("QuiltS3Publish")),
            ),
            case(
                "ArnLike aws:SourceArn on an Allow depends on context",
                SHARED_TOPIC,
                ("s3.amazonaws.com", "sns:Publish", TOPIC),
                &[
                    ("aws:SourceOwner", "999999999999"),
                    ("aws:SourceAccount", "222222222222"),
                ],
                depends(Allow, Some("QuiltS3Publish"), &["ArnLike aws:SourceArn"]),
            ),
            case(
                "ArnLike decided false for another bucket",
                SHARED_TOPIC,
                ("s3.amazonaws.com", "sns:Publish", TOPIC),
                &[
                    ("aws:SourceOwner", "999999999999"),
                    ("aws:SourceAccount", "222222222222"),
                    ("aws:SourceArn", "arn:aws:s3:::data-bucket-2"),
                ],
                Decision::NoMatch,
            ),
            case(
                "explicit deny beats allow; Resource * matches all",
                SHARED_TOPIC,
                (CONTROL_ROOT, "SNS:DeleteTopic", TOPIC),
                &[],
                denied("quiltLowercaseIsForeign"),
            ),
            case(
                "single statement object, AWS * principal, key case-insensitive",
                SNS_SINGLE,
                (CONTROL_ROLE, "sns:subscribe", TOPIC),
                &[("aws:sourceowner", "222222222222")],
                allowed(Some("__default_statement_ID")),
            ),
            case(
                "bare account id principal matches a role of it",
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/*"}}"#,
                get_object(CONTROL_ROLE),
                &[],
                allowed(None),
            ),
            case(
                "account root does not match another account's role",
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/*"}}"#,
                get_object(DATA_ROLE),
                &[],
                Decision::NoMatch,
            ),
            case(
                "Federated principal matches nothing asked",
                r#"{"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject"}}"#,
                get_object("cognito-identity.amazonaws.com"),
                &[],
                Decision::NoMatch,
            ),
            case(
                "statement without Principal grants nobody",
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*"}}"#,
                get_object(CONTROL_ROLE),
                &[],
                Decision::NoMatch,
            ),
            case(
                "action wildcards * and ?",
                r#"{"Statement":{"Sid":"Reads","Effect":"Allow","Principal":"*","Action":["s3:Get*Tag?ing"]}}"#,
                (CONTROL_ROLE, "s3:GetObjectTagging", OBJECT),
                &[],
                allowed(Some("Reads")),
            ),
            case(
                "action wildcard does not match another prefix",
                r#"{"Statement":{"Sid":"Reads","Effect":"Allow","Principal":"*","Action":["s3:Get*"]}}"#,
                (CONTROL_ROLE, "s3:ListBucket", BUCKET),
                &[],
                Decision::NoMatch,
            ),
            case(
                "resource wildcard ? matches one character",
                r#"{"Statement":{"Sid":"Logs","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/reports/202?.csv"}}"#,
                get_object(CONTROL_ROLE),
                &[],
                allowed(Some("Logs")),
            ),
            case(
                "NotPrincipal deny hits everyone else",
                &open_bucket_with(
                    r#"{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::222222222222:role/DataAdmin"]},"Action":"s3:*","Resource":"*"}"#,
                ),
                get_object(CONTROL_ROLE),
                &[],
                denied("OnlyAdmin"),
            ),
            case(
                "NotPrincipal deny naming only a role may still deny its sessions",
                &open_bucket_with(
                    r#"{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::222222222222:role/DataAdmin"]},"Action":"s3:*","Resource":"*"}"#,
                ),
                get_object(DATA_ROLE),
                &[],
                depends(
                    Deny,
                    Some("OnlyAdmin"),
                    &["NotPrincipal arn:aws:iam::222222222222:role/DataAdmin"],
                ),
            ),
            case(
                "NotPrincipal deny naming the role and its account spares the role",
                &open_bucket_with(
                    r#"{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::222222222222:role/DataAdmin","arn:aws:iam::222222222222:root"]},"Action":"s3:*","Resource":"*"}"#,
                ),
                get_object(DATA_ROLE),
                &[],
                allowed(Some("Open")),
            ),
            case(
                "NotPrincipal deny naming a role denies its account root",
                &open_bucket_with(
                    r#"{"Sid":"OnlyAdmin","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::222222222222:role/DataAdmin"]},"Action":"s3:*","Resource":"*"}"#,
                ),
                get_object("arn:aws:iam::222222222222:root"),
                &[],
                denied("OnlyAdmin"),
            ),
            case(
                "NotPrincipal allow naming only a role is decided: no session caveat",
                r#"{"Statement":[{"Sid":"AllButAdmin","Effect":"Allow","NotPrincipal":{"AWS":["arn:aws:iam::222222222222:role/DataAdmin"]},"Action":"s3:*","Resource":"*"}]}"#,
                get_object(DATA_ROLE),
                &[],
                Decision::NoMatch,
            ),
            case(
                "NotAction allows everything but delete",
                r#"{"Statement":[{"Sid":"NoDelete","Effect":"Allow","Principal":"*","NotAction":"s3:Delete*"}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                allowed(Some("NoDelete")),
            ),
            case(
                "NotAction does not allow delete",
                r#"{"Statement":[{"Sid":"NoDelete","Effect":"Allow","Principal":"*","NotAction":"s3:Delete*"}]}"#,
                (CONTROL_ROLE, "s3:DeleteObject", OBJECT),
                &[],
                Decision::NoMatch,
            ),
            case(
                "NotResource deny outside public/",
                &open_bucket_with(
                    r#"{"Sid":"PublicOnly","Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::data-bucket/public/*"}"#,
                ),
                get_object(CONTROL_ROLE),
                &[],
                denied("PublicOnly"),
            ),
            case(
                "NotResource deny spares public/",
                &open_bucket_with(
                    r#"{"Sid":"PublicOnly","Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::data-bucket/public/*"}"#,
                ),
                (
                    CONTROL_ROLE,
                    "s3:GetObject",
                    "arn:aws:s3:::data-bucket/public/a",
                ),
                &[],
                allowed(Some("Open")),
            ),
            case(
                "StringNotEquals aws:PrincipalAccount deny decided true",
                &open_bucket_with(
                    r#"{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}}"#,
                ),
                get_object("arn:aws:iam::555555555555:role/Stranger"),
                &[("aws:PrincipalAccount", "555555555555")],
                denied("OrgOnly"),
            ),
            case(
                "StringNotEquals aws:PrincipalAccount deny decided false",
                &open_bucket_with(
                    r#"{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("aws:PrincipalAccount", "111111111111")],
                allowed(Some("Open")),
            ),
            case(
                "a deny that may apply is reported before an allow that may apply",
                r#"{"Statement":[
                    {"Sid":"Vpc","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}},
                    {"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                depends(Deny, Some("Tls"), &["Bool aws:SecureTransport"]),
            ),
            case(
                "of several allows that surely apply, the first is reported",
                r#"{"Statement":[
                    {"Sid":"Reads","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:Get*"},
                    {"Sid":"Everything","Effect":"Allow","Principal":"*","Action":"*"}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                allowed(Some("Reads")),
            ),
            case(
                "a deny that may apply without any allow is an implicit deny anyway",
                r#"{"Statement":[{"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                Decision::NoMatch,
            ),
            case(
                "a decided-false part ignores the statement despite undecidable parts",
                &open_bucket_with(
                    r#"{"Sid":"Mixed","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111111111111"},"Bool":{"aws:SecureTransport":"false"}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("aws:PrincipalAccount", "111111111111")],
                allowed(Some("Open")),
            ),
            case(
                "undecidable parts of one statement are all named, in order",
                r#"{"Statement":[{"Sid":"Vpc","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1","aws:SourceVpc":"vpc-1"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                depends(
                    Allow,
                    Some("Vpc"),
                    &[
                        "StringEquals aws:SourceVpce",
                        "StringEquals aws:SourceVpc",
                        "IpAddress aws:SourceIp",
                    ],
                ),
            ),
            case(
                "IfExists with the key absent depends on context",
                r#"{"Statement":[{"Sid":"Same","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"222222222222"}}}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                depends(
                    Allow,
                    Some("Same"),
                    &["StringEqualsIfExists aws:SourceAccount"],
                ),
            ),
            case(
                "IfExists with the key present is decided",
                r#"{"Statement":[{"Sid":"Same","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"222222222222"}}}]}"#,
                get_object(CONTROL_ROLE),
                &[("aws:SourceAccount", "222222222222")],
                allowed(Some("Same")),
            ),
            case(
                "ForAnyValue: one of several context values matches",
                r#"{"Statement":[{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-abc/r-1/ou-data/*"]}}}]}"#,
                get_object(CONTROL_ROLE),
                &[
                    ("aws:PrincipalOrgPaths", "o-abc/r-1/ou-other/"),
                    ("aws:PrincipalOrgPaths", "o-abc/r-1/ou-data/ou-x/"),
                ],
                allowed(Some("Org")),
            ),
            case(
                "ForAllValues: one context value outside the set fails",
                r#"{"Statement":[{"Sid":"Tags","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost"]}}}]}"#,
                get_object(CONTROL_ROLE),
                &[("aws:TagKeys", "team"), ("aws:TagKeys", "owner")],
                Decision::NoMatch,
            ),
            case(
                "unknown operator is undecidable, named as written",
                r#"{"Statement":[{"Sid":"Odd","Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEqualsAnyCase":{"aws:PrincipalTag/team":"data"}}}]}"#,
                get_object(CONTROL_ROLE),
                &[("aws:PrincipalTag/team", "data")],
                depends(
                    Allow,
                    Some("Odd"),
                    &["StringEqualsAnyCase aws:PrincipalTag/team"],
                ),
            ),
            case(
                "Null true is false once the key is known",
                &open_bucket_with(
                    r#"{"Sid":"NeedsArn","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Null":{"aws:SourceArn":"true"}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("aws:SourceArn", "arn:aws:s3:::b")],
                allowed(Some("Open")),
            ),
            case(
                "NumericLessThan TLS version decided",
                &open_bucket_with(
                    r#"{"Sid":"OldTls","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"NumericLessThan":{"s3:TlsVersion":1.2}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("s3:TlsVersion", "1.0")],
                denied("OldTls"),
            ),
            case(
                "DateGreaterThan decided from epoch seconds against ISO 8601",
                &open_bucket_with(
                    r#"{"Sid":"Expired","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("aws:CurrentTime", "1800000000")],
                denied("Expired"),
            ),
            case(
                "NotIpAddress decided from the source address",
                &open_bucket_with(
                    r#"{"Sid":"Office","Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}"#,
                ),
                get_object(CONTROL_ROLE),
                &[("aws:SourceIp", "198.51.100.7")],
                denied("Office"),
            ),
            case(
                "policy variable in Resource without its value depends on it",
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Home","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/${aws:username}/*"}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                depends(Allow, Some("Home"), &["Resource ${aws:username}"]),
            ),
            case(
                "policy variable in Resource substituted from context",
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"Home","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/${aws:username}/*"}]}"#,
                get_object(CONTROL_ROLE),
                &[("aws:username", "reports")],
                allowed(Some("Home")),
            ),
            case(
                "no policy variables before Version 2012-10-17",
                r#"{"Version":"2008-10-17","Statement":[{"Sid":"Home","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data-bucket/${aws:username}/*"}]}"#,
                get_object(CONTROL_ROLE),
                &[],
                Decision::NoMatch,
            ),
        ]
    }

    #[test]
    fn evaluation_table() {
        let cases = cases();
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|case| {
                let document = PolicyDocument::parse(&case.policy)
                    .unwrap_or_else(|error| panic!("{}: {error}", case.name));
                let request = Request {
                    principal: case.principal,
                    action: case.action,
                    resource: case.resource,
                    context: case.context,
                };
                let actual = document.evaluate(&request);
                (actual != case.expected).then(|| {
                    format!(
                        "{}:\n  expected {:?}\n  actual   {:?}",
                        case.name, case.expected, actual
                    )
                })
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }
}
