//! Which AWS service and operation an HTTP request is, from what is on the
//! wire: the SigV4 credential scope names the service; S3 operations come from
//! the method, the path (bucket or object) and the sub-resource query keys;
//! query-protocol services (SNS, STS) from the form body's `Action=`; JSON
//! services (CloudTrail) from `X-Amz-Target`.

/// The parts of a request the classifier looks at.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    pub method: &'a str,
    /// The request target: path and query (`/bucket?policy`).
    pub target: &'a str,
    /// Header (name, value) pairs; names compared case-insensitively.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl RequestView<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request's (service, operation), e.g. ("s3", "GetBucketPolicy").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operation {
    pub service: String,
    pub operation: String,
}

impl Operation {
    pub fn new(service: &str, operation: &str) -> Operation {
        Operation {
            service: service.to_string(),
            operation: operation.to_string(),
        }
    }

    /// True for operations that change something (Put*, Delete*, Set*, ...;
    /// for the catalog, every GraphQL mutation xacct sends: `bucketAdd`,
    /// `bucketUpdate`, `bucketRemove`).
    pub fn is_write(&self) -> bool {
        if self.service == CATALOG {
            return self.operation.starts_with("bucket") && self.operation != "bucketConfig";
        }
        const WRITE_PREFIXES: [&str; 12] = [
            "Put",
            "Delete",
            "Set",
            "Create",
            "Update",
            "Add",
            "Remove",
            "Start",
            "Stop",
            "Subscribe",
            "Unsubscribe",
            "Publish",
        ];
        WRITE_PREFIXES.iter().any(|p| self.operation.starts_with(p))
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service, self.operation)
    }
}

/// The service named by the SigV4 credential scope of the Authorization
/// header (`Credential=AKID/20240101/us-east-1/s3/aws4_request`).
pub fn service_from_authorization(authorization: &str) -> Option<String> {
    let start = authorization.find("Credential=")? + "Credential=".len();
    let credential = authorization[start..]
        .split([',', ' '])
        .next()
        .unwrap_or_default();
    let parts: Vec<&str> = credential.split('/').collect();
    // AKID / date / region / service / aws4_request
    if parts.len() >= 5 && parts[parts.len() - 1] == "aws4_request" {
        Some(parts[parts.len() - 2].to_ascii_lowercase())
    } else {
        None
    }
}

/// The service name of the Quilt catalog's GraphQL API (not AWS: no SigV4).
pub const CATALOG: &str = "catalog";

/// A GraphQL request's `operationName`, when the body is one.
fn graphql_operation(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("query")?;
    Some(value.get("operationName")?.as_str()?.to_string())
}

/// Classifies a request. Unknown shapes still get a name (`?` operation) so
/// they are counted.
pub fn classify(req: &RequestView<'_>) -> Operation {
    if req.target.starts_with("/graphql") {
        if let Some(operation) = graphql_operation(req.body) {
            return Operation::new(CATALOG, &operation);
        }
    }
    let target_header = req.header("x-amz-target");
    let service = req
        .header("authorization")
        .and_then(service_from_authorization)
        .or_else(|| {
            target_header.map(|t| {
                if t.contains("CloudTrail") {
                    "cloudtrail".to_string()
                } else {
                    t.split('_').next().unwrap_or(t).to_ascii_lowercase()
                }
            })
        })
        .or_else(|| {
            form_action(req.body).map(|action| {
                if STS_ACTIONS.contains(&action.as_str()) {
                    "sts".to_string()
                } else {
                    "sns".to_string()
                }
            })
        })
        .unwrap_or_else(|| "s3".to_string());

    let operation = if let Some(target) = target_header {
        target.rsplit('.').next().unwrap_or(target).to_string()
    } else if service == "s3" {
        s3_operation(req)
    } else if let Some(action) = form_action(req.body).or_else(|| query_action(req.target)) {
        action
    } else {
        "?".to_string()
    };
    Operation { service, operation }
}

const STS_ACTIONS: [&str; 6] = [
    "AssumeRole",
    "GetCallerIdentity",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetFederationToken",
];

/// `Action=...` of an `application/x-www-form-urlencoded` body.
pub fn form_action(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    param(text, "Action")
}

fn query_action(target: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    param(query, "Action")
}

