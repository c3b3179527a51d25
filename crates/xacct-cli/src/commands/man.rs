use clap::CommandFactory;

use crate::commands::Status;
use crate::flags::Cli;

/// The man page of `xacct`, generated from the parser's own definition.
pub fn exec() -> anyhow::Result<Status> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    crate::terminal::print(&String::from_utf8_lossy(&page))?;
    Ok(Status::Success)
}
