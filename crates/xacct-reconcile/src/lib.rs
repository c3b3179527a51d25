//! The xacct pipeline as a library, one function per step a command takes:
//! [`load`] the spec, [`plan_live`] (desired state, `--target` selection,
//! connect, observe, plan), then [`apply_live`], or [`open_saved`] and
//! [`apply_saved`] for a reviewed plan; [`verify`] for `xacct verify`,
//! [`reindex`] for `xacct reindex`. The engine decides (purely),
//! xacct-aws talks to AWS; this crate sequences them: concurrency, the
//! re-read before each write, retries, and what a failure skips.

mod apply;
mod error;
mod live;
mod load;
mod observe;
mod reindex;
mod verify;

pub use apply::{Applied, WriteStatus};
pub use error::{Error, Problems, WriteError};
pub use live::{
    apply_live, apply_saved, connect, open_saved, plan_live, read_live, utc_now, LivePlan,
    RunOptions,
};
pub use load::{load, load_linted, LoadedSpec};
pub use observe::{Progress, Unread};
pub use reindex::reindex;
pub use verify::{verify, Verified, VerifyOptions};
