//! Judging grants: each (principal, action) a grant names, asked of the live
//! policy through the evaluator, as AWS would decide the request.

use std::borrow::Cow;
use std::collections::BTreeSet;

use xacct_policy::{Decision, Effect, PolicyDocument, Request};
use xacct_spec::actions::{self, ResourceLevel};
use xacct_spec::{Grant, QUILT_ACTIONS};

use xacct_spec::principal_account;

use super::{is_root, CheckResult, Status};

/// Whether an S3 action applies to objects (`arn:aws:s3:::bucket/key`) rather
/// than to the bucket (`arn:aws:s3:::bucket`): S3 ignores a grant of one on
/// the other's ARN, so each is asked about on its own resource. From the
/// spec's action catalogue (as the lint's resource-mismatch rule): an action
/// it does not know (a typo the lint warns of) is asked about on the bucket.
pub fn is_object_action(action: &str) -> bool {
    actions::find(action).is_some_and(|known| known.resource == ResourceLevel::Object)
}

/// The actions of a grant to ask about: as written, and for a wildcard
/// (`s3:Get*`) the Quilt actions it covers (a wildcard itself is no request
/// AWS could be asked about).
pub(super) fn checked_actions<'a>(actions: &'a [Cow<'static, str>]) -> Vec<&'a str> {
    let mut checked: Vec<&str> = Vec::new();
    for action in actions {
        if action.contains(['*', '?']) {
            checked.extend(
                QUILT_ACTIONS
                    .into_iter()
                    .filter(|q| action_matches(action, q)),
            );
        } else {
            checked.push(action.as_ref());
        }
    }
    let mut seen = BTreeSet::new();
    checked.retain(|action| seen.insert(action.to_ascii_lowercase()));
    checked
}

pub use xacct_policy::action_matches;

/// The decision of `document` (`None`: no policy) for each action.
pub(super) fn evaluate_all<'a>(
    document: Option<&PolicyDocument>,
    principal: &str,
    actions: &[&'a str],
    resource_of: &dyn Fn(&str) -> String,
) -> Vec<(&'a str, Decision)> {
    let mut context: Vec<(&str, &str)> = vec![("aws:SecureTransport", "true")];
    if let Some(account) = principal_account(principal) {
        context.push(("aws:PrincipalAccount", account));
    }
    if !is_root(principal) {
        context.push(("aws:PrincipalArn", principal));
    }
    actions
        .iter()
        .map(|action| {
            let resource = resource_of(action);
            let decision = match document {
                Some(document) => document.evaluate(&Request {
                    principal,
                    action,
                    resource: &resource,
                    context: &context,
                }),
                None => Decision::NoMatch,
            };
            (*action, decision)
        })
        .collect()
}

/// One line for the allowed actions, one per other outcome (grouped, so a
/// grant missing two actions reads as one line naming both).
pub(super) fn judge_grant(
    subject: &str,
    document: &str,
    sid: &str,
    principal: &str,
    decisions: &[(&str, Decision)],
) -> Vec<CheckResult> {
    let mut allowed = Vec::new();
    let mut refused: Vec<(&Decision, Vec<&str>)> = Vec::new();
    for (action, decision) in decisions {
        if matches!(decision, Decision::Allowed { .. }) {
            allowed.push(*action);
        } else if let Some((_, actions)) = refused.iter_mut().find(|(d, _)| *d == decision) {
            actions.push(action);
        } else {
            refused.push((decision, vec![action]));
        }
    }
    let mut results = Vec::new();
    if !allowed.is_empty() {
        results.push(CheckResult::new(
            Status::Pass,
            subject,
            format!(
                "{document} lets {principal} {} (grant {sid})",
                action_list(&allowed, decisions.len())
            ),
            None,
        ));
    }
    for (decision, actions) in refused {
        let list = actions.join(", ");
        let cause = Some(describe_refusal(document, decision, &list, principal));
        results.push(match decision {
            // A condition decided only by the live request: advisory.
            Decision::DependsOnContext {
                effect, conditions, ..
            } => CheckResult::new(
                Status::Warn,
                subject,
                format!(
                    "{document} lets {principal} {list} (grant {sid}) only {} {}",
                    if *effect == Effect::Deny {
                        "unless"
                    } else {
                        "if"
                    },
                    conditions.join(" and ")
                ),
                cause,
            ),
            _ => CheckResult::new(
                Status::Fail,
                subject,
                format!("{document} does not let {principal} {list} (grant {sid})"),
                cause,
            ),
        });
    }
    results
}

/// The likely cause of a decision other than Allowed.
pub(super) fn describe_refusal(
    document: &str,
    decision: &Decision,
    actions: &str,
    principal: &str,
) -> String {
    let statement = |sid: &Option<String>| match sid {
        Some(sid) => format!("statement {sid:?}"),
        None => "a statement without Sid".to_string(),
    };
    match decision {
        Decision::Allowed { .. } => String::new(),
        Decision::NoMatch => format!(
            "the {document} is missing {actions} for {principal}: policy missing an action \
             (apply the spec, and check the account id)"
        ),
        Decision::Denied { sid } => format!(
            "{} of the {document} denies {actions} to {principal}",
            statement(sid)
        ),
        Decision::DependsOnContext {
            effect,
            sid,
            conditions,
        } => format!(
            "{} of the {document} {} it depending on {} of the request, which cannot be \
             decided offline",
            statement(sid),
            if *effect == Effect::Deny {
                "denies"
            } else {
                "allows"
            },
            conditions.join(", ")
        ),
    }
}

/// The `allowed` of `checked` actions: named when few ("s3:GetObject,
/// s3:ListBucket"), else counted: "all 14 granted actions" only when none
/// was refused, "12 of 14 granted actions" otherwise (the refused ones have
/// lines of their own).
fn action_list(allowed: &[&str], checked: usize) -> String {
    if allowed.len() <= 3 {
        allowed.join(", ")
    } else if allowed.len() == checked {
        format!("all {checked} granted actions")
    } else {
        format!("{} of {checked} granted actions", allowed.len())
    }
}

/// What Quilt needs (the `quilt` preset) that a grant to a control-account
/// principal deliberately leaves out and the live policy does not allow
/// otherwise: advisory, since granting less can be a choice.
pub(super) fn judge_quilt_needs(
    subject: &str,
    grants: &[&Grant],
    principal: &str,
    document: Option<&PolicyDocument>,
    resource_of: &dyn Fn(&str) -> String,
) -> Option<CheckResult> {
    let missing: Vec<&str> = QUILT_ACTIONS
        .into_iter()
        .filter(|needed| {
            !grants
                .iter()
                .flat_map(|grant| grant.actions.iter())
                .any(|a| action_matches(a, needed))
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    let refused: Vec<&str> = evaluate_all(document, principal, &missing, resource_of)
        .into_iter()
        .filter(|(_, decision)| !matches!(decision, Decision::Allowed { .. }))
        .map(|(action, _)| action)
        .collect();
    (!refused.is_empty()).then(|| {
        CheckResult::new(
            Status::Warn,
            subject,
            format!(
                "Quilt needs {} for {principal}, which {} {} not give",
                refused.join(", "),
                if grants.len() == 1 { "grant" } else { "grants" },
                grants
                    .iter()
                    .map(|grant| grant.sid.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if grants.len() == 1 { " does" } else { " do" }
            ),
            Some(
                "the spec grants fewer actions than the `quilt` preset: some catalog \
                 features will not work on this bucket"
                    .to_string(),
            ),
        )
    })
}
