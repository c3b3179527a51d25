//! The `xacct` binary: parse arguments, set up logging, run one command, map
//! its outcome to an exit code. Results go to stdout, everything else to stderr.

#[cfg(test)]
mod cli_reference;
mod commands;
mod flags;
mod metrics_file;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

use crate::flags::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match commands::exec(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            terminal::report_error(&error);
            commands::Status::Error.into()
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal::stderr_color())
        .init();
}
