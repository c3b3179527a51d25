//! Reports for schedules, checked with real parsers: `drift --format junit`
//! read by junitparser (what CI test reporters use), and `--metrics-file`
//! read by prometheus_client's text-format parser.

use std::process::Command;

use crate::support::{data_bucket, spec_with_buckets, venv_python, Emulator, Workspace, DATA};
use serde_json::Value;

/// Runs `script` with the virtualenv's python on `path`; its stdout as JSON.
fn parsed_by(script: &str, path: &std::path::Path) -> Value {
    let out = Command::new(venv_python())
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "the parser refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser's JSON")
}

const JUNIT: &str = r#"
import json, sys
from junitparser import JUnitXml
report = JUnitXml.fromfile(sys.argv[1])
suites = []
for suite in report:
    cases = []
    for case in suite:
        cases.append({
            "name": case.name,
            "results": [type(r).__name__ for r in case.result],
            "text": [r.text or "" for r in case.result],
        })
    suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                   "errors": suite.errors, "cases": cases})
print(json.dumps(suites))
"#;

const METRICS: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for sample in family.samples:
        samples.append({"family": family.name, "type": family.type,
                        "name": sample.name, "labels": sample.labels, "value": sample.value})
print(json.dumps(samples))
"#;

/// One bucket drifted (ObjectWriter where the spec wants enforcement), one
/// in sync, and one that does not exist (its documents cannot be read).
async fn world() -> (Emulator, Workspace) {
    let emu = Emulator::start();
    emu.create_bucket_with_ownership(DATA, "drifted-data", Some("ObjectWriter"))
        .await;
    emu.create_bucket(DATA, "synced-data").await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&spec_with_buckets(&[
        data_bucket("drifted-data", Some("BucketOwnerEnforced"), None),
        data_bucket("synced-data", Some("BucketOwnerEnforced"), None),
    ]));
    (emu, ws)
}

#[tokio::test]
async fn drift_junit_is_a_suite_per_account_with_failures_for_drift_and_errors_for_reads() {
    let (_emu, ws) = world().await;
    let clean = ws.xacct(&["drift", "--format", "junit"]);
    assert_eq!(clean.code, 2, "drift found: {clean}");
    ws.write_file("drift.xml", &clean.stdout);
    let suites = parsed_by(JUNIT, &ws.path().join("drift.xml"));
    assert_eq!(suites.as_array().map(Vec::len), Some(1), "{suites:#}");
    let suite = &suites[0];
    assert_eq!(suite["name"], "account data (222222222222)");
    assert_eq!(suite["tests"], 6, "{suite:#}");
    assert_eq!(suite["failures"], 1, "{suite:#}");
    assert_eq!(suite["errors"], 0, "{suite:#}");
    let drifted = suite["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == "s3_ownership_controls.drifted-data")
        .expect("the drifted resource's testcase");
    assert_eq!(drifted["results"], serde_json::json!(["Failure"]));
    assert!(
        drifted["text"][0].as_str().is_some_and(|text| text
            .contains("~ object_ownership = \"ObjectWriter\" -> \"BucketOwnerEnforced\"")),
        "{drifted:#}"
    );

    // A bucket that is not there: its documents are errors, the rest is
    // still reported, and the run exits 1.
    ws.write_spec(&spec_with_buckets(&[
        data_bucket("drifted-data", Some("BucketOwnerEnforced"), None),
        data_bucket("missing-data", Some("BucketOwnerEnforced"), None),
    ]));
    let broken = ws.xacct(&["drift", "--format", "junit"]);
    assert_eq!(broken.code, 1, "{broken}");
    ws.write_file("broken.xml", &broken.stdout);
    let suites = parsed_by(JUNIT, &ws.path().join("broken.xml"));
    let suite = &suites[0];
    assert_eq!(suite["errors"], 3, "{suite:#}");
    assert_eq!(suite["failures"], 1, "{suite:#}");
    let missing: Vec<&Value> = suite["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|case| case["results"] == serde_json::json!(["Error"]))
        .collect();
    assert!(
        missing.iter().all(|case| case["name"]
            .as_str()
            .is_some_and(|name| name.ends_with(".missing-data"))
            && case["text"][0]
                .as_str()
                .is_some_and(|text| text.contains("does not exist"))),
        "{missing:#?}"
    );
}

#[tokio::test]
async fn metrics_files_parse_and_count_managed_and_drifted_resources() {
    let (_emu, ws) = world().await;
    let plan = ws.xacct(&["plan", "--metrics-file", "xacct.prom"]);
    plan.expect_code(0);
    let samples = parsed_by(METRICS, &ws.path().join("xacct.prom"));
    let value = |name: &str, kind: Option<&str>| -> f64 {
        samples
            .as_array()
            .expect("samples")
            .iter()
            .find(|sample| {
                sample["name"] == name
                    && kind.is_none_or(|kind| {
                        sample["labels"]["kind"] == kind && sample["labels"]["account"] == "data"
                    })
            })
            .and_then(|sample| sample["value"].as_f64())
            .unwrap_or_else(|| panic!("no {name} {kind:?} in {samples:#}"))
    };
    assert_eq!(
        value("xacct_managed_resources", Some("s3_ownership_controls")),
        2.0
    );
    assert_eq!(
        value("xacct_drifted_resources", Some("s3_ownership_controls")),
        1.0
    );
    assert_eq!(
        value("xacct_drifted_resources", Some("s3_bucket_policy")),
        0.0
    );
    assert_eq!(value("xacct_run_success", None), 1.0);
    assert!(value("xacct_last_run_timestamp_seconds", None) > 1.7e9);
    assert!(value("xacct_run_duration_seconds", None) > 0.0);
    let leftovers: Vec<_> = std::fs::read_dir(ws.path())
        .expect("workspace")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "the temporary file is renamed away");

    // A failed run still tells the collector so.
    ws.write_spec(&spec_with_buckets(&[data_bucket(
        "missing-data",
        Some("BucketOwnerEnforced"),
        None,
    )]));
    let failed = ws.xacct(&["drift", "--metrics-file", "xacct.prom"]);
    assert_eq!(failed.code, 1, "{failed}");
    let samples = parsed_by(METRICS, &ws.path().join("xacct.prom"));
    let success = samples
        .as_array()
        .expect("samples")
        .iter()
        .find(|sample| sample["name"] == "xacct_run_success")
        .expect("xacct_run_success");
    assert_eq!(success["value"], 0.0);
}
