"""S3 serves another account's bucket when the bucket policy grants it.

AWS behaviour restored: a request from account A on a bucket of account B
succeeds when B's bucket policy allows A (its root, or the calling role) the
action, and fails with AccessDenied otherwise. moto, with
MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false (set by moto_server.py), refuses
every cross-account request, policy or not; with it true, it allows every
one. Either way `xacct verify`'s live probes could not fail the way they do
on AWS when a grant is missing (or pass when it is there).

What is checked (tests/emulator/resource_policy.py): an Allow statement naming
the caller's account or role, the action (`s3:` + moto's name for the
request's operation) and the bucket ARN (bucket operations) or an object ARN
under it (object operations); an unconditional Deny wins. Conditions are not
evaluated. Identity policies of the caller are not checked (moto does not
by default either).
"""

import threading
from typing import Any

_request = threading.local()


def apply() -> None:
    from moto.s3 import models, responses
    from moto.s3.exceptions import AccessDeniedByLock

    from resource_policy import allows, caller_role_arn

    original_set_action = responses.S3Response._set_action

    def set_action(self: Any, resource_type: str, method: str, querystring: Any) -> None:
        original_set_action(self, resource_type, method, querystring)
        _request.action = "s3:" + self.data["Action"]
        _request.object = resource_type == "KEY"
        _request.account = self.current_account
        _request.access_key = self.get_access_key()

    responses.S3Response._set_action = set_action

    def cleared(original: Any) -> Any:
        def handler(self: Any, *args: Any, **kwargs: Any) -> Any:
            _request.action = None
            return original(self, *args, **kwargs)

        return handler

    responses.S3Response.bucket_response = cleared(responses.S3Response.bucket_response)
    responses.S3Response.key_response = cleared(responses.S3Response.key_response)

    original_get_bucket = models.S3Backend.get_bucket

    def get_bucket(self: Any, bucket_name: str) -> Any:
        try:
            return original_get_bucket(self, bucket_name)
        except AccessDeniedByLock:
            action = getattr(_request, "action", None)
            if action is None or bucket_name not in models.s3_backends.bucket_accounts:
                raise
            partition, owner = models.s3_backends.bucket_accounts[bucket_name]
            bucket = models.s3_backends[owner][partition].buckets.get(bucket_name)
            if bucket is None:
                raise
            resource = f"arn:{bucket.partition}:s3:::{bucket_name}"
            if _request.object:
                resource += "/.object"
            role_arn = caller_role_arn(_request.account, _request.access_key)
            if allows(bucket.policy, action, resource, _request.account, role_arn):
                return bucket
            raise

    models.S3Backend.get_bucket = get_bucket
