"""The Feedback activities a grades plan reads, mirrored into the store (``read_feedback_sources``).

The meeting log (``[meetings] feedback``) and each survey instrument's Feedback activity
(``[instruments.<name>] feedback``) are read and stored before a push plans from the store; each
source's outcome is a ``SourceReport`` of counts (answers are personal data). Moved out of
:mod:`lmsync.service.grades`, which re-exports both names, when it reached 500 lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, tzinfo

from lmsync.moodle.api import MoodleApi
from lmsync.service.csv_tables import masked
from lmsync.service.feedback_answer_words import answer_problem
from lmsync.service.feedback_label_twins import refuse_instrument_read as refuse_instrument_twins
from lmsync.service.feedback_label_twins import refuse_meeting_log_read as refuse_meeting_log_twins
from lmsync.service.feedback_moved import moved_refusal
from lmsync.service.feedback_sources import (
    MEETING_LOG_NA,
    FeedbackRemovalRefused,
    FeedbackSource,
    FeedbackSourceProblem,
    find_feedback,
    read_feedback,
)
from lmsync.service.feedback_store import problem_keys
from lmsync.service.instrument_labels import refuse_read as refuse_instrument_read
from lmsync.service.meeting_log_labels import refuse_read
from lmsync.service.meeting_log_people import meeting_log_resolver
from lmsync.service.meeting_log_rating import refuse_unrated
from lmsync.service.meetings import store_feedback_answers, store_feedback_meetings
from lmsync.service.observe import RosterUser
from lmsync.service.programme_settings import Settings
from lmsync.store.db import Store
from lmsync.store.meetings import SaveCounts


@dataclass
class SourceReport:
    """What one Feedback activity contributed (counts only: answers are personal data)."""

    kind: str  # meetings | instrument name
    name: str
    attempts: int = 0
    stored: int = 0
    removed: int = 0
    problems: int = 0
    withheld: int = 0  # responses naming an erased person, dated before the erasure: not stored again
    both_sides: int = 0  # of ``problems``, meetings the other side logged first: read, not unreadable (round 89a, 1)
    #: the ``UnreadableResponses`` hashes of those ``both_sides`` problems: the run tells them from the unreadable
    #: ones it counts as still not stored (tester round 102a, 6)
    both_sides_keys: frozenset[str] = frozenset()
    #: the ``UnreadableResponses`` hashes of the problems that left out one answer of a survey response, whose other
    #: answers were stored: the run says an answer, not a response, is still left out (tester round 122a, 3)
    answer_keys: frozenset[str] = frozenset()
    #: an instrument's responses' days as read (submission days in the programme's zone): the run says how many fall
    #: in no survey wave, stored but scored in none, as `import surveys` says it (tester round 131b, 5)
    response_days: tuple[date, ...] = ()

    @property
    def unreadable(self) -> int:
        """The problems that left a response unread (``problems`` but the meetings logged by both sides)."""
        return self.problems - self.both_sides



def read_feedback_sources(
    api: MoodleApi,
    store: Store,
    s: Settings,
    *,
    course_id: int,
    roster: Mapping[int, RosterUser],
    pairs: list[tuple[int, int]],
    today: date,
    warnings: list[str],
    failures: list[str] | None = None,
    who: Callable[[int], str] | None = None,
    tz: tzinfo = UTC,
    admin: list[str] | None = None,
) -> list[SourceReport]:
    """Mirror the configured meeting-log and survey Feedback activities into the store.

    A response is dated the day it was submitted in ``tz`` (the programme's zone, as every other
    programme day: at 22:35 UTC a response from Auckland is the next day's). A store read before
    under another zone's days re-dates those rows by a day, which the removal guard does not
    count as losses (``lmsync.store.meetings.RemovalRefused``).

    A source that cannot be read (missing, anonymous, a scale mismatch) or whose read was
    refused for removing too many stored rows is a warning, and also goes to ``failures``
    (an admin must act); it keeps what the store already holds from it: it is never emptied
    because of a misnamed activity or item label. A response's problem names its respondent as
    ``who`` does (a view: ``People.label``), else by Moodle id (tester round 12, 8).
    With ``admin``, an instrument whose Feedback cannot be used (its labels name no item of its form:
    ``instrument_labels``, tester round 116, 12; its name names several activities, a read refused for its
    removals, a scale mismatch: tester round 122a, 5) is not read and its message goes there only: an admin's fix
    that fails nothing else, as the stored answers stay (nothing stored or removed). The meeting log's stays a
    failure: health would judge every pair on the meetings not read. Without ``admin`` (``grades push``), every
    such message goes to ``failures`` and ``warnings``.
    """
    failures = [] if failures is None else failures
    wanted: list[tuple[str, str]] = []
    if s.meetings.feedback:
        wanted.append(("meetings", s.meetings.feedback))
    for name, section in sorted(s.instrument_sections.items()):
        if section.feedback:
            wanted.append((name, section.feedback))
    if not wanted:
        return []
    feedbacks = api.get_feedbacks_by_courses([course_id]).feedbacks

    def mirror(kind: str, source: FeedbackSource) -> tuple[SaveCounts, list[str], list[str], list[str]]:
        """Store one source read: the counts, a warning per attempt that could not be used, and the
        ``UnreadableResponses`` hashes of those that are meetings the other side logged first (``BOTH_SIDES``), and
        of those that left out one answer of a survey response (``SourceReport.answer_keys``)."""
        if kind == "meetings":
            refuse_read(source.name, s.meetings.items, source.items)  # said once, no response blamed (115b, 3)
            refuse_meeting_log_twins(source.name, s.meetings.items, source.repeated)  # a label on 2 items (122a, 2)
            refuse_unrated(source.name, s.meetings.items, source.items)  # a rating item giving none (131b, 2)
            resolve = meeting_log_resolver(api, store, s.programme, roster, s.meetings.person_key)  # round 58, 4
            counts, problems = store_feedback_meetings(store, s, source.attempts, pairs, resolve, tz=tz, today=today)
            both = problem_keys(source.attempts, [(p.attempt_id, p.field, p.message) for p in problems if p.both_sides])
            return counts, [f"meeting log, {responder(p.user_id, p.attempt_id)}: {p.field}: {masked(p.message)}"
                            for p in problems], both, []  # no answer in logs (round 57, 2)
        refuse_instrument_read(kind, s.instruments[kind], source.name, source.items,  # said once (116, 12)
                               section.feedback_items if (section := s.instrument_sections.get(kind)) else {})
        refuse_instrument_twins(kind, s.instruments[kind], source.name, source.repeated,  # (tester round 122a, 2)
                                section.feedback_items if section is not None else {})
        counts, unusable = store_feedback_answers(store, s, kind, source.attempts, tz=tz, items=source.items, pairs=pairs)
        submitted = {a.attempt_id: a.user_id for a in source.attempts}
        section = s.instrument_sections.get(kind)  # the question by its label, what it takes (tester round 112b, 8)
        labels = section.feedback_items if section is not None else {}
        answers = problem_keys(source.attempts, [(a.attempt_id, a.item, a.message) for a in unusable if a.item])
        return counts, [f"{kind}, {responder(submitted.get(a.attempt_id), a.attempt_id)}: "
                        f"{answer_problem(a, s.instruments[kind], labels)}" for a in unusable], [], answers

    def responder(user_id: int | None, attempt_id: int) -> str:
        """Whose response: ``Ada Lovelace (s0005)'s response (attempt 103)`` with ``who``, else ``user #9's``
        (the cycle's step line may go to a log: ids, not names); the attempt finds it among the responses."""
        person = "a" if user_id is None else f"{who(user_id)}'s" if who is not None else f"user #{user_id}'s"
        return f"{person} response (attempt {attempt_id})"

    reports = []
    for kind, activity in wanted:
        try:
            na = MEETING_LOG_NA if kind == "meetings" else s.instruments[kind].na_values  # N/A: no answer (122a, 3)
            source = read_feedback(api, found := find_feedback(feedbacks, activity), na_values=na)
            counts, problems, both_sides, answers = mirror(kind, source)
        except FeedbackSourceProblem as exc:  # unreadable, a scale mismatch, too many removals: nothing stored
            if isinstance(exc, FeedbackRemovalRefused):  # the rows came from another activity? (tester round 123b, 4)
                exc = moved_refusal(api, store, s.programme, feedbacks, found, activity, kind, exc, len(source.attempts))
            where = getattr(exc, "setting", None) or f"{'meetings' if kind == 'meetings' else 'instruments.' + kind}.feedback"
            # an instrument not read (its labels, its name, a refused read): the run goes on (116, 12; 122a, 5)
            if admin is not None and (kind != "meetings" or not getattr(exc, "blocks", True)):
                admin.append(f"{where}: {exc}")
                continue
            failures.append(f"{where}: {exc}")
            warnings.append(failures[-1])
            continue
        warnings.extend(problems[:10] + [f"{kind}: {len(problems) - 10} more response(s) with a problem"] * (len(problems) > 10))
        stored, removed = counts.added + counts.updated, counts.removed
        days = () if kind == "meetings" else tuple(a.submitted.astimezone(tz).date() for a in source.attempts)
        reports.append(SourceReport(kind, activity, len(source.attempts), stored, removed, len(problems), counts.withheld,
                                    len(both_sides), frozenset(both_sides), frozenset(answers), days))
    return reports
