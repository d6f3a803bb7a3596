"""``lmsync health``: which pairs are fading, stored daily, with fading pairs queued for a coordinator.

Pairs are read from Moodle (each lmsync circle: its mentor and each other member), so a
moved mentee is judged with their current mentor. Evidence comes from the store: meetings
of the pair (every source, deduplicated), the relationship-satisfaction wave scores of both
sides (per relationship), the mentee's self-efficacy, the need-met check-in
(``[health] need_met_instrument``); from Moodle, each circle's forum activity (one
mod_forum_get_forum_discussions read). A pair started when lmsync paired them (its pairing
history; made again after a coordinator's closure, from that day: ``pair_dates.after_closure``, tester round 97a,
1); a pair lmsync found already paired started at the programme's start (``[meetings] start`` /
``[waves] programme_start``), else the first day a snapshot saw it, else today, and a meeting logged earlier moves
only such a pair's start back (the domain does that, issue 13; tester round 97a, 4).

This is a coordinator's tool: its reasons may say "satisfaction low (mentee side)". It
never shows a score, and logs carry counts only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.domain.health import (
    CheckIn,
    ForumActivity,
    PairEvidence,
    PairHealth,
    SurveyRound,
    assess,
    attention_order,
    check_ins,
    count_statuses,
    efficacy_points,
    meetings_by_pair,
    satisfaction_points,
    survey_rounds,
    unassigned_mentor_scores,
)
from lmsync.domain.instruments import SurveyAnswer, WaveScore
from lmsync.domain.pair_dates import restarted_after_erasure
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.circle_records import circle_proof
from lmsync.service.clock_check import check_clock_today
from lmsync.service.ended_as_of import ended_on
from lmsync.service.established import closure_days
from lmsync.service.feedback_store import current_totals, feedback_pairs_by_date
from lmsync.service.health_gone import Circles, PausedApart, left_out_pairs, pause_gone, paused_now
from lmsync.service.health_gone import circle_pairs as circle_pairs  # re-exported: callers import it here
from lmsync.service.health_held import HeldCircle, HeldPlace, held_circles, held_places, paused_on_day
from lmsync.service.health_inputs import _instruments as _instruments
from lmsync.service.health_inputs import journal_pairing_days as journal_pairing_days
from lmsync.service.health_inputs import programme_start as programme_start
from lmsync.service.health_inputs import satisfaction_instruments as satisfaction_instruments
from lmsync.service.health_inputs import store_is_new
from lmsync.service.health_inputs import thresholds as thresholds
from lmsync.service.health_inputs import today as today
from lmsync.service.health_past_day import pairs_of_the_day

# The coordinator queue, "not a good fit" and ``pair show`` live in their own modules; their
# names stay importable from here, where the CLI, the cycle and the tests look for them.
from lmsync.service.health_queue import _queue as _queue
from lmsync.service.health_queue import known_user, queue_staff
from lmsync.service.health_queue import mark_not_a_good_fit as mark_not_a_good_fit
from lmsync.service.health_queue import not_a_good_fit_answers as not_a_good_fit_answers
from lmsync.service.health_queue import queue_ack as queue_ack
from lmsync.service.health_queue import queue_done as queue_done
from lmsync.service.health_queue import queue_list as queue_list
from lmsync.service.health_queue import with_forbidden_pairs as with_forbidden_pairs
from lmsync.service.meetings import settings
from lmsync.service.observe import RosterUser, Snapshot, observe
from lmsync.service.pair_history import PairHistory as PairHistory
from lmsync.service.pair_history import SideScore as SideScore
from lmsync.service.pair_history import as_date as as_date
from lmsync.service.pair_history import pair_history as pair_history
from lmsync.service.pair_history import withhold_mentee_side as withhold_mentee_side
from lmsync.service.programme_settings import programme_zone
from lmsync.service.queue_made_again import close_made_again
from lmsync.service.runtime import session
from lmsync.service.steady_gc import steady_gc
from lmsync.service.stores import warn_if_absent
from lmsync.store.absences import MemberAbsences
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.meetings import MeetingRepository
from lmsync.store.queue import QueueItem
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

log = get_logger(__name__)


@dataclass(frozen=True)
class PairView:
    """A pair's health with the usernames a coordinator recognises."""

    health: PairHealth
    mentor_username: str
    mentee_username: str


