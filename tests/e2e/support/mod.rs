//! Shared harness of the end-to-end tests: a private `moto_server` per test
//! (`emulator`) and, when a test needs one, a Quilt catalog stand-in next to
//! it (`catalog`), fixtures per AWS service for emulated accounts (`s3`,
//! `sns`, `cloudtrail`), policy documents and spec pieces (`policy`, `spec`),
//! and a temporary workspace that runs the real `xacct` binary with an
//! environment sealed off from the developer's own AWS configuration
//! (`workspace`).
//!
//! `main.rs` declares it once; test modules import from `crate::support`.

use std::path::{Path, PathBuf};

mod catalog;
mod cloudtrail;
mod emulator;
mod policy;
mod receiver;
mod s3;
mod server;
mod sns;
mod spec;
mod workspace;

pub use catalog::*;
pub use cloudtrail::*;
pub use emulator::*;
pub use policy::*;
pub use receiver::*;
pub use s3::*;
pub use sns::*;
pub use spec::*;
pub use workspace::*;

/// The control account of every test world.
pub const CONTROL: &str = "111111111111";
/// The data account (owner of the buckets) of every test world.
pub const DATA: &str = "222222222222";
pub const REGION: &str = "us-east-1";
/// Base credentials; moto accepts anything, assumed roles pick the account.
pub const BASE_KEY: &str = "testing";
pub const BASE_SECRET: &str = "testing";

/// The role xacct (and the harness) assumes in an account.
pub fn deployer_role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/xacct-deployer")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}
