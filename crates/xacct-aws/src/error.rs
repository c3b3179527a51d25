use aws_sdk_s3::config::http::HttpResponse;
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
    /// Set when S3 answered that the bucket lives in another region than the
    /// one the request was sent to.
    pub wrong_region: Option<WrongRegion>,
    /// Set for a call to the Quilt catalog (its registry URL), not to AWS.
    pub registry: Option<String>,
}

/// S3's answer to a request for a bucket sent to the wrong region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WrongRegion {
    /// The bucket's real region, from the `x-amz-bucket-region` header S3
    /// sends with the answer (so no further request is needed to name it).
    pub bucket_region: Option<String>,
}

impl WrongRegion {
    /// S3 answers a request sent to another region's endpoint with `301
    /// PermanentRedirect` (HEAD: a bare 301), and one signed for another
    /// region than the endpoint's with `400 AuthorizationHeaderMalformed`;
    /// both carry `x-amz-bucket-region`. That header alone proves nothing
    /// (S3 adds it to other answers too, e.g. AccessDenied), and
    /// AuthorizationHeaderMalformed has other causes, so it only counts with
    /// the header. A bucket in an opt-in region (af-south-1, ap-east-1, ...)
    /// reached through another region's endpoint answers
    /// `IllegalLocationConstraintException`, which xacct (never creating
    /// buckets) gets for nothing else.
    fn of_answer(code: Option<&str>, status: u16, bucket_region: Option<&str>) -> Option<Self> {
        let redirected = status == 301
            || code == Some("PermanentRedirect")
            || code == Some("IllegalLocationConstraintException");
        let misrouted = code == Some("AuthorizationHeaderMalformed") && bucket_region.is_some();
        (redirected || misrouted).then(|| WrongRegion {
            bucket_region: bucket_region.map(str::to_string),
        })
    }
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
            wrong_region: None,
            registry: None,
        }
    }

    /// A failed call to the Quilt catalog at `registry`.
    pub(crate) fn catalog(
        operation: &'static str,
        registry: &str,
        code: &str,
        message: String,
        transient: bool,
    ) -> Self {
        CallFailure {
            operation,
            code: Some(code.to_string()),
            message,
            transient,
            wrong_region: None,
            registry: Some(registry.to_string()),
        }
    }

    pub(crate) fn from_sdk<E>(
        operation: &'static str,
        error: aws_sdk_s3::error::SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
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
        let wrong_region = match &error {
            SdkError::ServiceError(service) => WrongRegion::of_answer(
                code.as_deref(),
                service.raw().status().as_u16(),
                service.raw().headers().get("x-amz-bucket-region"),
            ),
            _ => None,
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
            wrong_region,
            registry: None,
        }
    }

    pub(crate) fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The answer of a read whose `absent_code` error means "this document
    /// does not exist": `Ok(None)` then, a state rather than a failure.
    pub(crate) fn absent_when<T, E>(
        operation: &'static str,
        absent_code: &str,
        result: Result<T, aws_sdk_s3::error::SdkError<E, HttpResponse>>,
    ) -> Result<Option<T>, CallFailure>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
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
    #[error(
        "{address}: bucket {} is in {}, but {looked_in} (set region: {} on the bucket)",
        address.name,
        bucket_region.as_deref().unwrap_or("another region"),
        bucket_region.as_deref().unwrap_or("<the bucket's region>")
    )]
    WrongRegion {
        /// An S3 address, named after its bucket.
        address: Address,
        /// Where S3 says the bucket is, when it said so.
        bucket_region: Option<String>,
        /// Where the request went and why: "the spec puts it in us-east-1",
        /// or the SDK's default region when the spec gives none.
        looked_in: String,
        code: String,
    },
    #[error(
        "account {account}: cannot list its objects for pruning: {operation} failed ({where_}): \
         {code}: {message}; grant the listing actions (`xacct permissions`) or set prune: false"
    )]
    Discovery {
        account: String,
        operation: &'static str,
        where_: String,
        code: String,
        message: String,
    },
    #[error("catalog {registry}: cannot authenticate: {message}")]
    CatalogCredentials { registry: String, message: String },
    #[error("{address}: the catalog at {registry} refused {operation}: {code}: {message}")]
    Catalog {
        address: Address,
        operation: &'static str,
        registry: String,
        code: String,
        message: String,
        /// As for [`Error::Call`].
        transient: bool,
    },
    #[error("bucket {bucket:?}: the catalog at {registry} refused {operation}: {code}: {message}")]
    CatalogCall {
        bucket: String,
        operation: &'static str,
        registry: String,
        code: String,
        message: String,
    },
    #[error("{address}: {operation} failed ({where_}): {code}: {message}")]
    Call {
        address: Address,
        operation: &'static str,
        where_: String,
        code: String,
        message: String,
        /// The same call may succeed later (throttling, a 5xx, a timeout, a
        /// dropped connection); for a write, its outcome is unknown.
        transient: bool,
    },
}