fn param(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                Some(Ok(b)) => {
                    out.push(b);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// S3 sub-resources (query keys) and the noun of their Get/Put/Delete operations.
const S3_SUBRESOURCES: [(&str, &str); 24] = [
    ("policy", "BucketPolicy"),
    ("ownershipControls", "BucketOwnershipControls"),
    ("notification", "BucketNotificationConfiguration"),
    ("policyStatus", "BucketPolicyStatus"),
    ("acl", "Acl"),
    ("tagging", "Tagging"),
    ("versioning", "BucketVersioning"),
    ("location", "BucketLocation"),
    ("cors", "BucketCors"),
    ("lifecycle", "BucketLifecycleConfiguration"),
    ("encryption", "BucketEncryption"),
    ("publicAccessBlock", "PublicAccessBlock"),
    ("website", "BucketWebsite"),
    ("logging", "BucketLogging"),
    ("replication", "BucketReplication"),
    ("object-lock", "ObjectLockConfiguration"),
    ("accelerate", "BucketAccelerateConfiguration"),
    ("requestPayment", "BucketRequestPayment"),
    (
        "intelligent-tiering",
        "BucketIntelligentTieringConfiguration",
    ),
    ("analytics", "BucketAnalyticsConfiguration"),
    ("metrics", "BucketMetricsConfiguration"),
    ("inventory", "BucketInventoryConfiguration"),
    ("retention", "ObjectRetention"),
    ("legal-hold", "ObjectLegalHold"),
];

/// An S3 operation from a path-style request.
pub fn s3_operation(req: &RequestView<'_>) -> String {
    let (path, query) = req.target.split_once('?').unwrap_or((req.target, ""));
    let keys: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    let has = |k: &str| keys.contains(&k);
    let path = path.trim_start_matches('/');
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let method = req.method.to_ascii_uppercase();
    let on_object = !key.is_empty();

    for (sub, noun) in S3_SUBRESOURCES {
        if has(sub) {
            // Tagging and ACLs exist on buckets and objects.
            let noun = match noun {
                "Tagging" | "Acl" if on_object => format!("Object{noun}"),
                "Tagging" | "Acl" => format!("Bucket{noun}"),
                _ => noun.to_string(),
            };
            let verb = match method.as_str() {
                "GET" | "HEAD" => "Get",
                "PUT" | "POST" => "Put",
                "DELETE" => "Delete",
                _ => "?",
            };
            return format!("{verb}{noun}");
        }
    }
    if has("delete") && method == "POST" {
        return "DeleteObjects".to_string();
    }
    if has("uploads") {
        return if method == "POST" {
            "CreateMultipartUpload".to_string()
        } else {
            "ListMultipartUploads".to_string()
        };
    }
    if has("uploadId") {
        return match method.as_str() {
            "PUT" => "UploadPart",
            "POST" => "CompleteMultipartUpload",
            "DELETE" => "AbortMultipartUpload",
            _ => "ListParts",
        }
        .to_string();
    }
    if has("versions") {
        return "ListObjectVersions".to_string();
    }
    if bucket.is_empty() {
        return if method == "GET" { "ListBuckets" } else { "?" }.to_string();
    }
    if on_object {
        return match method.as_str() {
            "GET" => "GetObject",
            "HEAD" => "HeadObject",
            "PUT" if req.header("x-amz-copy-source").is_some() => "CopyObject",
            "PUT" => "PutObject",
            "DELETE" => "DeleteObject",
            "POST" => "PostObject",
            _ => "?",
        }
        .to_string();
    }
    match method.as_str() {
        "GET" if has("list-type") => "ListObjectsV2",
        "GET" => "ListObjects",
        "HEAD" => "HeadBucket",
        "PUT" => "CreateBucket",
        "DELETE" => "DeleteBucket",
        _ => "?",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(service: &str) -> (String, String) {
        (
            "Authorization".to_string(),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/{service}/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=abc"
            ),
        )
    }

    fn op(method: &str, target: &str, headers: &[(String, String)], body: &str) -> Operation {
        classify(&RequestView {
            method,
            target,
            headers,
            body: body.as_bytes(),
        })
    }

    #[test]
    fn catalog_graphql_requests_are_named_by_operation_and_mutations_are_writes() {
        let body = |name: &str| format!("{{\"query\": \"...\", \"operationName\": \"{name}\"}}");
        let read = op("POST", "/graphql", &[], &body("bucketConfig"));
        assert_eq!(read, Operation::new(CATALOG, "bucketConfig"));
        assert!(!read.is_write());
        for mutation in ["bucketAdd", "bucketUpdate", "bucketRemove"] {
            let write = op("POST", "/graphql", &[], &body(mutation));
            assert_eq!(write, Operation::new(CATALOG, mutation));
            assert!(write.is_write(), "{mutation}");
        }
    }

    #[test]
    fn credential_scope_names_the_service() {
        assert_eq!(
            service_from_authorization(&auth("s3").1).as_deref(),
            Some("s3")
        );
        assert_eq!(
            service_from_authorization(&auth("cloudtrail").1).as_deref(),
            Some("cloudtrail")
        );
        assert_eq!(service_from_authorization("Bearer x"), None);
    }

    #[test]
    fn s3_bucket_subresources() {
        let h = [auth("s3")];
        let cases = [
            ("GET", "/b?policy", "GetBucketPolicy"),
            ("PUT", "/b?policy", "PutBucketPolicy"),
            ("DELETE", "/b?policy", "DeleteBucketPolicy"),
            ("GET", "/b?policy=", "GetBucketPolicy"),
            ("GET", "/b?ownershipControls", "GetBucketOwnershipControls"),
            ("PUT", "/b?ownershipControls", "PutBucketOwnershipControls"),
            (
                "DELETE",
                "/b?ownershipControls",
                "DeleteBucketOwnershipControls",
            ),
            (
                "GET",
                "/b?notification",
                "GetBucketNotificationConfiguration",
            ),
            (
                "PUT",
                "/b?notification",
                "PutBucketNotificationConfiguration",
            ),
            ("GET", "/b?x-id=GetObject&tagging", "GetBucketTagging"),
            ("GET", "/b/k?tagging", "GetObjectTagging"),
            ("GET", "/b?location", "GetBucketLocation"),
            ("GET", "/b?versioning", "GetBucketVersioning"),
            ("GET", "/b?list-type=2&prefix=a", "ListObjectsV2"),
            ("GET", "/b", "ListObjects"),
            ("PUT", "/b", "CreateBucket"),
            ("HEAD", "/b", "HeadBucket"),
            ("DELETE", "/b", "DeleteBucket"),
            ("GET", "/", "ListBuckets"),
            ("GET", "/b/some/key.txt", "GetObject"),
            ("PUT", "/b/k", "PutObject"),
            ("DELETE", "/b/k", "DeleteObject"),
            ("POST", "/b?delete", "DeleteObjects"),
        ];
        for (method, target, expected) in cases {
            assert_eq!(
                op(method, target, &h, ""),
                Operation::new("s3", expected),
                "{method} {target}"
            );
        }
        let copy = [auth("s3"), ("x-amz-copy-source".into(), "a/b".into())];
        assert_eq!(op("PUT", "/b/k", &copy, "").operation, "CopyObject");
    }

    #[test]
    fn query_protocol_actions() {
        let body = "Action=SetTopicAttributes&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns";
        assert_eq!(
            op("POST", "/", &[auth("sns")], body),
            Operation::new("sns", "SetTopicAttributes")
        );
        assert_eq!(
            op(
                "POST",
                "/",
                &[auth("sts")],
                "Action=AssumeRole&RoleArn=x&Version=2011-06-15"
            ),
            Operation::new("sts", "AssumeRole")
        );
        // Without a signature, STS actions are still told apart from SNS ones.
        assert_eq!(
            op(
                "POST",
                "/",
                &[],
                "Version=2011-06-15&Action=GetCallerIdentity"
            ),
            Operation::new("sts", "GetCallerIdentity")
        );
        assert_eq!(
            op("POST", "/", &[], "Action=GetTopicAttributes"),
            Operation::new("sns", "GetTopicAttributes")
        );
    }

    #[test]
    fn json_protocol_targets() {
        let h = [
            auth("cloudtrail"),
            (
                "X-Amz-Target".into(),
                "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors".into(),
            ),
        ];
        assert_eq!(
            op("POST", "/", &h, "{}"),
            Operation::new("cloudtrail", "GetEventSelectors")
        );
        let unsigned = [(
            "x-amz-target".into(),
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.PutEventSelectors".into(),
        )];
        assert_eq!(
            op("POST", "/", &unsigned, "{}"),
            Operation::new("cloudtrail", "PutEventSelectors")
        );
    }

    #[test]
    fn writes_are_recognised() {
        for write in [
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "SetTopicAttributes",
            "PutEventSelectors",
            "CreateBucket",
        ] {
            assert!(Operation::new("x", write).is_write(), "{write}");
        }
        for read in [
            "GetBucketPolicy",
            "GetTopicAttributes",
            "GetEventSelectors",
            "AssumeRole",
            "GetCallerIdentity",
            "ListObjectsV2",
        ] {
            assert!(!Operation::new("x", read).is_write(), "{read}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%3Ab+c%"), "a:b c%");
    }
}
