"""Moodle Feedback activities as lmsync's meeting and survey sources.

A Feedback activity is named in the configuration (``[meetings] feedback``,
``[instruments.*] feedback``) and read back with the report functions, which give user
ids and per-item raw values for a *non-anonymous* activity (trap 31). This module turns
those answers into ``FeedbackAttempt`` values keyed by the item's admin-set *label*:
labels are stable, whereas question names come back truncated and HTML-laden.

A choice item's answer comes back as the chosen option's 1-based *position* (trap 43):
with options listed best first, "Very satisfied" (rated 5) is ``rawval "1"``. Every
value is turned into what it means here, once, through the item's ``presentation``
(``lmsync.domain.instruments.parse_feedback_presentation``), so no consumer ever sees a
position. ``rawval`` JSON null (an attempt made before the item existed) is unanswered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lmsync.domain.instruments import (
    FeedbackOptions,
    FeedbackPresentationError,
    Instrument,
    parse_feedback_presentation,
    scale_mismatch,
)
from lmsync.domain.meeting_log import FeedbackAttempt
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.models import Feedback, FeedbackItem
from lmsync.moodle.models import FeedbackAttempt as MoodleAttempt
from lmsync.moodle.text import same_name
from lmsync.visible import quoted

log = get_logger(__name__)

PAGE_SIZE = 500  # attempts per read; responses_analysis pages by attempt and tells the total
#: The N/A option labels of the meeting log's rated items (its rating): the built-in instruments' N/A values. A
#: rated option so labelled (``0####N/A``) chosen is no answer: the meeting is stored without a rating (tester round
#: 122a, 3: it was read as the rating 0 and the whole meeting was left out).
MEETING_LOG_NA = frozenset({"n/a", "na"})


class FeedbackSourceProblem(Exception):
    """The configured Feedback cannot be used (missing, or anonymous); the caller warns and skips it."""


class FeedbackScaleMismatch(FeedbackSourceProblem):
    """An instrument's declared scale differs from its Feedback items' values (issue 10 point 3).

    Nothing from that Feedback is stored; the message names every such item and both ranges.
    """


class FeedbackRemovalRefused(FeedbackSourceProblem):
    """A Feedback read that would remove more than ``1 - [sync] min_source_fraction`` of
    the rows stored from that source: nothing from it was stored or removed. ``what``: the rows (``checkin answer``),
    ``read``/``problems``: the read's counts, ``override``: how to let the rows go, saying it deletes them (a sentence's
    end, after "If ...,"), for a refusal said again with its cause (``feedback_moved``; tester round 123b, 4)."""

    def __init__(self, message: str, *, removing: int, stored: int, what: str = "", read: int = 0, problems: int = 0,
                 override: str = "") -> None:
        super().__init__(message)
        self.removing = removing
        self.stored = stored
        self.what, self.read, self.problems, self.override = what, read, problems, override


class ScoreLossRefused(ConfigError, FeedbackSourceProblem):
    """A rescore (an import or a Feedback read) that would delete stored wave scores because the
    configuration no longer holds them (``lmsync.domain.score_loss``, tester round 8, 4): nothing
    was stored. An admin must act (exit 2); the Feedback read reports it like its other refusals."""

    def __init__(self, message: str, *, hint: str, losing: int, stored: int) -> None:
        super().__init__(message, hint=hint, summary=message)
        self.losing = losing
        self.stored = stored


class FeedbackNamedTwice(FeedbackSourceProblem):
    """More than one Feedback activity of the course answers to the configured name (a rollover, an import): none
    is read, nothing stored or removed. ``coursemodules``: their course-module ids, ascending; ``fix``: how to name
    one, as the forum's refusal says (``programme_forum.several_forums``). Tester round 122a, 5: the message named
    no id, and doctor printed no line for it."""

    def __init__(self, wanted: str, found: Sequence[Feedback]) -> None:
        self.coursemodules = ids = sorted(f.coursemodule for f in found)
        listed = ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"
        self.fix = (f"give its course-module id as text (e.g. feedback = \"{ids[0]}\": the number after id= in the "
                    f"activity's address, mod/feedback/view.php?id={ids[0]}), or rename all but one")
        super().__init__(f"{len(found)} Feedback activities are named {quoted(wanted)} (course modules {listed}); "
                         f"{self.fix}")


@dataclass(frozen=True)
class FeedbackSource:
    """One Feedback activity read back: its id, every attempt with values by label, and its
    items (label -> item) so callers can check scales. ``repeated``: each label two or more
    of its items with a value carry -> those items, in the form's order (``items`` holds the last
    of them only; a label lmsync reads must not be one: ``feedback_label_twins``)."""

    feedback_id: int
    name: str
    attempts: list[FeedbackAttempt]
    items: dict[str, FeedbackItem] = field(default_factory=dict)
    repeated: dict[str, tuple[FeedbackItem, ...]] = field(default_factory=dict)


def find_feedback(feedbacks: Iterable[Feedback], wanted: str) -> Feedback:
    """The activity called ``wanted`` (or whose course-module id it is), refused when anonymous."""
    matches = [f for f in feedbacks if same_name(f.name, wanted) or str(f.coursemodule) == wanted.strip()]
    if not matches:
        raise FeedbackSourceProblem(f"no Feedback activity named {wanted!r} in the course")
    if len(matches) > 1:
        raise FeedbackNamedTwice(wanted, matches)
    found = matches[0]
    if found.is_anonymous:
        raise FeedbackSourceProblem(
            f"Feedback {wanted!r} is anonymous: its answers cannot be tied to people "
            "(set 'Record user names' in the activity settings)"
        )
    return found


def to_attempt(
    attempt: MoodleAttempt, labels: dict[int, str], options: Mapping[int, FeedbackOptions] | None = None,
    na_values: Iterable[str] = (),
) -> FeedbackAttempt:
    """Values by label, each choice answer turned from its position into its value (trap 43).

    ``options`` maps item id -> the item's parsed options (``item_options``). Items without
    a label (or without a value, e.g. page breaks) and unanswered items (``rawval`` null,
    ``""``, or position ``"0"`` of a choice, or a rated option labelled as one of ``na_values``:
    tester round 122a, 3) are left out. A position with no option (the
    item was edited after the answer) is kept as a sentence that no scale or yes/no reads,
    so it is reported as a problem for that attempt instead of being scored.
    """
    options = options or {}
    values: dict[str, str] = {}
    for r in attempt.responses:
        if r.id not in labels or r.rawval is None:
            continue
        choice = options.get(r.id)
        if choice is None:
            values[labels[r.id]] = r.rawval
            continue
        try:
            value = choice.value_at(r.rawval, na_values)
        except FeedbackPresentationError as exc:
            value = f"<{exc}>"
        if value is not None:
            values[labels[r.id]] = value
    return FeedbackAttempt(
        attempt_id=attempt.id,
        user_id=attempt.userid,
        submitted=datetime.fromtimestamp(attempt.timemodified, UTC),
        values=values,
    )


def item_labels(items: Iterable[FeedbackItem]) -> dict[int, str]:
    return {i.id: i.label.strip() for i in items if i.label.strip() and i.hasvalue}


def item_options(items: Iterable[FeedbackItem]) -> dict[int, FeedbackOptions]:
    """Item id -> parsed options, for the choice items; an unreadable presentation is refused."""
    out: dict[int, FeedbackOptions] = {}
    for item in items:
        try:
            parsed = parse_feedback_presentation(item.typ, item.presentation)
        except FeedbackPresentationError as exc:
            raise FeedbackSourceProblem(f"Feedback item {item.label or item.id!r}: {exc}") from None
        if parsed is not None:
            out[item.id] = parsed
    return out


def scale_problems(
    instrument: Instrument, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]
) -> list[str]:
    """Why the Feedback ``items`` (by label) cannot feed ``instrument``: one sentence per item
    whose values do not match the declared scale (naming the item and both ranges). An item
    the activity lacks is not a scale problem (its answers are simply missing)."""
    out = []
    for name in instrument.items:
        label = labels.get(name, name)
        item = items.get(label)
        if item is None:
            continue
        problem = scale_mismatch(instrument, name, label, item.typ, item.presentation)
        if problem:
            out.append(problem)
    return out


def coverage_problem(
    instrument: Instrument, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]
) -> str | None:
    """Why no answer to the Feedback ``items`` (by label) can ever be scored for ``instrument``:
    it holds fewer of the instrument's items than a score needs (``Instrument.required``), or
    None. Tester round 6, 5: a one-item form mapped to the four-of-five-item built-in passed
    ``doctor`` and every answer was stored without a score."""
    present = [name for name in instrument.items if labels.get(name, name) in items]
    needed = instrument.required(len(instrument.items))
    if len(present) >= needed:
        return None
    missing = [f"{name} (label {labels.get(name, name)!r})" for name in instrument.items if name not in present]
    return (f"the activity has {len(present)} of the instrument's {len(instrument.items)} items and a score needs "
            f"{needed} answered, so no answer is ever scored; missing: {', '.join(missing)}")


def read_feedback(
    api: MoodleApi, feedback: Feedback, *, page_size: int = PAGE_SIZE, na_values: Iterable[str] = ()
) -> FeedbackSource:
    """Every attempt of ``feedback``, paged (the answer says the total; attempts are not sorted). A rated option
    labelled (or valued) as one of ``na_values`` (the instrument's, or ``MEETING_LOG_NA``) chosen is no answer."""
    items = api.get_feedback_items(feedback.id).items
    labels = item_labels(items)
    options = item_options(items)
    seen: dict[int, FeedbackAttempt] = {}
    page = 0
    while True:
        result = api.get_feedback_responses_analysis(feedback.id, page=page, perpage=page_size)
        for attempt in result.attempts:
            if attempt.id not in seen:
                seen[attempt.id] = to_attempt(attempt, labels, options, na_values)
        if len(result.attempts) < page_size or len(seen) >= result.totalattempts:
            break
        page += 1
    log.info("feedback.read", feedback_id=feedback.id, attempts=len(seen), requests=page + 2)
    by_label = {labels[i.id]: i for i in items if i.id in labels}
    return FeedbackSource(
        feedback.id, feedback.name, sorted(seen.values(), key=lambda a: a.attempt_id), by_label, repeated_labels(items)
    )


def repeated_labels(items: Iterable[FeedbackItem]) -> dict[str, tuple[FeedbackItem, ...]]:
    """Each label (trimmed) that two or more of ``items`` with a value carry -> those items, in the given order.
    Moodle does not check labels are unique; a copied question or a template applied twice repeats them (tester
    round 122a, 2)."""
    found: dict[str, list[FeedbackItem]] = {}
    for item in items:
        if item.hasvalue and item.label.strip():
            found.setdefault(item.label.strip(), []).append(item)
    return {label: tuple(twins) for label, twins in found.items() if len(twins) > 1}
