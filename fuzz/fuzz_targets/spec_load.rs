//! The spec loader must answer every input with a spec or a list of errors:
//! no panic, no hang, whatever the YAML (anchors, aliases, deep nesting,
//! odd scalars, invalid UTF-8 is filtered out as `load` does before it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    match xacct_spec::load_str(source, "fuzz.yaml") {
        // Rendering the errors is part of what a user sees: it must not panic.
        Err(error) => drop(error.to_string()),
        Ok(spec) => drop(format!("{spec:?}")),
    }
});
