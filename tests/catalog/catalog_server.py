"""A stand-in for a Quilt catalog's admin API, for xacct's tests and demo.

It serves the slice of the catalog that registers S3 buckets:

- `POST /graphql`: the bucket queries and mutations of schema.graphql
  (bucketConfigs, bucketConfig, bucketAdd, bucketUpdate, bucketRemove),
  executed by graphql-core, so documents are parsed and validated against
  the schema as a real GraphQL server does;
- `POST /api/admin/reindex/<bucket>`: the catalog's reindex endpoint;
- `GET /_standin/reindexed`: the reindex requests so far (tests only);
- `POST /api/token`: quilt3's session renewal (refresh token -> access
  token), a login, so it needs no key either;
- `GET /healthz`: readiness, the only other path that needs no key.

Every other request needs `Authorization: Bearer <key>`, the key taken from
the environment variable CATALOG_STANDIN_API_KEY (never printed or logged).

Before it adds or updates a bucket it checks, against the emulator and with
the credentials of the control account's catalog role, what the real catalog
checks (see docs/testing.md, "The catalog stand-in", for each rule and its
source): the bucket exists and the catalog can list it and read its
notification configuration; a given SNS topic exists, the catalog may
subscribe to it, and the bucket notifies it of object creation and removal.
It never writes to AWS: it does not subscribe (moto would keep another
account's subscription where the topic's owner never sees it) nor add a
missing notification.

Sources, all in the public quiltdata/quilt repository:
shared/graphql/schema.graphql (types, unions, mutations),
api/python/quilt3-graphql/queries.graphql (BucketConfigSelection incl.
`prefixes`, `... on InsufficientPermissions { message }`),
api/python/quilt3/admin/buckets.py (add/update inputs incl. browsable,
prefixes, delayScan; SubscriptionInvalid; update sends every field),
catalog/app/containers/Admin/Buckets/gql/BucketConfigSelection.generated.ts
(`browsable` non-null), docs/Catalog/Admin.md (the notification rule and
`POST /api/admin/reindex/<bucket>` with `prefix`) and
catalog/app/containers/Admin/Buckets/Buckets.tsx (the reindex dialog's
request, body `{repair}`, and its 404 "Bucket not found"; the edit form
sends every field back on update).

Run (with the virtualenv of scripts/setup.sh, next to a running emulator):

    CATALOG_STANDIN_API_KEY=... .venv/bin/python tests/catalog/catalog_server.py \\
        --host 127.0.0.1 --port PORT --aws-endpoint http://127.0.0.1:MOTOPORT \\
        --control-account 111111111111 --region us-east-1
"""

import argparse
import datetime
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from graphql import GraphQLError, build_schema, parse, validate
from graphql.execution import ExecutionContext, execute

HERE = os.path.dirname(os.path.abspath(__file__))
# The emulator's own resource-policy check, so "may subscribe" is decided by
# the same rules as the cross-account grants the emulator enforces.
sys.path.insert(0, os.path.join(HERE, "..", "emulator"))
from resource_policy import allows  # noqa: E402

KEY_VARIABLE = "CATALOG_STANDIN_API_KEY"
REFRESH_VARIABLE = "CATALOG_STANDIN_REFRESH_TOKEN"
MAX_BODY = 1 << 20
# The real catalog reports its bounds for indexContentBytes in
# Config.contentIndexingSettings (bytesMin, bytesMax); the stand-in fixes them.
INDEX_CONTENT_BYTES_MAX = 1 << 20
# arn:PARTITION:sns:REGION:ACCOUNT:NAME
TOPIC_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12})"
    r":([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$"
)
# Assumed credentials are refreshed well before moto's default hour runs out.
CREDENTIALS_LIFETIME = 15 * 60
# Nullable BucketConfig fields an input may set; an omitted one becomes null.
NULLABLE_FIELDS = (
    "iconUrl",
    "description",
    "linkedData",
    "overviewUrl",
    "tags",
    "snsNotificationArn",
    "scannerParallelShardsDepth",
    "skipMetaDataIndexing",
    "fileExtensionsToIndex",
    "indexContentBytes",
)


