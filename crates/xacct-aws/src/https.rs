//! The HTTP client of xacct's two calls that are not to AWS: the Quilt
//! catalog's admin API and drift webhooks. The same hyper / rustls stack the
//! SDK uses, so no second TLS stack enters the build.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

pub(crate) type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for http and https URLs, with the system's TLS roots.
pub(crate) fn client() -> Result<HttpsClient, String> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|error| format!("no TLS roots: {error}"))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// A whole answer: status and body.
pub(crate) struct Answer {
    pub status: http::StatusCode,
    pub body: Bytes,
}

/// Why no answer came. Neither variant carries the request: its URL or
/// headers may hold a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoAnswer {
    CannotConnect,
    ConnectionLost,
    TimedOut,
}

impl NoAnswer {
    pub fn describe(self, timeout: Duration) -> String {
        match self {
            NoAnswer::CannotConnect => "cannot connect".into(),
            NoAnswer::ConnectionLost => "connection lost".into(),
            NoAnswer::TimedOut => format!("no answer within {}s", timeout.as_secs()),
        }
    }
}

/// Sends `request` and reads the whole answer within `timeout`.
pub(crate) async fn send(
    client: &HttpsClient,
    request: http::Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Answer, NoAnswer> {
    let exchange = async {
        let response = client.request(request).await.map_err(|error| {
            if error.is_connect() {
                NoAnswer::CannotConnect
            } else {
                NoAnswer::ConnectionLost
            }
        })?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| NoAnswer::ConnectionLost)?
            .to_bytes();
        Ok(Answer { status, body })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(NoAnswer::TimedOut))
}
