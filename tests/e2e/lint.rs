//! The least-privilege lint through the binary: `validate` and `plan` print
//! warnings on stderr as `FILE:LINE:COL: warning[RULE]: ...` (live documents:
//! `ADDRESS: warning[RULE]: ...`) and still succeed; `--strict` makes them
//! errors. Spec-only cases run with no emulator (the endpoint is a closed
//! port, so any AWS call would fail); the live-document case runs on moto.

use crate::support::{
    assert_converged, sids, spec_accounts, workspace_root, Emulator, Run, Workspace, CONTROL, DATA,
};
use serde_json::{json, Value};

/// Nothing listens here (port 9, discard): any AWS call would fail.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

/// A valid spec breaking each spec rule once: a read-only account, a root
/// grant, a typo, a wildcard and a write to the read-only account.
const SPEC: &str = r#"version: 1
accounts:
  control:
    id: "111111111111"
    role_arn: arn:aws:iam::111111111111:role/xacct-deployer
    region: us-east-1
  data:
    id: "222222222222"
    role_arn: arn:aws:iam::222222222222:role/xacct-deployer
    region: us-east-1
  auditors:
    id: "333333333333"
    access: read-only
buckets:
  lint-data:
    account: data
    access:
      - sid: QuiltCatalog
        principals: [control]
        actions: [s3:GetObjct, "s3:Get*"]
      - sid: QuiltAudit
        principals: [arn:aws:iam::333333333333:role/Auditor]
        actions: [s3:GetObject, s3:ListBucket, s3:DeleteObject]
"#;

fn offline_workspace(spec: &str) -> Workspace {
    let ws = Workspace::with_endpoint(DEAD_ENDPOINT);
    ws.write_spec(spec);
    ws
}

/// The stderr line that starts with `prefix`, or a panic showing the run.
#[track_caller]
fn line_starting<'a>(run: &'a Run, prefix: &str) -> &'a str {
    run.stderr
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no stderr line starts with {prefix:?}: {run}"))
}

#[test]
fn validate_prints_each_warning_with_its_position_and_succeeds() {
    let ws = offline_workspace(SPEC);
    let run = ws.xacct(&["validate"]);
    run.expect_code(0);
    assert!(run.stdout.contains("deploy.yaml is valid"), "{run}");

    let root = line_starting(&run, "deploy.yaml:19:22: warning[root-principal]: ");
    assert!(root.contains("principal \"control\""), "{root}");
    assert!(root.contains("arn:aws:iam::111111111111:role/"), "{root}");

    let typo = line_starting(&run, "deploy.yaml:20:19: warning[unknown-action]: ");
    assert!(typo.contains("did you mean s3:GetObject?"), "{typo}");

    let wildcard = line_starting(&run, "deploy.yaml:20:32: warning[wildcard-action]: ");
    assert!(wildcard.contains("\"s3:Get*\""), "{wildcard}");

    let read_only = line_starting(&run, "deploy.yaml:22:22: warning[write-to-read-only]: ");
    assert!(
        read_only.contains("grants s3:DeleteObject to"),
        "{read_only}"
    );
    assert!(
        read_only.contains("\"auditors\" is read-only"),
        "{read_only}"
    );

    assert_eq!(run.stderr.matches("warning[").count(), 4, "{run}");
}

#[test]
fn validate_strict_turns_warnings_into_errors() {
    let ws = offline_workspace(SPEC);
    let run = ws.xacct(&["validate", "--strict"]);
    run.expect_code(1);
    line_starting(&run, "deploy.yaml:19:22: error[root-principal]: ");
    assert!(!run.stderr.contains("warning["), "{run}");
    assert!(
        run.stderr
            .contains("error: 4 lint findings in deploy.yaml (errors under --strict)"),
        "{run}"
    );
    assert!(!run.stdout.contains("is valid"), "{run}");
}

#[test]
fn a_clean_spec_passes_strict_silently() {
    let ws = offline_workspace(&format!(
        "{}buckets:\n  lint-data:\n    account: data\n    access:\n      - sid: QuiltRoles\n        \
         principals: [arn:aws:iam::{CONTROL}:role/QuiltLambdaRole]\n        \
         actions: [s3:GetObject, s3:ListBucket]\n",
        spec_accounts()
    ));
    let run = ws.xacct(&["validate", "--strict"]);
    run.expect_code(0);
    assert_eq!(run.stderr, "", "{run}");
}

