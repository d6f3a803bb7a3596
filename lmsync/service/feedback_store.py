"""Mirror the Feedback activities into the store (the Moodle read is the caller's).

Meetings from the "Meeting log" Feedback go to the pair that existed on each meeting's date
(pairing history), so a re-match never rewrites the history; a read with row problems keeps only the
rows each unreadable response stored before (each row's origin names its response, ``feedback:ATTEMPT``;
tester round 88a, 2), and one that would remove more than ``1 - [sync] min_source_fraction`` of a source's
stored rows is refused (``FeedbackRemovalRefused``). Survey answers are checked against the
instrument's declared scale first (issue 10 point 3, trap 43), stored and kept the same way (each answer's
origin names its response: tester round 88a, 2), and every wave is rescored.

A rescore never silently drops stored wave scores because of a config edit (tester round 8, 4):
while ``[sync] min_source_fraction`` is above 0, an import or Feedback read whose rescore would
delete scores that no ``[waves]`` window (or no ``[instruments]`` entry) holds any more is refused,
nothing stored (``refuse_score_loss``, ``ScoreLossRefused``), and reads (``current_scores``) keep
such stored scores, as ``lmsync health`` (which reads the stored ones) does: a config edit changes
neither health nor the grades and reports until the scores are deliberately let go
(``LMSYNC_SYNC_MIN_SOURCE_FRACTION=0`` for one import or read).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import func, select

from lmsync.domain.instruments import (
    FeedbackAnswerProblem,
    SurveyAnswer,
    WaveScore,
    answers_from_feedback,
    score_waves,
)
from lmsync.domain.meeting_log import FeedbackAttempt, FeedbackProblem, meetings_by_attempt
from lmsync.domain.meeting_log_held import without_held
from lmsync.domain.meetings import Resolver
from lmsync.domain.pair_dates import DatedPair, PairsByDate
from lmsync.domain.pair_key import pair_maps
from lmsync.domain.score_loss import score_loss, stranded
from lmsync.log import get_logger
from lmsync.moodle.models import FeedbackItem
from lmsync.service.feedback_sources import (
    FeedbackRemovalRefused,
    FeedbackScaleMismatch,
    ScoreLossRefused,
    scale_problems,
)
from lmsync.service.programme_settings import Settings, clock
from lmsync.service.scale_na_fix import declare_words, not_answered_labels
from lmsync.service.scores_current import out_of_date
from lmsync.store.db import Store
from lmsync.store.erased_circles import erased_in_circle, erased_partner
from lmsync.store.erasures import erased_on, withheld
from lmsync.store.meetings import MeetingRepository, RemovalRefused, SaveCounts
from lmsync.store.pairings import PairingHistory
from lmsync.store.schema import meetings as meetings_table
from lmsync.store.survey_sittings import sitting_keys
from lmsync.store.surveys import SurveyRepository
from lmsync.store.unreadable_responses import UnreadableResponses

log = get_logger(__name__)


def store_feedback_meetings(
    store: Store,
    s: Settings,
    attempts: Iterable[FeedbackAttempt],
    pairs: Iterable[tuple[int, int]],
    resolve: Resolver,
    *,
    tz: tzinfo = UTC,
    today: date | None = None,
) -> tuple[SaveCounts, list[FeedbackProblem]]:
    """Mirror the meeting-log Feedback activity into the store (source ``feedback``).

    Each response is attributed to the pairs of ITS date (the store's pairing history; the
    current ``pairs`` for dates before the history), so a re-match never rewrites the history. A row for a
    meeting a file or ``meetings add`` holds is not stored: the record stored first is kept, and a response
    contradicting it is a problem of that response (``without_held``; tester round 109b, 2).
    """
    current = sorted(set(pairs))
    mentees_of, mentors_of = pair_maps(current)
    dated = feedback_pairs_by_date(store, s.programme, current, tz=tz)
    attempts = list(attempts)
    read, problems = meetings_by_attempt(
        attempts, s.meetings.items.to_domain(), mentees_of, mentors_of, resolve, tz=tz, today=today, dated=dated,
        erased=erased_on(store), erased_in_circle=erased_in_circle(store, s.programme, dated.begins),
        erased_partner=erased_partner(store, s.programme, dated.begins),
        date_order=s.date_order,
        one_to_one=s.meetings.one_to_one,
    )
    repository = MeetingRepository(store, s.programme)
    stored = repository.held({(m.date, m.mentor_id, m.mentee_id) for m, _ in read})
    readable, elsewhere = without_held(read, {k: [(r.meeting, r.origin) for r in v] for k, v in stored.items()},
                                       {a.attempt_id: a.user_id for a in attempts})  # tester round 109b, 2
    meetings = [m for m, _ in readable]
    problems, of_erased = _not_of_erased(store, problems + elsewhere, attempts, tz)
    unread = [p for p in problems if p not in elsewhere]  # a row held elsewhere goes: not kept as an unreadable's
    doubled = {r.meeting.natural_key for v in stored.values() if any(o.meeting.source != "feedback" for o in v)
               for r in v if r.meeting.source == "feedback"}  # a second row an older read stored: not a loss
    try:
        # only the rows an unreadable response stored before are kept (tester round 88a, 2); a read that could
        # read no response at all (a mistyped item label) keeps every row and is refused as the loss it looks like
        counts = repository.replace_source(
            "feedback",
            [(m, attempt_origin(attempt)) for m, attempt in readable],
            min_fraction=_less_doubled(store, s, len(doubled)),
            keep_missing=bool(unread) and not read,
            held=unreadable_rows(unread) if read else None,
        )
    except RemovalRefused as exc:
        log.warning("meetings.feedback_refused", removing=exc.removing, stored=exc.stored, problems=len(problems))
        raise _removal_refused(
            "meetings", exc, read=len(meetings), problems=len(problems), s=s,
            labels="[meetings.items] (e.g. minutes = the label of the item in Moodle)",
            activity="[meetings] feedback",
        ) from None
    counts = replace(counts, withheld=counts.withheld + of_erased)
    note_unreadable(store, s.programme, "meetings", attempts, [(p.attempt_id, p.field, p.message) for p in problems],
                    today or clock().astimezone(tz).date())
    log.info(
        "meetings.feedback",
        stored=counts.added + counts.updated,
        removed=counts.removed,
        withheld=counts.withheld,
        problems=len(problems),
        by_mentor=sum(1 for m in meetings if m.rated_by == "mentor"),  # counts of who logged, never a rating
        by_mentee=sum(1 for m in meetings if m.rated_by == "mentee"),
    )
    return counts, problems


def _less_doubled(store: Store, s: Settings, doubled: int) -> float:
    """``[sync] min_source_fraction`` for a read that removes ``doubled`` second rows of meetings a file or ``meetings
    add`` holds (tester round 109b, 2): the removal guard (``check_removal``) then refuses only when the read would
    remove more than ``1 - min_source_fraction`` of the stored Feedback rows besides those."""
    if not doubled or not s.min_source_fraction:
        return s.min_source_fraction
    stored = store.scalar(select(func.count()).select_from(meetings_table).where(
        meetings_table.c.programme == s.programme, meetings_table.c.source == "feedback"))
    return s.min_source_fraction - doubled / max(int(stored), 1)


ORIGIN = "feedback"  # a meeting row's or survey answer's origin: "feedback:ATTEMPT"; plain "feedback" before 88a, 2


def attempt_origin(attempt_id: int) -> str:
    """The ``origin`` of a meeting row or survey answer read from Feedback response ``attempt_id``."""
    return f"{ORIGIN}:{attempt_id}"


def unreadable_rows(
    problems: Sequence[FeedbackProblem], *, people_at: tuple[int, ...] = (1, 2)
) -> Callable[[str | None, tuple[Any, ...]], bool]:
    """Whether a stored Feedback meeting (its origin, and key: date, mentor, mentee, source) is one a response
    that cannot be read now stored before, and so stays while it is unreadable (tester round 88a, 2): every row
    was kept while any response had a problem, so a response deleted in Moodle kept its meetings and a corrected
    date left both days stored. A row stored before origins named their response (plain ``feedback``) is kept
    when it is about an unreadable response's respondent (the key's ``people_at`` columns: a survey answer's
    key is date, respondent, item, about, so ``(1,)``); the read gives each row it reads its response."""
    origins = {attempt_origin(p.attempt_id) for p in problems}
    people = {p.user_id for p in problems if p.user_id is not None}

    def held(origin: str | None, key: tuple[Any, ...]) -> bool:
        if origin in origins:
            return True
        return origin in (ORIGIN, None) and bool(people) and any(key[i] in people for i in people_at)

    return held


def note_unreadable(
    store: Store, programme: str, source: str, attempts: Iterable[FeedbackAttempt],
    problems: Iterable[tuple[int, str, str]], today: date,
) -> None:
    """Record the problems (attempt id, field, message) of one source's read (``UnreadableResponses``), each as a
    hash of its response's attempt id and last-modified time and the problem, so a response edited since is a new
    problem: a run says a new one and counts one it said before as still unreadable (tester round 87a, 5)."""
    UnreadableResponses(store, programme).follow(source, set(problem_keys(attempts, problems)), today)


def problem_keys(attempts: Iterable[FeedbackAttempt], problems: Iterable[tuple[int, str, str]]) -> list[str]:
    """The hash ``UnreadableResponses`` keeps of each problem (attempt id, field, message), in order: a sha256
    (64 hex characters) of the attempt id, its response's last-modified time (``attempts``) and the problem."""
    modified = {a.attempt_id: a.submitted.isoformat() for a in attempts}
    return [hashlib.sha256(json.dumps([attempt, modified.get(attempt, ""), field, message]).encode()).hexdigest()
            for attempt, field, message in problems]


