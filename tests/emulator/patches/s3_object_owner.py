"""Objects and buckets are owned by accounts, and BucketOwnerEnforced makes
the bucket owner own every object.

AWS behaviour restored: each account has its own canonical user id; a
bucket's ACL names its owner's; an object's ACL names its writer's, unless
the bucket's Object Ownership is BucketOwnerEnforced, when the bucket owner
owns every object whoever wrote it. moto answers every ACL with one fixed
owner id for all accounts, so `xacct verify`'s check that an object written
by the control account is owned by the bucket owner could never fail here.

Canonical ids are made up (a digest of the account id), as AWS's are opaque.
Only the `Owner` of GetBucketAcl and GetObjectAcl answers changes; the grants
are left as moto keeps them.
"""

import hashlib
import threading
from typing import Any

_acl_key = threading.local()


def canonical_id(account_id: str) -> str:
    return hashlib.sha256(f"moto-canonical-user-{account_id}".encode()).hexdigest()


def apply() -> None:
    from moto.s3 import models, responses

    fixed = models.OWNER

    def with_owner(body: Any, account_id: str) -> Any:
        text = body.decode() if isinstance(body, bytes) else body
        return text.replace(f"<ID>{fixed}</ID>", f"<ID>{canonical_id(account_id)}</ID>", 1)

    original_backend_object_acl = models.S3Backend.get_object_acl

    def backend_object_acl(self: Any, key: Any) -> Any:
        _acl_key.key = key
        return original_backend_object_acl(self, key)

    models.S3Backend.get_object_acl = backend_object_acl

    def bucket_of(name: str) -> Any:
        partition, owner = models.s3_backends.bucket_accounts[name]
        return models.s3_backends[owner][partition].buckets[name]

    original_object_acl = responses.S3Response.get_object_acl

    def get_object_acl(self: Any) -> Any:
        _acl_key.key = None
        status, headers, body = original_object_acl(self)
        key = _acl_key.key
        if key is None or status != 200:
            return status, headers, body
        bucket = bucket_of(self.bucket_name)
        enforced = "BucketOwnerEnforced" in str(bucket.ownership_rule or "")
        owner = bucket.account_id if enforced else key.account_id
        return status, headers, with_owner(body, owner)

    responses.S3Response.get_object_acl = get_object_acl

    original_bucket_acl = responses.S3Response.get_bucket_acl

    def get_bucket_acl(self: Any) -> Any:
        body = original_bucket_acl(self)
        return with_owner(body, bucket_of(self.bucket_name).account_id)

    responses.S3Response.get_bucket_acl = get_bucket_acl