def log(message: str) -> None:
    sys.stderr.write(f"catalog-standin: {message}\n")
    sys.stderr.flush()


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def result(typename: str, **fields: Any) -> dict[str, Any]:
    """A union member: graphql-core's default type resolver reads `__typename`."""
    return {"__typename": typename, **fields}


class ControlAccount:
    """The catalog's AWS identity: its role in the control account, assumed
    with the base credentials moto accepts."""

    def __init__(self, endpoint: str, account: str, role_name: str, region: str) -> None:
        self.endpoint = endpoint
        self.account = account
        self.region = region
        self.role_arn = f"arn:aws:iam::{account}:role/{role_name}"
        self.config = Config(
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "total_max_attempts": 2},
            connect_timeout=5,
            read_timeout=30,
        )
        self._lock = threading.Lock()
        self._session: Optional[boto3.session.Session] = None
        self._assumed_at = 0.0
        self._clients: dict[tuple[str, str], Any] = {}

    def _current_session(self) -> boto3.session.Session:
        with self._lock:
            if self._session is None or time.monotonic() - self._assumed_at > CREDENTIALS_LIFETIME:
                sts = boto3.client(
                    "sts",
                    endpoint_url=self.endpoint,
                    region_name=self.region,
                    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                    config=self.config,
                )
                c = sts.assume_role(RoleArn=self.role_arn, RoleSessionName="quilt-catalog")[
                    "Credentials"
                ]
                self._session = boto3.session.Session(
                    aws_access_key_id=c["AccessKeyId"],
                    aws_secret_access_key=c["SecretAccessKey"],
                    aws_session_token=c["SessionToken"],
                )
                self._assumed_at = time.monotonic()
                self._clients.clear()
            return self._session

    def client(self, service: str, region: Optional[str] = None) -> Any:
        session = self._current_session()
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = session.client(
                    service, endpoint_url=self.endpoint, region_name=key[1], config=self.config
                )
            return self._clients[key]


def unconditional_allows(policy: Optional[str]) -> Optional[str]:
    """The policy without its conditional Allow statements. The emulator's
    check counts an Allow with a Condition as allowing; every new topic's
    default statement is one (any principal, conditioned on AWS:SourceOwner
    being the owner), which on AWS lets no other account in."""
    try:
        document = json.loads(policy or "")
    except ValueError:
        return None
    statements = document.get("Statement")
    if isinstance(statements, list):
        document["Statement"] = [
            s
            for s in statements
            if not (isinstance(s, dict) and s.get("Effect") == "Allow" and s.get("Condition"))
        ]
    return json.dumps(document)


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "Unknown")


