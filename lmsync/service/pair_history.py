"""One pair's history (``lmsync pair show``): meetings, survey scores per side, signals over time,
nudges and queue items, read-only; a mentee-side score only as a mean over enough mentees."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from lmsync.config import Config
from lmsync.domain.instruments import WaveScore
from lmsync.domain.pair_dates import PairsByDate
from lmsync.domain.rated_mentor import ever_paired, mentors_rated, ratings_by_mentor
from lmsync.domain.waves import closed_waves_only
from lmsync.service.away_mentors import hold_windows, last_held_day
from lmsync.service.ended_as_of import ended_spans, ended_that_day
from lmsync.service.established import known_pairs
from lmsync.service.feedback_store import current_scores, feedback_pairs_by_date
from lmsync.service.health_inputs import satisfaction_instruments, today
from lmsync.service.health_queue import _queue
from lmsync.service.meetings import settings
from lmsync.service.programme_settings import programme_zone
from lmsync.service.rater_checkpoints import erasure_changes
from lmsync.service.stores import open_store, warn_if_absent
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.forbids import PairForbids
from lmsync.store.meetings import MeetingRepository
from lmsync.store.messages import NudgeLog
from lmsync.store.queue import QueueItem
from lmsync.store.snapshots import HealthSnapshots


def pairs_of(config: Config, person: int) -> list[tuple[int, int]]:
    """``established.known_pairs`` of ``person``, read from the configured store (read-only)."""
    store = open_store(config, read_only=True)
    warn_if_absent(store)
    try:
        return known_pairs(store, config.programme.name, person)
    finally:
        store.close()


@dataclass(frozen=True)
class SideScore:
    """A satisfaction wave score of one side. Mentee-side scores (ratings of the mentor) are
    shown only as the mean over the mentor's mentees, and only over at least
    ``[grades] min_mentees_for_mentor_rating`` of them (as the report does); ``withheld`` else."""

    side: str  # mentor | mentee
    instrument: str
    wave: str
    day: date
    score: float | None
    over: int = 1  # how many respondents the score is the mean of
    withheld: bool = False
    #: the last day of a configured wave still open: no mean nor count until then, as the report's (each new
    #: answer moved the mean, and two looks a day apart gave that mentee's answer back; tester round 51c, 1)
    open_until: date | None = None
    #: withheld because who answered about the mentor changed after an erasure (``rater_checkpoints``): no mean, no
    #: count, whatever the number (4 x 3.85 - 3 x 3.67 gave the erased mentee's rating back; tester round 77b, 1)
    erased: bool = False
    few: bool = False  # with ``erased``: fewer than the minimum answered, as the pair's reasons are withheld then


@dataclass
class PairHistory:
    mentor_id: int
    mentee_id: int
    meetings: list[Any]
    scores: list[SideScore]
    snapshots: list[Any]
    nudges: list[Any]
    items: list[QueueItem]
    forbidden: tuple[str, date] | None
    #: this pair's spans in lmsync's pairing history, oldest first: (first day, the day it ended or None while it
    #: lasts), programme days; empty for a pair the history never held (tester round 52, 7: an ended pair read as
    #: current, its last status the last word)
    paired: tuple[tuple[date, date | None], ...] = ()
    #: (away since, held until) while the pair is out of the history because its mentor is away and their circle
    #: held as it is (``away_mentors``): not an ended pair (tester round 61, 5)
    held: tuple[date, date] | None = None
    #: the first day of the closure (``queue done --outcome closed``) that ends the pair today, as ``lmsync health``
    #: counts it "ended by a coordinator" (``ended_as_of.ended_spans``); None while no closure ends it today (a pair
    #: made again after a closure, until it is closed again). Tester round 100b, 4: the header said "since" the pair
    #: was made again while health counted it ended by the later closure.
    ended_since: date | None = None
    #: the mentor's absences the store records, oldest first: (the day a sync first found them away, the day a sync
    #: no longer recorded them, exclusive, or None while recorded; ``MentorAbsences.days_away``), with
    #: ``hold_days`` (``[sync] away_mentor_hold_days``) to date each hold's last day: ``pair show`` says a span ended
    #: by a hold as held, not ended, and one whose hold ran out as ended then (tester round 108a, 9)
    mentor_away: tuple[tuple[date, date | None], ...] = ()
    hold_days: int = 0
    #: (away since, the last day held) while the mentee is recorded away (``MemberAbsences.since``) and their place in
    #: this pair's circle held (the pair open; ``held_mentees``), as the plan dates it: ``pair show`` said the mentee
    #: away and "paired since", with no word of the hold nor its last day (tester round 109a, 7)
    place_held: tuple[date, date] | None = None
    place_over: bool = False  # the place's last day is before today: the next sync removes the mentee
    #: the mentee's absences the store records while their place was held, oldest first, as ``mentor_away``
    #: (``MemberAbsences.days_away``): ``pair show`` says a span the sync ended because the hold on their place ran
    #: out as ended on the place's last day, as a mentor's circle (tester round 112a, 5: it read as ended the day
    #: after, with no word of the hold)
    mentee_away: tuple[tuple[date, date | None], ...] = ()
    #: the first days (programme days) of the mentee's pairings with every other mentor in the pairing history: a span
    #: after one of them began while the pair was apart is a new pair (``pair_moved_back.moved_back``), and ``pair
    #: show`` says so as after a closure (tester round 116, 9)
    others: tuple[date, ...] = ()


def pair_history(config: Config, pair: tuple[int, int], store: Store | None = None) -> PairHistory:
    """Everything the store holds about one pair, read-only (no raw answer, no single mentee rating:
    a meeting's rating is kept only when the mentor gave it, ``Meeting.rated_by``)."""
    own = store is None
    store = store or open_store(config, read_only=True)
    programme = config.programme.name
    mentor, mentee = pair
    try:
        meetings = [
            replace(m, rating=m.coordinators_rating)  # a mentee's verdict on the mentor stays out
            for m in MeetingRepository(store, programme).meetings(person_id=mentee)
            if m.mentor_id == mentor
        ]
        instruments = satisfaction_instruments(config)
        all_scores = [ws for ws in current_scores(store, settings(config)) if ws.instrument in instruments]
        # A mentee's answer counts for the mentor they had on its date: after a re-match the new
        # mentor's mean never takes in a rating of the old one (as grades: tester round 6, 4).
        # An answer naming this mentor (``about``) counts when its author was ever their mentee: the grades'
        # rule, ``lmsync.domain.rated_mentor`` (tester round 87a, 1).
        by_date = feedback_pairs_by_date(store, programme, (), tz=programme_zone(config))  # one read
        dated = by_date.history
        current = {(p.mentor_id, p.mentee_id) for p in dated if p.end is None} | {pair}
        # a pair made by hand counts from the day the store saw it (tester round 42, 2)
        # and an answer dated up to an erasure counts for no pair of the erased person (tester round 77b, 2)
        paired = PairsByDate(dated, tuple(current), by_date.appeared, erased_on(store))
        pairs_on, ever = cache(paired.on), ever_paired(paired)
        changes = erasure_changes(store, settings(config), programme_zone(config))
        starts = {w.name: w.start for w in settings(config).waves}

        def rates_mentor(ws: WaveScore) -> bool:
            return mentor in mentors_rated(ws.respondent_id, ws.about_id, ws.date, pairs_on=pairs_on, ever=ever)

        scores: list[SideScore] = []
        for ws in all_scores:
            if ws.respondent_id == mentor and (ws.about_id == mentee or ws.about_id is None and pair in pairs_on(ws.date)):
                scores.append(SideScore("mentor", ws.instrument, ws.wave, ws.date, ws.score.total))
        minimum = config.grades.min_mentees_for_mentor_rating
        # the waves of this mentee's answers about this mentor: one given while with another mentor, after this
        # pair ended, is no line of this pair (tester round 61, 4: a T1 answer about the next mentor showed here)
        waves = sorted({(ws.instrument, ws.wave) for ws in all_scores if ws.respondent_id == mentee and rates_mentor(ws)})
        still_open = closed_waves_only(settings(config).waves, today(config))  # as the report holds them
        # one score per mentee, as the grades count them (tester round 87a, 1)
        rated = ratings_by_mentor((ws for ws in all_scores if ws.score.total is not None), pairs_on=pairs_on, ever=ever)
        for instrument, wave in waves:
            rows = list(rated.get((instrument, wave, mentor), {}).values())
            day = max((ws.date for ws in rows), default=as_date(None, config))
            if changes.withholds(mentor, instrument, starts.get(wave)):  # no mean nor count (tester round 77b, 1)
                scores.append(SideScore("mentee", instrument, wave, day, None, over=0, withheld=True, erased=True,
                                        few=len(rows) < minimum))
            elif len(rows) >= minimum and wave in still_open:  # too few says so as before; enough: no mean yet
                scores.append(SideScore("mentee", instrument, wave, still_open[wave], None, over=0, withheld=True,
                                        open_until=still_open[wave]))
            elif len(rows) >= minimum:
                mean = sum(float(ws.score.total or 0) for ws in rows) / len(rows)
                scores.append(SideScore("mentee", instrument, wave, day, round(mean, 2), over=len(rows)))
            else:
                scores.append(SideScore("mentee", instrument, wave, day, None, over=len(rows), withheld=True))
        snapshots = HealthSnapshots(store, programme).rows(pair=pair)
        mentee_side = [sc for sc in scores if sc.side == "mentee" and sc.withheld and sc.open_until is None]
        if any(not sc.erased for sc in mentee_side):  # too few
            snapshots = [withhold_mentee_side(r, minimum) for r in snapshots]
        elif any(sc.few for sc in mentee_side):  # too few now, as an erasure took answers (tester round 79, 7)
            snapshots = [withhold_mentee_side(r, minimum, erased=True) for r in snapshots]
        nudges = NudgeLog(store, programme).records(pair=pair)
        items = _queue(config, store).items(pair)
        forbidden = PairForbids(store, programme).pairs().get(pair)
        spans = by_date.spans(pair)
        window = hold_windows(config, store).get(mentor)
        held = None
        if window is not None and spans and spans[-1][1] is not None and spans[-1][1] >= window[0]:
            held = window if window[1] >= today(config) else None
        mentor_away = MentorAbsences(store, programme).days_away().get(mentor, ())
        members_away = MemberAbsences(store, programme)
        place_held = _place_held(members_away.since().get(mentee), spans, config.sync.away_mentor_hold_days)
        mentee_away = members_away.days_away().get(mentee, ())
        ended = ended_spans(store, programme).get(pair, ())
        ended_since = next((start for start, end in reversed(ended)
                            if ended_that_day(((start, end),), today(config))), None)
    finally:
        if own:
            store.close()
    return PairHistory(mentor, mentee, meetings, scores, snapshots, nudges, items, forbidden, spans, held, ended_since,
                       mentor_away, config.sync.away_mentor_hold_days, place_held,
                       place_held is not None and place_held[1] < today(config), mentee_away,
                       tuple(p.start for p in dated if p.mentee_id == mentee and p.mentor_id != mentor))


def _place_held(since: date | None, spans: tuple[tuple[date, date | None], ...], days: int) -> tuple[date, date] | None:
    """(``since``, the last day the place is held: ``away_mentors.last_held_day``) when the mentee was first found away
    on ``since`` and the pair's last span (``spans``) is open, its place held for ``days`` (``[sync]
    away_mentor_hold_days``; 0: nothing held); None else (tester round 109a, 7)."""
    if since is None or not days or not spans or spans[-1][1] is not None:
        return None
    return since, last_held_day(since, days)


#: Reasons that speak of the mentee side's satisfaction or meeting ratings (a mentee's verdict on the
#: mentor), and the mentor-side asymmetry, whose text says the mentee side held.
_MENTEE_SIDE_REASONS = (
    "satisfaction_low_mentee", "satisfaction_falling_mentee", "satisfaction_asymmetry_mentee",
    "meetings_declining_mentee", "meetings_rated_low_mentee",  # tester round 87a, 3
)


def withhold_mentee_side(row: Any, minimum: int, *, erased: bool = False) -> Any:
    """``row`` (a snapshot) with its mentee-side satisfaction reasons withheld, as the scores are
    when fewer than ``minimum`` of the mentor's mentees answered. ``erased``: fewer answer now only as far as the
    store knows, because an erasure took a mentee's answers: the reason says so, as the satisfaction lines and
    the report do (``ERASURE_WITHHELD``), not that fewer than ``minimum`` answered (tester round 79, 7: three had)."""
    why = ("who answered about this mentor changed after an erasure" if erased
           else f"fewer than {minimum} of the mentor's mentees answered")
    # a signal from the mentee's ratings of meetings is withheld too, with its own words (tester round 92a, 5: the
    # survey's words were said of a meeting-ratings signal, which `lmsync health` named)
    withheld = ("mentee_side_withheld", f"a mentee-side signal (withheld: {why})")
    reasons: list[tuple[str, str]] = []
    for code, text in row.reasons:
        if code in _MENTEE_SIDE_REASONS:
            code, text = withheld if not code.startswith("meetings_") else (
                "mentee_side_withheld", f"a signal from the mentee's ratings of meetings (withheld, as the mentee-side "
                f"survey scores are: {why})")
        elif code == "satisfaction_asymmetry_mentor":
            code, text = "satisfaction_falling_mentor", "satisfaction fell on the mentor side"
        if (code, text) not in reasons:
            reasons.append((code, text))
    return replace(row, reasons=tuple(reasons))


def as_date(value: date | None, config: Config) -> date:
    return value or today(config)
