//! `ignore:` entries applied to a plan: until its date, an entry's pending
//! change is set apart (shown, not counted, not applied); after it, the
//! change counts again with a note saying the exception expired. Today's
//! date comes from the caller: planning reads no clock.

use serde::{Deserialize, Serialize};
use xacct_spec::{Date, Ignore, Spec};

use crate::address::Address;
use crate::change::ResourceChange;
use crate::kinds::DesiredResource;
use crate::plan::Plan;

/// A pending change an `ignore:` entry sets apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    pub change: ResourceChange,
    pub reason: String,
    /// The entry's last day (YYYY-MM-DD).
    pub until: String,
}

/// The entries of `spec` that name no resource of `desired`, each said with
/// its position.
pub fn unknown_entries(spec: &Spec, desired: &[DesiredResource]) -> Vec<String> {
    spec.ignore
        .iter()
        .filter(|entry| {
            let address = Address::parse(&entry.address);
            !desired
                .iter()
                .any(|resource| Some(&resource.address) == address.as_ref())
        })
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
    let mut kept = Vec::with_capacity(plan.changes.len());
    for mut change in std::mem::take(&mut plan.changes) {
        let entry = entries
            .iter()
            .find(|(address, _)| address.as_ref() == Some(&change.address))
            .map(|(_, entry)| *entry);
        match entry {
            Some(entry) if change.write.is_some() && entry.until >= today => {
                plan.ignored.push(Ignored {
                    change,
                    reason: entry.reason.clone(),
                    until: entry.until.to_string(),
                });
            }
            Some(entry) if change.write.is_some() => {
                change.notes.push(format!(
                    "the ignore entry for it expired on {} ({}): counted again",
                    entry.until, entry.reason
                ));
                kept.push(change);
            }
            _ => kept.push(change),
        }
    }
    plan.changes = kept;
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