def _not_of_erased(
    store: Store, problems: list[FeedbackProblem], attempts: Iterable[FeedbackAttempt], tz: tzinfo
) -> tuple[list[FeedbackProblem], int]:
    """The problems that are not a response of someone erased on or after the day they sent it, nor one about a
    pair whose other side was since erased (``FeedbackProblem.erased``), and how many were (withheld, as every row
    about an erasure): Moodle keeps an erased person's response, whose pairs the store no longer holds, so every
    run ended "partial" on "is in no mentoring pair" (tester round 57, 4), and so it did on their partners' own
    responses of those days (tester round 111b, 2)."""
    erased = erased_on(store)
    if not erased or not problems:
        return problems, 0
    sent = {a.attempt_id: a.submitted.astimezone(tz).date() for a in attempts}
    kept = [p for p in problems
            if not p.erased and not withheld(erased, sent.get(p.attempt_id, date.min), (p.user_id,))]
    return kept, len(problems) - len(kept)


def feedback_pairs_by_date(
    store: Store, programme: str, current: Iterable[tuple[int, int]], *, tz: tzinfo = UTC,
    first_seen: Mapping[tuple[int, int], date] | None = None,
) -> PairsByDate:
    """The pairing history as local dates (a pair left on day D existed up to D, exclusive),
    with the current pairs for what it does not cover and the pairs made by hand from the day
    they appeared (``appeared_by_hand``; ``first_seen``: the snapshots' first days, when the
    caller has read them already)."""

    def day(instant: str) -> date:
        moment = datetime.fromisoformat(instant)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz).date()

    history = tuple(
        DatedPair(p.mentor_id, p.mentee_id, day(p.joined_at), None if p.left_at is None else day(p.left_at))
        for p in PairingHistory(store, programme).history()
    )
    appeared = appeared_by_hand(store, programme, history, first_seen)
    return PairsByDate(history=history, current=tuple(current), appeared=appeared)


