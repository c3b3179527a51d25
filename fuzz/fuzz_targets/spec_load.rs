//! The spec loader must answer every input with a spec or a list of errors:
//! no panic, no hang, whatever the YAML (anchors, aliases, deep nesting,
//! odd scalars, invalid UTF-8 is filtered out as `load` does before it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    // The linted load runs the validator and, on a valid spec, the lint rules.
    match xacct_spec::load_str_linted(source, "fuzz.yaml") {
        // Rendering the errors is part of what a user sees: it must not panic.
        Err(error) => drop(error.to_string()),
        Ok(linted) => {
            drop(format!("{:?}", linted.spec));
            for finding in &linted.findings {
                drop(finding.to_string());
            }
        }
    }
});
