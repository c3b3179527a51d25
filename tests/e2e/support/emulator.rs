//! The emulator: a private `moto_server` per test on a free port, with
//! clients of the emulated accounts (STS, S3) and the S3 fixtures every test
//! world needs (buckets, their ownership and policies).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Mutex;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;

use super::s3::{bucket_policy_text_with, ownership_with, put_ownership_with};
use super::server::{answers_ok, start_server};
use super::{deployer_role, workspace_root, BASE_KEY, BASE_SECRET, REGION};

/// The virtualenv's python (scripts/setup.sh makes it): moto and the report
/// parsers the tests check xacct's output with.
pub fn venv_python() -> PathBuf {
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
    python
}

/// The emulator: `tests/emulator/moto_server.py` (moto plus the patches that
/// make it answer as AWS does) run by the virtualenv's python.
fn moto_server_command() -> (PathBuf, PathBuf) {
    (
        venv_python(),
        workspace_root().join("tests/emulator/moto_server.py"),
    )
}

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
        let command = |port: u16| {
            let mut command = Command::new(&python);
            command
                .arg(&launcher)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                // moto must not pick up real credentials or settings either.
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ENDPOINT_URL");
            command
        };
        let (child, port) = start_server("moto_server", &log, command, |port| {
            answers_ok(port, "/moto-api/")
        });
        Emulator {
            child,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
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

    /// Requests moto served since log offset `from` (one line each). moto
    /// logs a request just after answering it, so wait until the log stops
    /// growing.
    pub fn requests_since(&self, from: usize) -> Vec<String> {
        let mut log = self.log();
        for _ in 0..50 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let again = self.log();
            if again == log {
                break;
            }
            log = again;
        }
        log[from..]
            .lines()
            .filter(|line| line.contains(" HTTP/1.1"))
            .map(str::to_string)
            .collect()
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

    /// An S3 client acting as the deployer role of `account`, sending to `region`.
    /// With the s3_regions patch a bucket answers only a client of its own
    /// region, as on AWS.
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
