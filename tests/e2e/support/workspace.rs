//! The workspace: a temp dir with `deploy.yaml` in which the real `xacct`
//! binary runs, with an environment sealed off from the developer's own AWS
//! configuration, and the `Run` each invocation returns.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::emulator::Emulator;
use super::{BASE_KEY, BASE_SECRET, REGION};

/// Exit code and output of one `xacct` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

impl Run {
    /// Panics with the full output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code of {self}");
        assert!(!self.stderr.contains("panicked"), "xacct panicked: {self}");
        self
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`xacct {}` (exit {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

pub struct Workspace {
    dir: tempfile::TempDir,
    endpoint: String,
    env: Vec<(String, String)>,
    removed: Vec<String>,
}

impl Workspace {
    /// A temp dir for `emu`, with empty AWS config and credentials files.
    pub fn new(emu: &Emulator) -> Workspace {
        Workspace::with_endpoint(emu.endpoint())
    }

    pub fn with_endpoint(endpoint: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("xacct-ws-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join(".aws")).expect("mkdir .aws");
        let ws = Workspace {
            dir,
            endpoint: endpoint.to_string(),
            env: Vec::new(),
            removed: Vec::new(),
        };
        ws.write_file(".aws/config", "");
        ws.write_file(".aws/credentials", "");
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn aws_config_path(&self) -> PathBuf {
        self.path().join(".aws/config")
    }

    pub fn aws_credentials_path(&self) -> PathBuf {
        self.path().join(".aws/credentials")
    }

    pub fn write_file(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text)
            .unwrap_or_else(|e| panic!("write {name}: {e}"));
    }

    /// (Re)writes `deploy.yaml`.
    pub fn write_spec(&self, yaml: &str) {
        self.write_file("deploy.yaml", yaml);
    }

    /// Sets an extra environment variable for every later run.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.removed.retain(|k| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Leaves a variable of the default environment out of every later run.
    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
        self.removed.push(key.to_string());
    }

    /// Writes a shared config file with `[profile <name>]` assuming
    /// `role_arn` from `[profile <source>]`, whose static credentials go in
    /// the shared credentials file. AWS_CONFIG_FILE and
    /// AWS_SHARED_CREDENTIALS_FILE already point at these files.
    pub fn write_role_profile(
        &self,
        name: &str,
        role_arn: &str,
        source: &str,
        access_key: &str,
        secret_key: &str,
    ) {
        self.write_file(
            ".aws/config",
            &format!(
                "[profile {source}]\nregion = {REGION}\n\n\
                 [profile {name}]\nrole_arn = {role_arn}\nsource_profile = {source}\nregion = {REGION}\n"
            ),
        );
        self.write_file(
            ".aws/credentials",
            &format!(
                "[{source}]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"
            ),
        );
    }

    /// The environment every run gets: nothing from the caller's environment
    /// except PATH, so no real AWS credentials, profile or config can leak in.
    pub fn base_env(&self) -> Vec<(String, String)> {
        let home = self.path().display().to_string();
        let mut env = vec![
            ("HOME".to_string(), home),
            ("NO_COLOR".to_string(), "1".to_string()),
            ("AWS_ENDPOINT_URL".to_string(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".to_string(), BASE_KEY.to_string()),
            ("AWS_SECRET_ACCESS_KEY".to_string(), BASE_SECRET.to_string()),
            ("AWS_REGION".to_string(), REGION.to_string()),
            ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
            (
                "AWS_CONFIG_FILE".to_string(),
                self.aws_config_path().display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE".to_string(),
                self.aws_credentials_path().display().to_string(),
            ),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".to_string(), path.to_string_lossy().into_owned()));
        }
        env
    }

    /// Sets up `cmd` to run in the workspace: cwd = temp dir, stdin null, and
    /// only the workspace's environment.
    pub fn prepare(&self, cmd: &mut Command) {
        cmd.current_dir(self.path())
            .stdin(Stdio::null())
            .env_clear();
        for (k, v) in self.base_env() {
            if !self.removed.contains(&k) {
                cmd.env(k, v);
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }

    /// Runs the `xacct` binary in the workspace (cwd = temp dir, stdin null).
    pub fn xacct(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xacct"));
        cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        self.prepare(&mut cmd);
        let out = cmd.output().expect("run xacct");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// `xacct apply --auto-approve`, asserting success.
    #[track_caller]
    pub fn apply(&self) -> Run {
        let run = self.xacct(&["apply", "--auto-approve"]);
        run.expect_code(0);
        assert!(
            run.stdout.contains("Apply complete!"),
            "apply did not report completion: {run}"
        );
        run
    }
}

/// The standing rule: right after a successful apply, the plan is empty.
#[track_caller]
pub fn assert_converged(ws: &Workspace) {
    let run = ws.xacct(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        run.code, 0,
        "plan after apply is not empty (standing rule): {run}"
    );
    assert!(
        run.stdout.contains("No changes."),
        "converged plan does not say `No changes.`: {run}"
    );
    assert!(!run.stderr.contains("panicked"), "xacct panicked: {run}");
}

/// A fault proxy in front of `emu` (its own thread; stopped when dropped),
/// configured by `configure` from a no-fault config, and a workspace whose
/// xacct runs talk to the emulator through it.
pub fn proxied_workspace(
    emu: &Emulator,
    configure: impl FnOnce(xacct_fault_proxy::Config) -> xacct_fault_proxy::Config,
) -> (xacct_fault_proxy::FaultProxy, Workspace) {
    let config = configure(xacct_fault_proxy::Config::new(emu.endpoint()));
    let proxy = xacct_fault_proxy::FaultProxy::start(config).expect("start the fault proxy");
    let ws = Workspace::with_endpoint(&proxy.endpoint());
    (proxy, ws)
}