def appeared_by_hand(
    store: Store, programme: str, history: Iterable[DatedPair], first_seen: Mapping[tuple[int, int], date] | None = None
) -> dict[tuple[int, int], date]:
    """Pairs lmsync never made (no pairing history) that the store's health snapshots first saw after
    its first judgement of the programme, and that day: made by hand in Moodle then (``PairsByDate.appeared``).
    The pairs there at the first judgement are the established programme's, dated from its start."""
    from lmsync.store.snapshots import HealthSnapshots

    if first_seen is None:
        first_seen = HealthSnapshots(store, programme).first_seen()
    if not first_seen:
        return {}
    watched_since = min(first_seen.values())
    made = {(p.mentor_id, p.mentee_id) for p in history}
    return {pair: seen for pair, seen in first_seen.items() if seen > watched_since and pair not in made}


def _removal_refused(
    what: str, exc: RemovalRefused, *, read: int, problems: int, s: Settings, labels: str, activity: str
) -> FeedbackRemovalRefused:
    """The refusal of a Feedback read that would empty a source: counts, likely causes, override. The rows keep their
    response, not their activity: "stored from Feedback", not "from it", and the override says it deletes them
    (tester round 123b, 4; ``feedback_moved.moved_refusal`` says where they came from when it can tell)."""
    override = (f"lower [sync] min_source_fraction (now {s.min_source_fraction:g}) or set "
                f"LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run: either deletes the {exc.removing} stored row(s) the "
                "read does not find.")
    return FeedbackRemovalRefused(
        f"Feedback read refused, nothing stored or removed: it would remove {exc.removing} of the "
        f"{exc.stored} {what} row(s) stored from Feedback ({read} row(s) read, {problems} row problem(s)). "
        f"Likely causes: a mistyped item label in {labels} (item labels), lmsync's account lost a "
        "capability such as mod/feedback:viewreports (capability), or "
        f"{activity} names the wrong activity (wrong activity); `lmsync doctor` checks them. If the responses were "
        f"really deleted, {override}",
        removing=exc.removing, stored=exc.stored, what=what, read=read, problems=problems, override=override,
    )