class Checks:
    """What the catalog verifies before it stores a bucket configuration.
    Each check returns None when it passes, else the union member to answer."""

    def __init__(self, aws: ControlAccount) -> None:
        self.aws = aws

    def denied(self, action: str, bucket: str, why: str) -> dict[str, Any]:
        return result(
            "InsufficientPermissions",
            message=f"the catalog (account {self.aws.account}) cannot {action} "
            f"on bucket {bucket}: {why}",
        )

    @staticmethod
    def inputs(config: dict[str, Any]) -> Optional[dict[str, Any]]:
        for extension in config.get("fileExtensionsToIndex") or []:
            if not extension.startswith(".") or len(extension) < 2:
                return result("BucketFileExtensionsToIndexInvalid")
        size = config.get("indexContentBytes")
        if size is not None and not 0 <= size <= INDEX_CONTENT_BYTES_MAX:
            return result("BucketIndexContentBytesInvalid")
        arn = config.get("snsNotificationArn")
        if arn is not None and not TOPIC_ARN.match(arn):
            # moto answers a malformed topic ARN with a 500; AWS with InvalidParameter.
            return result("SnsInvalid")
        return None

    def bucket(
        self, name: str, prefixes: list[str], adding: bool
    ) -> tuple[Optional[dict[str, Any]], dict[str, Any]]:
        """Lists the bucket (under each prefix, if it is limited to some) and
        reads its notification configuration. ListObjectsV2, not HeadBucket:
        on AWS both need s3:ListBucket, but the emulator checks HeadBucket
        against a policy action of its own name. The SDK follows the
        emulator's redirect to a bucket in another region."""
        s3 = self.aws.client("s3")
        for prefix in prefixes or [""]:
            try:
                s3.list_objects_v2(Bucket=name, Prefix=prefix, MaxKeys=1)
            except ClientError as e:
                if error_code(e) == "NoSuchBucket":
                    if adding:
                        return result("BucketDoesNotExist"), {}
                    return self.denied("s3:ListBucket", name, "the bucket does not exist"), {}
                where = f" (prefix {prefix!r})" if prefix else ""
                return self.denied("s3:ListBucket", name + where, error_code(e)), {}
        try:
            notifications = s3.get_bucket_notification_configuration(Bucket=name)
        except ClientError as e:
            return self.denied("s3:GetBucketNotification", name, error_code(e)), {}
        return None, notifications

    def topic(self, arn: str) -> Optional[dict[str, Any]]:
        """The topic exists and the catalog may subscribe to it. The emulator
        enforces only GetTopicAttributes across accounts (moto lets anyone
        subscribe), so the catalog reads the topic (NotFound, or
        AuthorizationError without a grant) and sns:Subscribe is decided on
        the policy it read, by the emulator's own resource-policy check,
        counting only unconditional Allows (see unconditional_allows)."""
        match = TOPIC_ARN.match(arn)
        assert match is not None, "inputs() refused malformed ARNs"
        region, owner = match.group(2), match.group(3)
        try:
            attributes = self.aws.client("sns", region).get_topic_attributes(TopicArn=arn)
        except ClientError as e:
            if error_code(e) in ("NotFound", "NotFoundException"):
                return result("NotificationTopicNotFound")
            log(f"GetTopicAttributes {arn}: {error_code(e)}")
            return result("SnsInvalid")
        policy = unconditional_allows(attributes.get("Attributes", {}).get("Policy"))
        if owner != self.aws.account and not allows(
            policy, "sns:Subscribe", arn, self.aws.account, self.aws.role_arn
        ):
            log(f"topic {arn}: its policy does not let {self.aws.account} sns:Subscribe")
            return result("SnsInvalid")
        return None

    @staticmethod
    def notifications(configuration: dict[str, Any], arn: str) -> Optional[dict[str, Any]]:
        """docs/Catalog/Admin.md: an existing notification is used "if and
        only if it supports the required events (object creation and
        deletion)". Taken over every entry for the topic together; filters
        are not considered."""
        events = [
            event
            for entry in configuration.get("TopicConfigurations", [])
            if entry.get("TopicArn") == arn
            for event in entry.get("Events", [])
        ]
        created = any(e.startswith("s3:ObjectCreated:") for e in events)
        removed = any(e.startswith("s3:ObjectRemoved:") for e in events)
        return None if created and removed else result("NotificationConfigurationError")

    def run(
        self, name: str, config: dict[str, Any], adding: bool
    ) -> Optional[dict[str, Any]]:
        failure = self.inputs(config)
        if failure is not None:
            return failure
        failure, notifications = self.bucket(name, config["prefixes"], adding)
        if failure is not None:
            return failure
        arn = config.get("snsNotificationArn")
        if arn is None:
            return None
        return self.topic(arn) or self.notifications(notifications, arn)