@dataclass
class Assessment:
    """Every current pair's health at ``as_of``, and the people behind the ids."""

    as_of: date
    pairs: list[PairView]
    roster: dict[int, RosterUser]
    skipped_inactive: int = 0  # circle members without an active enrolment
    course_id: int | None = None  # the programme course (its calendar holds the exam blocks)
    first_assessment: bool = False  # the store has never nudged about the programme (store_is_new)
    unpaired_here: int = 0  # pairs this store's pairing history never recorded (made by another store)
    unassigned_mentor_answers: int = 0  # mentors' wave scores naming none of their several mentees: not judged
    circles: Circles = field(default_factory=Circles)  # every circle's members as observed (health_gone)
    history_begins: date | None = None  # the pairing history's first day, when ``as_of`` is before it: no pair
    away_since: int = 0  # pairs of a past day judged with someone no longer active in the course today (102a, 2)
    peer_mentors: frozenset[int] = frozenset()  # the peer-mentor cohort, as observed (``mentees_alone``)
    left_out: frozenset[tuple[int, int]] = frozenset()  # today's view: the pairs ``skipped_inactive`` counts

    @property
    def healths(self) -> list[PairHealth]:
        return [p.health for p in self.pairs]


@dataclass
class HealthReport:
    assessment: Assessment
    counts: dict[str, int]
    queued: list[str] = field(default_factory=list)  # pair ids newly queued for the coordinator
    still_queued: int = 0
    snoozed: int = 0
    recorded: bool = True  # False: a what-if view (``--as-of``); nothing was stored or queued
    escalated: list[QueueItem] = field(default_factory=list)  # overdue items given to [health] escalate_to
    unescalated: list[tuple[QueueItem, str]] = field(default_factory=list)  # overdue, escalate_to can't take: why
    recovered: int = 0  # items a coordinator met, closed because the pair no longer fades
    gone: list[QueueItem] = field(default_factory=list)  # items this run paused: their pair left the programme
    # every item paused now (this run's and earlier runs'), as `queue list` shows them: said on every run while
    # they stay paused, not only by the run that paused them (tester round 50, 10)
    paused: list[QueueItem] = field(default_factory=list)
    reassigned: list[QueueItem] = field(default_factory=list)  # open items given an owner on this run
    not_a_good_fit: list[tuple[int, int]] = field(default_factory=list)  # newly forbidden by a survey answer
    starts_on: date | None = None  # the programme's start, when ``as_of`` is before it (nothing to judge yet)
    ended: frozenset[tuple[int, int]] = frozenset()  # pairs a coordinator ended: never listed as needing attention
    held: tuple[HeldCircle, ...] = ()  # circles on hold that day, their pairs left out (tester round 104b, 10)
    held_places: tuple[HeldPlace, ...] = ()  # mentees' places held that day, their pairs left out (109a, 1)

    @property
    def as_of(self) -> date:
        return self.assessment.as_of

    @property
    def shown_counts(self) -> dict[str, int]:
        """``counts`` as ``lmsync health`` shows them (text and JSON): a pair a coordinator ended
        counted once, as ``ended``, not also under its status (tester round 23, 4: "6 at risk" beside
        a list of 5, and the run's line counted it under at risk and again beside it)."""
        shown = dict(self.counts)
        for view in self.assessment.pairs:
            if (view.health.mentor_id, view.health.mentee_id) in self.ended and shown.get(view.health.status):
                shown[view.health.status] -= 1
        if self.ended:
            shown["ended"] = len(self.ended)
        return shown

    @property
    def attention(self) -> list[PairView]:
        order = {h.pair_id: i for i, h in enumerate(attention_order(self.assessment.healths))}
        return sorted(  # a pair a coordinator ended is not waiting for anyone (tester round 10, 7)
            (p for p in self.assessment.pairs
             if p.health.pair_id in order and (p.health.mentor_id, p.health.mentee_id) not in self.ended),
            key=lambda p: order[p.health.pair_id],
        )


# --- reading the evidence --------------------------------------------------------------------------


class PairsAssessed(NamedTuple):
    """What ``assess_pairs`` found: each pair's health, and the mentors' scores judged for no pair."""

    healths: list[PairHealth]
    unassigned_mentor_answers: int