def store_feedback_answers(
    store: Store,
    s: Settings,
    instrument_name: str,
    attempts: Iterable[FeedbackAttempt],
    *,
    tz: tzinfo = UTC,
    items: Mapping[str, FeedbackItem] | None = None,
    pairs: Collection[tuple[int, int]] | None = None,
    today: date | None = None,
) -> tuple[SaveCounts, list[FeedbackAnswerProblem]]:
    """Mirror one instrument's Feedback activity into the store, then rescore every wave.

    With ``pairs`` (mentor, mentee), a response by someone only on the side the instrument is not
    answered by (``side``) is left out and reported, as the survey import refuses the row (tester
    round 57, 5: a mentor's answer on the mentees' check-in was scored as a mentee's rating).

    ``items`` (label -> Feedback item, ``FeedbackSource.items``) are checked against the
    instrument's declared scale first: a mismatch raises ``FeedbackScaleMismatch`` naming
    the item and both ranges, and nothing is stored (issue 10 point 3).
    """
    instrument = s.instruments[instrument_name]
    section = s.instrument_sections.get(instrument_name)
    labels = section.feedback_items if section is not None else {}
    if items is not None:
        problems_found = scale_problems(instrument, items, labels)
        if problems_found:
            na = not_answered_labels(instrument, items, labels)  # "N/A" off the scale: declared (tester round 123b, 2)
            fix = (f"declare the not-answered option: {declare_words(instrument_name, na, bool(instrument.na_values))}"
                   if na else f"fix the item in Moodle or [instruments.{instrument_name}] scale_min/scale_max")
            raise FeedbackScaleMismatch(
                f"instrument {instrument_name}: Feedback refused, nothing stored: " + "; ".join(problems_found)
                + f" ({fix})"
            )
    refuse_score_loss(store, s, action=f"Feedback read of instrument {instrument_name}")
    attempts = list(attempts)
    read: list[tuple[SurveyAnswer, int]] = []  # each answer with its response's attempt id (tester round 88a, 2)
    problems: list[FeedbackAnswerProblem] = []
    for one in attempts:
        found, unusable = answers_from_feedback([one], instrument, labels, tz=tz)
        read += [(a, one.attempt_id) for a in found]
        problems += unusable
    wrong_side, refused = _on_the_other_side(instrument.name, instrument.side, attempts, pairs)
    read = [(a, attempt) for a, attempt in read if a.respondent_id not in wrong_side]
    answers = [a for a, _ in read]
    user_of = {a.attempt_id: a.user_id for a in attempts}
    unreadable = [FeedbackProblem(p.attempt_id, p.item, p.message, user_of.get(p.attempt_id)) for p in problems
                  if user_of.get(p.attempt_id) not in wrong_side]
    problems += refused
    repo = SurveyRepository(store, s.programme)
    try:
        # as for meetings (tester round 88a, 2): only the answers an unreadable response stored before are kept,
        # and the guard counts the answers really removed; a read of no answer at all keeps every one
        counts = repo.replace_source(
            "feedback",
            instrument_name,
            [(a, attempt_origin(attempt)) for a, attempt in read],
            keep_missing=bool(unreadable) and not read,
            min_fraction=s.min_source_fraction,
            held=unreadable_rows(unreadable, people_at=(1,)) if read else None,
        )
    except RemovalRefused as exc:
        log.warning("surveys.feedback_refused", removing=exc.removing, stored=exc.stored, problems=len(problems))
        raise _removal_refused(
            f"{instrument_name} answer", exc, read=len(answers), problems=len(problems), s=s,
            labels=f"[instruments.{instrument_name}] feedback_items",
            activity=f"[instruments.{instrument_name}] feedback",
        ) from None
    rescore_surveys(store, s)
    note_unreadable(store, s.programme, instrument_name, attempts, [(p.attempt_id, p.item, p.message) for p in problems],
                    today or clock().astimezone(tz).date())  # ``today``: the read's day (default: the clock's)
    log.info(
        "surveys.feedback",
        instrument=instrument_name,
        answers=len(answers),
        removed=counts.removed,
        withheld=counts.withheld,
        problems=len(problems),
    )
    return counts, problems


