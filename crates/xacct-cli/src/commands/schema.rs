use crate::commands::Status;

pub fn exec() -> anyhow::Result<Status> {
    println!("{:#}", xacct_spec::json_schema());
    Ok(Status::Success)
}
