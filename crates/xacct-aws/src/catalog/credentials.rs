//! The catalog's bearer token: an admin API key from the environment
//! variable the spec names, else the session `quilt3 login` saved for the
//! registry. The token is only ever put in the `Authorization` header: it has
//! no `Display`, its `Debug` hides it, and no error carries it.
//!
//! quilt3 (`api/python/quilt3/session.py`, `util.py`) keeps its sessions in
//! `auth.json` under appdirs' `user_data_dir("Quilt", "QuiltData")`, keyed by
//! registry URL: `{access_token, refresh_token, expires_at}`. An access token
//! expiring within a minute is refreshed by POSTing the refresh token as a
//! form to `<registry>/api/token`, and the new pair is saved back (the
//! refresh token may be single-use).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;

use crate::https::{self, HttpsClient};

/// A bearer token (API key `qk_...` or a session's access token).
pub(crate) struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(hidden)")
    }
}

impl Token {
    /// The `Authorization` header's value.
    pub fn header(&self) -> Result<http::HeaderValue, String> {
        let mut value = http::HeaderValue::from_str(&format!("Bearer {}", self.0))
            .map_err(|_| "the catalog token has characters a header cannot carry".to_string())?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Where the token came from, for messages.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Environment(String),
    Quilt3Session(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Environment(name) => write!(f, "the API key in ${name}"),
            Source::Quilt3Session(path) => {
                write!(f, "the quilt3 login session in {}", path.display())
            }
        }
    }
}

/// The token for `registry`, and where it came from.
pub(crate) async fn resolve(
    registry: &str,
    api_key_env: &str,
    client: &HttpsClient,
) -> Result<(Token, Source), String> {
    if let Some(key) = std::env::var_os(api_key_env) {
        let key = key
            .into_string()
            .map_err(|_| format!("${api_key_env} is not valid UTF-8"))?;
        let key = key.trim();
        if !key.is_empty() {
            return Ok((
                Token(key.to_string()),
                Source::Environment(api_key_env.into()),
            ));
        }
    }
    let Some(path) = auth_path() else {
        return Err(no_credentials(api_key_env, registry, None));
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Err(no_credentials(api_key_env, registry, Some(&path)));
    };
    let mut sessions: Value = serde_json::from_str(&text)
        .map_err(|_| format!("{} is not the JSON quilt3 writes", path.display()))?;
    let Some(key) = session_key(&sessions, registry) else {
        return Err(no_credentials(api_key_env, registry, Some(&path)));
    };
    let session = &sessions[&key];
    let expires_at = session["expires_at"].as_f64().unwrap_or(0.0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64());
    if expires_at >= now + 60.0 {
        let token = session["access_token"].as_str().unwrap_or_default();
        return Ok((Token(token.to_string()), Source::Quilt3Session(path)));
    }
    let refresh_token = session["refresh_token"].as_str().unwrap_or_default();
    let renewed = refresh(registry, refresh_token, client)
        .await
        .map_err(|reason| {
            format!(
                "the quilt3 login session for {registry} expired and could not be renewed \
             ({reason}); run `quilt3 login` again, or set ${api_key_env}"
            )
        })?;
    let token = renewed["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    sessions[&key] = renewed;
    save(&path, &sessions)?;
    Ok((Token(token), Source::Quilt3Session(path)))
}

fn no_credentials(api_key_env: &str, registry: &str, path: Option<&PathBuf>) -> String {
    let session = match path {
        Some(path) => format!("no quilt3 login session for it in {}", path.display()),
        None => "no quilt3 data directory (HOME is not set)".to_string(),
    };
    format!(
        "no credentials for the catalog at {registry}: ${api_key_env} is not set, and {session}; \
         set ${api_key_env} to an admin API key (Catalog > Admin > API keys), or run \
         `quilt3 login`"
    )
}

/// quilt3's data directory: appdirs' `user_data_dir("Quilt", "QuiltData")`.
fn auth_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(target_os = "macos") {
        home?.join("Library/Application Support")
    } else {
        match std::env::var_os("XDG_DATA_HOME").map(PathBuf::from) {
            Some(dir) if dir.is_absolute() => dir,
            _ => home?.join(".local/share"),
        }
    };
    Some(base.join("Quilt").join("auth.json"))
}

/// The key of `registry`'s session: quilt3 writes the URL as configured,
/// which may end in a slash.
fn session_key(sessions: &Value, registry: &str) -> Option<String> {
    let sessions = sessions.as_object()?;
    [registry.to_string(), format!("{registry}/")]
        .into_iter()
        .find(|key| sessions.get(key).is_some_and(Value::is_object))
}

/// How long the token exchange may take.
const REFRESH_TIMEOUT: Duration = Duration::from_secs(30);

/// Exchanges a refresh token for a new session, as quilt3 does.
async fn refresh(
    registry: &str,
    refresh_token: &str,
    client: &HttpsClient,
) -> Result<Value, String> {
    let uri: http::Uri = format!("{registry}/api/token")
        .parse()
        .map_err(|_| "the registry URL is not a URL".to_string())?;
    let body = format!("refresh_token={}", form_encoded(refresh_token));
    let request = http::Request::post(uri)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| error.to_string())?;
    let answer = https::send(client, request, REFRESH_TIMEOUT)
        .await
        .map_err(|no_answer| no_answer.describe(REFRESH_TIMEOUT))?;
    if !answer.status.is_success() {
        return Err(format!("HTTP {}", answer.status));
    }
    let renewed: Value =
        serde_json::from_slice(&answer.body).map_err(|_| "an answer that is not JSON")?;
    if renewed.get("error").is_some_and(|error| !error.is_null()) {
        return Err("the registry refused the refresh token".into());
    }
    let complete = ["access_token", "refresh_token"]
        .iter()
        .all(|field| renewed[*field].is_string())
        && renewed["expires_at"].is_number();
    if !complete {
        return Err("an answer without access_token, refresh_token and expires_at".into());
    }
    Ok(serde_json::json!({
        "access_token": renewed["access_token"],
        "refresh_token": renewed["refresh_token"],
        "expires_at": renewed["expires_at"],
    }))
}

/// Writes the sessions back readable by the owner only, as quilt3 does,
/// through a temporary file so a crash never leaves half a file.
fn save(path: &PathBuf, sessions: &Value) -> Result<(), String> {
    let failed = |error: std::io::Error| format!("cannot save {}: {error}", path.display());
    let temporary = path.with_extension("json.xacct-tmp");
    std::fs::write(&temporary, sessions.to_string()).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    std::fs::rename(&temporary, path).map_err(failed)
}

/// `application/x-www-form-urlencoded` for one value.
fn form_encoded(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_never_shows_in_debug_and_its_header_is_sensitive() {
        let token = Token("qk_secret".into());
        assert!(!format!("{token:?}").contains("qk_secret"));
        assert!(token.header().expect("header").is_sensitive());
    }

    #[test]
    fn a_session_is_found_with_or_without_a_trailing_slash() {
        let sessions = json!({"https://r.example.com/": {"access_token": "a"}});
        assert_eq!(
            session_key(&sessions, "https://r.example.com").as_deref(),
            Some("https://r.example.com/")
        );
        assert_eq!(session_key(&sessions, "https://other.example.com"), None);
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_encoded("a b+c/=~"), "a%20b%2Bc%2F%3D~");
    }
}
