//! One AWS operation and the IAM action that allows it: what each kind
//! module declares, and what `xacct permissions` is built from.

/// Whether an operation only reads (enough for `plan` and `drift`) or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// Made only by `xacct verify`: the control account's probes (which
    /// write and delete a test object) and the owner's cleanup.
    Verify,
    /// Made only for an account with `prune: true`: listing its buckets and
    /// topics (a read, needed by plan, drift and apply alike).
    Prune,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The API operation, as the SDK and CloudTrail name it.
    pub api: &'static str,
    /// The IAM action that allows it (not always the same name).
    pub iam_action: &'static str,
    pub access: Access,
}

pub(crate) const fn op(api: &'static str, iam_action: &'static str, access: Access) -> Operation {
    Operation {
        api,
        iam_action,
        access,
    }
}
