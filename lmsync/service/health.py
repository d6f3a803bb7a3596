"""``lmsync health``: which pairs are fading, stored daily, with fading pairs queued for a coordinator.

Pairs are read from Moodle (each lmsync circle: its mentor and each other member), so a
moved mentee is judged with their current mentor. Evidence comes from the store: meetings
of the pair (every source, deduplicated), the relationship-satisfaction wave scores of both
sides (per relationship), the mentee's self-efficacy, the need-met check-in
(``[health] need_met_instrument``); from Moodle, each circle's forum activity (one
mod_forum_get_forum_discussions read). A pair started when lmsync paired them (its pairing
history); a pair lmsync found already paired started at the programme's start
(``[meetings] start`` / ``[waves] programme_start``), else the first day a snapshot saw it,
else today; a meeting logged earlier moves it back (the domain does that, issue 13).

This is a coordinator's tool: its reasons may say "satisfaction low (mentee side)". It
never shows a score, and logs carry counts only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from lmsync.config import Config
from lmsync.domain.health import (
    CheckIn,
    ForumActivity,
    PairEvidence,
    PairHealth,
    SurveyRound,
    Thresholds,
    assess,
    attention_order,
    check_ins,
    count_statuses,
    efficacy_points,
    meetings_by_pair,
    parse_pair_id,
    satisfaction_points,
    survey_rounds,
)
from lmsync.domain.instruments import Instrument, SurveyAnswer, WaveScore
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import ConfigError, InputError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.meetings import settings
from lmsync.service.observe import RosterUser, Snapshot, observe
from lmsync.service.runtime import session
from lmsync.service.stores import open_store
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue, HealthSnapshots, QueueItem
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository

log = get_logger(__name__)


def today() -> date:
    return datetime.now(UTC).date()


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

    @property
    def as_of(self) -> date:
        return self.assessment.as_of

    @property
    def attention(self) -> list[PairView]:
        order = {h.pair_id: i for i, h in enumerate(attention_order(self.assessment.healths))}
        return sorted(
            (p for p in self.assessment.pairs if p.health.pair_id in order),
            key=lambda p: order[p.health.pair_id],
        )


# --- reading the evidence --------------------------------------------------------------------------


def circle_pairs(programme: str, snapshot: Snapshot) -> tuple[list[tuple[int, int]], int]:
    """(mentor, mentee) of every lmsync circle, both actively enrolled; and how many were left out."""
    pairs: set[tuple[int, int]] = set()
    skipped = 0
    for group in snapshot.observation.groups:
        mentor = mentor_of_idnumber(programme, group.idnumber)
        if mentor is None:
            continue
        for member in group.members:
            if member == mentor:
                continue
            if mentor in snapshot.roster and member in snapshot.roster:
                pairs.add((mentor, member))
            else:
                skipped += 1
    return sorted(pairs), skipped


def journal_pairing_days(store: Store, programme: str) -> dict[tuple[int, int], date]:
    """When lmsync last put each mentee into a mentor's circle (the pairing history apply writes)."""
    return PairingHistory(store, programme).pairing_days()


def satisfaction_instruments(config: Config) -> dict[str, Instrument]:
    return _instruments(config, "satisfaction_instruments", config.health.satisfaction_instruments)


def _instruments(config: Config, key: str, names: list[str]) -> dict[str, Instrument]:
    instruments = settings(config).instruments
    unknown = [name for name in names if name not in instruments]
    if unknown:
        raise ConfigError(
            f"health.{key}: unknown instrument(s) {', '.join(unknown)}",
            hint=f"use built-in or [instruments] names: {', '.join(sorted(instruments))}",
        )
    return {name: instruments[name] for name in names}


def thresholds(config: Config) -> Thresholds:
    return config.health.thresholds(config.meetings.cadence_days)


def programme_start(config: Config) -> date | None:
    """The programme's first day: ``[meetings] start``, else ``[waves] programme_start``."""
    s = settings(config)
    return s.meetings.start or s.programme_start


def assess_pairs(
    config: Config,
    store: Store,
    pairs: Iterable[tuple[int, int]],
    *,
    as_of: date,
    forums: dict[int, ForumActivity] | None = None,
) -> list[PairHealth]:
    """Health of ``pairs`` at ``as_of`` from the store alone (no Moodle).

    A pair starts on the day lmsync paired them (its journal); a pair lmsync found already
    paired starts at the programme's start (``programme_start``), or, with no start
    configured, at its first meeting (the rules take the earliest meeting), else the first
    day a snapshot saw it. ``forums`` is each circle's forum activity by mentor id.
    """
    programme = config.programme.name
    pair_list = sorted(set(pairs))
    s = settings(config)
    instruments = satisfaction_instruments(config)
    efficacy = _instruments(config, "self_efficacy_instruments", config.health.self_efficacy_instruments)
    meetings = meetings_by_pair(MeetingRepository(store, programme).meetings(until=as_of))
    surveys = SurveyRepository(store, programme)
    all_scores = surveys.scores()
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
    journal = journal_pairing_days(store, programme)
    seen = HealthSnapshots(store, programme).first_seen()
    start = programme_start(config)
    rules = thresholds(config)
    out = []
    for mentor, mentee in pair_list:
        pair = (mentor, mentee)
        since = journal.get(pair) or start or seen.get(pair) or as_of
        mine = by_person.get(mentor, []) + by_person.get(mentee, [])
        checks: tuple[CheckIn, ...] = ()
        if need_instrument is not None:
            said = answers_by_person.get(mentor, []) + answers_by_person.get(mentee, [])
            checks = check_ins(said, need_instrument, config.health.need_met_item, mentor, mentee)
        evidence = PairEvidence(
            mentor_id=mentor,
            mentee_id=mentee,
            paired_since=min(since, as_of),
            meetings=meetings.get(pair, ()),
            satisfaction=satisfaction_points(mine, instruments, mentor, mentee),
            self_efficacy=efficacy_points(efficacy_by_person.get(mentee, ()), efficacy, mentee),
            forum=(forums or {}).get(mentor),
            check_ins=checks,
        )
        out.append(assess(evidence, rules, as_of=as_of, rounds=rounds))
    return out


