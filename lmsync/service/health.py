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
from collections.abc import Iterable, Mapping
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
from lmsync.store.health import OUTCOMES, CoordinatorQueue, HealthSnapshots, PairForbids, QueueItem
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
    course_id: int | None = None  # the programme course (its calendar holds the exam blocks)

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
    recovered: int = 0  # items a coordinator met, closed because the pair no longer fades
    reassigned: list[QueueItem] = field(default_factory=list)  # open items given an owner on this run
    not_a_good_fit: list[tuple[int, int]] = field(default_factory=list)  # newly forbidden by a survey answer

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
    return settings(config).meetings_start


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
    meetings = meetings_by_pair(MeetingRepository(store, programme).pair_meetings(until=as_of))
    surveys = SurveyRepository(store, programme)
    all_scores = surveys.totals([*instruments, *efficacy])  # totals only: no subscale is read
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
    """Each circle's activity in the programme forum, by mentor id (the discussions ``observe``
    read, else one paged read).

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
    return Assessment(as_of, views, roster, skipped, snapshot.observation.course_id)


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
    queue = _queue(config, store, {uid: u.username for uid, u in assessment.roster.items() if u.username})
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
    report.reassigned = queue.reassign()
    fading = {(h.mentor_id, h.mentee_id) for h in assessment.healths if h.status == "fading"}
    report.recovered = len(queue.close_recovered(day, fading))
    if config.health.escalate_to:
        report.escalated = queue.escalate(
            day, config.health.escalate_to, after_days=config.health.escalate_after_days
        )
    current = [(h.mentor_id, h.mentee_id) for h in assessment.healths]
    report.not_a_good_fit = mark_not_a_good_fit(config, store, current, as_of=day)
    log.info(
        "health.done",
        as_of=day.isoformat(),
        pairs=len(assessment.pairs),
        skipped_inactive=assessment.skipped_inactive,
        queued=len(report.queued),
        escalated=len(report.escalated),
        reassigned=len(report.reassigned),
        recovered=report.recovered,
        not_a_good_fit=len(report.not_a_good_fit),
        **report.counts,
    )
    return report


# --- "not a good fit": forbidden in the matching input, re-matched by the next sync ------------------

_YES = {"1", "yes", "y", "true", "ja", "oui", "si"}


def not_a_good_fit_answers(
    config: Config, store: Store, pairs: Iterable[tuple[int, int]], *, as_of: date
) -> list[tuple[int, int]]:
    """Current pairs a survey answer says are not a good fit (``[health] not_a_good_fit_item``).

    The item is ``instrument.item`` or a bare ``item`` (any instrument); a yes (1, yes, true)
    counts. A mentor's answer names its mentee by ``about_id``; a mentor answering in general
    with several mentees names none, and is left out. Only answers dated on or after the pair
    started count, so a mentee's answer about a former mentor never forbids the new one.
    """
    wanted = config.health.not_a_good_fit_item.strip()
    if not wanted:
        return []
    instrument, _, item = wanted.rpartition(".")
    pair_list = sorted(set(pairs))
    mentees_of: dict[int, list[int]] = defaultdict(list)
    mentor_of: dict[int, list[int]] = defaultdict(list)
    for mentor, mentee in pair_list:
        mentees_of[mentor].append(mentee)
        mentor_of[mentee].append(mentor)
    started = journal_pairing_days(store, config.programme.name)
    start = programme_start(config)
    found: set[tuple[int, int]] = set()
    for answer in SurveyRepository(store, config.programme.name).answers(instrument=instrument or None):
        if answer.item != item or answer.value.strip().lower() not in _YES or answer.date > as_of:
            continue
        who = answer.respondent_id
        if who in mentees_of:
            others = [answer.about_id] if answer.about_id else mentees_of[who]
            candidates = [(who, m) for m in others if m in mentees_of[who]]
        else:
            others = [answer.about_id] if answer.about_id else mentor_of.get(who, [])
            candidates = [(m, who) for m in others if m in mentor_of.get(who, [])]
        if len(candidates) != 1:
            continue  # names no current pair, or several: not one pair to forbid
        pair = candidates[0]
        since = started.get(pair) or start
        if since is None or answer.date >= since:
            found.add(pair)
    return sorted(found)


def mark_not_a_good_fit(
    config: Config, store: Store, pairs: Iterable[tuple[int, int]], *, as_of: date
) -> list[tuple[int, int]]:
    """Record the survey's not-a-good-fit pairs as forbidden; returns those newly recorded."""
    forbids = PairForbids(store, config.programme.name)
    return [
        pair
        for pair in not_a_good_fit_answers(config, store, pairs, as_of=as_of)
        if forbids.mark(pair, source="survey", on=as_of)
    ]


