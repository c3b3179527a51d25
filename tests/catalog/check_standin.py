"""Checks the catalog stand-in rule by rule, without cargo: starts the patched
emulator and the stand-in on free ports, builds a world of two accounts and
asserts each answer. Stops at the first failure, naming it.

    .venv/bin/python tests/catalog/check_standin.py
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any, Optional

import boto3
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTROL, DATA = "111111111111", "222222222222"
KEY = "qk_test_check_standin"
# crates/xacct-spec/src/presets.rs: the Quilt cross-account bucket grant.
QUILT_ACTIONS = [
    "s3:" + action
    for action in (
        "GetObject GetObjectAttributes GetObjectTagging GetObjectVersion "
        "GetObjectVersionAttributes GetObjectVersionTagging ListBucket ListBucketVersions "
        "DeleteObject DeleteObjectVersion PutObject PutObjectTagging "
        "GetBucketNotification PutBucketNotification"
    ).split()
]
RESULT = "__typename ... on InsufficientPermissions { message }"
CONFIG = (
    "name title iconUrl description linkedData overviewUrl tags relevanceScore lastIndexed "
    "snsNotificationArn scannerParallelShardsDepth skipMetaDataIndexing "
    "fileExtensionsToIndex indexContentBytes browsable prefixes"
)
ADD = (
    "mutation($i: BucketAddInput!) { bucketAdd(input: $i) { "
    f"{RESULT} ... on BucketAddSuccess {{ bucketConfig {{ {CONFIG} }} }} }} }}"
)
UPDATE = (
    "mutation($n: String!, $i: BucketUpdateInput!) { bucketUpdate(name: $n, input: $i) { "
    f"{RESULT} ... on BucketUpdateSuccess {{ bucketConfig {{ {CONFIG} }} }} }} }}"
)
REMOVE = "mutation($n: String!) { bucketRemove(name: $n) { __typename } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, log: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer:\n{open(log).read()}")


class Standin:
    def __init__(self, url: str) -> None:
        self.url = url

    def request(self, path: str, body: Any = None, key: Optional[str] = KEY) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        try:
            with urllib.request.urlopen(
                urllib.request.Request(self.url + path, data=data, headers=headers)
            ) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def gql(self, query: str, **variables: Any) -> Any:
        """The one root field's value of a request that must execute cleanly."""
        status, body = self.request("/graphql", {"query": query, "variables": variables})
        assert status == 200 and "errors" not in body, (status, body)
        return next(iter(body["data"].values()))

    def expect(self, typename: str, query: str, **variables: Any) -> dict[str, Any]:
        answer = self.gql(query, **variables)
        assert answer["__typename"] == typename, f"expected {typename}, got {answer}"
        return answer


def clients(endpoint: str, account: str, region: str = "us-east-1") -> tuple[Any, Any]:
    """S3 and SNS clients of `account` (any role name: moto maps it to the account)."""
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/owner", RoleSessionName="check")
    c = c["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
        region_name=region,
    )
    s3 = session.client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )
    return s3, session.client("sns", endpoint_url=endpoint)


def bucket_policy(bucket: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{CONTROL}:root"},
        "Action": QUILT_ACTIONS,
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def notify(s3: Any, bucket: str, topic: str, events: list[str]) -> None:
    entry = {"TopicArn": topic, "Events": events}
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [entry]}
    )


