"""The run's refusal of a meeting-log read whose rating item can give no meeting rating (tester round 131b, 2).

As for a missing minutes label (``meeting_log_labels``, tester round 115b, 3): the form is wrong, not the responses,
so the read is refused once, in the feedback line, naming the item and the fix, and no respondent is blamed ("is not
a whole number ... its respondent corrects the response"). Nothing is read, stored or removed: the meetings stored
before keep their ratings until the item is mended (reading them without ratings would have emptied those).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lmsync.config_sections import MeetingLogItemsConfig
from lmsync.domain.meeting_rating_item import FIX, rating_item_problem
from lmsync.service.feedback_sources import MEETING_LOG_NA, FeedbackSourceProblem


class MeetingRatingUnusable(FeedbackSourceProblem):
    """The meeting log's rating item gives no rating from 1 to 5: nothing of the log was read."""

    setting = "meetings.items.rating"


def unrated(wanted: MeetingLogItemsConfig, items: Mapping[str, Any]) -> str | None:
    """``rating_item_problem`` of the form's item labelled ``[meetings.items] rating`` (``items``: label -> Feedback
    item), or None: no rating label set, no such item (doctor warns of that), or an item that gives ratings."""
    item = items.get(wanted.rating) if wanted.rating else None
    if item is None:
        return None
    return rating_item_problem(wanted.rating or "", item.typ, item.presentation, MEETING_LOG_NA)


def refuse_unrated(activity: str, wanted: MeetingLogItemsConfig, items: Mapping[str, Any]) -> None:
    """Raise ``MeetingRatingUnusable`` when ``unrated``: before any response is read."""
    if (problem := unrated(wanted, items)) is not None:
        raise MeetingRatingUnusable(
            f"Feedback {activity!r}: {problem}; the form is at fault, not the responses: none was read, nothing stored "
            f"or removed (the meetings stored before keep their ratings); fix: {FIX}")