def with_forbidden_pairs(
    config: Config, store: Store, usernames: Mapping[int, str] | None = None
) -> tuple[Config, list[tuple[int, int]]]:
    """``config`` with every pair marked not a good fit added to ``[matching] forbids``.

    The normal plan then drops that pair ("forbidden since") and places the mentee anew with
    the fewest changes (stickiness holds every other pair); the plan shows what else moves.
    Matching knows people by username: ``usernames`` maps Moodle ids to them (an id missing
    from it is written as the id). Returns the configuration and the forbidden pairs (mentor, mentee).
    """
    pairs = sorted(PairForbids(store, config.programme.name).pairs())
    if not pairs:
        return config, []
    names = usernames or {}
    known = set(config.matching.forbids)
    wanted = [(names.get(mentee, str(mentee)), names.get(mentor, str(mentor))) for mentor, mentee in pairs]
    extra = [pair for pair in wanted if pair not in known]
    matching = config.matching.model_copy(update={"forbids": [*config.matching.forbids, *extra]})
    return config.model_copy(update={"matching": matching}), pairs


def forbid_not_a_good_fit(api: MoodleApi, config: Config, store: Store) -> tuple[Config, list[tuple[int, int]]]:
    """``with_forbidden_pairs`` with the usernames read from Moodle (one read, only when the store
    holds such pairs): what every plan and sync applies, not only the cycle's (new admin, part 2,
    point 7)."""
    ids = sorted({uid for pair in PairForbids(store, config.programme.name).pairs() for uid in pair})
    names = {u.id: u.username for u in api.get_users_by_field("id", ids) if u.username} if ids else {}
    return with_forbidden_pairs(config, store, names)


def health_job(
    config: Config, *, as_of: date | None = None, wait: bool = False, site: Any = None, record: bool = True
) -> HealthReport:
    """One health run; ``record=False`` opens the store read-only and writes nothing anywhere."""
    with session(config, wait=wait, site=site, read_only=not record) as (conn, store):
        return run_health(conn.api, config, store, as_of=as_of, record=record)


# --- the coordinator queue (store only: no Moodle needed) ------------------------------------------


def _queue(config: Config, store: Store, usernames: Mapping[int, str] | None = None) -> CoordinatorQueue:
    h = config.health
    return CoordinatorQueue(
        store,
        config.programme.name,
        requeue_after_days=h.requeue_after_days,
        coordinators=h.coordinators,
        assign=h.queue_assign,
        due_days=h.queue_due_days,
        due_every_days=h.queue_due_every_days,
        escalate_to=h.escalate_to,
        usernames=usernames,
    )


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


