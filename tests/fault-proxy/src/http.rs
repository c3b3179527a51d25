//! The HTTP/1.1 plumbing: accept loop, one task per client connection
//! (keep-alive), request and response framing by Content-Length, chunked
//! transfer coding or (responses only) end of stream. Bodies are forwarded
//! byte for byte; one fresh upstream connection per forwarded request.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::classify::{classify, RequestView};
use crate::fault::{error_response, Fault};
use crate::Shared;

/// Largest request or response head accepted.
const MAX_HEAD: usize = 64 * 1024;

pub(crate) async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fault-proxy: cannot listen: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(handle_client(stream, shared.clone()));
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// A stream with a read buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Reads more into the buffer; false at end of stream.
    async fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The head up to and including the blank line; None on a clean end of
    /// stream before any byte.
    async fn read_head(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(pos) = find(&self.buf, b"\r\n\r\n") {
                let rest = self.buf.split_off(pos + 4);
                return Ok(Some(std::mem::replace(&mut self.buf, rest)));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
            }
            if !self.fill().await? {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    async fn read_exact(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        let rest = self.buf.split_off(n);
        Ok(std::mem::replace(&mut self.buf, rest))
    }

    async fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(pos) = find(&self.buf, b"\r\n") {
                let rest = self.buf.split_off(pos + 2);
                return Ok(std::mem::replace(&mut self.buf, rest));
            }
            if self.buf.len() > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            if !self.fill().await? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        Ok(std::mem::take(&mut self.buf))
    }

    /// A chunked body: (raw bytes as on the wire, decoded payload).
    async fn read_chunked(&mut self) -> io::Result<(Vec<u8>, Vec<u8>)> {
        let mut raw = Vec::new();
        let mut decoded = Vec::new();
        loop {
            let line = self.read_line().await?;
            raw.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            let size_text = text.trim().split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                loop {
                    let trailer = self.read_line().await?;
                    raw.extend_from_slice(&trailer);
                    if trailer == b"\r\n" {
                        return Ok((raw, decoded));
                    }
                }
            }
            let data = self.read_exact(size + 2).await?;
            decoded.extend_from_slice(&data[..size]);
            raw.extend_from_slice(&data);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A parsed head: first line split in three, headers in order.
struct Head {
    first: [String; 3],
    headers: Vec<(String, String)>,
}

impl Head {
    fn parse(bytes: &[u8]) -> io::Result<Head> {
        let text = String::from_utf8_lossy(bytes);
        let mut lines = text.split("\r\n");
        let first_line = lines.next().unwrap_or_default();
        let mut parts = first_line.splitn(3, ' ');
        let first = [
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
        ];
        if first[1].is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "bad first line"));
        }
        let headers = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        Ok(Head { first, headers })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn is_chunked(&self) -> bool {
        self.has_token("transfer-encoding", "chunked")
    }

    fn content_length(&self) -> io::Result<Option<usize>> {
        match self.header("content-length") {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length")),
        }
    }

    fn to_bytes(&self, skip: &[&str]) -> Vec<u8> {
        let mut out = self.first.join(" ");
        out.push_str("\r\n");
        for (k, v) in &self.headers {
            if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        out.push_str("\r\n");
        out.into_bytes()
    }
}

/// Closes the connection with a TCP reset (SO_LINGER 0), no answer.
fn reset(conn: Conn) {
    let _ = conn.stream.set_zero_linger();
    drop(conn);
}

async fn handle_client(stream: TcpStream, shared: Arc<Shared>) {
    let mut client = Conn::new(stream);
    loop {
        match one_request(&mut client, &shared).await {
            Ok(Next::KeepAlive) => continue,
            Ok(Next::Close) => {
                let _ = client.stream.shutdown().await;
                return;
            }
            Ok(Next::Reset) => {
                reset(client);
                return;
            }
            Err(_) => return,
        }
    }
}

enum Next {
    KeepAlive,
    Close,
    Reset,
}

async fn one_request(client: &mut Conn, shared: &Shared) -> io::Result<Next> {
    let Some(head_bytes) = client.read_head().await? else {
        return Ok(Next::Close);
    };
    let head = Head::parse(&head_bytes)?;
    let client_close = head.has_token("connection", "close")
        || (head.first[2].eq_ignore_ascii_case("HTTP/1.0")
            && !head.has_token("connection", "keep-alive"));
    let keep = |close: bool| {
        if close || client_close {
            Next::Close
        } else {
            Next::KeepAlive
        }
    };

    // The proxy's own endpoint: not forwarded, not counted.
    if head.first[1].starts_with("/__proxy/stats") {
        shared.dump();
        let body = shared.stats().to_json();
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        client.stream.write_all(response.as_bytes()).await?;
        return Ok(keep(false));
    }

    let expects_continue = head.has_token("expect", "100-continue");
    if expects_continue {
        client
            .stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await?;
    }
    let (raw_body, body) = if head.is_chunked() {
        client.read_chunked().await?
    } else {
        let n = head.content_length()?.unwrap_or(0);
        let raw = client.read_exact(n).await?;
        (raw.clone(), raw)
    };

    let op = classify(&RequestView {
        method: &head.first[0],
        target: &head.first[1],
        headers: &head.headers,
        body: &body,
    });
    let config = shared.config();
    let fault = shared.admit(&op, &config);
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }

    match fault {
        Fault::Throttle | Fault::InternalError => {
            shared.record(&op, fault.outcome(), true);
            let canned = error_response(&op.service, fault, &shared.request_id())
                .expect("throttle and 500 have canned answers");
            client.stream.write_all(&canned.to_bytes()).await?;
            Ok(keep(false))
        }
        Fault::ResetBefore => {
            shared.record(&op, fault.outcome(), true);
            Ok(Next::Reset)
        }
        Fault::None | Fault::ResetAfter => {
            let skip: &[&str] = if expects_continue { &["expect"] } else { &[] };
            let mut request = head.to_bytes(skip);
            request.extend_from_slice(&raw_body);
            match forward(&config.upstream, &request, &head.first[0]).await {
                Ok((response, upstream_closed)) => {
                    if fault == Fault::ResetAfter {
                        shared.record(&op, fault.outcome(), true);
                        return Ok(Next::Reset);
                    }
                    shared.record(&op, fault.outcome(), false);
                    client.stream.write_all(&response).await?;
                    Ok(keep(upstream_closed))
                }
                Err(e) => {
                    shared.record(&op, "upstream_error", false);
                    let body = format!("fault-proxy: upstream {}: {e}\n", config.upstream);
                    let response = format!(
                        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    client.stream.write_all(response.as_bytes()).await?;
                    Ok(keep(false))
                }
            }
        }
    }
}

/// Sends one request on a fresh upstream connection and reads the whole
/// response: (bytes to relay, whether it was delimited by end of stream or
/// carried `Connection: close`, so the client connection must close too).
async fn forward(upstream: &str, request: &[u8], method: &str) -> io::Result<(Vec<u8>, bool)> {
    let stream = TcpStream::connect(upstream).await?;
    let _ = stream.set_nodelay(true);
    let mut conn = Conn::new(stream);
    conn.stream.write_all(request).await?;
    loop {
        let head_bytes = conn
            .read_head()
            .await?
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        let head = Head::parse(&head_bytes)?;
        let status: u16 = head.first[1].parse().unwrap_or(0);
        if (100..200).contains(&status) && status != 101 {
            continue; // interim answers: the client already had its 100 Continue
        }
        let mut out = head_bytes;
        let close = head.has_token("connection", "close");
        let no_body =
            method.eq_ignore_ascii_case("HEAD") || status == 204 || status == 304 || status < 200;
        if no_body {
            return Ok((out, close));
        }
        if head.is_chunked() {
            let (raw, _) = conn.read_chunked().await?;
            out.extend_from_slice(&raw);
            return Ok((out, close));
        }
        if let Some(n) = head.content_length()? {
            out.extend_from_slice(&conn.read_exact(n).await?);
            return Ok((out, close));
        }
        out.extend_from_slice(&conn.read_to_end().await?);
        return Ok((out, true));
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    use crate::{Config, FaultProxy, FaultRates, Operation};

    /// A fake upstream answering `n_conns` connections, each with one
    /// response per request (Content-Length framed, or chunked for
    /// `/chunked`), echoing the request body length.
    fn fake_upstream() -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            listener.set_nonblocking(false).unwrap();
            for stream in listener.incoming().take(4) {
                let mut s = stream.unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // read head
                let head_end = loop {
                    let n = s.read(&mut chunk).unwrap();
                    if n == 0 {
                        break None;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(p) = super::find(&buf, b"\r\n\r\n") {
                        break Some(p + 4);
                    }
                };
                let Some(head_end) = head_end else { continue };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    let n = s.read(&mut chunk).unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                }
                seen.push(head.lines().next().unwrap().to_string());
                let response = if head.starts_with("GET /chunked") {
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                        .to_string()
                } else {
                    let body = format!("got {len}");
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                };
                s.write_all(response.as_bytes()).unwrap();
            }
            seen
        });
        (addr, handle)
    }

    fn read_response(s: &mut TcpStream) -> String {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap();
            assert!(
                n > 0,
                "connection closed early: {:?}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(p) = text.find("\r\n\r\n") {
                if text.contains("chunked") {
                    if text.ends_with("0\r\n\r\n") {
                        return text;
                    }
                    continue;
                }
                let len: usize = text[..p]
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if buf.len() >= p + 4 + len {
                    return text;
                }
            }
        }
    }

    #[test]
    fn forwards_keep_alive_chunked_and_counts() {
        let (upstream, handle) = fake_upstream();
        let proxy = FaultProxy::start(Config::new(&upstream)).unwrap();
        let mut s = TcpStream::connect(proxy.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let auth = "Authorization: AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x\r\n";
        // 1: Content-Length body on a kept-alive connection.
        s.write_all(
            format!("PUT /b?policy HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 5\r\n\r\nhello")
                .as_bytes(),
        )
        .unwrap();
        assert!(read_response(&mut s).ends_with("got 5"));
        // 2: a chunked request body, same connection.
        s.write_all(
            format!("PUT /b/key HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
        assert!(read_response(&mut s).ends_with("got 0"));
        // 3: a chunked response.
        s.write_all(format!("GET /chunked HTTP/1.1\r\nHost: x\r\n{auth}\r\n").as_bytes())
            .unwrap();
        assert!(read_response(&mut s).ends_with("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
        // The stats endpoint is answered by the proxy itself.
        s.write_all(b"GET /__proxy/stats HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let stats = read_response(&mut s);
        assert!(stats.contains("\"s3:PutBucketPolicy\": 1"), "{stats}");
        drop(s);

        let st = proxy.stats();
        assert_eq!(st.count("s3", "PutBucketPolicy"), 1);
        assert_eq!(st.count("s3", "PutObject"), 1);
        assert_eq!(st.count("s3", "ListObjects"), 1);
        assert_eq!(st.outcome("forwarded"), 3);
        assert_eq!(st.writes().len(), 2);
        drop(proxy);
        // Unblock the upstream's accept loop.
        for _ in 0..2 {
            let _ = TcpStream::connect(&upstream);
        }
        let seen = handle.join().unwrap();
        assert_eq!(seen[0], "PUT /b?policy HTTP/1.1");
    }

    #[test]
    fn throttles_and_resets_without_forwarding() {
        // An upstream that must never be reached.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let upstream = listener.local_addr().unwrap().to_string();
        let proxy = FaultProxy::start(
            Config::new(&upstream)
                .rates(FaultRates::new(1.0, 0.0, 0.0))
                .seed(3),
        )
        .unwrap();
        let mut s = TcpStream::connect(proxy.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let request = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors\r\nContent-Length: 2\r\n\r\n{}";
        s.write_all(request.as_bytes()).unwrap();
        let r = read_response(&mut s);
        assert!(r.starts_with("HTTP/1.1 400"), "{r}");
        assert!(r.contains("ThrottlingException"), "{r}");

        proxy.set_rates(FaultRates {
            reset_before: 1.0,
            ..FaultRates::none()
        });
        s.write_all(request.as_bytes()).unwrap();
        let mut buf = [0u8; 16];
        let got = s.read(&mut buf);
        assert!(
            matches!(got, Ok(0) | Err(_)),
            "a reset connection answers nothing: {got:?}"
        );
        let st = proxy.stats();
        assert_eq!(st.count("cloudtrail", "GetEventSelectors"), 2);
        assert_eq!(st.outcome("throttled"), 1);
        assert_eq!(st.outcome("reset_before"), 1);
        assert_eq!(
            st.faults_by_operation
                .get(&(
                    Operation::new("cloudtrail", "GetEventSelectors"),
                    "throttled".to_string()
                ))
                .copied(),
            Some(1)
        );
    }
}