#[test]
fn an_invalid_access_value_is_a_spec_error() {
    let ws = offline_workspace(&SPEC.replace("access: read-only", "access: readonly"));
    let run = ws.xacct(&["validate"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(
            "deploy.yaml:13:13: access \"readonly\" of account \"auditors\" must be one of: \
             read-only, read-write"
        ),
        "{run}"
    );
}

#[test]
fn plan_strict_with_spec_warnings_reads_nothing_from_aws() {
    let ws = offline_workspace(SPEC);
    let run = ws.xacct(&["plan", "--strict"]);
    run.expect_code(1);
    line_starting(&run, "deploy.yaml:22:22: error[write-to-read-only]: ");
    assert!(run.stderr.contains("nothing was read from AWS"), "{run}");
    // It stopped before connecting: the dead endpoint was never tried.
    assert!(!run.stderr.contains("cannot connect"), "{run}");
    assert!(!run.stderr.contains("cannot read"), "{run}");
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn the_shipped_examples_lint_as_documented() {
    let root = workspace_root();
    let least = root.join("examples/least-privilege-roles.yaml");
    let quickstart = root.join("examples/quickstart.yaml");
    let ws = Workspace::with_endpoint(DEAD_ENDPOINT);

    let run = ws.xacct(&["validate", "--strict", "-f", &least.display().to_string()]);
    run.expect_code(0);
    assert_eq!(
        run.stderr, "",
        "the least-privilege example is clean: {run}"
    );

    // The quickstart grants the whole control account, as the guide's first
    // step does: valid, with a root-principal warning and nothing else.
    let quickstart = quickstart.display().to_string();
    let run = ws.xacct(&["validate", "-f", &quickstart]);
    run.expect_code(0);
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(
        run.stderr
            .contains("warning[root-principal]: principal \"control\""),
        "{run}"
    );
    ws.xacct(&["validate", "--strict", "-f", &quickstart])
        .expect_code(1);
}

const BUCKET: &str = "lint-live-data";

/// Another team's statement granting an object action on the bucket ARN
/// only: AWS accepts it, and it grants nothing.
fn foreign_mismatch() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "SecurityTeamRead",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{CONTROL}:role/SecurityScanner")},
            "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{BUCKET}"),
        }]
    })
}

/// A spec with no spec warnings: named roles, known actions.
fn clean_spec() -> String {
    format!(
        "{}buckets:\n  {BUCKET}:\n    account: data\n    access:\n      - sid: QuiltRoles\n        \
         principals: [arn:aws:iam::{CONTROL}:role/QuiltLambdaRole]\n        \
         actions: [s3:GetObject, s3:ListBucket]\n",
        spec_accounts()
    )
}

fn warnings_of(run: &Run) -> Vec<Value> {
    let document: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("plan --format json is not JSON ({e}): {run}"));
    assert!(document["resource_changes"].is_array(), "{run}");
    document["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no warnings array: {run}"))
        .clone()
}

#[tokio::test]
async fn plan_warns_about_a_foreign_statement_that_grants_nothing_and_still_plans() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, BUCKET).await;
    emu.put_bucket_policy(DATA, BUCKET, &foreign_mismatch())
        .await;
    let ws = Workspace::new(&emu);
    ws.write_spec(&clean_spec());

    let run = ws.xacct(&["plan"]);
    run.expect_code(0);
    let line = line_starting(
        &run,
        &format!("s3_bucket_policy.{BUCKET}: warning[resource-mismatch]: "),
    );
    assert!(
        line.contains(
            "statement \"SecurityTeamRead\" (someone else's: its Sid does not start with \"Quilt\")"
        ),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            "allows s3:GetObject on arn:aws:s3:::{BUCKET} only"
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!("Add arn:aws:s3:::{BUCKET}/* to its Resource")),
        "{line}"
    );
    assert!(
        run.stdout
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "the plan is still made: {run}"
    );

    let json = ws.xacct(&["plan", "--format", "json"]);
    json.expect_code(0);
    let warnings = warnings_of(&json);
    assert_eq!(warnings.len(), 1, "{json}");
    assert_eq!(warnings[0]["rule"], "resource-mismatch");
    assert_eq!(warnings[0]["address"], format!("s3_bucket_policy.{BUCKET}"));
    assert_eq!(warnings[0]["sid"], "SecurityTeamRead");

    let markdown = ws.xacct(&["plan", "--format", "markdown"]);
    markdown.expect_code(0);
    assert!(markdown.stdout.contains("#### Warnings (1)"), "{markdown}");
    assert!(
        markdown.stdout.contains(&format!(
            "`s3_bucket_policy.{BUCKET}` **resource-mismatch**"
        )),
        "{markdown}"
    );

    // --strict: exit 1, and no plan is shown or saved that could be applied.
    let strict = ws.xacct(&["plan", "--strict", "--out", "lint.plan"]);
    strict.expect_code(1);
    line_starting(
        &strict,
        &format!("s3_bucket_policy.{BUCKET}: error[resource-mismatch]: "),
    );
    assert!(
        strict.stderr.contains("no plan was shown or saved"),
        "{strict}"
    );
    assert_eq!(strict.stdout, "", "{strict}");
    assert!(!ws.path().join("lint.plan").exists(), "{strict}");

    // Warnings do not block apply; the foreign statement is kept, so the
    // converged plan still warns about it.
    ws.apply();
    let policy = emu.get_bucket_policy(DATA, BUCKET).await.expect("policy");
    let mut kept = sids(&policy);
    kept.sort();
    assert_eq!(kept, ["QuiltRoles", "SecurityTeamRead"]);
    assert_converged(&ws);
    let run = ws.xacct(&["plan"]);
    assert!(run.stderr.contains("warning[resource-mismatch]"), "{run}");
}