def bucket_config(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """A whole BucketConfig from an add or update input: what the input does
    not give takes its default, as the catalog stores quilt3's None."""
    config = {field: given.get(field) for field in NULLABLE_FIELDS}
    config.update(
        name=name,
        title=given["title"],
        relevanceScore=given.get("relevanceScore") or 0,
        browsable=bool(given.get("browsable")),
        prefixes=list(given.get("prefixes") or []),
        lastIndexed=None,
    )
    return config


class Catalog:
    """The catalog's state (bucket name -> BucketConfig) and its GraphQL
    resolvers. Mutations are serialised: each checks and then stores."""

    def __init__(self, checks: Checks) -> None:
        self.checks = checks
        self.lock = threading.Lock()
        self.buckets: dict[str, dict[str, Any]] = {}
        self.reindexed: list[dict[str, Any]] = []
        self.root = {
            "bucketConfigs": self.bucket_configs,
            "bucketConfig": self.bucket_config,
            "bucketAdd": self.bucket_add,
            "bucketUpdate": self.bucket_update,
            "bucketRemove": self.bucket_remove,
        }

    def bucket_configs(self, _info: Any) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for _, c in sorted(self.buckets.items())]

    def bucket_config(self, _info: Any, name: str) -> Optional[dict[str, Any]]:
        with self.lock:
            config = self.buckets.get(name)
            return dict(config) if config else None

    def bucket_add(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        name = input["name"]
        config = bucket_config(name, input)
        with self.lock:
            if name in self.buckets:
                answer = result("BucketAlreadyAdded")
            else:
                answer = self.checks.run(name, config, adding=True)
            if answer is None:
                # The catalog scans a new bucket at once unless told to wait.
                if not input.get("delayScan"):
                    config["lastIndexed"] = now()
                self.buckets[name] = config
                answer = result("BucketAddSuccess", bucketConfig=dict(config))
        log(f"bucketAdd {name}: {describe(answer)}")
        return answer

    def bucket_update(self, _info: Any, name: str, input: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            old = self.buckets.get(name)
            if old is None:
                answer = result("BucketNotFound")
            else:
                config = bucket_config(name, input)
                config["lastIndexed"] = old["lastIndexed"]
                answer = self.checks.run(name, config, adding=False)
                if answer is None:
                    self.buckets[name] = config
                    answer = result("BucketUpdateSuccess", bucketConfig=dict(config))
        log(f"bucketUpdate {name}: {describe(answer)}")
        return answer

    def bucket_remove(self, _info: Any, name: str) -> dict[str, Any]:
        with self.lock:
            found = self.buckets.pop(name, None) is not None
        answer = result("BucketRemoveSuccess" if found else "BucketNotFound")
        log(f"bucketRemove {name}: {describe(answer)}")
        return answer

    def reindex(self, name: str, prefix: Optional[str], repair: Optional[bool]) -> bool:
        with self.lock:
            if name not in self.buckets:
                return False
            self.buckets[name]["lastIndexed"] = now()
            self.reindexed.append({"bucket": name, "prefix": prefix, "repair": repair})
        log(f"reindex {name}: prefix={prefix!r} repair={repair!r}")
        return True

    def reindex_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.reindexed)


def describe(answer: dict[str, Any]) -> str:
    message = answer.get("message")
    return answer["__typename"] + (f" ({message})" if message else "")


class GraphQL:
    """GraphQL over HTTP. A request that cannot be executed (bad JSON, parse
    or validation errors, variables that do not fit, an unknown operation)
    is answered 400, as the GraphQL-over-HTTP spec has it for
    application/graphql-response+json and ariadne does for parse and
    validation errors; once execution starts, 200, with any field errors in
    `errors` beside `data`. The errors are graphql-core's own, formatted as
    graphql_sync's result would be."""

    def __init__(self, schema_path: str, catalog: Catalog) -> None:
        with open(schema_path, encoding="utf-8") as f:
            self.schema = build_schema(f.read())
        self.catalog = catalog

    def handle(self, body: bytes) -> tuple[int, Any]:
        try:
            request = json.loads(body)
        except ValueError:
            return 400, errors("the request body is not JSON")
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return 400, errors("the request needs a `query` string")
        variables = request.get("variables") or {}
        operation = request.get("operationName")
        if not isinstance(variables, dict):
            return 400, errors("`variables` must be an object")
        if operation is not None and not isinstance(operation, str):
            return 400, errors("`operationName` must be a string")
        try:
            document = parse(request["query"])
        except GraphQLError as e:
            return 400, {"errors": [e.formatted]}
        invalid = validate(self.schema, document)
        if invalid:
            return 400, {"errors": [e.formatted for e in invalid]}
        root = self.catalog.root
        prepared = ExecutionContext.build(self.schema, document, root, None, variables, operation)
        if isinstance(prepared, list):
            return 400, {"errors": [e.formatted for e in prepared]}
        outcome = execute(self.schema, document, root, None, variables, operation)
        for error in outcome.errors or []:
            log(f"graphql field error: {error.message}")
        return 200, outcome.formatted


def errors(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "QuiltCatalogStandIn/1"
    # Set on the class by main().
    key = ""
    # The one refresh token /api/token accepts (CATALOG_STANDIN_REFRESH_TOKEN).
    refresh_token = ""
    token_lock = threading.Lock()
    graphql: GraphQL
    catalog: Catalog

    def log_message(self, format: str, *args: Any) -> None:
        # The request line and status only: never headers (the key).
        log(f"{self.address_string()} {format % args}")

    def send_json(self, status: int, payload: Any) -> None:
        self.send_body(status, json.dumps(payload).encode(), "application/json")

    def send_body(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        self.end_headers()
        self.wfile.write(body)

    def authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {self.key}".encode()):
            return True
        message = "missing Authorization header" if not given else "invalid API key"
        self.send_json(401, {"message": message})
        return False

    def read_body(self) -> Optional[bytes]:
        if self.headers.get("Transfer-Encoding"):
            self.send_json(411, {"message": "send a Content-Length, not a chunked body"})
            self.close_connection = True
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.send_json(400, {"message": "bad Content-Length"})
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self.send_body(200, b"ok", "text/plain")
            return
        if not self.authorized():
            return
        if path == "/_standin/reindexed":
            self.send_json(200, self.catalog.reindex_requests())
        elif path == "/graphql":
            self.send_json(405, {"message": "POST a GraphQL request"})
        else:
            self.send_json(404, {"message": "Not found"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        # Read the body first, so a refused request does not leave it in the
        # connection for the next one.
        body = self.read_body()
        if body is None:
            return
        if path == "/api/token":
            # A login, so no key: the refresh token is the credential.
            self.token(body)
            return
        if not self.authorized():
            return
        if path == "/graphql":
            media_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                self.send_json(415, errors("the request must be application/json"))
                return
            status, payload = self.graphql.handle(body)
            self.send_json(status, payload)
        elif path.startswith("/api/admin/reindex/"):
            self.reindex(path[len("/api/admin/reindex/") :], body)
        else:
            self.send_json(404, {"message": "Not found"})

    def token(self, body: bytes) -> None:
        """quilt3's session renewal (`session.py`: `_update_auth` POSTs the
        form `refresh_token=...` to `<registry>/api/token`): a valid refresh
        token gets an access token (the admin key here) and a new refresh
        token, the old one is spent."""
        form = parse_qs(body.decode("utf-8", "replace"))
        given = (form.get("refresh_token") or [""])[0]
        with Handler.token_lock:
            valid = bool(Handler.refresh_token) and hmac.compare_digest(
                given.encode(), Handler.refresh_token.encode()
            )
            if not valid:
                self.send_json(200, {"error": "invalid refresh token"})
                return
            Handler.refresh_token = secrets.token_urlsafe(24)
            renewed = Handler.refresh_token
        log("token: a refresh token was exchanged")
        self.send_json(
            200,
            {"access_token": self.key, "refresh_token": renewed, "expires_at": time.time() + 3600},
        )

    def reindex(self, bucket: str, body: bytes) -> None:
        try:
            request = json.loads(body) if body.strip() else {}
        except ValueError:
            request = None
        prefix = request.get("prefix") if isinstance(request, dict) else None
        repair = request.get("repair") if isinstance(request, dict) else None
        if (
            not isinstance(request, dict)
            or not isinstance(prefix, (str, type(None)))
            or not isinstance(repair, (bool, type(None)))
        ):
            self.send_json(400, {"message": "expected {\"prefix\"?: string, \"repair\"?: boolean}"})
            return
        if not bucket or "/" in bucket or not self.catalog.reindex(bucket, prefix, repair):
            self.send_json(404, {"message": "Bucket not found"})
            return
        self.send_json(200, {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--aws-endpoint", required=True, help="the emulator's URL")
    parser.add_argument("--control-account", required=True)
    parser.add_argument("--control-role-name", default="QuiltCatalogRole")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()

    key = os.environ.pop(KEY_VARIABLE, "")
    if not key:
        log(f"set {KEY_VARIABLE} to the admin API key")
        return 2

    aws = ControlAccount(
        args.aws_endpoint, args.control_account, args.control_role_name, args.region
    )
    catalog = Catalog(Checks(aws))
    Handler.key = key
    Handler.refresh_token = os.environ.pop(REFRESH_VARIABLE, "")
    Handler.catalog = catalog
    Handler.graphql = GraphQL(os.path.join(HERE, "schema.graphql"), catalog)

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    # The readiness line (tools may wait for it), without the log prefix.
    sys.stderr.write(f"catalog stand-in listening on http://{host}:{port}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
