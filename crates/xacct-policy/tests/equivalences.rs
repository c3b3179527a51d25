//! The table of policy equivalences: pairs of documents that AWS treats as
//! the same policy (xacct must plan nothing between them, or it diffs
//! forever) and pairs that differ (xacct must not hide a real change). Each
//! row says where its verdict comes from:
//! - `iam-docs`: the IAM JSON policy reference (elements Version, Principal,
//!   Action/NotAction, Resource/NotResource, Condition and its operators);
//! - `returned`: what S3 GetBucketPolicy or SNS GetTopicAttributes give back
//!   for what was put (AWS rewrites the document on storage);
//! - `terraform`: shapes behind known perpetual-diff reports of the Terraform
//!   AWS provider (policies compared as text after AWS rewrote them);
//! - `never-returned`: a shape AWS does not give back for its counterpart,
//!   so the two need not compare equal; kept apart on purpose.

use serde_json::{json, Value};
use xacct_policy::PolicyDocument;

const BUCKET: &str = "arn:aws:s3:::data-bucket";
const GOV_BUCKET: &str = "arn:aws-us-gov:s3:::data-bucket";
const CN_BUCKET: &str = "arn:aws-cn:s3:::data-bucket";

struct Row {
    what: &'static str,
    source: &'static str,
    left: Value,
    right: Value,
    same: bool,
}

fn row(what: &'static str, source: &'static str, left: Value, right: Value, same: bool) -> Row {
    Row {
        what,
        source,
        left,
        right,
        same,
    }
}

/// One statement granting `principal` `action` on `resource`, as a document.
fn grant(principal: Value, action: Value, resource: Value) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "QuiltAccess",
            "Effect": "Allow",
            "Principal": principal,
            "Action": action,
            "Resource": resource,
        }]
    })
}