def _on_the_other_side(
    name: str, side: str, attempts: Iterable[FeedbackAttempt], pairs: Collection[tuple[int, int]] | None
) -> tuple[set[int], list[FeedbackAnswerProblem]]:
    """Respondents whom ``pairs`` show only on the side that does not answer instrument ``name``, and a
    problem per response of theirs (``survey_rows.side_problem``, the survey import's rule)."""
    if pairs is None or side == "both":
        return set(), []
    mentors, mentees = {m for m, _ in pairs}, {e for _, e in pairs}
    other = "mentor" if side == "mentee" else "mentee"
    wrong = {a.user_id for a in attempts
             if (a.user_id in mentors) != (a.user_id in mentees) and (a.user_id in mentors) == (other == "mentor")}
    said = (f"the respondent is a {other}, but {name} is answered by {side}s ([instruments.{name}] side = "
            f"\"{side}\"): their answers are left out")
    return wrong, [FeedbackAnswerProblem(a.attempt_id, "", said) for a in attempts if a.user_id in wrong]


def rescore_surveys(store: Store, s: Settings) -> int:
    """Rewrite the wave scores from the stored answers; unguarded: callers ``refuse_score_loss`` first."""
    repo = SurveyRepository(store, s.programme)
    return repo.replace_scores(score_waves(repo.answers(), s.instruments, s.waves))


