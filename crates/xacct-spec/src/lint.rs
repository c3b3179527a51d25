//! Least-privilege lint: the guide's security advice as warnings on a valid
//! spec. A warning is not an error (the spec is valid and plans as written);
//! `--strict` makes the CLI treat them as errors. Each rule has a stable id
//! that output, docs and CI filters use.

use std::fmt;

use crate::actions::{self, KnownAction};
use crate::model::{Account, AccountAccess, Spec};
use crate::names::principal_account;
use crate::raw::Pos;

/// A lint rule, by its stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A grant to a whole account (its root) where named roles would do.
    RootPrincipal,
    /// Object actions on the bucket ARN only, or bucket actions on `/*` only
    /// (live bucket policies; see `xacct_engine::lint`).
    ResourceMismatch,
    /// Write, delete, tagging or permission actions granted to a read-only account.
    WriteToReadOnly,
    /// An action not in xacct's list of S3 and SNS actions (likely a typo).
    UnknownAction,
    /// `s3:*`, `s3:Get*`, `sns:*`...: grants more than is needed, and more over time.
    WildcardAction,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::RootPrincipal,
        Rule::ResourceMismatch,
        Rule::WriteToReadOnly,
        Rule::UnknownAction,
        Rule::WildcardAction,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::RootPrincipal => "root-principal",
            Rule::ResourceMismatch => "resource-mismatch",
            Rule::WriteToReadOnly => "write-to-read-only",
            Rule::UnknownAction => "unknown-action",
            Rule::WildcardAction => "wildcard-action",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a finding is reported: a warning, or (under `--strict`) an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One lint finding in a spec, at a 1-based line and column (like [`crate::SpecError`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rule: Rule,
    /// What is wrong, where, and what to do instead.
    pub message: String,
}

impl Finding {
    /// `file:line:col: warning[rule]: message` (or `error[rule]` under `--strict`).
    pub fn report(&self, severity: Severity) -> String {
        format!(
            "{}:{}:{}: {severity}[{}]: {}",
            self.file, self.line, self.column, self.rule, self.message
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report(Severity::Warning))
    }
}

/// A valid `access:` entry as written: what the lint checks (the validator
/// collects them). The model's [`crate::Grant`] is resolved and sorted, with
/// no positions; findings need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantSite {
    /// `s3` or `sns`: the service of the document the grant is written into.
    pub service: &'static str,
    /// How messages name the entry: `access entry 1 of bucket "b"`.
    pub entry: String,
    pub sid: String,
    pub principals: Vec<PrincipalSite>,
    /// The actions listed one by one.
    pub actions: Vec<ActionSite>,
    /// The actions of the preset the entry names instead (empty when it
    /// lists them): one static list, however many entries name it.
    pub preset: &'static [&'static str],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrincipalSite {
    pub pos: Pos,
    /// As written: an account name, an id or an ARN.
    pub written: String,
    /// The IAM principal it resolved to (`arn:aws:iam::<id>:root` for accounts).
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionSite {
    pub pos: Pos,
    pub action: String,
}

/// Every finding of a valid spec's grants, sorted by position.
pub(crate) fn lint(spec: &Spec, grants: &[GrantSite], file: &str) -> Vec<Finding> {
    let mut found: Vec<(Pos, Rule, String)> = Vec::new();
    for grant in grants {
        for principal in &grant.principals {
            if let Some(message) = root_principal(spec, grant, principal) {
                found.push((principal.pos, Rule::RootPrincipal, message));
            }
        }
        found.extend(write_to_read_only(spec, grant));
        for action in &grant.actions {
            if let Some(message) = unknown_action(grant, action) {
                found.push((action.pos, Rule::UnknownAction, message));
            }
            if let Some(message) = wildcard_action(grant, action) {
                found.push((action.pos, Rule::WildcardAction, message));
            }
        }
    }
    found.sort_by_key(|(pos, rule, _)| (*pos, *rule));
    found
        .into_iter()
        .map(|(pos, rule, message)| Finding {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
            rule,
            message,
        })
        .collect()
}

/// How a message names an account: `"control" (111111111111)` or the bare id.
fn account_label(spec: &Spec, id: &str) -> String {
    match spec.accounts.values().find(|account| account.id == id) {
        Some(account) => format!("\"{}\" ({id})", account.name),
        None => id.to_owned(),
    }
}

fn service_label(service: &str) -> String {
    service.to_ascii_uppercase()
}

fn root_principal(spec: &Spec, grant: &GrantSite, principal: &PrincipalSite) -> Option<String> {
    if !principal.arn.ends_with(":root") {
        return None;
    }
    let id = principal_account(&principal.arn)?;
    let partition = crate::names::arn_partition(&principal.arn).unwrap_or("aws");
    Some(format!(
        "principal \"{}\" of {} grants the whole account {} (its root): any role or user \
         there that the account's own IAM policies allow. Name the roles that need access \
         instead, e.g. arn:{partition}:iam::{id}:role/QuiltLambdaRole",
        principal.written.escape_debug(),
        grant.entry,
        account_label(spec, id)
    ))
}

/// One finding per read-only account a grant reaches with more than reads.
fn write_to_read_only(spec: &Spec, grant: &GrantSite) -> Vec<(Pos, Rule, String)> {
    // (account, the first principal of the grant in it)
    let reached: Vec<(&Account, &PrincipalSite)> =
        spec.accounts
            .values()
            .filter(|account| account.access == AccountAccess::ReadOnly)
            .filter_map(|account| {
                let principal = grant.principals.iter().find(|principal| {
                    principal_account(&principal.arn) == Some(account.id.as_str())
                })?;
                Some((account, principal))
            })
            .collect();
    if reached.is_empty() {
        return Vec::new();
    }
    let writes = non_read_actions(grant);
    if writes.is_empty() {
        return Vec::new();
    }
    let example = read_example(grant.service);
    reached
        .into_iter()
        .map(|(account, principal)| {
            let message = format!(
                "{} (sid {}) grants {} to principal \"{}\", but account \"{}\" is read-only \
                 (accounts.{}.access: read-only). Grant it only read and list actions \
                 (e.g. {example}), or set its access to read-write if it really writes",
                grant.entry,
                grant.sid,
                writes.join(", "),
                principal.written.escape_debug(),
                account.name,
                account.name,
            );
            (principal.pos, Rule::WriteToReadOnly, message)
        })
        .collect()
}

/// The grant's actions (as written, or a known action's own spelling) that
/// are more than reads; a wildcard counts when anything it covers is.
/// Unknown actions are left to `unknown-action`.
fn non_read_actions(grant: &GrantSite) -> Vec<String> {
    let mut writes: Vec<String> = Vec::new();
    let granted = grant
        .actions
        .iter()
        .map(|site| site.action.as_str())
        .chain(grant.preset.iter().copied());
    for action in granted {
        let name = if actions::is_wildcard(action) {
            let covered = actions::matching(action);
            covered
                .iter()
                .any(|known| !actions::is_read_only_use(known))
                .then(|| action.to_owned())
        } else {
            actions::find(action)
                .filter(|known| !actions::is_read_only_use(known))
                .map(|known| known.name.to_owned())
        };
        if let Some(name) = name {
            if !writes.contains(&name) {
                writes.push(name);
            }
        }
    }
    writes
}

fn unknown_action(grant: &GrantSite, site: &ActionSite) -> Option<String> {
    let service = service_label(grant.service);
    if actions::is_wildcard(&site.action) {
        return actions::matching(&site.action).is_empty().then(|| {
            format!(
                "action \"{}\" of {} matches no known {service} action: check the spelling",
                site.action.escape_debug(),
                grant.entry
            )
        });
    }
    if actions::find(&site.action).is_some() {
        return None;
    }
    let suggestion = match actions::closest(&site.action) {
        Some(name) => format!("; did you mean {name}?"),
        None => String::new(),
    };
    Some(format!(
        "action \"{}\" of {} is not a known {service} action{suggestion} (a warning, not an \
         error: if AWS added it after this xacct was built, it is fine)",
        site.action.escape_debug(),
        grant.entry
    ))
}

fn wildcard_action(grant: &GrantSite, site: &ActionSite) -> Option<String> {
    if !actions::is_wildcard(&site.action) {
        return None;
    }
    let covered: Vec<&KnownAction> = actions::matching(&site.action);
    let service = service_label(grant.service);
    let scope = if covered.len() == actions::of_service(grant.service).len() {
        format!("every {service} action")
    } else {
        format!(
            "{} known {service} action{}",
            covered.len(),
            if covered.len() == 1 { "" } else { "s" }
        )
    };
    Some(format!(
        "action \"{}\" of {} is a wildcard: it grants {scope} today, and any AWS adds later. \
         List only the actions the principals need (e.g. {})",
        site.action.escape_debug(),
        grant.entry,
        read_example(grant.service)
    ))
}

/// Read actions to show as an example of a narrower grant.
fn read_example(service: &str) -> &'static str {
    match service {
        "sns" => "sns:GetTopicAttributes, sns:Subscribe",
        _ => "s3:GetObject, s3:ListBucket",
    }
}

#[cfg(test)]
mod tests;
