"""Moodle Feedback activities as lmsync's meeting and survey sources.

A Feedback activity is named in the configuration (``[meetings] feedback``,
``[instruments.*] feedback``) and read back with the report functions, which give user
ids and per-item raw values for a *non-anonymous* activity (trap 31). This module turns
those answers into ``FeedbackAttempt`` values keyed by the item's admin-set *label*:
labels are stable, whereas question names come back truncated and HTML-laden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lmsync.domain.meetings import FeedbackAttempt
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.models import Feedback, FeedbackItem
from lmsync.moodle.models import FeedbackAttempt as MoodleAttempt

log = get_logger(__name__)

PAGE_SIZE = 500  # attempts per read; responses_analysis pages by attempt and tells the total


class FeedbackSourceProblem(Exception):
    """The configured Feedback cannot be used (missing, or anonymous); the caller warns and skips it."""


@dataclass(frozen=True)
class FeedbackSource:
    """One Feedback activity read back: its id, and every attempt with values by label."""

    feedback_id: int
    name: str
    attempts: list[FeedbackAttempt]


def find_feedback(feedbacks: Iterable[Feedback], wanted: str) -> Feedback:
    """The activity called ``wanted`` (or whose course-module id it is), refused when anonymous."""
    matches = [f for f in feedbacks if f.name == wanted or str(f.coursemodule) == wanted.strip()]
    if not matches:
        raise FeedbackSourceProblem(f"no Feedback activity named {wanted!r} in the course")
    if len(matches) > 1:
        raise FeedbackSourceProblem(
            f"{len(matches)} Feedback activities are named {wanted!r}; give its course-module id"
        )
    found = matches[0]
    if found.is_anonymous:
        raise FeedbackSourceProblem(
            f"Feedback {wanted!r} is anonymous: its answers cannot be tied to people "
            "(set 'Record user names' in the activity settings)"
        )
    return found


def to_attempt(attempt: MoodleAttempt, labels: dict[int, str]) -> FeedbackAttempt:
    """Values by label; items without a label (or without a value, e.g. page breaks) are left out."""
    values = {labels[r.id]: r.rawval for r in attempt.responses if r.id in labels}
    return FeedbackAttempt(
        attempt_id=attempt.id,
        user_id=attempt.userid,
        submitted=datetime.fromtimestamp(attempt.timemodified, UTC),
        values=values,
    )


def item_labels(items: Iterable[FeedbackItem]) -> dict[int, str]:
    return {i.id: i.label.strip() for i in items if i.label.strip() and i.hasvalue}


def read_feedback(api: MoodleApi, feedback: Feedback, *, page_size: int = PAGE_SIZE) -> FeedbackSource:
    """Every attempt of ``feedback``, paged (the answer says the total; attempts are not sorted)."""
    labels = item_labels(api.get_feedback_items(feedback.id).items)
    seen: dict[int, FeedbackAttempt] = {}
    page = 0
    while True:
        result = api.get_feedback_responses_analysis(feedback.id, page=page, perpage=page_size)
        for attempt in result.attempts:
            seen.setdefault(attempt.id, to_attempt(attempt, labels))
        if len(result.attempts) < page_size or len(seen) >= result.totalattempts:
            break
        page += 1
    log.info("feedback.read", feedback_id=feedback.id, attempts=len(seen), requests=page + 2)
    return FeedbackSource(feedback.id, feedback.name, sorted(seen.values(), key=lambda a: a.attempt_id))
