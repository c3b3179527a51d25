"""The demo's little two-account world on a local moto_server.

Usage (by scripts/demo.sh, with the venv's python):
    demo_world.py ENDPOINT create      # two buckets in the data account
    demo_world.py ENDPOINT tamper      # an out-of-band change to drift from
    demo_world.py ENDPOINT show        # print the live state of the buckets

Accounts come from STS assume-role: moto maps an assumed role's credentials
to the role's account.
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

CONTROL = "111111111111"
DATA = "222222222222"
REGION = "us-east-1"
BUCKETS = ["demo-analytics-data", "demo-raw-uploads"]
PROTECTED = "demo-raw-uploads"
MANAGED_SID = "QuiltCrossAccountAccess"


def session_for(endpoint, account):
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
    who = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).get_caller_identity()
    assert who["Account"] == account, who
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(s3={"addressing_style": "path"}),
    )


def create(endpoint):
    session_for(endpoint, CONTROL)  # the control account exists too
    s3 = session_for(endpoint, DATA)
    for bucket in BUCKETS:
        s3.create_bucket(Bucket=bucket)
    # One bucket is new (AWS gives BucketOwnerEnforced to every new bucket;
    # moto gives none, so we set it). The other is an older bucket that still
    # lets writers own their objects, and carries the security team's
    # statement, which xacct must keep as it is.
    s3.put_bucket_ownership_controls(
        Bucket="demo-analytics-data",
        OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    )
    s3.put_bucket_ownership_controls(
        Bucket=PROTECTED,
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )
    s3.put_bucket_policy(
        Bucket=PROTECTED,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "SecurityTeamDenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [
                            f"arn:aws:s3:::{PROTECTED}",
                            f"arn:aws:s3:::{PROTECTED}/*",
                        ],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    print(f"created buckets {', '.join(BUCKETS)} in account {DATA}")
    print(f"  {PROTECTED}: ObjectWriter ownership, security team's Deny statement")


def tamper(endpoint):
    s3 = session_for(endpoint, DATA)
    policy = json.loads(s3.get_bucket_policy(Bucket=PROTECTED)["Policy"])
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        if st.get("Sid") == MANAGED_SID:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            st["Action"] = [a for a in actions if a.lower() != "s3:putobject"]
    policy["Statement"] = statements
    s3.put_bucket_policy(Bucket=PROTECTED, Policy=json.dumps(policy))
    s3.put_bucket_ownership_controls(
        Bucket="demo-analytics-data",
        OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
    )
    print(f"someone removed s3:PutObject from {MANAGED_SID} on {PROTECTED}")
    print("someone set demo-analytics-data's Object Ownership to ObjectWriter")


def show(endpoint):
    s3 = session_for(endpoint, DATA)
    for bucket in BUCKETS:
        try:
            rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
            ownership = rules[0]["ObjectOwnership"]
        except ClientError:
            ownership = "(none)"
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
            sids = [st.get("Sid", "") for st in (policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]])]
        except ClientError:
            sids = []
        print(f"  {bucket}: ownership={ownership} policy statements={sids}")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("create", "tamper", "show"):
        sys.exit(__doc__)
    endpoint, command = sys.argv[1], sys.argv[2]
    {"create": create, "tamper": tamper, "show": show}[command](endpoint)


if __name__ == "__main__":
    main()
