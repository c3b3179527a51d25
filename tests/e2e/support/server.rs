//! Starting the tests' local servers (the emulator, the catalog stand-in):
//! a child process on a free port, its output in a log file, waited for
//! until it answers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server gets to answer its first request.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);

pub(super) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
    // the listener is dropped here; the server binds the port next.
}

/// Starts `command(port)` (stdout and stderr to `log`) on a free port until
/// `ready(port)`; the port may be taken between the probe and the server's
/// bind, so it is tried three times. Panics with the log when it never answers.
pub(super) fn start_server(
    name: &str,
    log: &Path,
    command: impl Fn(u16) -> Command,
    ready: impl Fn(u16) -> bool,
) -> (Child, u16) {
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let port = free_port();
        let log_file = std::fs::File::create(log).expect("create the server log");
        let log_err = log_file.try_clone().expect("clone log handle");
        let mut child = command(port)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let deadline = Instant::now() + STARTUP_DEADLINE;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                last_error = format!(
                    "{name} exited with {status} before answering:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
                break;
            }
            if ready(port) {
                return (child, port);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{name} did not answer on port {port} within {STARTUP_DEADLINE:?}:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    panic!("could not start {name}: {last_error}");
}

/// True when a server on `port` answers `GET path` with 200.
pub(super) fn answers_ok(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200 ") || response.starts_with("HTTP/1.0 200 ")
}
