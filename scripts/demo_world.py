"""The demo's world on a local moto_server: the situation deploy.yaml.example
is written for, with other teams' settings already in place.

Usage (by scripts/demo.sh, with the venv's python):
    demo_world.py ENDPOINT create          # buckets, topics, trail, others' settings
    demo_world.py ENDPOINT tamper          # out-of-band changes to drift from
    demo_world.py ENDPOINT catalog-tamper  # a title changed by hand in the Quilt catalog
    demo_world.py ENDPOINT show            # the live state, others' parts included

Accounts come from STS assume-role: moto maps an assumed role's credentials
to the role's account. The catalog (the stand-in tests/catalog/catalog_server.py)
is at $XACCT_DEMO_CATALOG_URL, with the admin key in $QUILT_API_KEY (sent only
in the Authorization header, never printed).
"""

import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CONTROL = "111111111111"
DATA = "222222222222"
REGION = "us-east-1"
DATA_BUCKET = "quilt-example-data"
CURATED = "quilt-example-curated"
LOGS = "quilt-example-cloudtrail-logs"
OTHER_TEAM = "analytics-team-raw"
BUCKETS = [DATA_BUCKET, CURATED, LOGS, OTHER_TEAM]
TOPIC = "quilt-events"
OTHER_TOPIC = "analytics-events"
TRAIL = "quilt-trail"
# The BucketConfig fields bucketUpdate takes. The catalog replaces every one
# of them on update, so an edit sends back all but the changed one as read.
CATALOG_FIELDS = [
    "title", "iconUrl", "description", "linkedData", "overviewUrl", "tags",
    "relevanceScore", "snsNotificationArn", "scannerParallelShardsDepth",
    "skipMetaDataIndexing", "fileExtensionsToIndex", "indexContentBytes",
    "browsable", "prefixes",
]
HAND_TITLE = "Raw data - DO NOT USE (moved)"


def clients(endpoint, account):
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/xacct-deployer",
        RoleSessionName="xacct-demo",
    )["Credentials"]
    kwargs = dict(
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return (
        boto3.client("s3", config=Config(s3={"addressing_style": "path"}), **kwargs),
        boto3.client("sns", **kwargs),
        boto3.client("cloudtrail", **kwargs),
    )


def topic_arn(name):
    return f"arn:aws:sns:{REGION}:{DATA}:{name}"


def statements(policy):
    found = policy["Statement"]
    return found if isinstance(found, list) else [found]


def create(endpoint):
    clients(endpoint, CONTROL)  # the control account exists too
    s3, sns, cloudtrail = clients(endpoint, DATA)
    for bucket in BUCKETS:
        s3.create_bucket(Bucket=bucket)
        # Every new AWS bucket gets BucketOwnerEnforced (moto gives none).
        s3.put_bucket_ownership_controls(
            Bucket=bucket,
            OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        )
    # An older data bucket: writers still own their objects, the security team
    # denies plain HTTP, and the analytics team gets events under analytics/.
    s3.put_bucket_ownership_controls(
        Bucket=DATA_BUCKET,
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )
    s3.put_bucket_policy(
        Bucket=DATA_BUCKET,
        Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "SecurityTeamDenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{DATA_BUCKET}", f"arn:aws:s3:::{DATA_BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }],
        }),
    )
    for name in (TOPIC, OTHER_TOPIC):
        sns.create_topic(Name=name)
    # Another team already subscribes a queue of theirs to the topic.
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic_arn(TOPIC))["Attributes"]["Policy"])
    policy["Statement"] = statements(policy) + [{
        "Sid": "MonitoringTeamSubscribe",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::333333333333:role/Monitoring"},
        "Action": "sns:Subscribe",
        "Resource": topic_arn(TOPIC),
    }]
    sns.set_topic_attributes(TopicArn=topic_arn(TOPIC), AttributeName="Policy", AttributeValue=json.dumps(policy))
    # The analytics team lets S3 publish to its own topic, and gets tagging
    # events under analytics/ (S3 validates the destination's policy).
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic_arn(OTHER_TOPIC))["Attributes"]["Policy"])
    policy["Statement"] = statements(policy) + [{
        "Sid": "AnalyticsTeamS3Publish",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn(OTHER_TOPIC),
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{DATA_BUCKET}"}},
    }]
    sns.set_topic_attributes(TopicArn=topic_arn(OTHER_TOPIC), AttributeName="Policy", AttributeValue=json.dumps(policy))
    s3.put_bucket_notification_configuration(
        Bucket=DATA_BUCKET,
        NotificationConfiguration={"TopicConfigurations": [{
            "Id": "AnalyticsTeamEvents",
            "TopicArn": topic_arn(OTHER_TOPIC),
            "Events": ["s3:ObjectTagging:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "analytics/"}]}},
        }]},
    )
    # The trail's log bucket lets CloudTrail write (CloudTrail's statements).
    s3.put_bucket_policy(
        Bucket=LOGS,
        Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{LOGS}"},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{LOGS}/AWSLogs/{DATA}/*",
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            ],
        }),
    )
    cloudtrail.create_trail(Name=TRAIL, S3BucketName=LOGS)
    cloudtrail.start_logging(Name=TRAIL)
    # The trail already logs the analytics team's bucket.
    cloudtrail.put_event_selectors(
        TrailName=TRAIL,
        EventSelectors=[{
            "ReadWriteType": "All",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{OTHER_TEAM}/"]}],
        }],
    )
    print(f"account {DATA}: buckets {', '.join(BUCKETS)}; topics {TOPIC}, {OTHER_TOPIC}; trail {TRAIL}")
    print(f"  {DATA_BUCKET}: ObjectWriter, security team's Deny, analytics team's notification")
    print(f"  {TOPIC}: AWS's default statement and the monitoring team's")
    print(f"  {LOGS}: CloudTrail's own statements; {TRAIL} already logs {OTHER_TEAM}")


