"""A label lmsync reads that two or more items of one Feedback form carry: doctor's fail and the read's refusal
(tester round 122a, 2).

lmsync reads a Feedback answer by its item's label (``[instruments.<name>] feedback_items``, ``[meetings.items]``).
Moodle does not check labels are unique: a teacher copies a question, or applies a Feedback template a second time
("append"), and two items carry ``gse_1``. The item listed last silently replaced the other: an optional extra
question's "Not at all true" made a self-efficacy sum of 40 a 37 in the gradebook, a travel time of 5 minutes was
stored as a 60-minute meeting's length, and doctor passed the form. Now such a label is refused, naming the items
(their names and ids) and the fix: doctor fails the instrument's (or the meeting log's) check, and the Feedback read
takes nothing from that form, as for a form whose labels name no item (``instrument_labels``, ``meeting_log_labels``).
A label lmsync does not read may repeat freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from lmsync.config_sections import MeetingLogItemsConfig
from lmsync.domain.instruments import Instrument
from lmsync.domain.meeting_log import MeetingLogItems
from lmsync.moodle.models import FeedbackItem
from lmsync.moodle.text import strip_tags
from lmsync.service.feedback_sources import FeedbackSourceProblem
from lmsync.visible import quoted

#: Doctor's fix, which the run's refusal says too.
FIX = ("give each of those items a label of its own in Moodle (the Feedback activity > Edit questions > the item > "
       "Label), the label lmsync reads staying on the item it is meant for")


class FeedbackLabelsRepeated(FeedbackSourceProblem):
    """A label lmsync reads is on two or more items of the form: nothing of it was read, stored or removed.
    ``setting`` names the source on the run's line (the labels to set); ``blocks`` as the source's other label
    refusal: False for an instrument (the step says ``admin``, what depends on it runs: ``InstrumentLabelsWrong``),
    True for the meeting log (``MeetingLabelsWrong``)."""

    def __init__(self, message: str, setting: str, *, blocks: bool) -> None:
        super().__init__(message)
        self.setting = setting
        self.blocks = blocks


def instrument_reads(instrument: Instrument, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """The labels ``instrument`` reads (``labels``: item -> label; an item unmapped is its own label), each with
    what reads it (``item gse1``)."""
    return [(labels.get(item, item), f"item {item}") for item in instrument.items]


def meeting_log_reads(wanted: MeetingLogItemsConfig | MeetingLogItems) -> list[tuple[str, str]]:
    """The labels the meeting log reads (``[meetings.items]``, those set), each with its setting."""
    keys = ("minutes", "date", "attended", "rating", "notes")
    return [(label, f"[meetings.items] {key}") for key in keys if (label := getattr(wanted, key))]


def repeated_problem(repeated: Mapping[str, Sequence[FeedbackItem]], reads: Iterable[tuple[str, str]]) -> str | None:
    """Doctor's words for the labels of ``reads`` (label, what reads it) that ``repeated`` (label -> its items,
    ``feedback_sources.repeated_labels``) holds: ``the label 'gse_1' (item gse1) is on 2 items: 'GSE question 1' (id
    101) and 'Extra: I cope well' (id 111)``, each such label, then that lmsync cannot tell which to read; None when
    no label read repeats."""
    said = []
    for label, reader in reads:
        if twins := repeated.get(label):
            names = [f"{quoted(' '.join(strip_tags(item.name).split()) or '(no name)')} (id {item.id})"
                     for item in twins]
            said.append(f"the label {quoted(label)} ({reader}) is on {len(twins)} items: "
                        f"{', '.join(names[:-1])} and {names[-1]}")
    if not said:
        return None
    return "; ".join(said) + ": lmsync cannot tell which one to read"


def refused_read(activity: str, problem: str) -> str:
    """The run's words for a read of Feedback ``activity`` refused for ``problem`` (``repeated_problem``)."""
    return (f"Feedback {quoted(activity)}: {problem}; none of its responses was read, nothing stored or removed; "
            f"fix: {FIX}")


def refuse_instrument_read(
    name: str, instrument: Instrument, activity: str, repeated: Mapping[str, Sequence[FeedbackItem]],
    labels: Mapping[str, str],
) -> None:
    """Raise ``FeedbackLabelsRepeated`` (not blocking) when a label instrument ``name`` reads from Feedback
    ``activity`` is on two or more of its items (``repeated``); ``labels``: ``[instruments.<name>] feedback_items``."""
    if (problem := repeated_problem(repeated, instrument_reads(instrument, labels))) is not None:
        raise FeedbackLabelsRepeated(refused_read(activity, problem), f"instruments.{name}.feedback_items",
                                     blocks=False)


def refuse_meeting_log_read(
    activity: str, wanted: MeetingLogItemsConfig | MeetingLogItems, repeated: Mapping[str, Sequence[FeedbackItem]]
) -> None:
    """Raise ``FeedbackLabelsRepeated`` (blocking, as the meeting log's minutes label missing) when a
    ``[meetings.items]`` label (``wanted``) is on two or more items of the meeting log's form (``repeated``)."""
    if (problem := repeated_problem(repeated, meeting_log_reads(wanted))) is not None:
        raise FeedbackLabelsRepeated(refused_read(activity, problem), "meetings.items", blocks=True)
