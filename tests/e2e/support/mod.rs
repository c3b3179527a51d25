//! Shared harness of the end-to-end tests: a private `moto_server` per test,
//! SDK clients for emulated accounts, and a temporary workspace that runs the
//! real `xacct` binary with an environment sealed off from the developer's own
//! AWS configuration.
//!
//! `main.rs` declares it once; each test module uses a subset of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::types::{ObjectOwnership, OwnershipControls, OwnershipControlsRule};
use serde_json::Value;

/// The control account of every test world.
pub const CONTROL: &str = "111111111111";
/// The data account (owner of the buckets) of every test world.
pub const DATA: &str = "222222222222";
pub const REGION: &str = "us-east-1";
/// Base credentials; moto accepts anything, assumed roles pick the account.
pub const BASE_KEY: &str = "testing";
pub const BASE_SECRET: &str = "testing";

/// How long moto_server gets to answer its first request.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);

/// The role xacct (and the harness) assumes in an account.
pub fn deployer_role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/xacct-deployer")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// The emulator: `tests/emulator/moto_server.py` (moto plus the patches that
/// make it answer as AWS does) run by the virtualenv's python.
fn moto_server_command() -> (PathBuf, PathBuf) {
    let python = match std::env::var_os("XACCT_MOTO_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => workspace_root().join(".venv/bin/python"),
    };
    if !python.exists() {
        panic!(
            "the emulator's python is not at {}: run scripts/setup.sh first \
             (or set XACCT_MOTO_PYTHON)",
            python.display()
        );
    }
    (
        python,
        workspace_root().join("tests/emulator/moto_server.py"),
    )
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
    // the listener is dropped here; moto_server binds the port next.
}

/// True when something on `port` answers an HTTP request.
fn answers_http(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}

// ---------------------------------------------------------------------------
// Emulator
// ---------------------------------------------------------------------------

/// A private moto_server on a free port, killed when dropped.
pub struct Emulator {
    child: Child,
    port: u16,
    endpoint: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
    clients: Mutex<HashMap<String, aws_sdk_s3::Client>>,
}

