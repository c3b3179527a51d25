//! `xacct export <format>`: the spec's desired state in another tool's
//! format, offline (nothing is read from AWS).

use anyhow::Context;
use xacct_engine::export::cloudformation::{self, StackSelection};

use crate::commands::Status;
use crate::flags::{CloudFormationArgs, ExportFormat};

pub fn exec(format: &ExportFormat) -> anyhow::Result<Status> {
    match format {
        ExportFormat::CloudFormation(args) => exec_cloudformation(args),
    }
}

fn exec_cloudformation(args: &CloudFormationArgs) -> anyhow::Result<Status> {
    let spec = xacct_reconcile::load(&args.spec.file)?.spec;
    let resources = xacct_engine::desired(&spec).map_err(|errors| {
        anyhow::anyhow!(
            "{}",
            xacct_reconcile::Problems::new("cannot export", errors)
        )
    })?;
    let selection = StackSelection {
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let template = cloudformation::template(&resources, &spec.sid_prefix, &selection)?;
    for address in &template.left_out {
        eprintln!("note: {address} is left out: the spec declares no statement in it");
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, &template.text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "Wrote the CloudFormation template for {} to {}.",
                template.stack,
                path.display()
            );
        }
        None => crate::terminal::print(&template.text)?,
    }
    Ok(Status::Success)
}
