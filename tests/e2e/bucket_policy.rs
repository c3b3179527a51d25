//! Managed statements of bucket policies: merged next to other people's
//! statements, compared by meaning, removed when they leave the spec.

use crate::support::{
    self, actions, assert_converged, aws_principals, deny_insecure_transport, sids, spec_accounts,
    statement_by_sid, statements, Emulator, Workspace, CONTROL, DATA, QUILT_ACTIONS,
};
use serde_json::{json, Value};

/// A foreign Allow without a Sid (an empty Sid is someone else's statement).
fn log_delivery_statement(bucket: &str) -> Value {
    json!({
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::{bucket}/logs/*"),
        "Condition": {"StringEquals": {"aws:SourceAccount": DATA}}
    })
}

fn lowercase(items: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(|a| a.to_ascii_lowercase()).collect();
    out.sort();
    out
}

fn resources(statement: &Value) -> Vec<String> {
    let mut out = support::string_list(statement.get("Resource"));
    out.sort();
    out
}

#[tokio::test]
async fn first_apply_keeps_foreign_statements_and_adds_ours() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "shared-data").await;
    emu.create_bucket(DATA, "fresh-data").await;

    let foreign_before = vec![
        deny_insecure_transport("shared-data"),
        log_delivery_statement("shared-data"),
    ];
    emu.put_bucket_policy(
        DATA,
        "shared-data",
        &json!({"Version": "2012-10-17", "Statement": foreign_before.clone()}),
    )
    .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 shared-data:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: quilt\n\
         \x20 fresh-data:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltSpecificRoleAccess\n\
         \x20       principals:\n\
         \x20         - arn:aws:iam::{CONTROL}:role/QuiltLambdaRole\n\
         \x20       actions: [s3:GetObject, s3:ListBucket, s3:PutObject]\n",
        spec_accounts()
    ));

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    assert!(
        plan.stdout.contains("s3_bucket_policy.shared-data")
            && plan.stdout.contains("s3_bucket_policy.fresh-data"),
        "plan names both policies: {plan}"
    );
    assert!(
        plan.stdout.contains("QuiltCrossAccountAccess"),
        "plan shows the new statement: {plan}"
    );
    assert!(
        !plan.stdout.contains("No changes."),
        "a plan with changes does not say No changes: {plan}"
    );
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "summary line: {plan}"
    );
    // Planning wrote nothing.
    assert_eq!(emu.get_bucket_policy(DATA, "fresh-data").await, None);

    let apply = ws.apply();
    assert!(
        apply
            .stdout
            .contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        "apply summary: {apply}"
    );

    let after = emu
        .get_bucket_policy(DATA, "shared-data")
        .await
        .expect("shared-data still has a policy");
    // Every foreign statement is still there, exactly, and in its order.
    let foreign_after: Vec<Value> = statements(&after)
        .into_iter()
        .filter(|s| {
            !s.get("Sid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .starts_with("Quilt")
        })
        .collect();
    assert_eq!(
        foreign_after, foreign_before,
        "foreign statements changed: {after:#}"
    );
    assert_eq!(statements(&after).len(), 3, "{after:#}");

    let ours = statement_by_sid(&after, "QuiltCrossAccountAccess").expect("our statement");
    assert_eq!(ours.get("Effect"), Some(&json!("Allow")));
    assert_eq!(actions(&ours), lowercase(&QUILT_ACTIONS));
    assert_eq!(
        aws_principals(&ours),
        vec![format!("arn:aws:iam::{CONTROL}:root")]
    );
    assert_eq!(
        resources(&ours),
        vec![
            "arn:aws:s3:::shared-data".to_string(),
            "arn:aws:s3:::shared-data/*".to_string()
        ]
    );

    let fresh = emu
        .get_bucket_policy(DATA, "fresh-data")
        .await
        .expect("fresh-data got a policy");
    assert_eq!(sids(&fresh), vec!["QuiltSpecificRoleAccess".to_string()]);
    let role = statement_by_sid(&fresh, "QuiltSpecificRoleAccess").unwrap();
    assert_eq!(
        actions(&role),
        lowercase(&["s3:GetObject", "s3:ListBucket", "s3:PutObject"])
    );
    assert_eq!(
        aws_principals(&role),
        vec![format!("arn:aws:iam::{CONTROL}:role/QuiltLambdaRole")]
    );

    assert_converged(&ws);
    // Converged also means: drift finds nothing.
    ws.xacct(&["drift"]).expect_code(0);
}

#[tokio::test]
async fn aws_normalised_rewrite_of_the_live_policy_is_no_change() {
    let emu = Emulator::start();
    emu.create_bucket(DATA, "normal-data").await;
    emu.put_bucket_policy(
        DATA,
        "normal-data",
        &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport("normal-data")]}),
    )
    .await;

    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n\
         \x20 normal-data:\n\
         \x20   account: data\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountAccess\n\
         \x20       principals: [control, \"arn:aws:iam::{CONTROL}:role/QuiltLambdaRole\"]\n\
         \x20       actions: quilt\n\
         \x20     - sid: QuiltReadOnly\n\
         \x20       principals: [\"{CONTROL}\"]\n\
         \x20       actions: [s3:GetObject]\n",
        spec_accounts()
    ));
    ws.apply();
    assert_converged(&ws);

    // What AWS might hand back for the same meaning: keys in another order,
    // statements shuffled, one-element arrays as scalars, an account principal
    // as a bare id, action names in other case, arrays in other order.
    let bucket_arn = "arn:aws:s3:::normal-data";
    let mut quilt_actions: Vec<String> = QUILT_ACTIONS
        .iter()
        .rev()
        .map(|a| {
            // "s3:GetObject" -> "S3:getobject" / "s3:GETOBJECT", alternating
            let (service, name) = a.split_once(':').unwrap();
            if name.len() % 2 == 0 {
                format!(
                    "{}:{}",
                    service.to_ascii_uppercase(),
                    name.to_ascii_lowercase()
                )
            } else {
                format!("{service}:{}", name.to_ascii_uppercase())
            }
        })
        .collect();
    quilt_actions.rotate_left(5);
    let rewritten = format!(
        r#"{{"Statement":[
            {{"Resource":["{bucket_arn}/*","{bucket_arn}"],"Action":"S3:GETOBJECT","Principal":{{"AWS":"{CONTROL}"}},"Effect":"Allow","Sid":"QuiltReadOnly"}},
            {{"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}},"Resource":["{bucket_arn}/*","{bucket_arn}"],"Action":"s3:*","Principal":"*","Effect":"Deny","Sid":"SecurityTeamDenyInsecureTransport"}},
            {{"Principal":{{"AWS":["arn:aws:iam::{CONTROL}:role/QuiltLambdaRole","{CONTROL}"]}},"Sid":"QuiltCrossAccountAccess","Resource":["{bucket_arn}/*","{bucket_arn}"],"Effect":"Allow","Action":{actions}}}
        ],"Version":"2012-10-17"}}"#,
        actions = serde_json::to_string(&quilt_actions).unwrap(),
    );
    let parsed: Value = serde_json::from_str(&rewritten).expect("rewritten policy is JSON");
    assert_eq!(statements(&parsed).len(), 3);
    emu.put_bucket_policy_text(DATA, "normal-data", &rewritten)
        .await;
    assert_eq!(
        emu.get_bucket_policy_text(DATA, "normal-data")
            .await
            .as_deref(),
        Some(rewritten.as_str()),
        "the emulator stores the rewritten text verbatim"
    );

    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "normalised policy must not diff: {plan}");
    assert!(plan.stdout.contains("No changes."), "{plan}");
    ws.xacct(&["drift"]).expect_code(0);
    assert_converged(&ws);
}

#[tokio::test]
async fn removing_grants_removes_only_those_statements() {
    let emu = Emulator::start();
    // gamma: foreign + two managed; delta: one managed, nothing else;
    // epsilon: foreign + one managed.
    for bucket in ["gamma-data", "delta-data", "epsilon-data"] {
        emu.create_bucket(DATA, bucket).await;
    }
    for bucket in ["gamma-data", "epsilon-data"] {
        emu.put_bucket_policy(
            DATA,
            bucket,
            &json!({"Version": "2012-10-17", "Statement": [deny_insecure_transport(bucket)]}),
        )
        .await;
    }

    let grant = |sid: &str, actions: &str| {
        format!(
            "\x20     - sid: {sid}\n\
             \x20       principals: [control]\n\
             \x20       actions: {actions}\n"
        )
    };
    let bucket = |name: &str, grants: &str| {
        if grants.is_empty() {
            format!("\x20 {name}:\n\x20   account: data\n\x20   access: []\n")
        } else {
            format!("\x20 {name}:\n\x20   account: data\n\x20   access:\n{grants}")
        }
    };
    let ws = Workspace::new(&emu);
    ws.write_spec(&format!(
        "{}buckets:\n{}{}{}",
        spec_accounts(),
        bucket(
            "gamma-data",
            &format!(
                "{}{}",
                grant("QuiltCrossAccountAccess", "quilt"),
                grant("QuiltReadOnly", "[s3:GetObject, s3:ListBucket]")
            )
        ),
        bucket("delta-data", &grant("QuiltReadOnly", "[s3:GetObject]")),
        bucket("epsilon-data", &grant("QuiltReadOnly", "[s3:GetObject]")),
    ));
    ws.apply();
    assert_converged(&ws);
    let gamma_before = emu.get_bucket_policy(DATA, "gamma-data").await.unwrap();
    assert_eq!(statements(&gamma_before).len(), 3, "{gamma_before:#}");
    let kept_before = statement_by_sid(&gamma_before, "QuiltCrossAccountAccess").unwrap();

    // Drop one grant on gamma, the only one on delta and on epsilon.
    ws.write_spec(&format!(
        "{}buckets:\n{}{}{}",
        spec_accounts(),
        bucket("gamma-data", &grant("QuiltCrossAccountAccess", "quilt")),
        bucket("delta-data", ""),
        bucket("epsilon-data", ""),
    ));
    let plan = ws.xacct(&["plan", "--detailed-exitcode"]);
    plan.expect_code(2);
    for expected in [
        "# s3_bucket_policy.gamma-data will be updated in-place",
        "# s3_bucket_policy.delta-data will be destroyed",
        "# s3_bucket_policy.epsilon-data will be destroyed",
        "QuiltReadOnly",
        "Plan: 0 to add, 1 to change, 2 to destroy.",
    ] {
        assert!(
            plan.stdout.contains(expected),
            "plan lacks {expected:?}: {plan}"
        );
    }
    assert!(
        !plan
            .stdout
            .contains("SecurityTeamDenyInsecureTransport will"),
        "{plan}"
    );

    ws.apply();

    let gamma = emu.get_bucket_policy(DATA, "gamma-data").await.unwrap();
    assert_eq!(
        sids(&gamma),
        vec![
            "SecurityTeamDenyInsecureTransport".to_string(),
            "QuiltCrossAccountAccess".to_string()
        ],
        "{gamma:#}"
    );
    assert_eq!(
        statement_by_sid(&gamma, "SecurityTeamDenyInsecureTransport"),
        Some(deny_insecure_transport("gamma-data"))
    );
    assert_eq!(
        statement_by_sid(&gamma, "QuiltCrossAccountAccess").map(|s| actions(&s)),
        Some(actions(&kept_before))
    );

    // The last managed statement of a policy with nothing else: policy deleted.
    assert_eq!(
        emu.get_bucket_policy_text(DATA, "delta-data").await,
        None,
        "delta-data's policy should be deleted (NoSuchBucketPolicy)"
    );
    // ... but a foreign statement keeps the policy alive, untouched.
    let epsilon = emu.get_bucket_policy(DATA, "epsilon-data").await.unwrap();
    assert_eq!(
        statements(&epsilon),
        vec![deny_insecure_transport("epsilon-data")]
    );

    assert_converged(&ws);
}