@steady_gc()  # 25,000 meetings built: full collections rescanned all else (benchmarks/health.py: ~0.4 s)
def assess_pairs(
    config: Config,
    store: Store,
    pairs: Iterable[tuple[int, int]],
    *,
    as_of: date,
    forums: dict[int, ForumActivity] | None = None,
    seen: Mapping[tuple[int, int], date] | None = None,
    first_day: Mapping[tuple[int, int], date] | None = None,
) -> PairsAssessed:
    """Health of ``pairs`` at ``as_of`` from the store alone (no Moodle), and how many satisfaction
    wave scores of a mentor of several current mentees name none of them (a Moodle Feedback form
    has no ``about``): judged for none of the pairs, not as if about every one (issue 13; tester
    round 4, 9).

    A pair starts on the day lmsync first paired them (its pairing history); a pair lmsync found already
    paired starts at the programme's start (``programme_start``), or, with no start
    configured, at its first meeting (the rules take the earliest meeting), else the first
    day a snapshot saw it. ``forums`` is each circle's forum activity by mentor id.
    """
    programme = config.programme.name
    pair_list = sorted(set(pairs))
    s = settings(config)
    instruments = satisfaction_instruments(config)
    efficacy = _instruments(config, "self_efficacy_instruments", config.health.self_efficacy_instruments)
    meetings = meetings_by_pair(MeetingRepository(store, programme).pair_meetings(until=as_of))
    surveys = SurveyRepository(store, programme)
    all_scores = current_totals(store, s, [*instruments, *efficacy])  # totals only; today's waves (114a, 3)
    scores = [ws for ws in all_scores if ws.instrument in instruments]
    by_person: dict[int, list[WaveScore]] = defaultdict(list)
    for ws in scores:
        by_person[ws.respondent_id].append(ws)
    efficacy_by_person: dict[int, list[WaveScore]] = defaultdict(list)
    for ws in all_scores:
        if ws.instrument in efficacy:
            efficacy_by_person[ws.respondent_id].append(ws)
    need_met = config.health.need_met_instrument
    need_instrument = _instruments(config, "need_met_instrument", [need_met])[need_met] if need_met else None
    answers_by_person: dict[int, list[SurveyAnswer]] = defaultdict(list)
    if need_instrument is not None:
        for a in surveys.answers(instrument=need_met):
            answers_by_person[a.respondent_id].append(a)
    mentors = {m for m, _ in pair_list}
    rounds: tuple[SurveyRound, ...] = survey_rounds(scores, instruments, s.waves, mentors, as_of=as_of)
    seen = HealthSnapshots(store, programme).first_seen() if seen is None else seen  # ``seen``: read by the caller
    watched_since = min(seen.values(), default=None)  # the store's first judgement of the programme
    first_day = _first_day(store, programme, watched_since) if first_day is None else first_day  # read by the caller
    start = programme_start(config)
    rules = thresholds(config)
    mentees_of = Counter(m for m, _ in pair_list)
    # a score counts for the pairs that existed on its date: a pair made today was judged by its
    # predecessor's answers (at risk on day 0, its people nudged; tester round 15, 2)
    erased = erased_on(store)
    # an answer dated up to an erasure is about no pair of the erased person's (tester round 77b, 2)
    dated = replace(feedback_pairs_by_date(store, programme, pair_list, tz=programme_zone(config), first_seen=seen),
                    erased=erased)
    # an erased person's pairs start again the day after the erasure, as in the grades: judged from the
    # programme start, they were "fading, no meeting since pairing 92 days ago" (tester round 28, 3)
    restarts = restarted_after_erasure({}, pair_list, erased)
    closures = closure_days(store, programme)  # made again after a closure: a new pair (tester round 97a, 1)
    away = MemberAbsences(store, programme).days_away()  # a held absence's days are apart too (tester round 104a, 8)
    out = []
    for mentor, mentee in pair_list:
        pair = (mentor, mentee)
        spans, anew = dated.judged_spans(pair, closures.get(pair, ()), as_of)  # closed, or moved back: new
        # from its first pairing: taken out and put back (or away a day), it started afresh (tester round 54, 1)
        made = spans[0][0] if spans else None  # programme days, as ``as_of``
        appeared = None if made else _appeared(seen.get(pair), watched_since, as_of, first_day.get(pair), start)
        since = made or appeared or start or seen.get(pair) or as_of
        since = max(since, restarts.get(pair, since))  # an erasure took the pair's meetings: new from then on
        # An answer naming nobody, dated before a pair made by hand appeared, was about the respondent's
        # mentor or mentee of the time: a mentee moved by hand was judged at risk on day one by answers
        # about the mentor they left, and nudged (tester round 41, 1). The pairing history dates the pairs
        # lmsync made (``dated``); it knows nothing of a move by hand.
        mine = [ws for ws in by_person.get(mentor, []) + by_person.get(mentee, [])
                if dated.holds(pair, ws.date) and (anew is None or ws.date >= anew)
                and not (ws.about_id is None and appeared is not None and ws.date < appeared)]
        checks: tuple[CheckIn, ...] = ()
        if need_instrument is not None:
            said = answers_by_person.get(mentor, []) + answers_by_person.get(mentee, [])
            checks = check_ins(said, need_instrument, config.health.need_met_item, mentor, mentee)
        counted = anew or dated.counted_from(pair, start)  # a meeting dated before the pair began counts for none (90a, 1)
        evidence = PairEvidence(
            mentor_id=mentor,
            mentee_id=mentee,
            paired_since=min(since, as_of),
            meetings=tuple(m for m in meetings.get(pair, ()) if counted is None or m.date >= counted),
            satisfaction=satisfaction_points(mine, instruments, mentor, mentee, mentor_mentees=mentees_of[mentor]),
            self_efficacy=efficacy_points(efficacy_by_person.get(mentee, ()), efficacy, mentee),
            forum=(forums or {}).get(mentor),
            check_ins=checks,
            spans=spans,
            away=away.get(mentee, ()),
        )
        out.append(assess(evidence, rules, as_of=as_of, rounds=rounds))
    return PairsAssessed(out, unassigned_mentor_scores(scores, instruments, mentees_of))


