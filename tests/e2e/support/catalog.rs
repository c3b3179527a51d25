//! The Quilt catalog stand-in: `tests/catalog/catalog_server.py` (its admin
//! GraphQL API and reindex endpoint) on a free port next to a test's
//! emulator, acting as the control account, with blocking helpers to read
//! and change what it holds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command};

use serde_json::{json, Value};

use super::emulator::{venv_python, Emulator};
use super::server::{answers_ok, start_server};
use super::{workspace_root, BASE_KEY, BASE_SECRET, CONTROL, REGION};

/// The stand-in's admin API key: shaped like a Quilt key and found nowhere
/// else, so a test can search any output or file for it.
pub const CATALOG_KEY: &str = "qk_test_xacctStandin_4fJ9wQ2rZt7LmX8c";

/// The one refresh token the stand-in's `/api/token` exchanges (once: it
/// answers with a new one), as a `quilt3 login` session holds it.
pub const CATALOG_REFRESH_TOKEN: &str = "rt_test_xacctStandin_9aQ3";

/// The BucketConfig fields `bucketUpdate` takes: all but `name` and
/// `lastIndexed`. The stand-in, as the catalog, replaces every one of them.
const UPDATE_FIELDS: [&str; 14] = [
    "title",
    "iconUrl",
    "description",
    "linkedData",
    "overviewUrl",
    "tags",
    "relevanceScore",
    "snsNotificationArn",
    "scannerParallelShardsDepth",
    "skipMetaDataIndexing",
    "fileExtensionsToIndex",
    "indexContentBytes",
    "browsable",
    "prefixes",
];

/// A private catalog stand-in, killed when dropped.
pub struct Catalog {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Catalog {
    /// Starts the stand-in against `emu` (its checks run as the control
    /// account's `QuiltCatalogRole`) and waits until it answers.
    pub fn start(emu: &Emulator) -> Catalog {
        let python = venv_python();
        let server = workspace_root().join("tests/catalog/catalog_server.py");
        let dir = tempfile::Builder::new()
            .prefix("xacct-catalog-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("catalog.log");
        let command = |port: u16| {
            let mut command = Command::new(&python);
            command
                .arg(&server)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--aws-endpoint", emu.endpoint()])
                .args(["--control-account", CONTROL, "--region", REGION])
                .env("CATALOG_STANDIN_API_KEY", CATALOG_KEY)
                .env("CATALOG_STANDIN_REFRESH_TOKEN", CATALOG_REFRESH_TOKEN)
                // The emulator's base credentials and nothing of the developer's.
                .env("AWS_ACCESS_KEY_ID", BASE_KEY)
                .env("AWS_SECRET_ACCESS_KEY", BASE_SECRET)
                .env("AWS_CONFIG_FILE", dir.path().join("no-aws-config"))
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    dir.path().join("no-aws-credentials"),
                )
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_DEFAULT_PROFILE")
                .env_remove("AWS_ENDPOINT_URL");
            command
        };
        let (child, port) = start_server("the catalog stand-in", &log, command, |port| {
            answers_ok(port, "/healthz")
        });
        Catalog {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    /// The registry's base URL (no trailing slash): GraphQL at `/graphql`,
    /// the REST API under `/api`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The stand-in's log so far: one line per request (never a header) and
    /// one per mutation with its answer.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// One request with the admin key; the status and the body.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the catalog stand-in");
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Authorization: Bearer {CATALOG_KEY}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let (head, body) = response
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("{method} {path}: not an HTTP response: {response}"));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("{method} {path}: no status in {head}"));
        (status, body.to_string())
    }

    /// A GraphQL request with the admin key; the response document (`data`
    /// and/or `errors`) whatever the status (400 for documents that do not
    /// validate).
    pub fn graphql(&self, query: &str, variables: Value) -> Value {
        let request = json!({"query": query, "variables": variables});
        let (status, body) = self.request("POST", "/graphql", Some(&request));
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "the catalog stand-in answered {status} without JSON ({e}): {body}\n{}",
                self.log()
            )
        })
    }

    /// The bucket's configuration, every field, or None when the catalog
    /// does not list it.
    pub fn bucket_config(&self, name: &str) -> Option<Value> {
        let query = format!(
            "query($name: String!) {{ bucketConfig(name: $name) {{ name lastIndexed {} }} }}",
            UPDATE_FIELDS.join(" ")
        );
        let answer = self.graphql(&query, json!({ "name": name }));
        assert!(
            answer.get("errors").is_none(),
            "bucketConfig({name}): {answer}"
        );
        let config = &answer["data"]["bucketConfig"];
        (!config.is_null()).then(|| config.clone())
    }

    /// Changes the bucket's configuration behind xacct's back, as an admin
    /// would in the catalog: `fields` (an object of `bucketUpdate` input
    /// fields) over the configuration as read, every other field sent back
    /// unchanged.
    pub fn set_fields(&self, name: &str, fields: &Value) {
        let config = self
            .bucket_config(name)
            .unwrap_or_else(|| panic!("{name} is not in the catalog"));
        let mut input: serde_json::Map<String, Value> = UPDATE_FIELDS
            .iter()
            .map(|field| (field.to_string(), config[*field].clone()))
            .collect();
        let changes = fields
            .as_object()
            .unwrap_or_else(|| panic!("set_fields takes an object of fields, not {fields}"));
        for (field, value) in changes {
            assert!(
                UPDATE_FIELDS.contains(&field.as_str()),
                "bucketUpdate sets no field {field:?}"
            );
            input.insert(field.clone(), value.clone());
        }
        let answer = self.graphql(
            "mutation($name: String!, $input: BucketUpdateInput!) { \
             bucketUpdate(name: $name, input: $input) { \
             __typename ... on InsufficientPermissions { message } } }",
            json!({ "name": name, "input": input }),
        );
        assert_eq!(
            answer["data"]["bucketUpdate"]["__typename"],
            "BucketUpdateSuccess",
            "set {fields} on {name}: {answer}\n{}",
            self.log()
        );
    }

    /// The reindex requests received so far, in order:
    /// `[{"bucket": .., "prefix": .., "repair": ..}]`.
    pub fn reindexed(&self) -> Value {
        let (status, body) = self.request("GET", "/_standin/reindexed", None);
        assert_eq!(status, 200, "GET /_standin/reindexed: {body}");
        serde_json::from_str(&body).expect("reindex requests are JSON")
    }
}

impl Drop for Catalog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "---- last lines of the catalog stand-in's log ({}) ----",
                self.url()
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
