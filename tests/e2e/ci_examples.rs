//! The pipeline examples in examples/ci/ are valid YAML and only run xacct
//! commands and flags that exist.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn examples() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("examples/ci exists") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let value: Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
        found.push((path.display().to_string(), value));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Every shell line or argument list of a workflow (GitHub `run`, GitLab
/// `script`, Kubernetes `command` + `args`).
fn commands(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            if let (Some(Value::Array(command)), Some(Value::Array(args))) =
                (fields.get("command"), fields.get("args"))
            {
                let words: Vec<&str> = command
                    .iter()
                    .chain(args)
                    .filter_map(Value::as_str)
                    .collect();
                out.push(words.join(" "));
            }
            for (key, item) in fields {
                match (key.as_str(), item) {
                    ("run", Value::String(script)) => {
                        out.extend(script.lines().map(str::to_string))
                    }
                    ("script", Value::Array(lines)) => {
                        out.extend(lines.iter().filter_map(Value::as_str).map(str::to_string))
                    }
                    _ => commands(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| commands(item, out)),
        _ => {}
    }
}

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xacct"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run xacct --help");
    assert!(out.status.success(), "xacct {args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ci_examples_parse_and_use_only_existing_commands_and_flags() {
    let examples = examples();
    assert!(
        examples.len() >= 3,
        "GitHub, GitLab and Kubernetes examples"
    );
    let top = help(&[]);
    let mut checked = 0;
    for (file, value) in &examples {
        let mut lines = Vec::new();
        commands(value, &mut lines);
        let invocations: Vec<Vec<String>> = lines
            .iter()
            .flat_map(|line| {
                line.split(['|', ';', '>', '&'])
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter_map(|part| {
                let words: Vec<String> = part.split_whitespace().map(str::to_string).collect();
                let start = words.iter().position(|w| w == "xacct")?;
                Some(words[start + 1..].to_vec())
            })
            .filter(|words| !words.is_empty())
            .collect();
        assert!(!invocations.is_empty(), "{file} runs xacct");
        for words in invocations {
            let command = &words[0];
            assert!(
                top.contains(&format!("  {command} ")),
                "{file}: `xacct {command}` is not a command of xacct --help"
            );
            let command_help = help(&[command]);
            for flag in words.iter().filter(|w| w.starts_with("--")) {
                let flag = flag.split('=').next().unwrap_or(flag);
                assert!(
                    command_help.contains(flag),
                    "{file}: `xacct {command} {flag}` is not in xacct {command} --help"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 5, "the examples' flags were checked ({checked})");
}
