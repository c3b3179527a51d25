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

/// The webhook's path stands for the secret such URLs carry.
const HOOK_PATH: &str = "/services/T000/B000/S3cr3tW3bh00k";

#[tokio::test]
async fn drift_notifies_a_webhook_with_text_and_drifted_and_never_shows_its_url() {
    let (_emu, mut ws) = world().await;
    let receiver = crate::support::Receiver::start(&[500]);
    // From the environment, and with every log on: the URL must not leak.
    ws.set_env("XACCT_NOTIFY_URL", &receiver.url(HOOK_PATH));
    ws.set_env("RUST_LOG", "trace");
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 2, "{drift}");
    let received = receiver.received();
    assert_eq!(received.len(), 2, "one retry after the 500: {received:?}");
    let last = &received[1];
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", HOOK_PATH)
    );
    let alert: Value = serde_json::from_str(&last.body).expect("JSON body");
    assert!(
        alert["text"].as_str().is_some_and(|text| text
            .starts_with("xacct drift: 1 of 6 managed resources differ")
            && text.contains("s3_ownership_controls.drifted-data")),
        "{alert:#}"
    );
    assert_eq!(
        alert["drifted"][0]["address"],
        "s3_ownership_controls.drifted-data"
    );
    assert!(
        !drift.stdout.contains("S3cr3t") && !drift.stderr.contains("S3cr3t"),
        "the webhook's secret path leaked: {drift}"
    );

    // A receiver that keeps failing: an error naming only the host, and
    // the exit code still says drift.
    let failing = crate::support::Receiver::start(&[503, 503]);
    ws.set_env("XACCT_NOTIFY_URL", &failing.url(HOOK_PATH));
    let drift = ws.xacct(&["drift"]);
    assert_eq!(drift.code, 2, "{drift}");
    assert!(
        drift
            .stderr
            .contains("error: cannot notify http://127.0.0.1: HTTP 503 Service Unavailable (after 2 attempts)"),
        "{drift}"
    );
    assert!(!drift.stderr.contains("S3cr3t"), "{drift}");

    // In sync: nothing is sent.
    let quiet = crate::support::Receiver::start(&[]);
    ws.set_env("XACCT_NOTIFY_URL", &quiet.url(HOOK_PATH));
    ws.xacct(&["apply", "--auto-approve"]).expect_code(0);
    ws.xacct(&["drift"]).expect_code(0);
    assert!(quiet.received().is_empty());
}