def _first_day(store: Store, programme: str, watched_since: date | None) -> dict[tuple[int, int], date]:
    """Each pair's ``paired_since`` in the snapshot of the store's first judgement (``_appeared``)."""
    return HealthSnapshots(store, programme).paired_since_on(watched_since) if watched_since else {}


def _appeared(
    first_seen: date | None, watched_since: date | None, as_of: date, first_day_since: date | None = None,
    start: date | None = None,
) -> date | None:
    """When a pair lmsync did not make appeared while its store was already judging the programme
    (someone moved a mentee by hand): the first day the store saw it, or ``as_of`` when that is
    now. None for a pair that was there when the store first judged the programme, which dates
    from the programme's start (issue 13). Tester round 10, 3: a pair made by hand yesterday was
    dated from the start, called fading and queued; round 11, 1: so were the pairs of a mentor
    erased while enrolled (their records gone, the pairs start again), and all their mentees nudged.
    ``first_day_since``: the pair's ``paired_since`` in the snapshot of the store's first day. A pair made
    by hand on that day, after its first judgement, was dated from that day then, and from the programme's
    ``start`` on every later run: fading, and every run exit 2 (tester round 39, 1). Dated on or after that
    day while the pairs there at the first judgement were dated from an earlier ``start``, it appeared then.
    (Without a programme start both are dated from that day, so only the count of pairs another store may
    have made still takes it for one of them.)"""
    if watched_since is None:
        return None
    if first_seen is None:  # new since the store's last judgement, even the same day (an erasure: tester round 11, 1)
        return as_of if watched_since <= as_of else None
    if (first_seen == watched_since and first_day_since is not None and start is not None
            and start < watched_since <= first_day_since):
        return first_day_since  # judged as new on the first day: it stays so
    return first_seen if watched_since < first_seen else None


def circle_forums(
    programme: str, api: MoodleApi, snapshot: Snapshot, tz: tzinfo = UTC
) -> dict[int, ForumActivity]:
    """Each circle's activity in the programme forum, by mentor id (the discussions ``observe``
    read, else one paged read); the last post's day is its date in ``tz`` (the programme's zone,
    as health's ``as_of``: a post at 22:35 UTC is on Auckland's next day).

    From mod_forum_get_forum_discussions rows (trap 44: ``numreplies`` and ``timemodified`` /
    ``usermodified`` describe a discussion's LAST post): a discussion a person opened is a
    post, its replies are replies, and the last post is the latest ``timemodified`` not made
    by lmsync's own account (its welcome posts are not the circle's activity).
    """
    observation = snapshot.observation
    if observation.forum_id is None:
        return {}
    mentor_by_group = {
        g.id: mentor for g in observation.groups if (mentor := mentor_of_idnumber(programme, g.idnumber)) is not None
    }
    posts: dict[int, int] = defaultdict(int)
    replies: dict[int, int] = defaultdict(int)
    last: dict[int, date] = {}
    own = observation.self_user_id
    rows = snapshot.forum_discussions
    if rows is None:
        rows = tuple(api.get_forum_discussions(observation.forum_id).discussions)
    for d in rows:
        mentor = mentor_by_group.get(d.groupid)
        if mentor is None:
            continue
        posts[mentor] += d.userid != own
        replies[mentor] += d.numreplies
        by_person = d.usermodified != own if d.numreplies else d.userid != own
        if by_person and d.timemodified:
            day = datetime.fromtimestamp(d.timemodified, tz).date()
            last[mentor] = max(last.get(mentor, day), day)
    return {
        m: ForumActivity(posts[m], replies[m], last.get(m)) for m in set(mentor_by_group.values())
    }


