use crate::commands::Status;

pub fn exec() -> anyhow::Result<Status> {
    crate::terminal::print(&format!("{:#}\n", xacct_spec::json_schema()))?;
    Ok(Status::Success)
}
