//! Planning rules shared by several kinds: the owned statements of a shared
//! policy document, and a bucket setting managed whole.

pub(crate) mod policy;
pub(crate) mod setting;