impl Error {
    /// Ties a failed call to the resource it was for. `called_in`: the region
    /// the call went to, when known (the location's may be `None`: the SDK's
    /// default).
    pub(crate) fn at(
        address: &Address,
        location: &Location,
        called_in: Option<&str>,
        failure: CallFailure,
    ) -> Self {
        if let Some(registry) = failure.registry {
            return Error::Catalog {
                address: address.clone(),
                operation: failure.operation,
                registry,
                code: failure.code.unwrap_or_default(),
                message: failure.message,
                transient: failure.transient,
            };
        }
        let called_in = called_in.or(location.region.as_deref());
        let where_ = describe(location, called_in);
        if let Some(wrong_region) = failure.wrong_region {
            let looked_in = match (&location.region, called_in) {
                (Some(region), _) => format!("the spec puts it in {region}"),
                (None, Some(region)) => format!(
                    "the spec gives it no region (nor its account), so it was looked for in \
                     {region}, the SDK's default"
                ),
                (None, None) => "the spec gives it no region (nor its account)".into(),
            };
            return Error::WrongRegion {
                address: address.clone(),
                bucket_region: wrong_region.bucket_region,
                looked_in,
                code: failure.code.unwrap_or_else(|| "PermanentRedirect".into()),
            };
        }
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
                transient: failure.transient,
            },
        }
    }

    /// A failed listing call of pruning's discovery in `location`'s account.
    pub(crate) fn discovery(location: &Location, region: &str, failure: CallFailure) -> Self {
        Error::Discovery {
            account: location.account.clone(),
            operation: failure.operation,
            where_: describe(location, Some(region)),
            code: failure.code.unwrap_or_else(|| "no error code".into()),
            message: failure.message,
        }
    }

    /// Whether the same call may succeed later; for a write, whether it may
    /// have landed although it failed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Call {
                transient: true,
                ..
            } | Error::Catalog {
                transient: true,
                ..
            }
        )
    }

    /// AWS's error code, for machine-readable reports.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Missing { code, .. } => Some(code),
            Error::AccessDenied { .. } => Some("AccessDenied"),
            Error::WrongRegion { code, .. } => Some(code),
            Error::Call { code, .. }
            | Error::Discovery { code, .. }
            | Error::Catalog { code, .. }
            | Error::CatalogCall { code, .. } => Some(code),
            Error::Credentials { .. }
            | Error::WrongAccount { .. }
            | Error::NoRegion { .. }
            | Error::CatalogCredentials { .. } => None,
        }
    }
}

fn describe(location: &Location, region: Option<&str>) -> String {
    format!(
        "account {} {}, region {}",
        location.account,
        location.account_id,
        region.unwrap_or("(default)")
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

#[cfg(test)]
mod tests {
    use super::*;
    use xacct_engine::ResourceKind;

    #[test]
    fn a_redirect_is_a_wrong_region_with_the_region_from_its_header() {
        let found = WrongRegion::of_answer(Some("PermanentRedirect"), 301, Some("eu-west-1"));
        assert_eq!(
            found.and_then(|wrong| wrong.bucket_region).as_deref(),
            Some("eu-west-1")
        );
        // HEAD: a bare 301, no error code.
        assert!(WrongRegion::of_answer(None, 301, None).is_some());
        assert!(
            WrongRegion::of_answer(Some("IllegalLocationConstraintException"), 400, None).is_some(),
            "an opt-in region's bucket reached from another region"
        );
        // Signed for the wrong region at the bucket's own endpoint.
        assert!(WrongRegion::of_answer(
            Some("AuthorizationHeaderMalformed"),
            400,
            Some("eu-west-1")
        )
        .is_some());
    }

    #[test]
    fn the_region_header_alone_is_not_a_wrong_region() {
        assert!(WrongRegion::of_answer(Some("AccessDenied"), 403, Some("eu-west-1")).is_none());
        assert!(WrongRegion::of_answer(Some("AuthorizationHeaderMalformed"), 400, None).is_none());
        assert!(WrongRegion::of_answer(Some("NoSuchBucket"), 404, None).is_none());
    }

    #[test]
    fn a_wrong_region_names_both_regions_and_the_fix() {
        let address = Address {
            kind: ResourceKind::S3BucketPolicy,
            name: "my-bucket".into(),
        };
        let location = Location {
            account: "data".into(),
            account_id: "222222222222".into(),
            region: Some("us-east-1".into()),
        };
        let failure = CallFailure {
            operation: "GetBucketPolicy",
            code: Some("PermanentRedirect".into()),
            message: "The bucket you are attempting to access must be addressed ...".into(),
            transient: false,
            wrong_region: Some(WrongRegion {
                bucket_region: Some("eu-west-1".into()),
            }),
            registry: None,
        };
        let error = Error::at(&address, &location, Some("us-east-1"), failure.clone());
        assert_eq!(
            error.to_string(),
            "s3_bucket_policy.my-bucket: bucket my-bucket is in eu-west-1, but the spec puts it \
             in us-east-1 (set region: eu-west-1 on the bucket)"
        );
        assert_eq!(error.code(), Some("PermanentRedirect"));

        // No region in the spec: the SDK's default was used, and the message says so.
        let unplaced = Location {
            region: None,
            ..location
        };
        assert_eq!(
            Error::at(&address, &unplaced, Some("us-east-1"), failure).to_string(),
            "s3_bucket_policy.my-bucket: bucket my-bucket is in eu-west-1, but the spec gives it \
             no region (nor its account), so it was looked for in us-east-1, the SDK's default \
             (set region: eu-west-1 on the bucket)"
        );
    }
}