fn with_statement(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// A TLS-only Deny with the given `Condition`.
fn deny_with(condition: Value) -> Value {
    with_statement(json!({
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": format!("{BUCKET}/*"),
        "Condition": condition,
    }))
}

fn table() -> Vec<Row> {
    let root = "arn:aws:iam::111111111111:root";
    let aws = |principal: Value| json!({ "AWS": principal });
    vec![
        // Action case and wildcards.
        row(
            "action names differ only in case",
            "iam-docs: action names are case-insensitive; returned: S3 keeps the case written",
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            grant(aws(json!(root)), json!("S3:getobject"), json!(BUCKET)),
            true,
        ),
        row(
            "a wildcard action is not the actions it matches",
            "iam-docs: s3:Get* also allows every future Get action",
            grant(aws(json!(root)), json!("s3:Get*"), json!(BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            false,
        ),
        row(
            "the same wildcard in another case",
            "iam-docs: action names are case-insensitive",
            grant(aws(json!(root)), json!("s3:*"), json!(BUCKET)),
            grant(aws(json!(root)), json!("S3:*"), json!(BUCKET)),
            true,
        ),
        // One-element arrays versus scalars.
        row(
            "a one-element Action array and its scalar",
            "returned: S3 and SNS give back a scalar for a one-element array; terraform",
            grant(aws(json!(root)), json!(["s3:GetObject"]), json!(BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            true,
        ),
        row(
            "a one-element Resource and Principal array and their scalars",
            "returned: as above, for every element; terraform",
            grant(aws(json!([root])), json!("s3:GetObject"), json!([BUCKET])),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            true,
        ),
        row(
            "arrays in another order",
            "iam-docs: element values are sets; returned: S3 reorders them",
            grant(
                aws(json!(root)),
                json!(["s3:PutObject", "s3:GetObject"]),
                json!([format!("{BUCKET}/*"), BUCKET]),
            ),
            grant(
                aws(json!(root)),
                json!(["s3:GetObject", "s3:PutObject"]),
                json!([BUCKET, format!("{BUCKET}/*")]),
            ),
            true,
        ),
        // An account id versus the root ARN, per partition.
        row(
            "an account id and its root ARN (aws)",
            "returned: AWS stores a bare account id as arn:aws:iam::<id>:root; terraform",
            grant(aws(json!("111111111111")), json!("s3:GetObject"), json!(BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            true,
        ),
        row(
            "an account id and its root ARN (aws-us-gov)",
            "returned: in GovCloud the stored root ARN is arn:aws-us-gov:iam::<id>:root",
            grant(aws(json!("111111111111")), json!("s3:GetObject"), json!(GOV_BUCKET)),
            grant(
                aws(json!("arn:aws-us-gov:iam::111111111111:root")),
                json!("s3:GetObject"),
                json!(GOV_BUCKET),
            ),
            true,
        ),
        row(
            "an account id and its root ARN (aws-cn)",
            "returned: in China the stored root ARN is arn:aws-cn:iam::<id>:root",
            grant(aws(json!("111111111111")), json!("s3:GetObject"), json!(CN_BUCKET)),
            grant(
                aws(json!("arn:aws-cn:iam::111111111111:root")),
                json!("s3:GetObject"),
                json!(CN_BUCKET),
            ),
            true,
        ),
        row(
            "an account id is not the root ARN of another partition",
            "iam-docs: a principal names one partition; never-returned in a GovCloud policy",
            grant(aws(json!("111111111111")), json!("s3:GetObject"), json!(GOV_BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(GOV_BUCKET)),
            false,
        ),
        row(
            "root ARNs of two partitions",
            "iam-docs: arn:aws and arn:aws-us-gov are different accounts' namespaces",
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            grant(
                aws(json!("arn:aws-us-gov:iam::111111111111:root")),
                json!("s3:GetObject"),
                json!(BUCKET),
            ),
            false,
        ),
        row(
            "a root ARN is not a role of the same account",
            "iam-docs: the root principal delegates to the account, a role is one identity",
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            grant(
                aws(json!("arn:aws:iam::111111111111:role/QuiltLambdaRole")),
                json!("s3:GetObject"),
                json!(BUCKET),
            ),
            false,
        ),
        // "*" versus {"AWS": "*"}.
        row(
            "Principal \"*\" and {\"AWS\": \"*\"}",
            "iam-docs: both mean everyone in a resource-based policy",
            grant(json!("*"), json!("s3:GetObject"), json!(BUCKET)),
            grant(aws(json!("*")), json!("s3:GetObject"), json!(BUCKET)),
            true,
        ),
        // Version missing.
        row(
            "Version missing and 2008-10-17",
            "iam-docs: a policy without Version is read as 2008-10-17",
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}]}),
            json!({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}]}),
            true,
        ),
        row(
            "Version missing and 2012-10-17",
            "iam-docs: policy variables are only expanded under 2012-10-17",
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Subscribe", "Resource": "*"}]}),
            false,
        ),
        // Condition operator and key case.
        row(
            "condition keys differ only in case",
            "iam-docs: condition key names are case-insensitive",
            deny_with(json!({"Bool": {"aws:SecureTransport": "false"}})),
            deny_with(json!({"Bool": {"AWS:securetransport": "false"}})),
            true,
        ),
        row(
            "condition operators differ only in case",
            "never-returned: AWS keeps the operator as written and refuses unknown spellings, \
             so a differently cased operator is kept apart",
            deny_with(json!({"Bool": {"aws:SecureTransport": "false"}})),
            deny_with(json!({"bool": {"aws:SecureTransport": "false"}})),
            false,
        ),
        row(
            "StringEquals values differ in case",
            "iam-docs: StringEquals is case-sensitive (StringEqualsIgnoreCase is not)",
            deny_with(json!({"StringEquals": {"aws:PrincipalTag/team": "Data"}})),
            deny_with(json!({"StringEquals": {"aws:PrincipalTag/team": "data"}})),
            false,
        ),
        // Duplicate values.
        row(
            "duplicate values in an element",
            "iam-docs: values are a set; returned: S3 keeps duplicates as written",
            grant(aws(json!([root, root])), json!(["s3:GetObject", "s3:GetObject"]), json!(BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            true,
        ),
        // Condition values as strings versus booleans and numbers.
        row(
            "a boolean condition value and its string",
            "returned: AWS gives back \"false\" for false; terraform",
            deny_with(json!({"Bool": {"aws:SecureTransport": false}})),
            deny_with(json!({"Bool": {"aws:SecureTransport": "false"}})),
            true,
        ),
        row(
            "a number condition value and its string",
            "returned: AWS gives back \"1\" for 1; terraform",
            deny_with(json!({"NumericLessThan": {"s3:TlsVersion": 1.2}})),
            deny_with(json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}})),
            true,
        ),
        row(
            "true is not \"false\"",
            "iam-docs: different values",
            deny_with(json!({"Bool": {"aws:SecureTransport": true}})),
            deny_with(json!({"Bool": {"aws:SecureTransport": "false"}})),
            false,
        ),
        row(
            "condition values in another order, one-element list and scalar",
            "iam-docs: several values are ORed, a set; returned: scalars for one-element lists",
            deny_with(json!({"StringEquals": {"aws:SourceAccount": ["222222222222"]}})),
            deny_with(json!({"StringEquals": {"aws:SourceAccount": "222222222222"}})),
            true,
        ),
        // Sid empty versus missing.
        row(
            "Sid empty and Sid missing",
            "returned: S3 may give back \"Sid\": \"\" for a statement written without one; terraform",
            with_statement(json!({"Sid": "", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})),
            with_statement(json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})),
            true,
        ),
        row(
            "two different Sids",
            "iam-docs: the Sid names the statement; xacct's ownership is read from it",
            with_statement(json!({"Sid": "QuiltA", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})),
            with_statement(json!({"Sid": "QuiltB", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})),
            false,
        ),
        // NotPrincipal, NotAction and NotResource.
        row(
            "NotPrincipal is not Principal",
            "iam-docs: NotPrincipal matches everyone except the listed principals",
            with_statement(json!({"Effect": "Deny", "NotPrincipal": {"AWS": root}, "Action": "s3:*", "Resource": BUCKET})),
            with_statement(json!({"Effect": "Deny", "Principal": {"AWS": root}, "Action": "s3:*", "Resource": BUCKET})),
            false,
        ),
        row(
            "NotAction is not Action",
            "iam-docs: NotAction matches every action except the listed ones",
            with_statement(json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": BUCKET})),
            with_statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET})),
            false,
        ),
        row(
            "NotResource is not Resource",
            "iam-docs: NotResource matches every resource except the listed ones",
            with_statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": BUCKET})),
            with_statement(json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET})),
            false,
        ),
        row(
            "a NotAction one-element array and its scalar",
            "returned: the scalar rewrite applies to the Not elements too",
            with_statement(json!({"Effect": "Deny", "Principal": "*", "NotAction": ["s3:GetObject"], "Resource": BUCKET})),
            with_statement(json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": BUCKET})),
            true,
        ),
        // Whole documents.
        row(
            "statements and keys in another order",
            "returned: S3 reorders keys; iam-docs: statement order has no meaning",
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET},
                {"Resource": BUCKET, "Action": "s3:ListBucket", "Principal": "*", "Effect": "Allow", "Sid": "B"}
            ]}),
            json!({"Statement": [
                {"Sid": "B", "Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": BUCKET},
                {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET}
            ], "Version": "2012-10-17"}),
            true,
        ),
        row(
            "Allow is not Deny",
            "iam-docs: the effect decides",
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            with_statement(json!({"Sid": "QuiltAccess", "Effect": "Deny", "Principal": {"AWS": root}, "Action": "s3:GetObject", "Resource": BUCKET})),
            false,
        ),
        row(
            "bucket names differ in case",
            "iam-docs: resource ARNs match case-sensitively",
            grant(aws(json!(root)), json!("s3:GetObject"), json!(BUCKET)),
            grant(aws(json!(root)), json!("s3:GetObject"), json!("arn:aws:s3:::Data-Bucket")),
            false,
        ),
    ]
}

#[test]
fn every_pair_of_the_table_compares_as_aws_reads_it() {
    let mut wrong = Vec::new();
    for row in table() {
        let left = PolicyDocument::parse(&row.left.to_string())
            .unwrap_or_else(|error| panic!("{}: left side: {error}", row.what));
        let right = PolicyDocument::parse(&row.right.to_string())
            .unwrap_or_else(|error| panic!("{}: right side: {error}", row.what));
        let same = left.semantically_eq(&right);
        // Equality must not depend on which side is which.
        assert_eq!(same, right.semantically_eq(&left), "{}", row.what);
        if same != row.same {
            wrong.push(format!(
                "{} ({}): expected {}, compared {}",
                row.what,
                row.source,
                if row.same { "equal" } else { "different" },
                if same { "equal" } else { "different" },
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_covers_both_verdicts() {
    let table = table();
    assert!(table.len() >= 30, "{} rows", table.len());
    assert!(table.iter().any(|row| row.same));
    assert!(table.iter().any(|row| !row.same));
}
