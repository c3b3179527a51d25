use serde_json::json;
use xacct_aws::Access;

use crate::commands::Status;
use crate::flags::{PermissionsArgs, PermissionsMode};
use crate::terminal;

/// An IAM policy allowing exactly the calls xacct makes (from xacct-aws's
/// own list, which a test keeps equal to the code's calls). Resources are
/// left as `*`: narrow them to your buckets, topics and trail.
pub fn exec(args: &PermissionsArgs) -> anyhow::Result<Status> {
    let prunes = match &args.file {
        Some(file) => xacct_reconcile::load(file)?
            .spec
            .accounts
            .values()
            .any(|account| account.prune),
        None => false,
    };
    let wanted = |access: Access| match (args.mode, access) {
        (PermissionsMode::Verify, Access::Prune) => false,
        (_, Access::Prune) => prunes,
        (PermissionsMode::Drift, access) => access == Access::Read,
        (PermissionsMode::Apply, access) => access != Access::Verify,
        (PermissionsMode::Verify, access) => access != Access::Write,
    };
    let mut statements = Vec::new();
    for (sid, prefix) in [
        ("XacctIdentity", "sts:"),
        ("XacctS3", "s3:"),
        ("XacctSns", "sns:"),
        ("XacctCloudTrail", "cloudtrail:"),
    ] {
        let mut actions: Vec<&str> = xacct_aws::operations()
            .filter(|operation| {
                wanted(operation.access) && operation.iam_action.starts_with(prefix)
            })
            .map(|operation| operation.iam_action)
            .collect();
        actions.sort();
        actions.dedup();
        if !actions.is_empty() {
            statements.push(json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            }));
        }
    }
    let policy = json!({ "Version": "2012-10-17", "Statement": statements });
    terminal::print(&format!("{policy:#}\n"))?;
    Ok(Status::Success)
}