def tamper(endpoint):
    s3, _, cloudtrail = clients(endpoint, DATA)
    policy = json.loads(s3.get_bucket_policy(Bucket=DATA_BUCKET)["Policy"])
    for st in statements(policy):
        if st.get("Sid") == "QuiltCrossAccountAccess":
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            st["Action"] = [a for a in actions if a.lower() != "s3:putobject"]
    s3.put_bucket_policy(Bucket=DATA_BUCKET, Policy=json.dumps(policy))
    s3.put_bucket_ownership_controls(
        Bucket=CURATED,
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )
    config = s3.get_bucket_notification_configuration(Bucket=DATA_BUCKET)
    config.pop("ResponseMetadata", None)
    config["TopicConfigurations"] = [
        c for c in config.get("TopicConfigurations", []) if not c.get("Id", "").startswith("Quilt")
    ]
    s3.put_bucket_notification_configuration(Bucket=DATA_BUCKET, NotificationConfiguration=config)
    print(f"someone removed s3:PutObject from QuiltCrossAccountAccess on {DATA_BUCKET}")
    print(f"someone set {CURATED}'s Object Ownership to ObjectWriter")
    print(f"someone removed xacct's notification from {DATA_BUCKET}")


def graphql(query, variables):
    """One request to the catalog's admin GraphQL API; its `data`."""
    request = urllib.request.Request(
        os.environ["XACCT_DEMO_CATALOG_URL"].rstrip("/") + "/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + os.environ["QUILT_API_KEY"],
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors"):
        sys.exit(f"the catalog answered with errors: {answer['errors']}")
    return answer["data"]


def bucket_config(bucket):
    query = "query($name: String!) { bucketConfig(name: $name) { %s } }" % " ".join(CATALOG_FIELDS)
    return graphql(query, {"name": bucket})["bucketConfig"]


def catalog_tamper(_endpoint):
    """An admin retitles the data bucket on the catalog's admin page: the
    page sends every field back, as read, with the new title."""
    config = bucket_config(DATA_BUCKET)
    if config is None:
        sys.exit(f"{DATA_BUCKET} is not in the catalog")
    before = config["title"]
    config["title"] = HAND_TITLE
    answer = graphql(
        "mutation($name: String!, $input: BucketUpdateInput!) {"
        " bucketUpdate(name: $name, input: $input) {"
        " __typename ... on InsufficientPermissions { message } } }",
        {"name": DATA_BUCKET, "input": config},
    )["bucketUpdate"]
    if answer["__typename"] != "BucketUpdateSuccess":
        sys.exit(f"bucketUpdate {DATA_BUCKET}: {answer}")
    print(f"someone retitled {DATA_BUCKET} in the Quilt catalog: {before!r} -> {HAND_TITLE!r}")


def show(endpoint):
    s3, sns, cloudtrail = clients(endpoint, DATA)
    for bucket in BUCKETS:
        try:
            ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
        except ClientError:
            ownership = "(none)"
        try:
            sids = [st.get("Sid", "") for st in statements(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]))]
        except ClientError:
            sids = []
        config = s3.get_bucket_notification_configuration(Bucket=bucket)
        ids = [c.get("Id") for c in config.get("TopicConfigurations", [])]
        if "EventBridgeConfiguration" in config:
            ids.append("EventBridge")
        print(f"  s3://{bucket}: ownership={ownership} policy={sids} notifications={ids}")
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic_arn(TOPIC))["Attributes"]["Policy"])
    print(f"  sns {TOPIC}: policy={[st.get('Sid') for st in statements(policy)]}")
    selectors = cloudtrail.get_event_selectors(TrailName=TRAIL)
    for selector in selectors.get("EventSelectors") or []:
        values = [v for r in selector.get("DataResources", []) for v in r["Values"]]
        print(f"  trail {TRAIL}: basic {selector['ReadWriteType']} values={values}")
    for selector in selectors.get("AdvancedEventSelectors") or []:
        print(f"  trail {TRAIL}: advanced {selector.get('Name')}")
    if os.environ.get("XACCT_DEMO_CATALOG_URL"):
        for bucket in BUCKETS:
            config = bucket_config(bucket)
            if config is not None:
                print(f"  catalog {bucket}: title={config['title']!r} tags={config['tags']}"
                      f" snsNotificationArn={config['snsNotificationArn']}")


def main():
    commands = {"create": create, "tamper": tamper, "catalog-tamper": catalog_tamper, "show": show}
    if len(sys.argv) != 3 or sys.argv[2] not in commands:
        sys.exit(__doc__)
    endpoint, command = sys.argv[1], sys.argv[2]
    commands[command](endpoint)


if __name__ == "__main__":
    main()