def queue_done(
    config: Config,
    pair: tuple[int, int],
    outcome: str,
    *,
    note: str | None = None,
    on: date | None = None,
) -> QueueItem:
    """Record a coordinator's outcome for the pair's open item (``lmsync queue done``).

    ``met`` keeps it open until its next due date; ``rematched`` also marks the pair not a
    good fit, so the next sync (``lmsync run``) re-matches the mentee; ``closed`` and
    ``no_action`` close it. Raises InputError for an unknown outcome or a pair with no open item.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"unknown outcome {outcome!r}", hint=f"one of {', '.join(OUTCOMES)}")
    day = on or today()
    store = open_store(config)
    try:
        item = _queue(config, store).done(pair, outcome, on=day, note=note)
        if item is not None and outcome == "rematched":
            PairForbids(store, config.programme.name).mark(pair, source="queue", on=day)
    finally:
        store.close()
    if item is None:
        raise InputError(
            f"pair {pair[0]}-{pair[1]} has no open item in the coordinator queue", hint="see `lmsync queue list`"
        )
    log.info("queue.done", item=item.id, outcome=outcome)
    return item


# --- one pair's history (``lmsync pair show``) --------------------------------------------------------


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


def pair_history(config: Config, pair: tuple[int, int], store: Store | None = None) -> PairHistory:
    """Everything the store holds about one pair, read-only (no raw answer, no single mentee rating)."""
    from lmsync.store.health import NudgeLog

    own = store is None
    store = store or open_store(config, read_only=True)
    programme = config.programme.name
    mentor, mentee = pair
    try:
        meetings = [m for m in MeetingRepository(store, programme).meetings(person_id=mentee) if m.mentor_id == mentor]
        instruments = satisfaction_instruments(config)
        all_scores = [ws for ws in SurveyRepository(store, programme).scores() if ws.instrument in instruments]
        mentees_of_mentor = {
            m for (a, m) in PairingHistory(store, programme).pairing_days() if a == mentor
        } | {mentee}
        scores: list[SideScore] = []
        for ws in all_scores:
            if ws.respondent_id == mentor and ws.about_id in (None, mentee):
                scores.append(SideScore("mentor", ws.instrument, ws.wave, ws.date, ws.score.total))
        minimum = config.grades.min_mentees_for_mentor_rating
        waves = sorted({(ws.instrument, ws.wave) for ws in all_scores if ws.respondent_id == mentee})
        for instrument, wave in waves:
            rows = [
                ws
                for ws in all_scores
                if ws.instrument == instrument and ws.wave == wave and ws.respondent_id in mentees_of_mentor
                and ws.about_id in (None, mentor) and ws.score.total is not None
            ]
            day = max((ws.date for ws in rows), default=as_date(None))
            if len(rows) >= minimum:
                mean = sum(float(ws.score.total or 0) for ws in rows) / len(rows)
                scores.append(SideScore("mentee", instrument, wave, day, round(mean, 2), over=len(rows)))
            else:
                scores.append(SideScore("mentee", instrument, wave, day, None, over=len(rows), withheld=True))
        snapshots = HealthSnapshots(store, programme).rows(pair=pair)
        if any(sc.withheld for sc in scores if sc.side == "mentee"):
            snapshots = [withhold_mentee_side(r, minimum) for r in snapshots]
        nudges = NudgeLog(store, programme).records(pair=pair)
        items = _queue(config, store).items(pair)
        forbidden = PairForbids(store, programme).pairs().get(pair)
    finally:
        if own:
            store.close()
    return PairHistory(mentor, mentee, meetings, scores, snapshots, nudges, items, forbidden)


#: Reasons that speak of the mentee side's satisfaction (a mentee's verdict on the mentor), and the
#: mentor-side asymmetry, whose text says the mentee side held.
_MENTEE_SIDE_REASONS = ("satisfaction_low_mentee", "satisfaction_falling_mentee", "satisfaction_asymmetry_mentee")


def withhold_mentee_side(row: Any, minimum: int) -> Any:
    """``row`` (a snapshot) with its mentee-side satisfaction reasons withheld, as the scores are
    when fewer than ``minimum`` of the mentor's mentees answered."""
    from dataclasses import replace

    withheld = ("mentee_side_withheld",
                f"a mentee-side signal (withheld: fewer than {minimum} of the mentor's mentees answered)")
    reasons: list[tuple[str, str]] = []
    for code, text in row.reasons:
        if code in _MENTEE_SIDE_REASONS:
            code, text = withheld
        elif code == "satisfaction_asymmetry_mentor":
            code, text = "satisfaction_falling_mentor", "satisfaction fell on the mentor side"
        if (code, text) not in reasons:
            reasons.append((code, text))
    return replace(row, reasons=tuple(reasons))


def as_date(value: date | None) -> date:
    return value or today()
