//! The Quilt catalog's admin API: the one service xacct calls that is not
//! AWS. GraphQL at `<registry_url>/graphql` for bucket listings, and the
//! REST reindex endpoint. Serde and the hyper stack the SDK already brings
//! are enough for four fixed documents: a GraphQL client crate would add
//! code generation and a second HTTP stack for nothing.

mod credentials;
mod wire;

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{json, Value};
use xacct_engine::kinds::quilt_bucket::CatalogConfig;
use xacct_spec::Quilt;

use crate::error::{CallFailure, Error};
use crate::https::{self, HttpsClient, NoAnswer};

/// How long one request may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts of a read (writes are sent once: the reconcile loop re-reads
/// before it tries again).
const READ_ATTEMPTS: u32 = 3;

/// A connection to one catalog with its token.
pub struct Catalog {
    registry: String,
    client: HttpsClient,
    token: credentials::Token,
    /// Where the token came from, for messages.
    source: String,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("registry", &self.registry)
            .field("token", &self.token)
            .finish()
    }
}

impl Catalog {
    /// Finds the token (API key, else quilt3's session) for `quilt`'s
    /// registry; makes no request unless a session must be renewed.
    pub async fn connect(quilt: &Quilt) -> Result<Catalog, Error> {
        let refused = |message: String| Error::CatalogCredentials {
            registry: quilt.registry_url.clone(),
            message,
        };
        let client = https::client().map_err(refused)?;
        let (token, source) =
            credentials::resolve(&quilt.registry_url, &quilt.api_key_env, &client)
                .await
                .map_err(refused)?;
        tracing::debug!(registry = %quilt.registry_url, source = %source, "catalog credentials");
        Ok(Catalog {
            registry: quilt.registry_url.clone(),
            client,
            token,
            source: source.to_string(),
        })
    }

    /// The catalog's listing of `bucket`; `None` when it does not list it.
    pub(crate) async fn bucket_config(
        &self,
        bucket: &str,
    ) -> Result<Option<Box<CatalogConfig>>, CallFailure> {
        let operation = "bucketConfig";
        let data = self
            .graphql(
                operation,
                &wire::bucket_config_query(),
                json!({ "name": bucket }),
                READ_ATTEMPTS,
            )
            .await?;
        wire::config(&data)
            .map(|listing| listing.map(Box::new))
            .map_err(|message| self.failure(operation, "BadAnswer", message, false))
    }

    pub(crate) async fn bucket_add(
        &self,
        bucket: &str,
        config: &CatalogConfig,
    ) -> Result<(), CallFailure> {
        let variables = json!({ "input": wire::input(Some(bucket), config) });
        self.write_config("bucketAdd", wire::BUCKET_ADD, variables, bucket, config)
            .await
    }

    pub(crate) async fn bucket_update(
        &self,
        bucket: &str,
        config: &CatalogConfig,
    ) -> Result<(), CallFailure> {
        let variables = json!({ "name": bucket, "input": wire::input(None, config) });
        self.write_config(
            "bucketUpdate",
            wire::BUCKET_UPDATE,
            variables,
            bucket,
            config,
        )
        .await
    }

    /// One mutation carrying a whole configuration, sent once.
    async fn write_config(
        &self,
        operation: &'static str,
        document: &str,
        variables: Value,
        bucket: &str,
        config: &CatalogConfig,
    ) -> Result<(), CallFailure> {
        let data = self.graphql(operation, document, variables, 1).await?;
        self.outcome(
            operation,
            &data,
            bucket,
            config.sns_notification_arn.as_deref(),
        )
    }

    pub(crate) async fn bucket_remove(&self, bucket: &str) -> Result<(), CallFailure> {
        let data = self
            .graphql(
                "bucketRemove",
                wire::BUCKET_REMOVE,
                json!({ "name": bucket }),
                1,
            )
            .await?;
        self.outcome("bucketRemove", &data, bucket, None)
    }