impl Emulator {
    /// Starts moto_server and waits until it answers HTTP.
    pub fn start() -> Emulator {
        let (python, launcher) = moto_server_command();
        let dir = tempfile::Builder::new()
            .prefix("xacct-moto-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("moto.log");
        // The port may be taken between our probe and moto's bind; retry then.
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log_file = std::fs::File::create(&log).expect("create moto log");
            let log_err = log_file.try_clone().expect("clone log handle");
            let mut child = Command::new(&python)
                .arg(&launcher)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(log_file)
                .stderr(log_err)
                // moto must not pick up real credentials or settings either.
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ENDPOINT_URL")
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {}: {e}", python.display()));
            let deadline = Instant::now() + STARTUP_DEADLINE;
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!(
                        "moto_server exited with {status} before answering:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                    break;
                }
                if answers_http(port) {
                    return Emulator {
                        child,
                        port,
                        endpoint: format!("http://127.0.0.1:{port}"),
                        log,
                        _dir: dir,
                        clients: Mutex::new(HashMap::new()),
                    };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "moto_server did not answer on port {port} within {STARTUP_DEADLINE:?}:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("could not start moto_server: {last_error}");
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A plain HTTP GET on the emulator (for moto's own `/moto-api/` pages).
    pub fn http_get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        match response.split_once("\r\n\r\n") {
            Some((_, body)) => body.to_string(),
            None => response,
        }
    }

    /// Every role session moto's STS handed out: (role ARN, account id).
    /// moto does not isolate buckets by account (see `create_bucket`), so
    /// this is how a test can tell which role a run actually assumed.
    pub fn assumed_roles(&self) -> Vec<(String, String)> {
        let data: Value =
            serde_json::from_str(&self.http_get("/moto-api/data.json")).expect("moto data.json");
        data["sts"]["AssumedRole"]
            .as_array()
            .map(|roles| {
                roles
                    .iter()
                    .map(|r| {
                        (
                            r["role_arn"].as_str().unwrap_or_default().to_string(),
                            r["account_id"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// moto_server's request log so far (useful in assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn base_credentials() -> Credentials {
        Credentials::new(BASE_KEY, BASE_SECRET, None, None, "xacct-tests-base")
    }

    /// An STS client with the base (unassumed) credentials.
    pub fn sts_base(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_sts::config::Credentials::new(
                BASE_KEY,
                BASE_SECRET,
                None,
                None,
                "xacct-tests-base",
            ))
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    /// Credentials of `arn:aws:iam::<account>:role/xacct-deployer`, assumed
    /// with the base credentials (moto maps them to the role's account).
    pub async fn assume(&self, account: &str) -> Credentials {
        let out = self
            .sts_base()
            .assume_role()
            .role_arn(deployer_role(account))
            .role_session_name("xacct-tests")
            .send()
            .await
            .unwrap_or_else(|e| panic!("assume role in {account}: {e:?}"));
        let c = out.credentials().expect("assumed credentials");
        Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            None,
            "xacct-tests-assumed",
        )
    }

    /// An STS client acting as the deployer role of `account`.
    pub async fn sts(&self, account: &str) -> aws_sdk_sts::Client {
        let c = self.assume(account).await;
        let conf = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_sts::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                c.session_token().map(str::to_string),
                None,
                "xacct-tests-assumed",
            ))
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    /// An S3 client acting as the deployer role of `account` (path-style).
    pub async fn s3(&self, account: &str) -> aws_sdk_s3::Client {
        if let Some(client) = self.clients.lock().unwrap().get(account) {
            return client.clone();
        }
        let client = self.s3_in(account, REGION).await;
        self.clients
            .lock()
            .unwrap()
            .insert(account.to_string(), client.clone());
        client
    }

    /// Creates a bucket in `account` the way real AWS does today.
    ///
    /// Patch over moto: since April 2023 every new bucket on AWS gets Object
    /// Ownership `BucketOwnerEnforced`; moto creates buckets with no ownership
    /// rule at all (GetBucketOwnershipControls -> OwnershipControlsNotFound).
    /// Tests that rely on moto's default would exercise a state no fresh AWS
    /// bucket is in, so we put the AWS default explicitly.
    /// (The other account-separation gap, any account reaching any bucket, is
    /// closed where the emulator starts: MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false.)
    pub async fn create_bucket(&self, account: &str, bucket: &str) {
        self.create_bucket_with_ownership(account, bucket, Some("BucketOwnerEnforced"))
            .await
    }

    /// Creates a bucket with the given ownership rule (`None`: leave moto's
    /// "no ownership controls" state, i.e. a pre-2023 bucket).
    pub async fn create_bucket_with_ownership(
        &self,
        account: &str,
        bucket: &str,
        ownership: Option<&str>,
    ) {
        self.create_bucket_in(account, bucket, REGION, ownership)
            .await
    }

    pub async fn put_ownership(&self, account: &str, bucket: &str, ownership: &str) {
        put_ownership_with(&self.s3(account).await, bucket, ownership).await
    }

    /// The bucket's Object Ownership, or None when it has no ownership controls.
    pub async fn get_ownership(&self, account: &str, bucket: &str) -> Option<String> {
        ownership_with(&self.s3(account).await, bucket).await
    }

    /// Puts a bucket policy verbatim (a JSON value or raw text).
    pub async fn put_bucket_policy_text(&self, account: &str, bucket: &str, policy: &str) {
        let s3 = self.s3(account).await;
        s3.put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .send()
            .await
            .unwrap_or_else(|e| panic!("put bucket policy on {bucket}: {e:?}"));
    }

    pub async fn put_bucket_policy(&self, account: &str, bucket: &str, policy: &Value) {
        self.put_bucket_policy_text(account, bucket, &policy.to_string())
            .await
    }

    /// The bucket policy text, or None on NoSuchBucketPolicy.
    pub async fn get_bucket_policy_text(&self, account: &str, bucket: &str) -> Option<String> {
        bucket_policy_text_with(&self.s3(account).await, bucket).await
    }

    /// The bucket policy as JSON, or None on NoSuchBucketPolicy.
    pub async fn get_bucket_policy(&self, account: &str, bucket: &str) -> Option<Value> {
        self.get_bucket_policy_text(account, bucket)
            .await
            .map(|text| {
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("policy of {bucket} is not JSON ({e}): {text}"))
            })
    }

    pub async fn delete_bucket_policy(&self, account: &str, bucket: &str) {
        let s3 = self.s3(account).await;
        s3.delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("delete bucket policy of {bucket}: {e:?}"));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "---- last lines of moto_server log ({}) ----",
                self.endpoint
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Policy helpers
// ---------------------------------------------------------------------------

/// The statements of a policy document (Statement may be an object or array).
pub fn statements(policy: &Value) -> Vec<Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    }
}

pub fn statement_by_sid(policy: &Value, sid: &str) -> Option<Value> {
    statements(policy)
        .into_iter()
        .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
}

pub fn sids(policy: &Value) -> Vec<String> {
    statements(policy)
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// A string-or-array field as a list of strings.
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The actions of a statement, lower-cased and sorted.
pub fn actions(statement: &Value) -> Vec<String> {
    let mut out: Vec<String> = string_list(statement.get("Action"))
        .into_iter()
        .map(|a| a.to_ascii_lowercase())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The AWS principals of a statement, sorted, with bare account ids widened
/// to root ARNs.
pub fn aws_principals(statement: &Value) -> Vec<String> {
    let mut out: Vec<String> = string_list(statement.get("Principal").and_then(|p| p.get("AWS")))
        .into_iter()
        .map(|p| {
            if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                format!("arn:aws:iam::{p}:root")
            } else {
                p
            }
        })
        .collect();
    out.sort();
    out
}

/// The 14 actions of the `quilt` preset (DESIGN.md).
pub const QUILT_ACTIONS: [&str; 14] = [
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionTagging",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:GetBucketNotification",
    "s3:PutBucketNotification",
];

/// A foreign statement of the kind security teams add: deny non-TLS access.
pub fn deny_insecure_transport(bucket: &str) -> Value {
    serde_json::json!({
        "Sid": "SecurityTeamDenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

// ---------------------------------------------------------------------------
// Spec helpers
// ---------------------------------------------------------------------------

/// `version: 1` and the two accounts, both reached by assuming the deployer
/// role from the default chain (the static test credentials).
pub fn spec_accounts() -> String {
    format!(
        "version: 1\n\
         accounts:\n\
         \x20 control:\n\
         \x20   id: \"{CONTROL}\"\n\
         \x20   role_arn: {control_role}\n\
         \x20   region: {REGION}\n\
         \x20 data:\n\
         \x20   id: \"{DATA}\"\n\
         \x20   role_arn: {data_role}\n\
         \x20   region: {REGION}\n",
        control_role = deployer_role(CONTROL),
        data_role = deployer_role(DATA),
    )
}

/// One entry of a spec's `buckets:` section: a bucket of the data account,
/// with `object_ownership` when given and, when given, one `access:` grant
/// `(sid, actions)` to the control account (`actions` as YAML: `quilt`,
/// `[s3:GetObject]`).
pub fn data_bucket(name: &str, ownership: Option<&str>, grant: Option<(&str, &str)>) -> String {
    let mut yaml = format!("  {name}:\n    account: data\n");
    if let Some(ownership) = ownership {
        yaml += &format!("    object_ownership: {ownership}\n");
    }
    if let Some((sid, actions)) = grant {
        yaml += &format!(
            "    access:\n      - sid: {sid}\n        principals: [control]\n        actions: {actions}\n"
        );
    }
    yaml
}

/// A `sns_topics:` section with one topic of the data account named `topic`
/// (also its key), granting the control account `actions` (YAML list).
pub fn topic_spec(topic: &str, actions: &str) -> String {
    format!(
        "sns_topics:\n\
         \x20 {topic}:\n\
         \x20   account: data\n\
         \x20   name: {topic}\n\
         \x20   access:\n\
         \x20     - sid: QuiltCrossAccountSNSAccess\n\
         \x20       principals: [control]\n\
         \x20       actions: {actions}\n"
    )
}

/// The grant a Quilt catalog needs on its topic.
pub const TOPIC_ACTIONS: &str = "[sns:GetTopicAttributes, sns:Subscribe, sns:Unsubscribe]";

/// A whole spec: the two accounts and these `buckets:` entries.
pub fn spec_with_buckets(buckets: &[String]) -> String {
    format!("{}buckets:\n{}", spec_accounts(), buckets.concat())
}

// ---------------------------------------------------------------------------
// Workspace: a temp dir with deploy.yaml in which the binary runs
// ---------------------------------------------------------------------------

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
    fn base_env(&self) -> Vec<(String, String)> {
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

// ---------------------------------------------------------------------------
// Bucket notification helpers (s3_bucket_notification)
// ---------------------------------------------------------------------------

/// An SNS client acting as the deployer role of `account`.
pub async fn sns_client(emu: &Emulator, account: &str) -> aws_sdk_sns::Client {
    sns_client_in(emu, account, REGION).await
}

/// Creates a topic in `account` and returns its ARN.
pub async fn create_topic(emu: &Emulator, account: &str, name: &str) -> String {
    create_topic_in(emu, account, name, REGION).await
}

/// The topic's policy as JSON (a topic always has one).
pub async fn topic_policy_of(emu: &Emulator, account: &str, topic_arn: &str) -> Value {
    topic_policy_in(emu, account, REGION, topic_arn).await
}

/// The policy of a topic in `region`, as JSON.
pub async fn topic_policy_in(
    emu: &Emulator,
    account: &str,
    region: &str,
    topic_arn: &str,
) -> Value {
    let attributes = sns_client_in(emu, account, region)
        .await
        .get_topic_attributes()
        .topic_arn(topic_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get attributes of {topic_arn}: {e:?}"));
    let text = attributes
        .attributes()
        .and_then(|a| a.get("Policy"))
        .expect("a topic always has a policy");
    serde_json::from_str(text).expect("topic policy is JSON")
}

/// Adds a statement letting S3 publish from `bucket` to a topic that xacct
/// does not manage (as its owners would, so S3 accepts their notification).
pub async fn allow_s3_publish(emu: &Emulator, account: &str, topic_arn: &str, bucket: &str) {
    let mut policy = topic_policy_of(emu, account, topic_arn).await;
    policy["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(serde_json::json!({
            "Sid": "AllowS3Publish",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:s3:::{bucket}")}}
        }));
    sns_client(emu, account)
        .await
        .set_topic_attributes()
        .topic_arn(topic_arn)
        .attribute_name("Policy")
        .attribute_value(policy.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("set policy of {topic_arn}: {e:?}"));
}

/// A topic notification entry as another team would write it.
pub fn topic_notification(
    id: &str,
    topic_arn: &str,
    events: &[&str],
    prefix: Option<&str>,
) -> aws_sdk_s3::types::TopicConfiguration {
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, NotificationConfigurationFilter, S3KeyFilter,
        TopicConfiguration,
    };
    let filter = prefix.map(|prefix| {
        NotificationConfigurationFilter::builder()
            .key(
                S3KeyFilter::builder()
                    .filter_rules(
                        FilterRule::builder()
                            .name(FilterRuleName::Prefix)
                            .value(prefix)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    TopicConfiguration::builder()
        .id(id)
        .topic_arn(topic_arn)
        .set_events(Some(events.iter().map(|e| Event::from(*e)).collect()))
        .set_filter(filter)
        .build()
        .expect("topic configuration")
}

/// Replaces the bucket's whole notification configuration.
pub async fn put_notifications(
    emu: &Emulator,
    account: &str,
    bucket: &str,
    configuration: aws_sdk_s3::types::NotificationConfiguration,
) {
    emu.s3(account)
        .await
        .put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(configuration)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put notifications on {bucket}: {e:?}"));
}

/// The bucket's notification configuration as S3 returns it.
pub async fn get_notifications(
    emu: &Emulator,
    account: &str,
    bucket: &str,
) -> aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput
{
    emu.s3(account)
        .await
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get notifications of {bucket}: {e:?}"))
}

// ---------------------------------------------------------------------------
// Fault proxy helpers (tests/faults.rs, tests/request_counts.rs)
// ---------------------------------------------------------------------------

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

/// A CloudTrail client acting as the deployer role of `account`, talking to
/// the emulator directly.
pub async fn cloudtrail_client(emu: &Emulator, account: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudtrail::config::Region::new(REGION))
        .endpoint_url(emu.endpoint())
        .credentials_provider(emu.assume(account).await)
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

/// Creates a trail in `account` logging to a new bucket `<trail>-logs`.
pub async fn create_trail(emu: &Emulator, account: &str, trail: &str) -> String {
    let logs = format!("{trail}-logs");
    emu.create_bucket(account, &logs).await;
    cloudtrail_client(emu, account)
        .await
        .create_trail()
        .name(trail)
        .s3_bucket_name(&logs)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create trail {trail}: {e:?}"))
        .trail_arn()
        .expect("trail ARN")
        .to_string()
}

/// The trail's basic event selectors as stored.
pub async fn basic_selectors(
    emu: &Emulator,
    account: &str,
    trail: &str,
) -> Vec<aws_sdk_cloudtrail::types::EventSelector> {
    cloudtrail_client(emu, account)
        .await
        .get_event_selectors()
        .trail_name(trail)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get selectors of {trail}: {e:?}"))
        .event_selectors()
        .to_vec()
}

/// Puts basic event selectors on a trail (as another team would).
pub async fn put_basic_selectors(
    emu: &Emulator,
    account: &str,
    trail: &str,
    selectors: Vec<aws_sdk_cloudtrail::types::EventSelector>,
) {
    cloudtrail_client(emu, account)
        .await
        .put_event_selectors()
        .trail_name(trail)
        .set_event_selectors(Some(selectors))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put selectors on {trail}: {e:?}"));
}

/// A basic selector logging S3 object events of `values` (`arn:aws:s3:::b/`).
pub fn s3_basic_selector(values: &[&str]) -> aws_sdk_cloudtrail::types::EventSelector {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    EventSelector::builder()
        .read_write_type(ReadWriteType::All)
        .include_management_events(true)
        .data_resources(
            DataResource::builder()
                .r#type("AWS::S3::Object")
                .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
                .build(),
        )
        .build()
}

/// Another team's S3 object value on a trail.
pub const OTHER_TEAM_VALUE: &str = "arn:aws:s3:::other-team-bucket/";
/// Another team's Lambda data resource on a trail.
pub const AUDIT_FUNCTION: &str = "arn:aws:lambda:us-east-1:111111111111:function:audit";

/// Another team's basic selectors on a trail: their bucket's object events,
/// and read events of an audit function.
pub fn other_team_basic_selectors() -> Vec<aws_sdk_cloudtrail::types::EventSelector> {
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    vec![
        s3_basic_selector(&[OTHER_TEAM_VALUE]),
        EventSelector::builder()
            .read_write_type(ReadWriteType::ReadOnly)
            .include_management_events(false)
            .data_resources(
                DataResource::builder()
                    .r#type("AWS::Lambda::Function")
                    .values(AUDIT_FUNCTION)
                    .build(),
            )
            .build(),
    ]
}

// ---------------------------------------------------------------------------
// End of fault proxy helpers
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Multi-region helpers (tests/multi_region.rs): the helpers above all use
// REGION; these take one. With the s3_regions patch, a bucket answers only a
// client of its own region, as on AWS.
// ---------------------------------------------------------------------------

impl Emulator {
    /// An S3 client acting as the deployer role of `account`, sending to `region`.
    pub async fn s3_in(&self, account: &str, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(&self.endpoint)
            .credentials_provider(self.assume(account).await)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// Creates a bucket in `region` (LocationConstraint, as AWS needs outside
    /// us-east-1) with `ownership` (`None`: no ownership controls).
    pub async fn create_bucket_in(
        &self,
        account: &str,
        bucket: &str,
        region: &str,
        ownership: Option<&str>,
    ) {
        use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
        let s3 = self.s3_in(account, region).await;
        let location = (region != "us-east-1").then(|| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build()
        });
        s3.create_bucket()
            .bucket(bucket)
            .set_create_bucket_configuration(location)
            .send()
            .await
            .unwrap_or_else(|e| panic!("create bucket {bucket} in {region}: {e:?}"));
        if let Some(ownership) = ownership {
            put_ownership_with(&s3, bucket, ownership).await;
        }
    }
}

/// Puts an Object Ownership rule through `s3` (a client of the bucket's region).
pub async fn put_ownership_with(s3: &aws_sdk_s3::Client, bucket: &str, ownership: &str) {
    let rule = OwnershipControlsRule::builder()
        .object_ownership(ObjectOwnership::from(ownership))
        .build()
        .expect("ownership rule");
    let controls = OwnershipControls::builder()
        .rules(rule)
        .build()
        .expect("ownership controls");
    s3.put_bucket_ownership_controls()
        .bucket(bucket)
        .ownership_controls(controls)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put ownership {ownership} on {bucket}: {e:?}"));
}

/// The bucket's Object Ownership read through `s3`, or None when it has no
/// ownership controls.
pub async fn ownership_with(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    let result = s3
        .get_bucket_ownership_controls()
        .bucket(bucket)
        .send()
        .await;
    absent_on(
        result,
        "OwnershipControlsNotFoundError",
        &format!("get ownership of {bucket}"),
    )?
    .ownership_controls()
    .and_then(|c| c.rules().first())
    .map(|r| r.object_ownership().as_str().to_string())
}

/// The bucket's policy text; `None` when it has none.
pub async fn bucket_policy_text_with(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    let result = s3.get_bucket_policy().bucket(bucket).send().await;
    absent_on(
        result,
        "NoSuchBucketPolicy",
        &format!("get bucket policy of {bucket}"),
    )
    .map(|out| out.policy().unwrap_or_default().to_string())
}

/// The answer of a read, `None` when AWS says the document is absent with
/// `absent_code`; any other error fails the test, naming `what`.
pub fn absent_on<T, E>(result: Result<T, E>, absent_code: &str, what: &str) -> Option<T>
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
{
    match result {
        Ok(output) => Some(output),
        Err(error) if error.code() == Some(absent_code) => None,
        Err(error) => panic!("{what}: {error:?}"),
    }
}

/// An SNS client acting as the deployer role of `account`, in `region`.
pub async fn sns_client_in(emu: &Emulator, account: &str, region: &str) -> aws_sdk_sns::Client {
    let conf = aws_sdk_sns::Config::builder()
        .behavior_version(aws_sdk_sns::config::BehaviorVersion::latest())
        .region(aws_sdk_sns::config::Region::new(region.to_string()))
        .endpoint_url(emu.endpoint())
        .credentials_provider(emu.assume(account).await)
        .build();
    aws_sdk_sns::Client::from_conf(conf)
}

/// Creates a topic in `account` and `region`; returns its ARN.
pub async fn create_topic_in(emu: &Emulator, account: &str, name: &str, region: &str) -> String {
    sns_client_in(emu, account, region)
        .await
        .create_topic()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create topic {name} in {region}: {e:?}"))
        .topic_arn()
        .expect("a created topic has an ARN")
        .to_string()
}

// ---------------------------------------------------------------------------
// End of multi-region helpers
// ---------------------------------------------------------------------------
