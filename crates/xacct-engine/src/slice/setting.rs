//! The planning rule shared by the bucket settings xacct manages whole
//! (public access block, default encryption, versioning, logging, and the
//! owned keys of the tag set): compare the managed slice as observed with the
//! slice as wanted; `null` means the setting is absent.

use serde_json::Value;

use crate::kind::{ChangeAction, Planned};

/// Create when absent, delete when it must become absent, update when it
/// differs, else nothing; `write` is only called when something changes.
/// `others_stay`: the document keeps others' content once ours is gone (a
/// tag set with others' keys), so emptying our slice updates it.
pub(crate) fn plan<W>(
    before: Value,
    after: Value,
    others_stay: bool,
    write: impl FnOnce() -> W,
) -> Planned<W> {
    let action = if before == after {
        ChangeAction::NoOp
    } else if before.is_null() {
        ChangeAction::Create
    } else if after.is_null() && !others_stay {
        ChangeAction::Delete
    } else {
        ChangeAction::Update
    };
    Planned {
        action,
        write: (action != ChangeAction::NoOp).then(write),
        before,
        after,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write() -> &'static str {
        "PutBucketVersioning"
    }

    #[test]
    fn the_action_follows_presence_and_equality() {
        let on = json!({"status": "Enabled"});
        let off = json!({"status": "Suspended"});
        assert_eq!(
            plan(Value::Null, on.clone(), false, write).action,
            ChangeAction::Create
        );
        assert_eq!(
            plan(on.clone(), off, false, write).action,
            ChangeAction::Update
        );
        assert_eq!(
            plan(on.clone(), Value::Null, false, write).action,
            ChangeAction::Delete
        );
        let same = plan(on.clone(), on, false, write);
        assert_eq!(same.action, ChangeAction::NoOp);
        assert_eq!(same.write, None);
    }
}
