//! Credentials and clients: resolved once per account, clients shared per
//! (account, region).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use xacct_engine::Location;
use xacct_spec::{Account, Credentials, Spec};

use aws_credential_types::provider::{future, ProvideCredentials};

use crate::catalog::Catalog;
use crate::error::{causes, Error};

/// Connections to every account a run needs.
pub struct Session {
    accounts: BTreeMap<String, SdkConfig>,
    /// Per account, the principal its credentials act as (the role ARN, or
    /// what GetCallerIdentity answered).
    callers: BTreeMap<String, String>,
    clients: Mutex<HashMap<(String, String), Clients>>,
    /// The Quilt catalog, when the run manages a bucket's listing in it.
    catalog: Option<Arc<Catalog>>,
}

/// The service clients of one (account, region); cheap to clone.
#[derive(Clone)]
pub(crate) struct Clients {
    /// The region they send to: the location's, else the account's SDK default.
    pub region: String,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// The Quilt catalog, for `quilt_bucket` resources.
    pub catalog: Option<Arc<Catalog>>,
}

impl Session {
    /// Resolves credentials for the named accounts of the spec (each once,
    /// however often it is named), concurrently,
    /// and checks that each really is the account the spec says: applying to
    /// the wrong account is the one mistake a plan could not show.
    pub async fn connect<'a>(
        spec: &Spec,
        accounts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Session, Vec<Error>> {
        let accounts: std::collections::BTreeSet<&str> = accounts.into_iter().collect();
        // The catalog's token is looked for only when a bucket of these
        // accounts is listed in it, so that a run without one needs none.
        let lists_buckets = spec
            .buckets
            .values()
            .any(|bucket| bucket.catalog.is_some() && accounts.contains(bucket.account.as_str()));
        let catalog = match (&spec.quilt, lists_buckets) {
            (Some(quilt), true) => match Catalog::connect(quilt).await {
                Ok(catalog) => Some(Arc::new(catalog)),
                Err(error) => return Err(vec![error]),
            },
            _ => None,
        };
        let mut tasks = tokio::task::JoinSet::new();
        for name in accounts {
            if let Some(account) = spec.accounts.get(name) {
                let account = account.clone();
                tasks.spawn(async move { (account.name.clone(), connect_account(&account).await) });
            }
        }
        let mut configs = BTreeMap::new();
        let mut callers = BTreeMap::new();
        let mut errors = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((name, Ok((config, caller)))) => {
                    callers.insert(name.clone(), caller);
                    configs.insert(name, config);
                }
                Ok((_, Err(error))) => errors.push(error),
                Err(panic) => std::panic::resume_unwind(panic.into_panic()),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Session {
            accounts: configs,
            callers,
            clients: Mutex::new(HashMap::new()),
            catalog,
        })
    }

    /// The principal an account's credentials act as: its role ARN, or the
    /// ARN GetCallerIdentity answered for a profile or the default chain.
    pub fn caller(&self, account: &str) -> Option<&str> {
        self.callers.get(account).map(String::as_str)
    }

    /// The clients for a location, created on first use.
    pub(crate) fn clients(&self, location: &Location) -> Result<Clients, Error> {
        let Some(config) = self.accounts.get(&location.account) else {
            return Err(Error::Credentials {
                account: location.account.clone(),
                account_id: location.account_id.clone(),
                message: "the account was not connected".into(),
            });
        };
        let region = location
            .region
            .clone()
            .or_else(|| config.region().map(|region| region.to_string()))
            .ok_or_else(|| Error::NoRegion {
                account: location.account.clone(),
            })?;
        let mut clients = lock(&self.clients);
        let clients = clients
            .entry((location.account.clone(), region))
            .or_insert_with_key(|(_, region_name)| {
                let region = Region::new(region_name.clone());
                // A local emulator serves every bucket under one host name.
                let path_style = config.endpoint_url().is_some();
                let s3 = aws_sdk_s3::config::Builder::from(config)
                    .region(region.clone())
                    .force_path_style(path_style)
                    .build();
                let sns = aws_sdk_sns::config::Builder::from(config)
                    .region(region.clone())
                    .build();
                let cloudtrail = aws_sdk_cloudtrail::config::Builder::from(config)
                    .region(region)
                    .build();
                Clients {
                    region: region_name.clone(),
                    s3: aws_sdk_s3::Client::from_conf(s3),
                    sns: aws_sdk_sns::Client::from_conf(sns),
                    cloudtrail: aws_sdk_cloudtrail::Client::from_conf(cloudtrail),
                    catalog: self.catalog.clone(),
                }
            });
        Ok(clients.clone())
    }
}

/// Writes are sent once by the SDK: when one fails, apply re-reads the
/// document before it retries or reports (the outcome of a write that timed
/// out or got a 5xx is unknown: it may have landed).
pub(crate) fn s3_write_once() -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::default().retry_config(RetryConfig::disabled())
}

