"""Whether the meeting log's Feedback form carries the ``[meetings.items]`` minutes label: doctor's check, and the
run's refusal of a read no response of which can be.

Without an item labelled as ``[meetings.items] minutes`` no meeting can be read. Doctor failed on it, while
``lmsync run`` read every response all the same and blamed each one ("minutes: <value> is not a whole number of
minutes ... its respondent corrects the response in Moodle"), good answers included (tester round 115b, 3): the
configuration is wrong, not the responses. Both now say it in the same words (``minutes_missing``); the run once, in
its feedback line, and reads none of the responses (``refused_read``).
"""

from __future__ import annotations

from collections.abc import Collection

from lmsync.config_sections import MeetingLogItemsConfig
from lmsync.service.feedback_sources import FeedbackSourceProblem


class MeetingLabelsWrong(FeedbackSourceProblem):
    """The meeting log's form has no item labelled as ``[meetings.items] minutes``: nothing of it was read (the
    message: ``refused_read``). ``setting`` is what the run's line names the source by: the labels to set."""

    setting = "meetings.items"


def labels_fix(labels: Collection[str]) -> str:
    """Doctor's fix for a ``[meetings.items]`` label that names no item: the form's labels (``labels``, the first
    ten, sorted) said with it (tester round 26, 5: which labels there are was not said)."""
    return ("give the Feedback item that label (Edit questions > the item > Label), or set [meetings.items] to its label"
            f" (the activity's labels: {listed(labels)})")


def listed(labels: Collection[str]) -> str:
    """The form's item ``labels``, sorted and quoted, the first ten and how many more; ``none`` for none."""
    named = sorted(label for label in labels if label)
    there = ", ".join(map(repr, named[:10])) + (f" and {len(named) - 10} more" if len(named) > 10 else "")
    return there or "none"


def minutes_missing(wanted: MeetingLogItemsConfig, labels: Collection[str]) -> str | None:
    """``no item labelled 'minutes' ([meetings.items] minutes): no meeting can be read`` when the form's item
    ``labels`` lack ``wanted.minutes``, else None (doctor's fail, the run's refusal)."""
    if wanted.minutes in labels:
        return None
    return f"no item labelled {wanted.minutes!r} ([meetings.items] minutes): no meeting can be read"


def refuse_read(activity: str, wanted: MeetingLogItemsConfig, labels: Collection[str]) -> None:
    """Raise ``MeetingLabelsWrong`` (message: ``refused_read``) when the form's item ``labels`` lack the minutes
    label: before any response is read, so none is blamed nor stored (tester round 115b, 3)."""
    if (refused := refused_read(activity, wanted, labels)) is not None:
        raise MeetingLabelsWrong(refused)


def refused_read(activity: str, wanted: MeetingLogItemsConfig, labels: Collection[str]) -> str | None:
    """The run's words for a meeting-log read refused because ``minutes_missing``: the form (``activity``), doctor's
    words (and ``[meetings.items] date`` naming no item either, so one edit mends both), that nothing was read,
    stored or removed, and the fix (set ``[meetings.items]`` to the form's labels); None when the minutes label is on
    the form."""
    missing = minutes_missing(wanted, labels)
    if missing is None:
        return None
    if wanted.date and wanted.date not in labels:
        missing += (f"; nor one labelled {wanted.date!r} ([meetings.items] date): a meeting would be dated when its "
                    "answer was submitted")
    return (f"Feedback {activity!r}: {missing}; the configuration names the items wrongly, the responses are not "
            "at fault: none was read, nothing stored or removed; fix: set [meetings.items] to the form's labels (e.g. "
            "minutes = the label of its minutes item), or give the Feedback items those labels (the activity's "
            f"labels: {listed(labels)})")
