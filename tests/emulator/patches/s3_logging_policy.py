"""PutBucketLogging's permission check as AWS makes it.

AWS behaviour restored: S3 accepts a logging configuration when the target
bucket's policy lets `logging.s3.amazonaws.com` put objects under the prefix,
whatever else the policy holds and however its values are written. moto
5.1.22 reads the target's policy naively: a statement with `"Principal": "*"`
(a TLS-only Deny, say: the guide's own advice) makes it raise and answer 500
with an empty body, and it only recognises `Resource` as one string equal to
`<target ARN>/<prefix>*`. Either would make a correct policy fail here while
it works on AWS, or hide how xacct writes several prefixes as a list.

The check below takes `Principal`, `Action` and `Resource` as a string or a
list, and accepts a resource pattern (IAM wildcards) that covers the log
objects' keys under the prefix.
"""

from typing import Any, Optional

LOGGING_SERVICE = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def apply() -> None:
    import fnmatch
    import json

    from moto.s3 import models

    def permits_logging(target_bucket: Any, target_prefix: Optional[str]) -> bool:
        if not target_bucket.policy:
            return False
        try:
            document = json.loads(target_bucket.policy.decode())
        except ValueError:
            return False
        arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        log_object = f"{arn}/{target_prefix or ''}2026-01-01-00-00-00-0123456789ABCDEF"
        covers = lambda pattern: fnmatch.fnmatchcase(log_object, str(pattern))
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal")
            services = (
                _as_list(principal.get("Service")) if isinstance(principal, dict) else []
            )
            if LOGGING_SERVICE not in services:
                continue
            actions = [str(a).lower() for a in _as_list(statement.get("Action"))]
            if "s3:putobject" not in actions and "s3:*" not in actions:
                continue
            if any(covers(pattern) for pattern in _as_list(statement.get("Resource"))):
                return True
        return False

    models.FakeBucket._log_permissions_enabled_policy = staticmethod(permits_logging)