pub(crate) fn sns_write_once() -> aws_sdk_sns::config::Builder {
    aws_sdk_sns::config::Builder::default().retry_config(RetryConfig::disabled())
}

pub(crate) fn cloudtrail_write_once() -> aws_sdk_cloudtrail::config::Builder {
    aws_sdk_cloudtrail::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// The SDK's adaptive retry mode, 5 attempts: exponential backoff with jitter
/// on throttling and transient errors, so one slow call cannot stall a whole
/// run, plus a client-side rate limiter that cuts the request rate on each
/// throttling answer and raises it again while none come. Under a request-rate
/// limit the standard mode lost reads to `SlowDown` where this one finished;
/// unthrottled, they run alike (docs/benchmark.md). The environment may choose
/// otherwise, as for every AWS SDK (`AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS`).
fn base_loader(region: Option<&str>) -> aws_config::ConfigLoader {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Duration::from_secs(120))
            .build(),
    );
    if ["AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"]
        .iter()
        .all(|name| std::env::var_os(name).is_none())
    {
        loader = loader.retry_config(RetryConfig::adaptive().with_max_attempts(5));
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    loader
}

/// One account's SDK config, with its credentials resolved now, so that a
/// bad profile or role stops the run with one clear error before any read,
/// and with one STS call per account: AssumeRole for a role (whose account the
/// spec has already checked against the role ARN), GetCallerIdentity for a
/// profile or the default chain (whose account is otherwise unknown).
async fn connect_account(account: &Account) -> Result<(SdkConfig, String), Error> {
    let region = account.region.as_deref();
    let credentials_error = |message: String| Error::Credentials {
        account: account.name.clone(),
        account_id: account.id.clone(),
        message,
    };
    // The principal the credentials act as, when the spec already says it.
    let (config, known_caller) = match &account.credentials {
        Credentials::DefaultChain => (base_loader(region).load().await, None),
        Credentials::Profile(profile) => {
            // The spec's profile wins over credentials in the environment, as
            // `--profile` does for the AWS CLI (the SDK's default chain would
            // take AWS_ACCESS_KEY_ID first and reach another account).
            let mut provider_config = ProviderConfig::with_default_region().await;
            if let Some(region) = region {
                provider_config =
                    provider_config.with_region(Some(Region::new(region.to_string())));
            }
            let credentials = ProfileFileCredentialsProvider::builder()
                .profile_name(profile)
                .configure(&provider_config)
                .build();
            let config = base_loader(region)
                .profile_name(profile)
                .credentials_provider(credentials)
                .load()
                .await;
            (config, None)
        }
        Credentials::AssumeRole {
            role_arn,
            external_id,
        } => {
            let base = base_loader(region).load().await;
            // Configured from the base config so the STS call inherits its
            // endpoint override, region and retry settings.
            let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
                .session_name("xacct")
                .configure(&base);
            if let Some(external_id) = external_id {
                provider = provider.external_id(external_id);
            }
            let provider = provider.build().await;
            let first = provider
                .provide_credentials()
                .await
                .map_err(|error| credentials_error(causes(&error)))?;
            let credentials = Prefetched {
                first: Mutex::new(Some(first)),
                provider,
            };
            let config = base
                .to_builder()
                .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                    credentials,
                ))
                .build();
            (config, Some(role_arn.clone()))
        }
    };
    if config.region().is_none() {
        return Err(Error::NoRegion {
            account: account.name.clone(),
        });
    }
    let caller = match known_caller {
        Some(caller) => caller,
        None => verify_identity(account, &config).await?,
    };
    Ok((config, caller))
}

/// Role credentials fetched once up front and handed to the first caller (the
/// SDK's identity cache, shared by every client of the account); renewed
/// through the role provider only if they expire during a long run.
#[derive(Debug)]
struct Prefetched {
    first: Mutex<Option<aws_credential_types::Credentials>>,
    provider: aws_config::sts::AssumeRoleProvider,
}

impl ProvideCredentials for Prefetched {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let first = lock(&self.first).take();
        match first {
            Some(credentials) => future::ProvideCredentials::ready(Ok(credentials)),
            None => self.provider.provide_credentials(),
        }
    }
}

/// Checks the credentials reach the spec's account; answers the caller's ARN.
async fn verify_identity(account: &Account, config: &SdkConfig) -> Result<String, Error> {
    let identity = aws_sdk_sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| Error::Credentials {
            account: account.name.clone(),
            account_id: account.id.clone(),
            message: causes(&error),
        })?;
    let actual = identity.account().unwrap_or_default();
    if actual != account.id {
        return Err(Error::WrongAccount {
            account: account.name.clone(),
            expected: account.id.clone(),
            actual: actual.to_string(),
        });
    }
    Ok(identity.arn().unwrap_or_default().to_string())
}

/// A lock that a panicked holder does not poison: what it guards stays usable
/// (a client cache, a prefetched credential, the verify ledger).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
