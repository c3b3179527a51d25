"""ListBuckets pages and names each bucket's region, as AWS does.

AWS behaviour restored (moto 5.1.22 returns every bucket in one answer, with
neither `BucketRegion` nor pagination):

Since October 2024 ListBuckets takes `max-buckets` (1 to 10000),
`continuation-token`, `prefix` and `bucket-region`; it answers buckets in
name order, each `<Bucket>` with its `<BucketRegion>`, and, when more buckets
are left after a page of `max-buckets`, a `<ContinuationToken>` to send for
the next page (an opaque string; the filters are echoed as `<Prefix>`). A
client that finds each bucket's region from ListBuckets needs no
GetBucketLocation per bucket, and one that ignores the token sees only the
first page: without this patch neither could be tested.
"""

import base64
from typing import Any
from xml.sax.saxutils import escape


def _page(buckets: list, query: dict) -> tuple:
    first = lambda name: (query.get(name) or [None])[0]  # noqa: E731
    prefix = first("prefix") or ""
    region = first("bucket-region")
    token = first("continuation-token")
    limit = first("max-buckets")
    chosen = sorted(
        (b for b in buckets if b.name.startswith(prefix)),
        key=lambda bucket: bucket.name,
    )
    if region:
        chosen = [bucket for bucket in chosen if bucket.region_name == region]
    if token:
        after = base64.urlsafe_b64decode(token.encode()).decode()
        chosen = [bucket for bucket in chosen if bucket.name > after]
    next_token = None
    if limit is not None:
        count = max(1, min(int(limit), 10000))
        if len(chosen) > count:
            chosen = chosen[:count]
            next_token = base64.urlsafe_b64encode(chosen[-1].name.encode()).decode()
    return chosen, next_token, prefix


def apply() -> None:
    from moto.s3 import responses

    def all_buckets(self: Any) -> str:
        self.data["Action"] = "ListAllMyBuckets"
        self._authenticate_and_authorize_s3_action()
        chosen, next_token, prefix = _page(self.backend.list_buckets(), self.querystring)
        entries = "".join(
            "<Bucket>"
            f"<Name>{escape(bucket.name)}</Name>"
            f"<CreationDate>{bucket.creation_date_ISO8601}</CreationDate>"
            f"<BucketRegion>{escape(bucket.region_name)}</BucketRegion>"
            "</Bucket>"
            for bucket in chosen
        )
        token = f"<ContinuationToken>{next_token}</ContinuationToken>" if next_token else ""
        echoed = f"<Prefix>{escape(prefix)}</Prefix>" if prefix else ""
        return (
            '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01">'
            "<Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID></Owner>"
            f"<Buckets>{entries}</Buckets>{token}{echoed}"
            "</ListAllMyBucketsResult>"
        )

    responses.S3Response.all_buckets = all_buckets
