"""S3 bucket notification configurations as AWS keeps them.

AWS behaviour restored (moto 5.1.22 differs on each point):

1. GetBucketNotificationConfiguration on a bucket without notifications
   answers an empty `<NotificationConfiguration/>` document. moto answered an
   empty body, which the Rust SDK cannot parse, so every first read failed.
2. EventBridgeConfiguration, once put, is returned as
   `<EventBridgeConfiguration/>`. moto stored it but never returned it, so
   turning EventBridge on (or someone else's flag) was invisible: plans never
   converged and a lost flag could not be seen.
3. Filter rule names: AWS accepts `prefix`/`suffix` in any case and returns
   them as `Prefix`/`Suffix`. moto refused anything but lower case and
   echoed the writer's spelling, which would hide a case-sensitive
   comparison (a perpetual diff on AWS) and refuse the write-back of rules as
   AWS returns them.
4. S3 validates topic destinations on write: unless the topic exists and
   its policy lets `s3.amazonaws.com` publish (for this bucket and account),
   the put fails with InvalidArgument "Unable to validate the following
   destination configurations" and nothing is stored. moto sent a test
   message, ignored every failure and stored the configuration, which would
   hide writing a notification before the topic policy that allows it. The
   check here is a simplified policy evaluation: an Allow statement for
   SNS:Publish whose principal is the S3 service (or everyone) and whose
   conditions, if any, are on aws:SourceArn / aws:SourceAccount and match,
   the bucket's ARN in its own partition (`arn:aws-us-gov:s3:::b` in
   GovCloud, as AWS sends it there). (moto already refuses a destination in
   another region than the bucket.)

Configurations put without an Id already get a random one, as on AWS.
"""

import fnmatch
import json
import re
from typing import Any

EMPTY_CONFIGURATION = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
)

RULE_NAME = re.compile(rb"<Name>\s*(prefix|suffix)\s*</Name>", re.IGNORECASE)


def _lowercase_rule_names(body: Any) -> Any:
    """moto's parser only knows `prefix` / `suffix`."""
    if isinstance(body, str):
        return _lowercase_rule_names(body.encode()).decode()
    if isinstance(body, bytes):
        return RULE_NAME.sub(lambda m: b"<Name>" + m.group(1).lower() + b"</Name>", body)
    return body


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_is_s3(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        if "*" in _as_list(principal.get("AWS")):
            return True
        return "s3.amazonaws.com" in _as_list(principal.get("Service"))
    return False


def _allows_publish(action: Any) -> bool:
    return any(a.lower() in ("sns:publish", "sns:*", "*") for a in _as_list(action))


def _conditions_hold(condition: Any, bucket_arn: str, bucket_account: str) -> bool:
    """Only the keys S3 sets on its publish; any other key is not satisfied
    (e.g. the default statement's AWS:SourceOwner does not let S3 in)."""
    context = {"aws:sourcearn": bucket_arn, "aws:sourceaccount": bucket_account}
    for operator, tests in (condition or {}).items():
        for key, wanted in tests.items():
            value = context.get(key.lower())
            if value is None:
                return False
            patterns = [str(w) for w in _as_list(wanted)]
            if operator in ("ArnLike", "StringLike"):
                ok = any(fnmatch.fnmatchcase(value, p) for p in patterns)
            elif operator in ("ArnEquals", "StringEquals"):
                ok = value in patterns
            else:
                return False
            if not ok:
                return False
    return True


def _topic_accepts(topic_arn: str, bucket_arn: str, bucket_account: str) -> bool:
    from moto.sns.models import sns_backends

    parts = topic_arn.split(":")
    if len(parts) < 6:
        return False
    region, account = parts[3], parts[4]
    topic = sns_backends[account][region].topics.get(topic_arn)
    if topic is None:
        return False
    policy = json.loads(topic.policy)
    for statement in _as_list(policy.get("Statement")):
        if (
            statement.get("Effect") == "Allow"
            and _principal_is_s3(statement.get("Principal"))
            and _allows_publish(statement.get("Action"))
            and _conditions_hold(statement.get("Condition"), bucket_arn, bucket_account)
        ):
            return True
    return False


def apply() -> None:
    from moto.s3 import models, responses
    from moto.s3.exceptions import S3ClientError

    class UnableToValidateDestination(S3ClientError):
        code = 400

        def __init__(self) -> None:
            super().__init__(
                "InvalidArgument",
                "Unable to validate the following destination configurations",
            )

    # 2 and 3: the answer as AWS spells it.
    responses.S3_GET_BUCKET_NOTIFICATION_CONFIG = (
        responses.S3_GET_BUCKET_NOTIFICATION_CONFIG.replace(
            '<Name>{{ rule["Name"] }}</Name>', '<Name>{{ rule["Name"] | capitalize }}</Name>'
        ).replace(
            "</NotificationConfiguration>",
            "{% if config.event_bridge is not none %}<EventBridgeConfiguration/>{% endif %}\n"
            "</NotificationConfiguration>",
        )
    )

    # 1: an empty document, not an empty body.
    def get_bucket_notification(self: Any) -> str:
        configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if not configuration:
            return EMPTY_CONFIGURATION
        template = self.response_template(responses.S3_GET_BUCKET_NOTIFICATION_CONFIG)
        return template.render(config=configuration)

    # 3: rule names in any case.
    original_from_body = responses.S3Response._notification_config_from_body

    def notification_config_from_body(self: Any) -> dict[str, Any]:
        self.body = _lowercase_rule_names(self.body)
        return original_from_body(self)

    # 4: destinations validated before anything is stored.
    original_set = models.FakeBucket.set_notification_configuration

    def set_notification_configuration(self: Any, notification_config: Any) -> None:
        bucket_arn = f"arn:{self.partition}:s3:::{self.name}"
        for topic in _as_list((notification_config or {}).get("TopicConfiguration")):
            if not _topic_accepts(topic.get("Topic", ""), bucket_arn, self.account_id):
                raise UnableToValidateDestination()
        original_set(self, notification_config)

    responses.S3Response.get_bucket_notification = get_bucket_notification
    responses.S3Response._notification_config_from_body = notification_config_from_body
    models.FakeBucket.set_notification_configuration = set_notification_configuration
