//! Bad specs through the binary: `validate` and `plan` exit 1, name the
//! offending key or value with a `deploy.yaml:LINE:COL` location, and never
//! panic. No emulator: a spec error must be found before any AWS call (the
//! endpoint points at a closed port).

use crate::support::{Run, Workspace};

/// A valid spec; every case below breaks exactly one thing in it.
const VALID: &str = r#"version: 1
sid_prefix: Quilt
accounts:
  control:
    id: "111111111111"
    role_arn: arn:aws:iam::111111111111:role/xacct-deployer
    region: us-east-1
  data:
    id: "222222222222"
    role_arn: arn:aws:iam::222222222222:role/xacct-deployer
    region: us-east-1
buckets:
  first-data:
    account: data
    object_ownership: BucketOwnerEnforced
    access:
      - sid: QuiltCrossAccountAccess
        principals: [control]
        actions: quilt
      - sid: QuiltReadOnly
        principals: ["arn:aws:iam::111111111111:role/Reader"]
        actions: [s3:GetObject, s3:ListBucket]
  second-data:
    account: data
    access:
      - sid: QuiltCrossAccountAccess
        principals: [control]
        actions: [s3:GetObject]
"#;

/// Nothing listens here (port 9, discard): any AWS call would fail.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

struct Case {
    name: &'static str,
    /// (from, to) replacement applied once to VALID.
    from: &'static str,
    to: &'static str,
    /// Must appear in stderr: the offending key or value.
    needle: &'static str,
    /// The line expected in the location: the 1-based line of the
    /// `occurrence`-th (0-based) line of the broken spec containing `at`.
    at: &'static str,
    occurrence: usize,
}

const CASES: &[Case] = &[
    Case {
        name: "unknown key",
        from: "    object_ownership: BucketOwnerEnforced\n",
        to: "    object_ownership: BucketOwnerEnforced\n    acess: []\n",
        needle: "acess",
        at: "acess",
        occurrence: 0,
    },
    Case {
        name: "duplicate bucket key",
        from: "  second-data:\n",
        to: "  first-data:\n",
        needle: "first-data",
        at: "  first-data:",
        occurrence: 1,
    },
    Case {
        name: "wrong type",
        from: "    object_ownership: BucketOwnerEnforced\n    access:\n      - sid: QuiltCrossAccountAccess\n        principals: [control]\n        actions: quilt\n      - sid: QuiltReadOnly\n        principals: [\"arn:aws:iam::111111111111:role/Reader\"]\n        actions: [s3:GetObject, s3:ListBucket]\n",
        to: "    object_ownership: BucketOwnerEnforced\n    access: everyone\n",
        needle: "everyone",
        at: "access: everyone",
        occurrence: 0,
    },
    Case {
        name: "11-digit account id",
        from: "id: \"222222222222\"",
        to: "id: \"22222222222\"",
        needle: "22222222222",
        at: "22222222222",
        occurrence: 0,
    },
    Case {
        name: "invalid bucket name",
        from: "  second-data:\n",
        to: "  My_Bucket:\n",
        needle: "My_Bucket",
        at: "My_Bucket",
        occurrence: 0,
    },
    Case {
        name: "unknown account reference",
        from: "  second-data:\n    account: data\n",
        to: "  second-data:\n    account: datta\n",
        needle: "datta",
        at: "account: datta",
        occurrence: 0,
    },
    Case {
        name: "sid without the prefix",
        from: "- sid: QuiltReadOnly",
        to: "- sid: ReadOnlyForAnalysts",
        needle: "ReadOnlyForAnalysts",
        at: "ReadOnlyForAnalysts",
        occurrence: 0,
    },
    Case {
        name: "duplicate sid in one bucket",
        from: "- sid: QuiltReadOnly",
        to: "- sid: QuiltCrossAccountAccess",
        needle: "QuiltCrossAccountAccess",
        at: "- sid: QuiltCrossAccountAccess",
        occurrence: 1,
    },
    Case {
        name: "non-alphanumeric sid",
        from: "- sid: QuiltReadOnly",
        to: "- sid: Quilt-Read_Only",
        needle: "Quilt-Read_Only",
        at: "Quilt-Read_Only",
        occurrence: 0,
    },
    Case {
        name: "action of another service",
        from: "actions: [s3:GetObject, s3:ListBucket]",
        to: "actions: [s3:GetObject, sns:Publish]",
        needle: "sns:Publish",
        at: "sns:Publish",
        occurrence: 0,
    },
    Case {
        name: "principal star",
        from: "principals: [\"arn:aws:iam::111111111111:role/Reader\"]",
        to: "principals: [\"*\"]",
        needle: "*",
        at: "principals: [\"*\"]",
        occurrence: 0,
    },
    Case {
        name: "version 2",
        from: "version: 1\n",
        to: "version: 2\n",
        needle: "version",
        at: "version: 2",
        occurrence: 0,
    },
];