@steady_gc()
def observe_and_assess(
    api: MoodleApi, config: Config, store: Store, *, as_of: date, away_since: bool = False
) -> Assessment:
    """Every circle pair's health at ``as_of``; ``first_assessment`` while the store has never
    nudged about the programme (``health_inputs.store_is_new``).

    A past ``as_of`` judges that day's pairs (``health_past_day.pairs_of_the_day``); ``away_since`` (``health
    --as-of``) keeps those with someone no longer active in the course today, their accounts in ``roster``."""
    first = store_is_new(store, config.programme.name)
    snapshot = observe(api, config, proof=(proof := circle_proof(store, config.programme.name)))  # its own (73, 1)
    (pairs, skipped), left = circle_pairs(config.programme.name, snapshot), left_out_pairs(config.programme.name, snapshot)
    begins, roster, away_pairs = None, snapshot.roster, 0  # today's; a past day's below
    if as_of < today(config):
        day = pairs_of_the_day(config, store, api, snapshot.roster, pairs, left, as_of, away_since=away_since)
        pairs, skipped, begins, away_pairs, left = day.pairs, day.left_out, day.begins, day.away_pairs, set()
        roster = {**day.away, **snapshot.roster}
    forums = circle_forums(config.programme.name, api, snapshot, programme_zone(config))
    seen = HealthSnapshots(store, config.programme.name).first_seen()  # once, for the dates and unpaired_here
    watched_since = min(seen.values(), default=None)
    first_day = _first_day(store, config.programme.name, watched_since)  # once too
    healths, unassigned = assess_pairs(config, store, pairs, as_of=as_of, forums=forums, seen=seen, first_day=first_day)
    views = [  # a person of a past day Moodle no longer has an account of: by their id
        PairView(h, _username(roster, h.mentor_id), _username(roster, h.mentee_id)) for h in healths
    ]
    paired_here = journal_pairing_days(store, config.programme.name, programme_zone(config))
    start = programme_start(config)
    # an erased person's pairing history went with them: their pair is not another store's (tester round 20, 5:
    # one erasure held every nudge and digest as if a second store made the circles)
    erased = erased_on(store)
    unpaired = sum(  # a pair made by hand while this store watched is not another store's (tester round 10, 3)
        1 for h in healths
        if (pair := (h.mentor_id, h.mentee_id)) not in paired_here and not (erased.keys() & set(pair))
        and _appeared(seen.get(pair), watched_since, as_of, first_day.get(pair), start) is None
    )
    return Assessment(as_of, views, roster, skipped, snapshot.observation.course_id, first, unpaired, unassigned,
                      Circles.of(config.programme.name, snapshot.observation, proof), begins, away_pairs,  # 108a, 4
                      snapshot.peer_mentor_ids, frozenset(left))


def _username(roster: Mapping[int, RosterUser], uid: int) -> str:
    user = roster.get(uid)
    return (user.username if user is not None else "") or str(uid)


def unassigned_note(count: int) -> str:
    """What ``lmsync health`` and the run's health step say of ``Assessment.unassigned_mentor_answers``."""
    return (
        f"{count} mentor survey score(s) name no mentee while the mentor has several: judged for none of "
        "their pairs (a Moodle Feedback form cannot say which mentee; a CSV import's about column can)"
    )


# --- the use case ---------------------------------------------------------------------------------


