//! The end-to-end tests: one test binary (`cargo test -p xacct-cli --test
//! e2e`) that runs the real `xacct` binary against a private moto_server per
//! test. Each behaviour is a module here; `support` is their shared harness.
//! One module's tests: `cargo test -p xacct-cli --test e2e bucket_policy::`.

mod support;

mod auto_approve;
mod bad_spec;
mod bucket_hardening;
mod bucket_notification;
mod bucket_policy;
mod catalog;
mod ci_examples;
mod cloudtrail;
mod concurrent_applies;
mod credentials;
mod drift;
mod emulator;
mod export_cloudformation;
mod faults;
mod ignore;
mod interruption;
mod json_output;
mod lint;
mod lockout;
mod log_secrets;
mod missing_bucket;
mod multi_region;
mod ownership;
mod partitions;
mod permissions;
mod pipeline;
mod progress;
mod prune;
mod reports;
mod request_counts;
mod revocation;
mod saved_plan;
mod shards;
mod targeting;
mod topic_policy;
mod verify;

/// A file in tests/e2e/ that this file does not declare as a module is never
/// compiled, so its tests would silently never run: every `*.rs` file (and
/// every directory with a `mod.rs`) on disk must have its `mod` line here.
#[test]
fn every_file_in_tests_e2e_is_a_declared_module() {
    use std::collections::BTreeSet;

    let this_file = include_str!("main.rs");
    let declared: BTreeSet<&str> = this_file
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            line.strip_prefix("mod ")?.strip_suffix(';')
        })
        .map(str::trim)
        .collect();

    let dir = support::workspace_root().join("tests/e2e");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    // (module name, file as named in the failure message)
    let mut on_disk: Vec<(String, String)> = Vec::new();
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let module = if path.is_dir() && path.join("mod.rs").is_file() {
            path.file_name()
                .and_then(|n| n.to_str())
                .map(|n| (n, format!("{n}/mod.rs")))
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            path.file_stem()
                .and_then(|n| n.to_str())
                .map(|n| (n, format!("{n}.rs")))
        } else {
            None
        };
        if let Some((module, file)) = module.filter(|(m, _)| *m != "main") {
            on_disk.push((module.to_string(), file));
        }
    }
    on_disk.sort();
    assert!(
        on_disk.len() > 1,
        "found no test modules in {}: {on_disk:?}",
        dir.display()
    );

    let missing: Vec<String> = on_disk
        .iter()
        .filter(|(module, _)| !declared.contains(module.as_str()))
        .map(|(module, file)| {
            format!("tests/e2e/{file} (add `mod {module};` to tests/e2e/main.rs)")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files in tests/e2e/ that main.rs does not declare, so they are never compiled:\n  {}",
        missing.join("\n  ")
    );
}
