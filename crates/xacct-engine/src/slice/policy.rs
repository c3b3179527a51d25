//! Planning the owned statements of a shared policy document. Bucket policies
//! and topic policies differ only in their limits and in what happens when
//! nothing is left, so both plan here.

use serde_json::Value;
use xacct_policy::{merge_owned, PolicyDocument, Statement};

use crate::kind::{ChangeAction, Planned, SliceError};

/// What AWS accepts for one kind of policy.
pub(crate) struct Limits {
    pub bytes: usize,
    pub statements: Option<usize>,
}

/// Plans the owned slice of `observed` (`None`: no document) against
/// `desired`. `write` turns the merged document (`None`: nothing left) into
/// the write that stores it.
pub(crate) fn plan<W>(
    prefix: &str,
    desired: &[Statement],
    observed: Option<&str>,
    limits: &Limits,
    write: impl FnOnce(Option<PolicyDocument>) -> W,
) -> Result<Planned<W>, SliceError> {
    let document = observed
        .map(PolicyDocument::parse)
        .transpose()
        .map_err(SliceError::UnreadablePolicy)?;
    let owned_before: Vec<&Statement> = document
        .iter()
        .flat_map(|document| document.owned(prefix))
        .collect();
    let action = slice_action(&owned_before, desired);
    let foreign = document
        .as_ref()
        .map(|document| document.statements().len() - owned_before.len())
        .unwrap_or(0);
    let mut notes = Vec::new();
    if foreign > 0 {
        notes.push(format!(
            "{foreign} statement{} of others kept unchanged",
            if foreign == 1 { "" } else { "s" }
        ));
    }
    let write = match action {
        ChangeAction::NoOp => None,
        _ => {
            let merged = merge_owned(document.as_ref(), prefix, desired);
            if let Some(merged) = &merged {
                check(merged, limits)?;
            }
            Some(write(merged))
        }
    };
    Ok(Planned {
        action,
        before: slice_value(owned_before.iter().copied()),
        after: slice_value(desired.iter()),
        write,
        notes,
    })
}

/// The meaning of a policy's text for fingerprints: AWS's own rewrites (key
/// order, scalars for one-element arrays) do not change it.
pub(crate) fn meaning(text: &str) -> String {
    match PolicyDocument::parse(text) {
        Ok(document) => format!("policy:{}", document.canonical()),
        Err(_) => format!("policy-text:{text}"),
    }
}

/// Create/delete mean the slice appears/disappears; order is not meaning.
fn slice_action(before: &[&Statement], after: &[Statement]) -> ChangeAction {
    match (before.is_empty(), after.is_empty()) {
        (true, true) => ChangeAction::NoOp,
        (true, false) => ChangeAction::Create,
        (false, true) => ChangeAction::Delete,
        (false, false) => {
            let same = before.len() == after.len()
                && before
                    .iter()
                    .all(|observed| after.iter().any(|wanted| wanted.semantically_eq(observed)));
            if same {
                ChangeAction::NoOp
            } else {
                ChangeAction::Update
            }
        }
    }
}

/// What AWS would refuse on write, said before anything is written.
fn check(merged: &PolicyDocument, limits: &Limits) -> Result<(), SliceError> {
    // A foreign statement naming a deleted role makes the whole write fail.
    if let Some(invalid) = merged.invalid_principals().into_iter().next() {
        return Err(SliceError::InvalidForeignPrincipal {
            statement: invalid.statement,
            principal: invalid.principal,
        });
    }
    merged
        .check_size(limits.bytes)
        .map_err(SliceError::TooLarge)?;
    if let Some(limit) = limits.statements {
        let count = merged.statements().len();
        if count > limit {
            return Err(SliceError::TooManyStatements { count, limit });
        }
    }
    Ok(())
}

fn slice_value<'a>(statements: impl Iterator<Item = &'a Statement>) -> Value {
    let statements: Vec<Value> = statements.map(Statement::to_value).collect();
    if statements.is_empty() {
        Value::Null
    } else {
        Value::Array(statements)
    }
}
