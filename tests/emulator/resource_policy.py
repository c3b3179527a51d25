"""A small resource-policy check for the emulator patches that let a
cross-account request through when the resource's policy grants it.

Not an IAM evaluator (xacct has its own, tested on its own): it answers only
"does an Allow statement name this principal, action and resource, and no
unconditional Deny?". Conditions are not evaluated: an Allow with a Condition
counts as allowing, a Deny with a Condition as not applying (as a TLS-only
Deny does not apply to the HTTPS requests the SDK makes on AWS).
"""

import fnmatch
import json
from typing import Any, Optional


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _partition(resource: str) -> str:
    """The partition a resource ARN names (`aws` when it names none)."""
    parts = resource.split(":")
    return parts[1] if len(parts) > 1 and parts[0] == "arn" and parts[1] else "aws"


def _principal_matches(
    principal: Any, account: str, role_arn: Optional[str], partition: str
) -> bool:
    """As IAM reads a resource policy: an account's root is its id or its
    root ARN in the resource's own partition, and in no other."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _list(principal.get("AWS")):
        if value in ("*", account, f"arn:{partition}:iam::{account}:root"):
            return True
        if role_arn is not None and value == role_arn:
            return True
    return False


def _matches(patterns: list, value: str, case_insensitive: bool) -> bool:
    if case_insensitive:
        value = value.lower()
        patterns = [p.lower() for p in patterns]
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def allows(
    policy: Any,
    action: str,
    resource: str,
    account: str,
    role_arn: Optional[str],
) -> bool:
    """Whether `policy` (text, bytes or None) lets the principal (`account`'s
    root, or the role `role_arn` of it) do `action` on `resource`."""
    if not policy:
        return False
    if isinstance(policy, bytes):
        policy = policy.decode()
    try:
        document = json.loads(policy)
    except ValueError:
        return False
    allowed = False
    for statement in _list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if not _principal_matches(
            statement.get("Principal"), account, role_arn, _partition(resource)
        ):
            continue
        if not _matches(_list(statement.get("Action")), action, True):
            continue
        if not _matches(_list(statement.get("Resource")), resource, False):
            continue
        if statement.get("Effect") == "Deny":
            if not statement.get("Condition"):
                return False
        elif statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def caller_role_arn(account: str, access_key: str) -> Optional[str]:
    """The role ARN behind assumed-role credentials, if moto issued them (in
    whichever partition the role was assumed)."""
    from moto.sts.models import sts_backends

    for partition in ("aws", "aws-us-gov", "aws-cn"):
        try:
            role = sts_backends[account][partition].get_assumed_role_from_access_key(
                access_key
            )
        except Exception:  # noqa: BLE001 - an unknown key is no role
            continue
        if role is not None:
            return role.role_arn
    return None
