use aws_sdk_s3::error::ProvideErrorMetadata;
use xacct_engine::{Address, Location};

/// A failed AWS call, before it is tied to the resource it was for.
#[derive(Debug, Clone)]
pub(crate) struct CallFailure {
    pub operation: &'static str,
    /// AWS's error code (`NoSuchBucket`, `AccessDenied`, ...), when it sent one.
    pub code: Option<String>,
    pub message: String,
    /// Whether the same call may succeed later (throttling, a 5xx, a timeout
    /// or a dropped connection). For a write this also means its outcome is
    /// unknown: it may have landed.
    pub transient: bool,
}

/// AWS error codes that mean "try again later", across S3, SNS, STS and CloudTrail.
const TRANSIENT_CODES: &[&str] = &[
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeoutException",
    "OperationAborted",
];

impl CallFailure {
    /// A request the SDK refused to build: it never reached AWS.
    pub(crate) fn invalid(operation: &'static str, message: String) -> Self {
        CallFailure {
            operation,
            code: Some("InvalidRequest".into()),
            message,
            transient: false,
        }
    }

    pub(crate) fn from_sdk<E, R>(
        operation: &'static str,
        error: aws_sdk_s3::error::SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        use aws_sdk_s3::error::SdkError;
        let code = error.code().map(str::to_string);
        let transient = match &error {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(_) => code
                .as_deref()
                .is_some_and(|code| TRANSIENT_CODES.contains(&code)),
            _ => false,
        };
        let message = match error.message() {
            Some(message) => message.to_string(),
            None => causes(&error),
        };
        CallFailure {
            operation,
            code,
            message,
            transient,
        }
    }

    pub(crate) fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The answer of a read whose `absent_code` error means "this document
    /// does not exist": `Ok(None)` then, a state rather than a failure.
    pub(crate) fn absent_when<T, E, R>(
        operation: &'static str,
        absent_code: &str,
        result: Result<T, aws_sdk_s3::error::SdkError<E, R>>,
    ) -> Result<Option<T>, CallFailure>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        match result {
            Ok(output) => Ok(Some(output)),
            Err(error) => {
                let failure = CallFailure::from_sdk(operation, error);
                if failure.code() == Some(absent_code) {
                    Ok(None)
                } else {
                    Err(failure)
                }
            }
        }
    }
}

/// Everything that can go wrong talking to AWS, with the address, account and
/// region it concerns, so a user can act on it without reading logs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("account {account} ({account_id}): cannot get credentials: {message}")]
    Credentials {
        account: String,
        account_id: String,
        message: String,
    },
    #[error(
        "account {account}: the credentials belong to account {actual}, but the spec says {expected}; \
         check the account's profile or role_arn"
    )]
    WrongAccount {
        account: String,
        expected: String,
        actual: String,
    },
    #[error(
        "account {account}: no region: set `region:` for the account in the spec, or AWS_REGION"
    )]
    NoRegion { account: String },
    #[error("{address}: {object} does not exist ({where_})")]
    Missing {
        address: Address,
        /// What is missing, e.g. `bucket "data"`, `topic "arn:..."`.
        object: String,
        where_: String,
        code: String,
    },
    #[error("{address}: access denied for {operation} ({where_}): {message}")]
    AccessDenied {
        address: Address,
        operation: &'static str,
        where_: String,
        message: String,
    },
    #[error("{address}: {operation} failed ({where_}): {code}: {message}")]
    Call {
        address: Address,
        operation: &'static str,
        where_: String,
        code: String,
        message: String,
    },
    #[error(
        "{address}: the live document changed since the plan was made; refusing to write over it. \
         Run plan again"
    )]
    Stale { address: Address },
    #[error("{address}: changed since it was planned, and cannot be planned again: {reason}")]
    Replan { address: Address, reason: String },
    #[error("{address}: not written, because {dependency}, which it depends on, was not written")]
    Skipped {
        address: Address,
        dependency: Address,
    },
}

impl Error {
    /// Ties a failed call to the resource it was for.
    pub(crate) fn at(address: &Address, location: &Location, failure: CallFailure) -> Self {
        let where_ = describe(location);
        match failure.code() {
            Some(
                code @ ("NoSuchBucket"
                | "NotFound"
                | "NotFoundException"
                | "TrailNotFoundException"),
            ) => {
                let object = match code {
                    "NoSuchBucket" => "bucket",
                    "TrailNotFoundException" => "trail",
                    _ => "topic",
                };
                Error::Missing {
                    address: address.clone(),
                    object: format!("{object} {:?}", address.name),
                    where_,
                    code: code.to_string(),
                }
            }
            Some("AccessDenied" | "AccessDeniedException" | "AllAccessDisabled") => {
                Error::AccessDenied {
                    address: address.clone(),
                    operation: failure.operation,
                    where_,
                    message: failure.message,
                }
            }
            code => Error::Call {
                address: address.clone(),
                operation: failure.operation,
                where_,
                code: code.unwrap_or("no error code").to_string(),
                message: failure.message,
            },
        }
    }

    /// AWS's error code, for machine-readable reports.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Missing { code, .. } => Some(code),
            Error::AccessDenied { .. } => Some("AccessDenied"),
            Error::Call { code, .. } => Some(code),
            _ => None,
        }
    }
}

fn describe(location: &Location) -> String {
    format!(
        "account {} {}, region {}",
        location.account,
        location.account_id,
        location.region.as_deref().unwrap_or("(default)")
    )
}

/// The Display of an error and of each of its sources, without repeats (the
/// SDK nests the same message several times) and without Debug dumps.
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        let text = current.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        next = current.source();
    }
    parts.join(": ")
}
