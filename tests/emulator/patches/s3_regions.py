"""S3 buckets answer only in their own region, as on AWS.

AWS behaviour restored (moto 5.1.22 serves every bucket from every region):

A request for an existing bucket (bucket-level or object-level) whose SigV4
credential scope names another region than the bucket's gets
`301 Moved Permanently` with an `x-amz-bucket-region: <bucket's region>`
header and, except for HEAD (no body), the error document

    <Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting
    to access must be addressed using the specified endpoint. ...</Message>
    <Endpoint>BUCKET.s3.REGION.amazonaws.com</Endpoint><Bucket>BUCKET</Bucket>
    ...</Error>

and nothing is read or changed. The SDKs sign with the region of the endpoint
they send to, so this is what a client configured for the wrong region sees
on AWS (a request signed for one region but sent to the bucket's regional
endpoint gets 400 AuthorizationHeaderMalformed instead; an emulator has one
endpoint for all regions, so that case cannot arise here). The check comes
before any access check: AWS redirects requests for other accounts' buckets
too. moto answered every such request as if it had been sent to the right
region, which would hide reading or writing a bucket through a client of the
wrong region.

Left alone, as AWS treats them differently: CreateBucket (its region is the
request's, checked by moto against the LocationConstraint), GetBucketLocation
(the way to find a bucket's region, answered from any region), ListBuckets
(no bucket), requests for buckets that do not exist (NoSuchBucket), and unsigned
requests (no credential scope to compare).
"""

import re
from typing import Any, Optional
from urllib.parse import parse_qs, urlparse

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/s3/aws4_request")

REDIRECT_MESSAGE = (
    "The bucket you are attempting to access must be addressed using the specified "
    "endpoint. Please send all future requests to this endpoint."
)


def _signing_region(request: Any, full_url: str) -> Optional[str]:
    """The region of the request's SigV4 credential scope: the Authorization
    header, or X-Amz-Credential of a presigned URL."""
    match = CREDENTIAL_SCOPE.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1)
    credential = parse_qs(urlparse(full_url).query).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    if len(parts) == 5 and parts[3] == "s3":
        return parts[2]
    return None


def _bucket_region(bucket_name: str) -> Optional[str]:
    """The region of an existing bucket, whichever account owns it."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(bucket_name)
    if owner is None:
        return None
    partition, account_id = owner
    bucket = s3_backends[account_id][partition].buckets.get(bucket_name)
    return None if bucket is None else bucket.region_name


def _redirect(self: Any, request: Any, full_url: str) -> Optional[Any]:
    """The 301 AWS answers, or None when the request is for the right region."""
    bucket_name = self.parse_bucket_name_from_url(request, full_url)
    if not bucket_name:
        return None
    signed_for = _signing_region(request, full_url)
    actual = _bucket_region(bucket_name)
    if signed_for is None or actual is None or signed_for == actual:
        return None
    headers = {"x-amz-bucket-region": actual}
    if request.method == "HEAD":
        return 301, headers, ""
    headers["content-type"] = "application/xml"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Error><Code>PermanentRedirect</Code>"
        f"<Message>{REDIRECT_MESSAGE}</Message>"
        f"<Endpoint>{bucket_name}.s3.{actual}.amazonaws.com</Endpoint>"
        f"<Bucket>{bucket_name}</Bucket>"
        "<RequestId>xacct-emulator</RequestId><HostId>xacct-emulator</HostId>"
        "</Error>"
    )
    return 301, headers, body


def apply() -> None:
    from moto.s3 import responses

    original_bucket_response = responses.S3Response._bucket_response
    original_key_response = responses.S3Response._key_response

    def bucket_response(self: Any, request: Any, full_url: str) -> Any:
        query = self._get_querystring(request, full_url)
        creating = request.method == "PUT" and not query
        locating = request.method == "GET" and "location" in query
        if not (creating or locating):
            redirect = _redirect(self, request, full_url)
            if redirect is not None:
                return redirect
        return original_bucket_response(self, request, full_url)

    def key_response(self: Any, request: Any, full_url: str) -> Any:
        redirect = _redirect(self, request, full_url)
        if redirect is not None:
            return redirect
        return original_key_response(self, request, full_url)

    responses.S3Response._bucket_response = bucket_response
    responses.S3Response._key_response = key_response