    /// Starts re-indexing `bucket` (keys under `prefix` only, when given):
    /// the catalog's `POST <registry>/api/admin/reindex/<bucket>`, as its
    /// admin page sends it (`catalog/app/containers/Admin/Buckets/ReindexDialog.tsx`).
    pub async fn reindex(&self, bucket: &str, prefix: Option<&str>) -> Result<(), Error> {
        let operation = "reindex";
        let mut body = json!({});
        if let Some(prefix) = prefix.map(str::trim).filter(|p| !p.is_empty()) {
            body["prefix"] = json!(prefix);
        }
        let path = format!("/api/admin/reindex/{bucket}");
        let answer = self
            .post(operation, &path, "application/json", body.to_string(), 1)
            .await
            .map_err(|failure| self.error(bucket, failure))?;
        if answer.status.is_success() {
            return Ok(());
        }
        let said = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|body| {
                ["message", "error"]
                    .iter()
                    .find_map(|key| body[*key].as_str().map(str::to_string))
            });
        let message = match (answer.status.as_u16(), said) {
            (404, _) => format!("the catalog does not list bucket {bucket:?}"),
            (_, Some(message)) => message,
            (status, None) => format!("HTTP {status}"),
        };
        let failure = self.failure(
            operation,
            &answer.status.as_u16().to_string(),
            message,
            false,
        );
        Err(self.error(bucket, failure))
    }

    /// A failure of a call made outside any resource (reindex).
    fn error(&self, bucket: &str, failure: CallFailure) -> Error {
        Error::CatalogCall {
            bucket: bucket.to_string(),
            registry: self.registry.clone(),
            operation: failure.operation,
            code: failure.code.unwrap_or_default(),
            message: failure.message,
        }
    }

    fn outcome(
        &self,
        operation: &'static str,
        data: &Value,
        bucket: &str,
        topic: Option<&str>,
    ) -> Result<(), CallFailure> {
        match wire::outcome(data, operation) {
            Ok(()) => Ok(()),
            // Already gone: what the removal wanted.
            Err((member, _)) if operation == "bucketRemove" && member == "BucketNotFound" => Ok(()),
            Err((member, said)) => {
                let mut message = wire::advice(&member, bucket, topic);
                if let Some(said) = said {
                    message = format!("{message} (the catalog says: {said})");
                }
                Err(self.failure(operation, &member, message, false))
            }
        }
    }

    /// One GraphQL operation; its `data`, or a failure for an HTTP error or
    /// GraphQL `errors`. Transient failures are tried again up to `attempts`.
    async fn graphql(
        &self,
        operation: &'static str,
        document: &str,
        variables: Value,
        attempts: u32,
    ) -> Result<Value, CallFailure> {
        let body = json!({
            "query": document,
            "variables": variables,
            "operationName": operation,
        });
        let answer = self
            .post(
                operation,
                "/graphql",
                "application/json",
                body.to_string(),
                attempts,
            )
            .await?;
        let status = answer.status.as_u16();
        if status == 401 || status == 403 {
            let message = format!(
                "the catalog refused {} (HTTP {status}): it must be an admin's, and current",
                self.source
            );
            return Err(self.failure(operation, "Unauthorized", message, false));
        }
        let parsed: Option<Value> = serde_json::from_slice(&answer.body).ok();
        if let Some(errors) = parsed.as_ref().and_then(|body| body["errors"].as_array()) {
            let messages: Vec<&str> = errors
                .iter()
                .filter_map(|error| error["message"].as_str())
                .collect();
            let message = format!("the catalog refused the request: {}", messages.join("; "));
            return Err(self.failure(operation, "GraphQLError", message, false));
        }
        if !answer.status.is_success() {
            let transient = answer.status.is_server_error() || status == 429;
            return Err(self.failure(
                operation,
                &status.to_string(),
                format!("HTTP {status}"),
                transient,
            ));
        }
        match parsed.map(|mut body| body["data"].take()) {
            Some(data) if data.is_object() => Ok(data),
            _ => Err(self.failure(
                operation,
                "BadAnswer",
                "the answer is not a GraphQL response with data".into(),
                false,
            )),
        }
    }

    /// POSTs `body` to `path` of the registry with the token; retries
    /// transient failures (no answer, 5xx, 429) up to `attempts` in all.
    async fn post(
        &self,
        operation: &'static str,
        path: &str,
        content_type: &str,
        body: String,
        attempts: u32,
    ) -> Result<https::Answer, CallFailure> {
        let uri: http::Uri = format!("{}{path}", self.registry).parse().map_err(|_| {
            self.failure(
                operation,
                "InvalidRequest",
                "the registry URL is not a URL".into(),
                false,
            )
        })?;
        let authorization = self
            .token
            .header()
            .map_err(|message| self.failure(operation, "InvalidRequest", message, false))?;
        let body = Bytes::from(body);
        let mut attempt = 1;
        loop {
            let request = http::Request::post(uri.clone())
                .header(http::header::CONTENT_TYPE, content_type)
                .header(http::header::AUTHORIZATION, authorization.clone())
                .body(Full::new(body.clone()))
                .map_err(|error| {
                    self.failure(operation, "InvalidRequest", error.to_string(), false)
                })?;
            let result = https::send(&self.client, request, ATTEMPT_TIMEOUT).await;
            let retry = match &result {
                Ok(answer) => answer.status.is_server_error() || answer.status.as_u16() == 429,
                Err(_) => true,
            };
            if !retry || attempt >= attempts {
                return result.map_err(|no_answer| self.no_answer(operation, no_answer));
            }
            tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await;
            attempt += 1;
        }
    }

    fn no_answer(&self, operation: &'static str, no_answer: NoAnswer) -> CallFailure {
        let code = match no_answer {
            NoAnswer::TimedOut => "Timeout",
            NoAnswer::CannotConnect | NoAnswer::ConnectionLost => "ConnectionError",
        };
        self.failure(operation, code, no_answer.describe(ATTEMPT_TIMEOUT), true)
    }

    fn failure(
        &self,
        operation: &'static str,
        code: &str,
        message: String,
        transient: bool,
    ) -> CallFailure {
        CallFailure::catalog(operation, &self.registry, code, message, transient)
    }
}