def check(endpoint: str, catalog: Standin) -> None:
    s3, sns = clients(endpoint, DATA)

    # The key, and documents validated against the schema.
    query = {"query": "{ bucketConfigs { name } }"}
    assert catalog.request("/graphql", query, key=None)[0] == 401
    assert catalog.request("/graphql", query, key="qk_wrong")[0] == 401
    status, body = catalog.request("/graphql", {"query": "{ bucketConfigs { permissions } }"})
    assert status == 400 and "permissions" in body["errors"][0]["message"], body

    # Another account's bucket: refused until its policy grants the catalog.
    s3.create_bucket(Bucket="data-b")
    catalog.expect("BucketDoesNotExist", ADD, i={"name": "missing-b", "title": "M"})
    denied = catalog.expect("InsufficientPermissions", ADD, i={"name": "data-b", "title": "D"})
    assert "s3:ListBucket on bucket data-b: AccessDenied" in denied["message"], denied
    s3.put_bucket_policy(Bucket="data-b", Policy=bucket_policy("data-b"))
    linked = {"@type": "Dataset", "keywords": ["x"]}
    given = {"name": "data-b", "title": "D", "tags": ["t"], "linkedData": linked}
    config = catalog.expect("BucketAddSuccess", ADD, i=given)["bucketConfig"]
    assert config["relevanceScore"] == 0 and config["browsable"] is False, config
    assert config["prefixes"] == [] and config["description"] is None, config
    assert config["tags"] == ["t"] and config["lastIndexed"], config
    assert config["linkedData"] == linked, config
    catalog.expect("BucketAlreadyAdded", ADD, i={"name": "data-b", "title": "D"})

    # Input checks.
    for extensions in (["txt"], ["."]):
        invalid = {"title": "D", "fileExtensionsToIndex": extensions}
        catalog.expect("BucketFileExtensionsToIndexInvalid", UPDATE, n="data-b", i=invalid)
    too_big = {"title": "D", "indexContentBytes": 1048577}
    catalog.expect("BucketIndexContentBytesInvalid", UPDATE, n="data-b", i=too_big)

    # An update replaces every field: what is not sent back is gone.
    new = catalog.expect("BucketUpdateSuccess", UPDATE, n="data-b", i={"title": "New"})
    new = new["bucketConfig"]
    assert new["tags"] is None and new["linkedData"] is None and new["title"] == "New", new
    catalog.expect("BucketNotFound", UPDATE, n="nope-b", i={"title": "X"})

    # A bucket in another region (the SDK follows the emulator's redirect),
    # limited to prefixes, its scan delayed; then its grant goes away.
    west, _ = clients(endpoint, DATA, "us-west-2")
    west.create_bucket(
        Bucket="west-b", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    west.put_bucket_policy(Bucket="west-b", Policy=bucket_policy("west-b"))
    given = {"name": "west-b", "title": "W", "prefixes": ["a/", "b/"], "delayScan": True}
    config = catalog.expect("BucketAddSuccess", ADD, i=given)["bucketConfig"]
    assert config["prefixes"] == ["a/", "b/"] and config["lastIndexed"] is None, config
    west.delete_bucket_policy(Bucket="west-b")
    gone = catalog.expect(
        "InsufficientPermissions", UPDATE, n="west-b", i={"title": "W", "prefixes": ["a/"]}
    )
    assert "s3:ListBucket on bucket west-b (prefix 'a/')" in gone["message"], gone

    # The topic: malformed, missing, only AWS's default statement, then granted
    # but the bucket does not notify it of both creation and removal.
    topic = sns.create_topic(Name="events")["TopicArn"]
    for typename, arn in (
        ("SnsInvalid", "arn:aws:sns:bad"),
        ("NotificationTopicNotFound", topic + "-missing"),
        ("SnsInvalid", topic),
    ):
        given = {"title": "D", "snsNotificationArn": arn}
        catalog.expect(typename, UPDATE, n="data-b", i=given)
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    policy["Statement"].append(
        {
            "Sid": "QuiltCrossAccountSNSAccess",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{CONTROL}:root"},
            "Action": ["sns:GetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe"],
            "Resource": topic,
        }
    )
    policy["Statement"].append(
        {
            "Sid": "S3Publish",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic,
        }
    )
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    with_topic = {"title": "D", "snsNotificationArn": topic}
    catalog.expect("NotificationConfigurationError", UPDATE, n="data-b", i=with_topic)
    notify(s3, "data-b", topic, ["s3:ObjectCreated:*"])
    catalog.expect("NotificationConfigurationError", UPDATE, n="data-b", i=with_topic)
    notify(s3, "data-b", topic, ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"])
    catalog.expect("BucketUpdateSuccess", UPDATE, n="data-b", i=with_topic)

    # Reindex, then remove.
    assert catalog.request("/api/admin/reindex/nope-b", {}) == (
        404,
        {"message": "Bucket not found"},
    )
    assert catalog.request("/api/admin/reindex/data-b", {"prefix": "p/", "repair": True}) == (
        200,
        {},
    )
    assert catalog.request("/_standin/reindexed") == (
        200,
        [{"bucket": "data-b", "prefix": "p/", "repair": True}],
    )
    catalog.expect("BucketRemoveSuccess", REMOVE, n="data-b")
    catalog.expect("BucketNotFound", REMOVE, n="data-b")
    assert catalog.gql("{ bucketConfigs { name } }") == [{"name": "west-b"}]


def main() -> None:
    logs = tempfile.mkdtemp(prefix="catalog-check-")
    moto_port, catalog_port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    catalog = Standin(f"http://127.0.0.1:{catalog_port}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    moto_log, catalog_log = f"{logs}/moto.log", f"{logs}/catalog.log"
    moto = subprocess.Popen(
        [sys.executable, f"{ROOT}/tests/emulator/moto_server.py"]
        + ["-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=open(moto_log, "w"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    standin = subprocess.Popen(
        [sys.executable, f"{ROOT}/tests/catalog/catalog_server.py"]
        + ["--port", str(catalog_port), "--aws-endpoint", endpoint]
        + ["--control-account", CONTROL],
        stderr=open(catalog_log, "w"),
        env={**env, "CATALOG_STANDIN_API_KEY": KEY},
    )
    try:
        wait_for(f"{endpoint}/moto-api/", moto_log)
        wait_for(f"{catalog.url}/healthz", catalog_log)
        check(endpoint, catalog)
        assert KEY not in open(catalog_log).read(), "the key is in the stand-in's log"
    except BaseException:
        print(f"failed; the logs are in {logs}", file=sys.stderr)
        raise
    finally:
        for child in (standin, moto):
            child.terminate()
            child.wait()
    shutil.rmtree(logs)
    print("catalog stand-in: all checks passed")


if __name__ == "__main__":
    main()
