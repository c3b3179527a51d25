"""CloudTrail event selectors as AWS keeps them.

AWS behaviour restored (moto 5.1.22 differs on each point):

1. Basic and advanced selectors exclude each other. PutEventSelectors with
   `EventSelectors` replaces the basic selectors *and clears* any advanced
   ones; with `AdvancedEventSelectors` it clears the basic ones; with both it
   fails with InvalidParameterCombinationException. moto kept advanced
   selectors when basic ones were put, so a trail could carry both, and a
   writer that forgets to convert would pass here and fail on AWS.
2. A new trail logs management events: GetEventSelectors on it answers one
   basic selector (ReadWriteType All, IncludeManagementEvents true, no data
   resources). moto answered no selectors at all, a state AWS never shows
   (an empty selector set is invalid), which would hide how xacct treats the
   default management selector.

Trails named by ARN already work in moto (`get_trail` matches name or ARN).
"""

from typing import Any, Optional

# What AWS gives every new trail.
DEFAULT_BASIC_SELECTOR = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}


def apply() -> None:
    import copy

    from moto.cloudtrail import models
    from moto.cloudtrail.exceptions import InvalidParameterCombinationException

    original_init = models.Trail.__init__

    def init_with_default_selector(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.event_selectors = [copy.deepcopy(DEFAULT_BASIC_SELECTOR)]
        self.advanced_event_selectors = []

    def put_event_selectors(
        self: Any,
        event_selectors: Optional[list[dict[str, Any]]],
        advanced_event_selectors: Optional[list[dict[str, Any]]],
    ) -> None:
        if event_selectors and advanced_event_selectors:
            raise InvalidParameterCombinationException(
                "Only one of EventSelectors and AdvancedEventSelectors may be specified."
            )
        if event_selectors:
            self.event_selectors = event_selectors
            self.advanced_event_selectors = []
        elif advanced_event_selectors:
            self.advanced_event_selectors = advanced_event_selectors
            self.event_selectors = []

    models.Trail.__init__ = init_with_default_selector
    models.Trail.put_event_selectors = put_event_selectors
