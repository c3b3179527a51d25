//! `ignore:` entries applied to a plan: until its date, an entry's pending
//! change is set apart (shown, not counted, not applied); after it, the
//! change counts again with a note saying the exception expired. Today's
//! date comes from the caller: planning reads no clock.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use xacct_spec::{Date, Ignore, Spec};

use crate::address::Address;
use crate::change::ResourceChange;
use crate::plan::Plan;

/// A pending change an `ignore:` entry sets apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    pub change: ResourceChange,
    pub reason: String,
    /// The entry's last day (YYYY-MM-DD).
    pub until: String,
}

/// The entries of `spec` that name no resource it declares, each said with
/// its position. A resource the spec declares but cannot build counts as
/// declared: planning reports what is wrong with it.
pub fn unknown_entries(spec: &Spec) -> Vec<String> {
    let wanted: BTreeSet<Address> = spec
        .ignore
        .iter()
        .filter_map(|entry| Address::parse(&entry.address))
        .collect();
    let mut declared = BTreeSet::new();
    if !wanted.is_empty() {
        declared.extend(
            crate::kinds::declared(spec)
                .map(|declared| match declared {
                    Ok(resource) => resource.address,
                    Err(error) => error.address().clone(),
                })
                .filter(|address| wanted.contains(address)),
        );
    }
    spec.ignore
        .iter()
        .filter(|entry| Address::parse(&entry.address).is_none_or(|a| !declared.contains(&a)))
        .map(|entry| {
            format!(
                "line {}, column {}: ignore entry {:?} names no managed resource of the spec",
                entry.line, entry.column, entry.address
            )
        })
        .collect()
}

/// Moves the pending changes that a current entry covers from `plan.changes`
/// to `plan.ignored`; notes an expired entry on the change it no longer hides.
pub fn set_aside(plan: &mut Plan, entries: &[Ignore], today: Date) {
    let entries: Vec<(Option<Address>, &Ignore)> = entries
        .iter()
        .map(|entry| (Address::parse(&entry.address), entry))
        .collect();
    let ignored = &mut plan.ignored;
    // Filtered in place: a plan of thousands of changes is not copied.
    plan.changes = std::mem::take(&mut plan.changes)
        .into_iter()
        .filter_map(|mut change| {
            let entry = entries
                .iter()
                .find(|(address, _)| address.as_ref() == Some(&change.address))
                .map(|(_, entry)| *entry);
            match entry {
                Some(entry) if change.write.is_some() && entry.until >= today => {
                    ignored.push(Ignored {
                        change,
                        reason: entry.reason.clone(),
                        until: entry.until.to_string(),
                    });
                    None
                }
                Some(entry) if change.write.is_some() => {
                    change.notes.push(format!(
                        "the ignore entry for it expired on {} ({}): counted again",
                        entry.until, entry.reason
                    ));
                    Some(change)
                }
                _ => Some(change),
            }
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::tests::sample_plan;

    fn entry(address: &str, until: &str) -> Ignore {
        Ignore {
            address: address.into(),
            reason: "migration ticket OPS-1".into(),
            until: Date::parse(until).expect("date"),
            line: 3,
            column: 5,
        }
    }

    #[test]
    fn a_current_entry_sets_its_change_apart_and_an_expired_one_notes_it() {
        let today = Date::parse("2026-12-06").expect("date");
        let mut plan = sample_plan();
        let pending = plan.pending().count();
        set_aside(
            &mut plan,
            &[entry("s3_ownership_controls.data-bucket", "2026-12-06")],
            today,
        );
        assert_eq!(plan.pending().count(), pending - 1);
        assert_eq!(plan.ignored.len(), 1);
        assert_eq!(plan.ignored[0].until, "2026-12-06");

        let mut plan = sample_plan();
        set_aside(
            &mut plan,
            &[entry("s3_ownership_controls.data-bucket", "2026-12-05")],
            today,
        );
        assert_eq!(plan.pending().count(), pending);
        assert!(plan.ignored.is_empty());
        let noted = plan
            .changes
            .iter()
            .find(|change| change.address.to_string() == "s3_ownership_controls.data-bucket")
            .expect("change");
        assert!(
            noted.notes[0].contains("expired on 2026-12-05 (migration ticket OPS-1)"),
            "{:?}",
            noted.notes
        );
    }
}