fn expected_line(spec: &str, at: &str, occurrence: usize) -> usize {
    spec.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(at))
        .nth(occurrence)
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("{at:?} (#{occurrence}) not in spec:\n{spec}"))
}

/// True when `text` has `file:LINE:COL` for this line and some column.
fn has_location(text: &str, file: &str, line: usize) -> bool {
    let prefix = format!("{file}:{line}:");
    text.match_indices(&prefix).any(|(i, _)| {
        text[i + prefix.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

fn check(case_name: &str, run: &Run, needle: &str, file: &str, line: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if run.code != 1 {
        problems.push(format!("exit {} (want 1)", run.code));
    }
    if run.stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    if !run.stderr.contains(needle) {
        problems.push(format!("stderr does not name {needle:?}"));
    }
    if !has_location(&run.stderr, file, line) {
        problems.push(format!("stderr has no {file}:{line}:COL location"));
    }
    if !run.stderr.contains("error") {
        problems.push("stderr does not say error".to_string());
    }
    if problems.is_empty() {
        Vec::new()
    } else {
        vec![format!("[{case_name}] {}: {run}", problems.join("; "))]
    }
}

#[test]
fn valid_spec_is_valid() {
    let ws = Workspace::with_endpoint(DEAD_ENDPOINT);
    ws.write_spec(VALID);
    let run = ws.xacct(&["validate"]);
    run.expect_code(0);
}

#[test]
fn every_bad_spec_is_refused_with_its_location() {
    let mut failures = Vec::new();
    for case in CASES {
        assert!(
            VALID.matches(case.from).count() == 1,
            "[{}] {:?} must occur once in VALID",
            case.name,
            case.from
        );
        let spec = VALID.replacen(case.from, case.to, 1);
        let line = expected_line(&spec, case.at, case.occurrence);
        let ws = Workspace::with_endpoint(DEAD_ENDPOINT);
        ws.write_spec(&spec);
        for command in ["validate", "plan"] {
            let run = ws.xacct(&[command]);
            failures.extend(check(
                &format!("{} / {command}", case.name),
                &run,
                case.needle,
                "deploy.yaml",
                line,
            ));
        }
        if case.name == "principal star" {
            let run = ws.xacct(&["validate"]);
            assert!(
                run.stderr.to_ascii_lowercase().contains("principal"),
                "[principal star] the message says it is about the principal: {run}"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n\n{}",
        failures.len(),
        CASES.len() * 2,
        failures.join("\n\n")
    );
}

#[test]
fn several_errors_are_reported_together() {
    let spec = VALID
        .replacen("id: \"222222222222\"", "id: \"22222222222\"", 1)
        .replacen("  second-data:\n", "  My_Bucket:\n", 1)
        .replacen("- sid: QuiltReadOnly", "- sid: ReadOnlyForAnalysts", 1);
    let ws = Workspace::with_endpoint(DEAD_ENDPOINT);
    ws.write_spec(&spec);
    let run = ws.xacct(&["validate"]);
    run.expect_code(1);
    for needle in ["22222222222", "My_Bucket", "ReadOnlyForAnalysts"] {
        assert!(run.stderr.contains(needle), "{needle} reported: {run}");
    }
}

#[test]
fn other_file_names_and_missing_files() {
    let ws = Workspace::with_endpoint(DEAD_ENDPOINT);
    ws.write_file(
        "other.yaml",
        &VALID.replacen("  second-data:\n", "  My_Bucket:\n", 1),
    );
    let line = expected_line(
        &VALID.replacen("  second-data:\n", "  My_Bucket:\n", 1),
        "My_Bucket",
        0,
    );
    let run = ws.xacct(&["validate", "-f", "other.yaml"]);
    run.expect_code(1);
    assert!(has_location(&run.stderr, "other.yaml", line), "{run}");

    // No deploy.yaml at all: a clear error, no panic.
    let run = ws.xacct(&["plan"]);
    run.expect_code(1);
    assert!(run.stderr.contains("deploy.yaml"), "{run}");

    // Not YAML at all.
    ws.write_spec("version: 1\naccounts: [\n");
    let run = ws.xacct(&["validate"]);
    run.expect_code(1);
    assert!(run.stderr.contains("deploy.yaml:"), "{run}");
}
