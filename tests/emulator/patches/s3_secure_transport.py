"""Bucket-policy conditions on object requests, as AWS decides them for the SDK.

AWS behaviour restored: a statement applies only when its Condition holds for
the request. The SDK always reaches S3 over TLS, so the guide's TLS-only Deny
(`"Bool": {"aws:SecureTransport": "false"}`) never applies to it. moto 5.1.22
checks object requests against the bucket policy but cannot evaluate
conditions: such a Deny matched every GET, PUT and DELETE of an object (a 403
with an empty body), even the bucket owner's, so any bucket carrying the
security team's usual statement broke object access here while it works on
AWS.

Here a statement whose only condition is `aws:SecureTransport` is decided as
for a TLS request; a statement with any other condition is left out, since
what AWS decides depends on a request context the emulator does not have
(moto already ignores conditions everywhere else).
"""

import json
from typing import Any


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _over_tls(statement: dict[str, Any]) -> Any:
    """The statement as it applies to a TLS request, or None if it does not."""
    condition = statement.get("Condition")
    if not condition:
        return statement
    if list(condition) != ["Bool"] or list(condition["Bool"]) != ["aws:SecureTransport"]:
        return None
    values = [str(v).lower() for v in _as_list(condition["Bool"]["aws:SecureTransport"])]
    if "true" not in values:
        return None
    return {key: value for key, value in statement.items() if key != "Condition"}


def apply() -> None:
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3 import models

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        try:
            document = json.loads(self.policy.decode())
        except ValueError:
            return PermissionResult.NEUTRAL
        statements = [
            kept
            for statement in _as_list(document.get("Statement"))
            if isinstance(statement, dict) and (kept := _over_tls(statement)) is not None
        ]
        if not statements:
            return PermissionResult.NEUTRAL
        document["Statement"] = statements
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    models.FakeBucket.get_permission = get_permission
