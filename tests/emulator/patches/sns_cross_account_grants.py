"""SNS refuses another account's GetTopicAttributes unless the topic policy
grants it.

AWS behaviour restored: a caller of account A reading the attributes of a
topic of account B gets AuthorizationError unless B's topic policy allows A
(its root or the calling role) `sns:GetTopicAttributes`. moto answers every
account, so `xacct verify`'s live topic probe could never fail here.

The check is tests/emulator/resource_policy.py's (conditions not evaluated).
Only GetTopicAttributes is restricted: it is the one call xacct makes across
accounts on a topic.
"""

from typing import Any


def apply() -> None:
    from moto.sns import responses
    from moto.sns.exceptions import SNSException

    from resource_policy import allows, caller_role_arn

    class AuthorizationError(SNSException):
        code = "AuthorizationError"

    original = responses.SNSResponse.get_topic_attributes

    def get_topic_attributes(self: Any) -> Any:
        topic_arn = self._get_param("TopicArn") or ""
        parts = topic_arn.split(":")
        owner = parts[4] if len(parts) > 5 else None
        caller = self.current_account
        if owner is not None and owner != caller:
            topic = self.backend.get_topic(topic_arn)
            role_arn = caller_role_arn(caller, self.get_access_key())
            if not allows(topic.policy, "sns:GetTopicAttributes", topic_arn, caller, role_arn):
                raise AuthorizationError(
                    f"User: arn:aws:iam::{caller}:root is not authorized to perform: "
                    f"SNS:GetTopicAttributes on resource: {topic_arn}"
                )
        return original(self)

    responses.SNSResponse.get_topic_attributes = get_topic_attributes
