"""Every metric a grades plan publishes, from the stored meetings and survey answers, and the
gradebook writes they call for (``build_grade_plan``: a ``GradeItemsPlan``)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, tzinfo

from lmsync.config_sections import default_idnumber_prefix
from lmsync.domain.grade_items import ItemRecord, ObservedGradeItem
from lmsync.domain.grades import GradeItemsPlan, plan_grades
from lmsync.domain.grades_unbacked import EMPTY_VALUES
from lmsync.domain.metrics import (
    AttendanceSummary,
    MetricSpec,
    MetricValue,
    meeting_metric_specs,
    meeting_metrics,
    summarise_attendance,
    survey_metric_specs,
    survey_metrics,
)
from lmsync.domain.pair_dates import restarted_after_erasure, spans_after_erasure
from lmsync.domain.rated_mentor import ever_paired
from lmsync.domain.received_release import received_instruments, received_waves, release_received
from lmsync.domain.survey_unanswered import ShortSitting, short_sittings
from lmsync.errors import ConfigError
from lmsync.moodle.text import format_string
from lmsync.service.feedback_store import current_scores, feedback_pairs_by_date
from lmsync.service.programme_settings import Settings
from lmsync.service.rater_checkpoints import erasure_changes
from lmsync.service.respondent_checkpoints import frozen_grades, respondent_changes
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.meetings import MeetingRepository
from lmsync.store.published_grades import PublishedGrades
from lmsync.store.snapshots import HealthSnapshots


@dataclass(frozen=True)
class Metrics:
    specs: dict[str, MetricSpec]
    values: list[MetricValue]
    attendance: dict[int, AttendanceSummary]
    frozen: dict[str, int] = field(default_factory=dict)  # received key -> mentors held at their published value
    changed: dict[str, int] = field(default_factory=dict)  # ... of them whose stored answers now differ
    waiting: dict[str, int] = field(default_factory=dict)  # received key -> means held until the wave closes
    kept: frozenset[tuple[str, int]] = frozenset()  # (received key, mentor) released at a published value
    received: frozenset[str] = frozenset()  # the received keys
    # why there may be no figure at all, for the plan to say (tester round 73, 7: it blamed an unset
    # [waves] programme_start that was set, when no meeting was stored yet)
    stored_meetings: int = 0  # the programme's meetings in the store, any pair, any day
    counted_from: tuple[str, date] | None = None  # the setting meetings count from, and its day
    cadence_days: int = 0  # [meetings] cadence_days: a pair is due a meeting after this many days
    erasure_held: dict[str, int] = field(default_factory=dict)  # received key -> first means held: an erasure changed them
    withheld: frozenset[tuple[str, int]] = frozenset()  # (received key, mentor) of those: the plan names them (round 78, 5)
    # no meeting stored at all: no meeting figure (nor the assignment's attendance) is published; ``attendance``
    # still says what each person is expected (tester round 94b, 1)
    meeting_grades_wait: bool = False
    # (key, person) of people's own survey grades an erasure changed the answers behind: kept as the gradebook holds
    # them, none written first (``respondent_checkpoints``; tester round 117a, 1)
    respondent_held: frozenset[tuple[str, int]] = frozenset()
    # (key, person) -> their stored sitting of the wave that makes no score: too few answers (tester round 123b, 5)
    short: Mapping[tuple[str, int], ShortSitting] = field(default_factory=dict)


def compute_metrics(
    store: Store, s: Settings, pairs: Iterable[tuple[int, int]], *, as_of: date, tz: tzinfo = UTC,
    active: Collection[int] = (),
    left_out: Collection[tuple[int, int]] = (),
) -> Metrics:
    """Every metric for the current pairs, from the stored meetings and survey answers.

    Meetings are counted from the later of ``[meetings] start`` (else the programme start of the
    waves) and each pair's own start (the day, in ``tz``, lmsync's journal paired them; tester round 12, 3);
    never from the earliest stored meeting, which a mistyped year would move decades back (new
    admin, part 2, point 2). A pair the pairing history holds counts over the days it existed
    (``summarise_attendance``'s ``spans``); one that is over still counts, up to the day it ended,
    for its people in a current pair or ``active`` (Moodle ids active in the course): a mentee moved
    to another mentor, or left with no mentor, keeps the meetings held with the first (tester rounds
    52, 3; 54, 5; 58, 1-3).
    A mentor's ``received`` mean is released by ``lmsync.domain.received_release.release_received``: only
    after its wave closed, and at the value first published (``PublishedGrades``; tester finding FIX-A),
    and counts only answers given while the pair existed (the pairing history, days in ``tz``: the
    programme's timezone), or naming the mentor (``about``) when their author was ever their mentee, as
    ``pair show`` counts them (``lmsync.domain.rated_mentor``; tester round 87a, 1). ``pairs`` are the pairs health
    judges (``health_gone.circle_pairs``): those of a mentor away are left out for their circle's hold, whose days the
    pairing history ends them for, so a meeting dated in the hold counts in no grade and no hold day is expected, as
    the import says (tester round 88a, 4). ``left_out``: the circles' pairs left out so; one the history still holds
    open (no sync has found the mentor away yet) lasts until ``as_of``, as it did while current. Reads the store only.
    """
    pair_list = sorted(set(pairs))
    meetings = MeetingRepository(store, s.programme).meetings()
    start = s.meetings_start
    first_seen = HealthSnapshots(store, s.programme).first_seen()
    by_date = feedback_pairs_by_date(store, s.programme, pair_list, tz=tz, first_seen=first_seen)
    erased = erased_on(store)
    made = {(p.mentor_id, p.mentee_id) for p in by_date.history}
    # a pair made by hand counts from the day the store first saw it, today when no judgement has yet:
    # else from the programme's start ("0 of 3 meetings" three days after joining; tester round 59, 3)
    new = {pair: as_of for pair in pair_list if first_seen and pair not in made and pair not in first_seen}
    # the history's pairs are dated by their spans below; these starts are for the pairs it never held
    pair_starts = restarted_after_erasure({**new, **by_date.appeared}, pair_list, erased)
    attendance = summarise_attendance(
        meetings,
        pair_list,
        cadence_days=s.meetings.cadence_days,
        start=start,
        as_of=as_of,
        pair_starts=pair_starts,
        # an erased person's pairs start again after the erasure, which took their meetings (tester round 26, 3)
        spans=_until_today(spans_after_erasure(by_date.history, erased), left_out, as_of),
        first_day=min((p.start for p in by_date.history), default=None),
        graded=active,
        one_to_one=s.meetings.one_to_one,  # each of a day's meetings the mentor's own (tester round 90a, 6)
    )
    # One value per person reaches the gradebook: ratings of single relationships are merged there, while a
    # received mean takes each mentee's answer about its mentor (``about``) apart (tester round 87a, 1)
    scores = current_scores(store, s)  # today's wave names (tester finding 4)
    specs = metric_specs(s)
    # no meeting stored at all, any pair, any day: the programme has no meeting source yet, and a 0 for everyone read
    # as every meeting missed (tester round 94b, 1); one stored meeting, and a pair that never met gets its 0
    values = (meeting_metrics(attendance) if meetings else []) + survey_metrics(
        scores,
        s.instruments,
        pair_list,
        s.waves,
        min_mentees=s.grades.min_mentees_for_mentor_rating,
        baseline=s.baseline,
        mentee_ratings=s.grades.mentee_ratings,
        # an erased mentor is credited with no answer dated up to their erasure (tester round 77b, 2)
        pairs_on=replace(by_date, erased=erased).on,  # tester round 6, 4
        ever=ever_paired(by_date),  # an answer naming a mentor counts for them if ever paired (round 87a, 1)
    )
    waves_of, instrument_of = received_waves(s.instruments.values(), s.waves), received_instruments(s.instruments.values(), s.waves)
    release = release_received(
        values,
        waves_of,
        as_of=as_of,
        published=PublishedGrades(store, s.programme).values(),
        instrument_of=instrument_of,
    )
    # a first mean over answers that changed after an erasure: pair show and the report withhold it, and a first
    # publication beside what they showed before gave the erased person's answers away (tester round 77b, 1)
    changes = erasure_changes(store, s, tz)
    named = {f"{i.grade_name}-received-{w.name}": i.name for i in s.instruments.values() for w in s.waves}
    held = {(v.key, v.user_id) for v in release.values if v.key in waves_of and (v.key, v.user_id) not in release.kept
            and changes.withholds(v.user_id, named.get(v.key, ""), waves_of[v.key].start)}
    # and a person's own mean over answers an erasure took some of (a mentor's about the erased mentee): a new value
    # beside the published one gave the deleted answers back by difference (tester round 117a, 1)
    frozen = frozen_grades(s, respondent_changes(store, s), specs)
    values = [v for v in release.values if (v.key, v.user_id) not in held | frozen]
    if s.grades.enabled is not None:
        enabled = set(s.grades.enabled)
        _known_metrics(enabled, specs)
        specs = {k: v for k, v in specs.items() if k in enabled}
        values = [v for v in values if v.key in enabled]
    return Metrics(
        specs,
        values,
        attendance,
        release.frozen,
        release.changed,
        release.waiting,
        release.kept,
        frozenset(received_waves(s.instruments.values(), s.waves)),
        len(meetings),
        ("[meetings] start", s.meetings.start) if s.meetings.start
        else ("[waves] programme_start", s.programme_start) if s.programme_start else None,
        s.meetings.cadence_days,
        dict(Counter(key for key, _mentor in held)),
        frozenset(held),
        not meetings and (bool(MEETING_KEYS & specs.keys()) or s.grades.assignment is not None),
        frozenset((key, who) for key, who in frozen if key in specs),
        short_sittings(scores, s.instruments),
    )


MEETING_KEYS = frozenset({"attendance", "meetings", "minutes"})  # the figures meetings give (meeting_metric_specs)


def meeting_wait_note(s: Settings, *, zeroed: int = 0) -> str:
    """Why no meeting grade is computed while the store holds no meeting, and how to record one (tester round
    94b, 1: every person got 0 attendance from a programme with no meeting source). ``zeroed``: how many grades the
    same plan writes as 0 because lmsync published them from meetings no longer stored (``grades_unbacked``,
    ``assign_unbacked``): then the note says they are written, not that nothing is (tester round 122a, 7)."""
    how = (f"meetings logged in the Feedback activity {s.meetings.feedback!r} are read by `lmsync run` and "
           "`lmsync grades push`, or record them with `lmsync import meetings` or `lmsync meetings add`"
           if s.meetings.feedback else
           "set [meetings] feedback to the Feedback activity that logs meetings, or record them with "
           "`lmsync import meetings` or `lmsync meetings add`")
    if not zeroed:
        return ("meeting grades wait for the first meeting: no meeting is stored for this programme yet, so no "
                "attendance, meetings or minutes grade (nor an assignment's attendance grade) is computed or written; "
                f"{how}")
    return ("meeting grades wait for the first meeting: no meeting is stored for this programme yet, so no "
            "attendance, meetings or minutes grade (nor an assignment's attendance grade) is computed; the only ones "
            f"written are the {zeroed} lmsync published before from meetings no longer stored, written as 0 (named "
            f"below), as Moodle's web services cannot empty a grade; {how}")


def _until_today(
    spans: Mapping[tuple[int, int], Sequence[tuple[date, date | None]]], left_out: Collection[tuple[int, int]], as_of: date
) -> dict[tuple[int, int], Sequence[tuple[date, date | None]]]:
    """``spans`` with the open last span of each ``left_out`` pair ended on ``as_of`` (tester round 88a, 4): no
    longer a current pair, it still counts for its people until today, the hold not yet recorded."""
    out = dict(spans)
    for pair in left_out:
        found = list(out.get(pair, ()))
        if found and found[-1][1] is None:
            out[pair] = [*found[:-1], (found[-1][0], as_of)]
    return out


def metric_specs(s: Settings) -> dict[str, MetricSpec]:
    """Every metric the programme's settings define, by key (before ``[grades] enabled`` chooses)."""
    return {
        **meeting_metric_specs(max_meetings=s.meetings.max_meetings, max_minutes=s.meetings.max_minutes),
        **survey_metric_specs(s.instruments.values(), s.waves, baseline=s.baseline, mentee_ratings=s.grades.mentee_ratings),
    }


def unknown_metrics(enabled: set[str], specs: Mapping[str, MetricSpec]) -> str | None:
    """What is wrong with ``[grades] enabled`` keys that are no metric (each with the nearest), or None."""
    unknown = sorted(enabled - set(specs))
    if not unknown:
        return None
    near = {key: difflib.get_close_matches(key, list(specs), n=1) for key in unknown}
    said = ", ".join(f"{key!r}" + (f" (did you mean {near[key][0]!r}?)" if near[key] else "") for key in unknown)
    return f"[grades] enabled names no metric: {said}; the metrics are: {', '.join(sorted(specs))}"


def _known_metrics(enabled: set[str], specs: Mapping[str, MetricSpec]) -> None:
    """Raises ``ConfigError`` naming the ``[grades] enabled`` keys that are no metric: a typo turned off
    every grade, each item then said "no longer configured" (tester round 57, 8)."""
    problem = unknown_metrics(enabled, specs)
    if problem is not None:
        raise ConfigError(problem, hint="correct or remove them in [grades] enabled (leave it out to publish every metric)")


def build_grade_plan(
    s: Settings,
    metrics: Metrics,
    observed: Iterable[ObservedGradeItem],
    enrolled: Iterable[int],
    *,
    budget: int,
    foreign_idnumbers: Iterable[str] = (),
    records: Iterable[ItemRecord] = (),
    legacy_numbers: Iterable[int] = (),
    foreign_names: Mapping[str, Collection[int]] | None = None,
    erased: Collection[int] = (),
) -> GradeItemsPlan:
    """The grade writes for ``metrics``: ``observed`` are the items in the owned range on the
    programme's activity as read back, ``enrolled`` the users with an active enrolment;
    ``records``/``legacy_numbers`` prove which of them lmsync created (lmsync.domain.grades).
    A received mean this store never published is held back while another store's received item
    shows the mentor's mean (``lmsync.domain.received_guard``; fourth tester, finding 1a). ``foreign_names``: the
    course's other items named like lmsync's (``lmsync.domain.grade_names``; tester round 108b, 1). ``erased``: the
    erased people, whose own meeting grades stay as they are when no figure backs them (tester round 114a, 4)."""
    prefix = s.grades.idnumber_prefix or default_idnumber_prefix(s.programme)
    try:
        return plan_grades(
            metrics.values,
            metrics.specs,
            observed,
            frozenset(enrolled),
            base=s.grades.itemnumber_base,
            count=s.grades.itemnumber_count,
            idnumber_prefix=prefix,
            budget=budget,
            foreign_idnumbers=frozenset(foreign_idnumbers),
            programme=s.programme,
            records=records,
            legacy_numbers=frozenset(legacy_numbers),
            first_received=first_received(metrics),
            foreign_names=foreign_names,
            shown_name=format_string,  # the gradebook shows a name so (tester round 111b, 8)
            erased=frozenset(erased),
            empty_values=EMPTY_VALUES,  # a meeting grade no figure backs any more is written as 0 (114a, 4)
        )
    except ValueError as exc:
        raise ConfigError(f"grades: {exc}") from None


def first_received(metrics: Metrics) -> frozenset[tuple[str, int]]:
    """The (key, mentor) received means this store would publish for the first time: released,
    but not at a value it published before (by name or window)."""
    return frozenset(
        (v.key, v.user_id)
        for v in metrics.values
        if v.key in metrics.received and (v.key, v.user_id) not in metrics.kept
    )


def attendance_comments(metrics: Metrics) -> Mapping[int, tuple[float, str]]:
    """(grade 0-100, comment) per person for the configured assignment, e.g. ``3 of 4 meetings, last 12 Oct``."""
    if metrics.meeting_grades_wait:  # no meeting stored: "0 of 3 meetings" for everyone (tester round 94b, 1)
        return {}
    return {
        uid: (round(summary.rate, 2), summary.comment())
        for uid, summary in metrics.attendance.items()
        if summary.rate is not None
    }


def received_notes(metrics: Metrics) -> list[str]:
    """What the plan says about the received means it holds back or keeps (counts only)."""
    notes = []
    for key, count in sorted(metrics.frozen.items()):
        notes.append(
            f"{key}: held: published value frozen for {count} mentor(s) "
            f"({metrics.changed.get(key, 0)} would differ with the answers stored now): "
            "a published mean never changes, so no rating can be read from the difference"
        )
    for key, count in sorted(metrics.erasure_held.items()):
        notes.append(f"{key}: held for {count} mentor(s): who answered about them changed after an erasure, and a "
                     "first mean now would give one person's answers away by difference")
    for key, count in sorted(metrics.waiting.items()):
        notes.append(f"{key}: {count} mentor mean(s) held until the wave's window has closed")
    return notes
