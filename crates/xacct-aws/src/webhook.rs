//! Posting a drift alert to a
//! webhook (Slack-style incoming webhooks and the like). Such URLs carry
//! their secret in the path, so a URL is only ever shown as its scheme and
//! host.

use std::time::Duration;

use http_body_util::Full;

use crate::https;

/// How long one attempt may take, connection included.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts in all: the first and one retry.
const ATTEMPTS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the notification URL is not an http(s) URL ({0})")]
    BadUrl(String),
    #[error("cannot notify {target}: {reason} (after {attempts} attempts)")]
    Failed {
        /// Scheme and host only.
        target: String,
        reason: String,
        attempts: u32,
    },
}

/// POSTs `body` (JSON) to `url`, retrying once on a failure or a 5xx/429.
pub async fn post_json(url: &str, body: &serde_json::Value) -> Result<(), WebhookError> {
    let uri: http::Uri = url.parse().map_err(|_| WebhookError::BadUrl(shown(url)))?;
    let target = match (uri.scheme_str(), uri.host()) {
        (Some(scheme @ ("http" | "https")), Some(host)) => format!("{scheme}://{host}"),
        _ => return Err(WebhookError::BadUrl(shown(url))),
    };
    let client = https::client().map_err(|reason| WebhookError::Failed {
        target: target.clone(),
        reason,
        attempts: 0,
    })?;
    let payload = bytes::Bytes::from(body.to_string());
    let mut reason = String::new();
    for attempt in 1..=ATTEMPTS {
        let request = http::Request::post(uri.clone())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(payload.clone()))
            .map_err(|error| WebhookError::BadUrl(format!("{}: {error}", shown(url))))?;
        // The answer's body is the receiver's and may echo the URL: not shown.
        match https::send(&client, request, ATTEMPT_TIMEOUT).await {
            Ok(answer) if answer.status.is_success() => return Ok(()),
            Ok(answer) => {
                reason = format!("HTTP {}", answer.status);
                let retry = answer.status.is_server_error() || answer.status.as_u16() == 429;
                if !retry {
                    return Err(WebhookError::Failed {
                        target,
                        reason,
                        attempts: attempt,
                    });
                }
            }
            Err(no_answer) => {
                reason = match no_answer {
                    https::NoAnswer::TimedOut => no_answer.describe(ATTEMPT_TIMEOUT),
                    other => format!("request failed: {}", other.describe(ATTEMPT_TIMEOUT)),
                }
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Err(WebhookError::Failed {
        target,
        reason,
        attempts: ATTEMPTS,
    })
}

/// A URL as it may be shown: scheme and host, never the path or query.
fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            format!("{scheme}://{host}/…")
        }
        None => "a value that is not a URL".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_secret_parts() {
        assert_eq!(
            shown("https://hooks.example.com/services/T000/B000/SECRET?x=1"),
            "https://hooks.example.com/…"
        );
        assert_eq!(
            shown("https://user:pass@hooks.example.com/x"),
            "https://hooks.example.com/…"
        );
        assert_eq!(shown("SECRET"), "a value that is not a URL");
    }
}