def run_health(
    api: MoodleApi, config: Config, store: Store, *, as_of: date | None = None, record: bool = True
) -> HealthReport:
    """Observe, assess; with ``record``, store the day's snapshot, queue fading pairs and pause the items
    of pairs no longer in the programme (``health_gone``).

    ``record=False`` is the read-only view (``lmsync health --as-of``, issue 11): the same
    assessment, and not one row written, so a look at 2030 never queues pairs "fading since 2030".
    """
    day = as_of or today(config)
    assessment = observe_and_assess(api, config, store, as_of=day, away_since=not record)
    programme = config.programme.name
    start = programme_start(config)
    current = {(h.mentor_id, h.mentee_id) for h in assessment.healths}
    report = HealthReport(assessment, count_statuses(assessment.healths), recorded=record,
                          starts_on=start if start is not None and day < start else None,
                          # a closure counts from the day it was recorded: an earlier day's view shows that day
                          ended=frozenset(ended_on(store, programme, day) & current),
                          held=held_circles(config, store, day, current),  # on hold that day (tester round 104b, 10)
                          held_places=held_places(config, store, day, current))  # a mentee's (tester round 109a, 1)
    if not record:
        # those paused by that day (102a, 1), those on hold then as that day had them, whenever asked (111a, 2)
        report.paused = paused_on_day(config, store, _queue(config, store), day, report.held, report.held_places)
        # counted as shown: an ended pair once, as ended, not also under its status (tester round 97a, 8)
        log.info("health.viewed", as_of=day.isoformat(), pairs=len(assessment.pairs), **report.shown_counts)
        return report
    HealthSnapshots(store, programme).replace_day(day, assessment.healths)
    # only coordinators and an escalate_to Moodle has own items (tester finding 3): an unknown escalate_to
    # was made owner of a coordinator's own pairs while this step said Moodle had no such user
    # nor one erased while still configured (tester round 77b, 4: given items again, under their name)
    staff = queue_staff(api, config, erased_on(store))
    queue = _queue(config, store, {uid: u.username for uid, u in assessment.roster.items() if u.username}, staff)
    close_made_again(queue, day, current)  # before queueing: an old item is not taken up again (tester round 116, 10)
    for health in (h for h in assessment.healths if h.status == "fading"):
        outcome = queue.offer(day, health)
        if outcome == "added":
            report.queued.append(health.pair_id)
        elif outcome == "updated":
            report.still_queued += 1
        elif outcome == "snoozed":
            report.snoozed += 1  # "ended": a pair a coordinator closed is not counted as waiting
    # an item whose pair left the programme (suspended, enrolment ended, re-matched) waits for nobody (R44b-3)
    report.gone = pause_gone(queue, day, current, assessment.roster, assessment.circles, config=config)
    report.paused = paused_now(queue, config=config, today=day)  # on hold apart (after tester round 105a, 1)
    report.reassigned = queue.reassign()
    fading = {(h.mentor_id, h.mentee_id) for h in assessment.healths if h.status == "fading"}
    report.recovered = len(queue.close_recovered(day, fading))
    if config.health.escalate_to:
        to, after = config.health.escalate_to, config.health.escalate_after_days
        # a misspelt name was given items for good (tester round 23, 3): asked of Moodle only when some
        # overdue item would now be escalated, not on every run
        due = queue.unescalated(day, to, after_days=after, no_user=True)
        gone = staff is not None and to in staff.erased
        missing = gone or (bool(due) and known_user(api, to) is False)
        report.escalated = [] if missing else queue.escalate(day, to, after_days=after)
        report.unescalated = queue.unescalated(day, to, after_days=after, no_user=missing, erased=gone)
    report.not_a_good_fit = mark_not_a_good_fit(config, store, sorted(current), as_of=day)
    log.info(
        "health.done",
        as_of=day.isoformat(),
        pairs=len(assessment.pairs),
        skipped_inactive=assessment.skipped_inactive,
        unassigned_mentor_answers=assessment.unassigned_mentor_answers,
        queued=len(report.queued),
        escalated=len(report.escalated),
        unescalated=len(report.unescalated),
        reassigned=len(report.reassigned),
        recovered=report.recovered,
        paused_not_in_programme=len(PausedApart.of(report.paused).gone),
        paused_on_hold=len(PausedApart.of(report.paused).held),
        paused_by_this_run=len(report.gone),
        not_a_good_fit=len(report.not_a_good_fit),
        **report.shown_counts,  # as the view counts them (tester round 97a, 8)
    )
    return report


def health_job(
    config: Config, *, as_of: date | None = None, wait: bool = False, site: Any = None, record: bool = True
) -> HealthReport:
    """One health run; ``record=False`` opens the store read-only and writes nothing anywhere."""
    with session(config, wait=wait, site=site, read_only=not record) as (conn, store):
        warn_if_absent(store)  # a read (--as-of) of a mistyped [store] path (tester round 38, 1)
        if record and as_of is None:  # a day already judged is not judged again under a clock gone back
            check_clock_today(store, config)
        return run_health(conn.api, config, store, as_of=as_of, record=record)
