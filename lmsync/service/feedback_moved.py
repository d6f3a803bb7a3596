"""A Feedback source pointed at another activity than its stored rows came from (tester round 123b, 4).

After a rollover copy two Feedback activities share an instrument's name; doctor fails naming both course modules,
and an admin who picks the empty copy (``feedback = "19"``) got ``[ok  ] ... Feedback '19' items match the scale``,
then a run refusing the read "it would remove 18 of the 18 ... row(s) stored from it" (they came from course module
6) whose one concrete way out, ``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0``, deletes them all. Now:

* ``activity_named``: an activity given by its course-module id is named by its name and id;
* ``doctor_source_check``: doctor warns when the configured activity holds the responses of fewer than ``[sync]
  min_source_fraction`` of the rows stored from Feedback for that source (the read's own rule), naming the activities
  the rows came from and the others of the same name, with how many responses each holds;
* ``moved_refusal``: the run's refusal says the activity changed first, and where the rows came from.

Rows keep their response (``feedback:ATTEMPT``), not their course module; Moodle numbers responses across the site,
so the activity whose responses they are is found by reading the course's other activities (only when a read is
refused, or doctor's check finds the rows missing from the configured one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lmsync.config import Config
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import MoodleError
from lmsync.moodle.models import Feedback
from lmsync.moodle.text import same_name
from lmsync.service.feedback_sources import PAGE_SIZE, FeedbackRemovalRefused
from lmsync.store.db import Store
from lmsync.store.feedback_origins import rows_by_response
from lmsync.visible import quoted


def activity_named(feedback: Feedback, wanted: str) -> str:
    """``Feedback 'Relationship check-in' (course module 19)`` when ``wanted`` (the configured text) is ``feedback``'s
    course-module id, else ``Feedback 'wanted'``: an id alone cannot show which of two same-named copies it is."""
    if wanted.strip() == str(feedback.coursemodule):
        return f"Feedback {quoted(feedback.name)} (course module {feedback.coursemodule})"
    return f"Feedback {quoted(wanted)}"


def responses_of(api: MoodleApi, feedback: Feedback) -> set[int]:
    """The ids of every response (attempt) ``feedback`` holds, paged as ``read_feedback`` pages. Raises
    ``MoodleError`` when Moodle refuses the read."""
    seen: set[int] = set()
    page = 0
    while True:
        result = api.get_feedback_responses_analysis(feedback.id, page=page, perpage=PAGE_SIZE)
        seen.update(a.id for a in result.attempts)
        if len(result.attempts) < PAGE_SIZE or len(seen) >= result.totalattempts:
            return seen
        page += 1


@dataclass(frozen=True)
class Holder:
    """Another activity of the course: ``responses`` it holds, and ``rows``: how many of the stored rows came from
    them (0: only named for sharing the configured activity's name)."""

    feedback: Feedback
    responses: int
    rows: int

    def said(self) -> str:
        """``Feedback 'Relationship check-in' (course module 6, 6 response(s))``."""
        return f"Feedback {quoted(self.feedback.name)} (course module {self.feedback.coursemodule}, {held(self.responses)})"


def held(responses: int) -> str:
    """``no responses``, ``1 response(s)``."""
    return f"{responses} response(s)" if responses else "no responses"


def holders(api: MoodleApi, feedbacks: Iterable[Feedback], configured: Feedback,
            stored: Mapping[int | None, int]) -> list[Holder]:
    """The course's other non-anonymous activities whose responses ``stored`` rows (``rows_by_response``) came from,
    most rows first, then those sharing ``configured``'s name that hold none of them. One whose read Moodle refuses
    is left out (not known)."""
    out = []
    for other in feedbacks:
        if other.coursemodule == configured.coursemodule or other.is_anonymous:
            continue
        try:
            ids = responses_of(api, other)
        except MoodleError:
            continue
        rows = sum(n for attempt, n in stored.items() if attempt in ids)
        if rows or same_name(other.name, configured.name):
            out.append(Holder(other, len(ids), rows))
    return sorted(out, key=lambda h: (-h.rows, h.feedback.coursemodule))


def _setting(kind: str) -> str:
    return "[meetings] feedback" if kind == "meetings" else f"[instruments.{kind}] feedback"


def moved_refusal(api: MoodleApi, store: Store, programme: str, feedbacks: Iterable[Feedback], configured: Feedback,
                  wanted: str, kind: str, exc: FeedbackRemovalRefused, responses: int) -> FeedbackRemovalRefused:
    """``exc`` (a read of ``configured``, holding ``responses``, refused for its removals) said with its likely cause
    first when the rows stored from Feedback for ``kind`` came from another activity of the course: the setting
    changed (``wanted`` is what it says now), where they came from, and how to read that one again; else ``exc``."""
    found = [h for h in holders(api, feedbacks, configured, rows_by_response(store, programme, kind)) if h.rows]
    if not found:
        return exc
    top, cm, setting = found[0], configured.coursemodule, _setting(kind)
    was = top.feedback.coursemodule
    if wanted.strip() == str(cm):
        cause = f"you changed {setting} from course module {was} to {cm}"
    else:
        cause = f"{setting} = {quoted(wanted)} now finds course module {cm}, not course module {was}"
    more = "".join(f"; {h.rows} from {h.said()}" for h in found[1:])
    message = (
        f"Feedback read refused, nothing stored or removed: {cause}; {cm} holds {held(responses)}. "
        f"{top.rows} of the {exc.stored} {exc.what} row(s) stored came from {top.said()}{more}; reading {cm} would "
        f"remove {exc.removing} of them ({exc.read} row(s) read, {exc.problems} row problem(s)). To read course "
        f"module {was} again, set {setting} = \"{was}\". If course module {cm} is the one to read from now on and "
        f"the stored rows are to go, {exc.override}"
    )
    return FeedbackRemovalRefused(message, removing=exc.removing, stored=exc.stored, what=exc.what, read=exc.read,
                                  problems=exc.problems, override=exc.override)


def _stored(config: Config, kind: str) -> dict[int | None, int] | None:
    """``rows_by_response`` from the configured store opened read-only; None when there is none yet or it cannot be
    opened or read (the store check says why)."""
    from lmsync.service.stores import existing_read_only

    if (store := existing_read_only(config)) is None:
        return None
    try:
        return rows_by_response(store, config.programme.name, kind)
    except Exception:  # noqa: BLE001 - not known: no warning rather than a wrong one
        return None
    finally:
        store.close()


def doctor_source_check(api: MoodleApi, config: Config, feedbacks: list[Feedback], configured: Feedback,
                        kind: str, report: Any) -> None:
    """Warn ``report`` (check ``instrument KIND``) when ``configured`` holds the responses of fewer than ``[sync]
    min_source_fraction`` of the rows stored from Feedback for instrument ``kind``, whose origins name a response:
    the run's read would be refused (``FeedbackRemovalRefused``) or, at 0, delete them. Names the activities they
    came from and the others of the same name, with their responses. Nothing when the store holds none, the
    fraction is 0 or a read fails (the capability probes say a refusal)."""
    fraction = config.sync.min_source_fraction
    stored = _stored(config, kind) if fraction else None
    total = sum(n for attempt, n in (stored or {}).items() if attempt is not None)
    if not stored or not total:
        return
    try:
        ids = responses_of(api, configured)
    except MoodleError:
        return
    kept = sum(n for attempt, n in stored.items() if attempt in ids)
    if kept >= fraction * total:
        return
    setting, cm = _setting(kind), configured.coursemodule
    others = holders(api, feedbacks, configured, stored)
    came = [h for h in others if h.rows]
    named = [h for h in others if not h.rows]
    text = (f"{activity_named(configured, str(cm))} holds {held(len(ids))}, and {kept or 'none'} of the {total} "
            f"{kind} answer row(s) stored from Feedback came from it: the run's read will be refused (it removes at "
            f"most {1 - fraction:.0%} of them: [sync] min_source_fraction {fraction:g})")
    text += "".join(f"; {h.rows} came from {h.said()}" for h in came)
    text += "".join(f"; the other activity named {quoted(h.feedback.name)}, course module {h.feedback.coursemodule}, "
                    f"holds {held(h.responses)}" for h in named)
    fix = (f"set {setting} = \"{came[0].feedback.coursemodule}\" to read the activity they came from; "
           if came else f"if the answers are in another activity (none of this course's holds them), name it in {setting}; ")
    fix += ("if the responses were really deleted, lower [sync] min_source_fraction or set "
            f"LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run: either deletes the {total - kept} stored row(s)")
    report.add(f"instrument {kind}", "warn", text, fix)
