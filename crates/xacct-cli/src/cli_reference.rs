//! `docs/cli.md`, the command-line reference, is generated from the same
//! definition as the parser, and this test keeps the file equal to `--help`.
//! After changing a flag or its doc: `XACCT_BLESS=1 cargo test -p xacct-cli
//! cli_reference` rewrites it.

use clap::CommandFactory;

use crate::flags::Cli;

/// The reference in markdown: every command's long help, depth first.
fn reference() -> String {
    let mut out = String::from(
        "# Command-line reference\n\n\
         Generated from `xacct --help` (a test keeps this file equal to it); \
         `xacct man` prints the same as a man page.\n",
    );
    let mut command = Cli::command().bin_name("xacct");
    command.build();
    section(&mut out, &command, "xacct");
    out
}

fn section(out: &mut String, command: &clap::Command, path: &str) {
    let help = command.clone().render_long_help().to_string();
    out.push_str(&format!(
        "\n## `{path}`\n\n```text\n{}\n```\n",
        help.trim_end()
    ));
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        section(out, sub, &format!("{path} {}", sub.get_name()));
    }
}

#[test]
fn docs_cli_md_is_the_help_of_every_command() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md");
    let expected = reference();
    if std::env::var_os("XACCT_BLESS").is_some() {
        std::fs::write(path, &expected).expect("write docs/cli.md");
    }
    let found = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        found == expected,
        "docs/cli.md differs from `xacct --help`; regenerate it with \
         `XACCT_BLESS=1 cargo test -p xacct-cli cli_reference`"
    );
}