def circle_forums(programme: str, api: MoodleApi, snapshot: Snapshot) -> dict[int, ForumActivity]:
    """Each circle's activity in the programme forum, by mentor id (one paged read).

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
    for d in api.get_forum_discussions(observation.forum_id).discussions:
        mentor = mentor_by_group.get(d.groupid)
        if mentor is None:
            continue
        posts[mentor] += d.userid != own
        replies[mentor] += d.numreplies
        by_person = d.usermodified != own if d.numreplies else d.userid != own
        if by_person and d.timemodified:
            day = datetime.fromtimestamp(d.timemodified, UTC).date()
            last[mentor] = max(last.get(mentor, day), day)
    return {
        m: ForumActivity(posts[m], replies[m], last.get(m)) for m in set(mentor_by_group.values())
    }


def observe_and_assess(api: MoodleApi, config: Config, store: Store, *, as_of: date) -> Assessment:
    snapshot = observe(api, config)
    pairs, skipped = circle_pairs(config.programme.name, snapshot)
    forums = circle_forums(config.programme.name, api, snapshot)
    healths = assess_pairs(config, store, pairs, as_of=as_of, forums=forums)
    roster = snapshot.roster
    views = [
        PairView(
            h,
            roster[h.mentor_id].username or str(h.mentor_id),
            roster[h.mentee_id].username or str(h.mentee_id),
        )
        for h in healths
    ]
    return Assessment(as_of, views, roster, skipped)


# --- the use case ---------------------------------------------------------------------------------


def run_health(
    api: MoodleApi, config: Config, store: Store, *, as_of: date | None = None, record: bool = True
) -> HealthReport:
    """Observe, assess; with ``record``, store the day's snapshot and queue fading pairs.

    ``record=False`` is the read-only view (``lmsync health --as-of``, issue 11): the same
    assessment, and not one row written, so a look at 2030 never queues pairs "fading since 2030".
    """
    day = as_of or today()
    assessment = observe_and_assess(api, config, store, as_of=day)
    programme = config.programme.name
    report = HealthReport(assessment, count_statuses(assessment.healths), recorded=record)
    if not record:
        log.info("health.viewed", as_of=day.isoformat(), pairs=len(assessment.pairs), **report.counts)
        return report
    HealthSnapshots(store, programme).replace_day(day, assessment.healths)
    queue = CoordinatorQueue(store, programme, requeue_after_days=config.health.requeue_after_days)
    for health in assessment.healths:
        if health.status != "fading":
            continue
        outcome = queue.offer(day, health)
        if outcome == "added":
            report.queued.append(health.pair_id)
        elif outcome == "updated":
            report.still_queued += 1
        else:
            report.snoozed += 1
    log.info(
        "health.done",
        as_of=day.isoformat(),
        pairs=len(assessment.pairs),
        skipped_inactive=assessment.skipped_inactive,
        queued=len(report.queued),
        **report.counts,
    )
    return report


def health_job(
    config: Config, *, as_of: date | None = None, wait: bool = False, site: Any = None, record: bool = True
) -> HealthReport:
    """One health run; ``record=False`` opens the store read-only and writes nothing anywhere."""
    with session(config, wait=wait, site=site, read_only=not record) as (conn, store):
        return run_health(conn.api, config, store, as_of=as_of, record=record)


# --- the coordinator queue (store only: no Moodle needed) ------------------------------------------


def _queue(config: Config, store: Store) -> CoordinatorQueue:
    return CoordinatorQueue(store, config.programme.name, requeue_after_days=config.health.requeue_after_days)


def queue_list(config: Config) -> list[QueueItem]:
    """Open queue items, read from the store opened read-only."""
    store = open_store(config, read_only=True)
    try:
        return _queue(config, store).open_items()
    finally:
        store.close()


def queue_ack(config: Config, pair: str, *, note: str | None = None, on: date | None = None) -> QueueItem:
    """Close the open queue item of ``pair`` (``MENTOR_ID-MENTEE_ID``)."""
    try:
        key = parse_pair_id(pair)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    store = open_store(config)
    try:
        item = _queue(config, store).ack(key, on=on or today(), note=note)
    finally:
        store.close()
    if item is None:
        raise InputError(
            f"pair {pair} has no open item in the coordinator queue", hint="see `lmsync queue list`"
        )
    log.info("queue.ack", item=item.id)
    return item