def refuse_score_loss(store: Store, s: Settings, *, action: str) -> None:
    """Raise ``ScoreLossRefused`` when a rescore under today's ``[waves]`` and ``[instruments]``
    would delete stored wave scores their windows or instruments no longer hold (tester round 8, 4:
    an import with no ``[waves]`` deleted all 300 and health lost 21 pairs' satisfaction signals).
    ``[sync] min_source_fraction`` 0 turns the guard off, as it does the other removal guards."""
    if not s.min_source_fraction:
        return
    loss = score_loss(SurveyRepository(store, s.programme).scores(), s.instruments, s.waves)
    if loss is None:
        return
    log.warning("surveys.rescore_refused", losing=loss.losing, stored=loss.stored)
    raise ScoreLossRefused(
        f"{action} refused, nothing stored: rescoring would delete {loss.losing} of the {loss.stored} "
        f"stored wave score(s) ({loss.reason}); `lmsync health`, the grades and the reports would lose "
        "those survey signals (the answers are kept).",
        hint="restore the [waves] windows (and [instruments]) the scores were made under, e.g. lmsync.toml's "
        "[waves] section; to let the scores go on purpose, LMSYNC_SYNC_MIN_SOURCE_FRACTION=0 for one run",
        losing=loss.losing,
        stored=loss.stored,
    )


def current_scores(store: Store, s: Settings) -> list[WaveScore]:
    """The wave scores under today's ``[waves]`` and ``[instruments]``, without writing.

    Stored scores carry the wave names and windows of the last rescore (a Feedback read or an
    import); after a wave was renamed or its window moved they name waves that are not
    configured, or the wrong one (tester finding 4), and sittings a window holds now may have no score
    (answers imported before the window was added: tester round 114a, 3; ``scores_current``). Then the
    stored answers are scored again in memory (``score_waves``, as a rescore would) for this read; the next read or import stores
    them. Stored scores that no configured window or instrument holds any more are kept as stored
    (unless a rescore under the same wave key replaces them), like the health rules, which read
    the stored scores: a config edit that lost ``[waves]`` changes no report (tester round 8, 4).
    Returns ``SurveyRepository.scores()``' shape.
    """
    repo = SurveyRepository(store, s.programme)
    stored = repo.scores()
    stale = out_of_date(stored, sitting_keys(store, s.programme), s.instruments, s.waves)
    if not stale:
        return stored
    rescored = score_waves(repo.answers(), s.instruments, s.waves)
    held = {(ws.respondent_id, ws.instrument, ws.wave, ws.about_id) for ws in rescored}
    kept = [
        ws for ws in stranded(stored, s.instruments, s.waves)
        if (ws.respondent_id, ws.instrument, ws.wave, ws.about_id) not in held
    ]
    log.warning("surveys.rescored_for_reading", stale_scores=stale, stored_scores=len(stored), kept_unwaved=len(kept))
    if not kept:
        return rescored
    return sorted(
        [*rescored, *kept],
        key=lambda ws: (ws.respondent_id, ws.instrument, ws.date, -1 if ws.about_id is None else ws.about_id),
    )


def current_totals(store: Store, s: Settings, instruments: Collection[str]) -> list[WaveScore]:
    """``SurveyRepository.totals(instruments)`` (no subscales), or, when the stored scores of ``instruments`` are not
    today's (``scores_current.out_of_date``), those of ``current_scores``: ``lmsync health`` and the run judge the
    answers under today's windows (tester round 114a, 3). Same shape and order as ``totals``."""
    stored = SurveyRepository(store, s.programme).totals(instruments)
    if not out_of_date(stored, sitting_keys(store, s.programme, instruments), s.instruments, s.waves):
        return stored
    return [replace(ws, score=replace(ws.score, subscales={}))
            for ws in current_scores(store, s) if ws.instrument in set(instruments)]
