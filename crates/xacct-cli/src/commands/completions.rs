use clap::CommandFactory;

use crate::commands::Status;
use crate::flags::{Cli, CompletionsArgs};

/// Generated from the same definition as the parser, so it cannot drift.
pub fn exec(args: &CompletionsArgs) -> anyhow::Result<Status> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "xacct", &mut script);
    crate::terminal::print(&String::from_utf8_lossy(&script))?;
    Ok(Status::Success)
}
