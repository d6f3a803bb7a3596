"""The coordinators' daily digest (issue 13; ``lmsync run`` sends it after health).

Each coordinator (``[health] coordinators``) is told, once a day at most, of the pairs newly
at risk or fading with their reasons, of the queue items due, overdue or escalated to them, and
of those lmsync paused since because the pair left the programme (tester R44b-3) or, said apart, is on hold while
someone is away (after tester round 105a, 1), or, apart again, while lmsync leaves their circle alone for its ID
number (``circles_left_alone``; tester round 108a, 4), and of the circles held while their mentor is away, or whose hold
ended, since their last digest (tester round 61, 5), naming the mentees such an end left without a mentor
(``hold_mentees``; tester round 107a, 5), of the mentors and mentees back from away and the mentees whose held place
was given up, or is held while they are away (``digest_holds``; tester round 108a, 5 and 6; 111a, 4; acknowledged
items too, ``digest_acked``: 109a, 5 and 6; back after their place was given up, matched anew or waiting without a mentor, ``digest_rejoined``: 112a, 4; 113), and of
the other mentees newly without a mentor, or with one again (``mentees_alone``, ``digest_alone``; 107a, 5; 109a, 4; 114b, 2);
their own items paused, acknowledged ones too, or on a circle whose hold ended (``digest_paused``: 112a, 3 and 7),
or whose pair is ok again or no longer fading (``digest_eased``: 56, 5; 116, 7), or that an erasure removed (``digest_erasures``: 118b, 3);
``[health] escalate_to`` only of what escalated to them. A coordinator is never told
about a pair they are part of. Sent through the executor like a nudge (``MessagesFamily``),
with a ``digests`` row written before the send (its marks: ``digest_family``); "since their last digest" is since the
moment it was sent, not its day (``digest_since``, ``digest_moment``, ``digest_flagged``: tester round 122c, 1);
held in quiet hours, and when the nudges are held
by the first-assessment guard (``nudge_holds.first_run_hold``: the digest would spread the same
unchecked judgement of every pair; tester finding 1a).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from lmsync.config import Config
from lmsync.domain.envelope import Envelope
from lmsync.domain.health import PairHealth
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service import digest_holds as away
from lmsync.service.circles_left_alone import LEFT_ALONE
from lmsync.service.coordinator_accounts import suspended_of
from lmsync.service.digest_acked import acked_on_hold, acked_said, back_item_line
from lmsync.service.digest_alone import AloneTold
from lmsync.service.digest_eased import eased_items, eased_lines
from lmsync.service.digest_erasures import ErasuresTold
from lmsync.service.digest_family import DigestFamily
from lmsync.service.digest_flagged import StatusesTold, new_attention_pairs
from lmsync.service.digest_holds import Hold, PlaceHold
from lmsync.service.digest_moment import last_moments, newly_queued, pairing_mark
from lmsync.service.digest_moved import OwnedTold, moved_lines
from lmsync.service.digest_paused import GONE_HEAD, paused_since, with_paused_items
from lmsync.service.digest_rejoined import rejoined, waiting, waiting_lines
from lmsync.service.digest_requeued import requeued, requeued_words
from lmsync.service.digest_since import last_told, never
from lmsync.service.digest_zeroed import ZeroedTold
from lmsync.service.executor import Executor
from lmsync.service.health import Assessment
from lmsync.service.hold_mentees import ended_lines
from lmsync.service.mentees_alone import digest_lines, left_out_two_roles, mentees_without_mentor
from lmsync.service.nudge_holds import first_run_hold, quiet_hours_hold
from lmsync.service.programme_settings import programme_zone
from lmsync.service.run_ids import new_run_id
from lmsync.store.db import Store
from lmsync.store.digest_statuses import queue_mark
from lmsync.store.erasures import erased_on
from lmsync.store.messages import DigestLog
from lmsync.store.pairings import PairingHistory
from lmsync.store.queue import GONE, NOT_DUE, WATCH, QueueItem
from lmsync.store.queue_item import HOLD_PREFIX

log = get_logger(__name__)


@dataclass(frozen=True)
class Digest:
    """What one coordinator is told today."""

    username: str
    user_id: int
    new_pairs: list[PairHealth]  # newly at risk or fading (their previous snapshot was neither)
    items: list[QueueItem]  # owned and due or overdue, or escalated to this coordinator
    text: str
    new_items: list[QueueItem] = field(default_factory=list)  # queued for this coordinator since their last digest
    paused: list[QueueItem] = field(default_factory=list)  # theirs, paused by lmsync since: the pair left (R44b-3)
    recovered: list[QueueItem] = field(default_factory=list)  # theirs, ok again or on watch since then (``digest_eased``)
    holds: list[Hold] = field(default_factory=list)  # circles held, whose hold ended, or back, since their last digest
    places: list[PlaceHold] = field(default_factory=list)  # mentees' places held, given up, or back, since then
    without_mentor: list[int] = field(default_factory=list)  # mentees newly without a mentor since then (107a, 5)
    with_mentor: list[tuple[int, int]] = field(default_factory=list)  # (mentee, mentor): with one again (109a, 4)
    zeroed: int = 0  # people whose grades were written as 0 with no meeting behind them since then (117c, 4)
    hold_ends: int = 0  # circles whose hold an erasure of their mentor ended since then (117c, 2)
    queue_ends: int = 0  # their queue items, open or acknowledged, an erasure removed since then (118b, 3)

    @property
    def empty(self) -> bool:
        return not (self.new_pairs or self.items or self.new_items or self.paused or self.recovered or self.holds or self.places
                    or self.without_mentor or self.with_mentor or self.zeroed or self.hold_ends or self.queue_ends)


@dataclass
class DigestReport:
    as_of: date
    run_id: str
    digests: list[Digest] = field(default_factory=list)  # the non-empty ones, sent or due
    outcomes: dict[str, str] = field(default_factory=dict)  # username -> sent | failed | unknown | already
    unknown_coordinators: list[str] = field(default_factory=list)  # usernames Moodle does not know
    held: str | None = None
    escalate_to: str = ""  # [health] escalate_to, so ``problem`` names the setting of each unknown name
    erased_coordinators: list[str] = field(default_factory=list)  # configured usernames of people erased
    #: usernames whose digest was due and not sent: the sending stopped after a lost answer (the executor re-observes)
    not_attempted: list[str] = field(default_factory=list)
    suspended_coordinators: dict[str, int] = field(default_factory=dict)  # username -> id, account suspended: unsent

    @property
    def held_line(self) -> str:
        """The run's digest line while ``held``: how many, why, and ``erased_note``."""
        return f"{len(self.digests)} digest(s) held: {self.held}{self.erased_note}"

    @property
    def erased_note(self) -> str:
        """What the run's digest line adds, once, of the configured people erased (``"; warning: ..."``, else ""):
        they are sent nothing and own no item, and only the admin can take them out of the configuration (tester
        round 77b, 4: an erased coordinator got a second digest that day, and queue items)."""
        if not self.erased_coordinators:
            return ""
        keys = " or ".join(sorted({"[health] escalate_to" if n == self.escalate_to else "[health] coordinators"
                                   for n in self.erased_coordinators}))
        return (f"; warning: {', '.join(self.erased_coordinators)} erased (`lmsync person erase`) but still listed in "
                f"{keys}: sent no digest and given no queue item; remove them there")

    @property
    def problem(self) -> str | None:
        if not self.unknown_coordinators:
            return None
        # each name under the setting that holds it (tester round 23, 3: escalate_to's was put under coordinators)
        parts = []
        coordinators = [n for n in self.unknown_coordinators if n != self.escalate_to]
        if coordinators:
            parts.append(f"[health] coordinators: no Moodle user {', '.join(coordinators)}")
        if self.escalate_to in self.unknown_coordinators:
            parts.append(f"[health] escalate_to: no Moodle user {self.escalate_to}")
        return "; ".join(parts)


def _why(reasons: Sequence[tuple[str, str]], unanswered: Counter[str]) -> str:
    """A pair's reasons for one digest line: a survey wave left unanswered is counted in ``unanswered`` (said once
    under the section) when the pair has another reason; after a wave closed, every line of the digest repeated
    "no satisfaction survey answer from the mentee side (T3); ... mentor side (T3)" (tester round 85b, 10)."""
    other = [text for code, text in reasons if not code.startswith("survey_unanswered_")]
    if not other:
        return "; ".join(text for _, text in reasons) or "no reason recorded"
    unanswered.update(text for code, text in reasons if code.startswith("survey_unanswered_"))
    return "; ".join(other)


def _unanswered_line(unanswered: Counter[str]) -> list[str]:
    """The survey waves left unanswered by the pairs of a section, once (``_why``), emptied for the next section."""
    if not unanswered:
        return []
    said = "; ".join(f"{text} ({n} pair{'s' if n != 1 else ''})" for text, n in sorted(unanswered.items()))
    unanswered.clear()
    return [f"  also, among the pairs above: {said}"]


def digest_text(
    programme: str,
    day: date,
    new_pairs: Sequence[PairHealth],
    items: Sequence[QueueItem],
    label: Any,
    username: str,
    new_items: Sequence[QueueItem] = (),
    paused: Sequence[QueueItem] = (),
    recovered: Sequence[QueueItem] = (),
    holds: Sequence[Hold] = (),
    owners: Mapping[tuple[int, int], str] | None = None,
    places: Sequence[PlaceHold] = (),
    back_items: Sequence[QueueItem] = (),
    without_mentor: Sequence[int] = (),
    with_mentor: Sequence[tuple[int, int]] = (),
    two_roles: Sequence[int] = (),
    moved: Sequence[str] = (),
    requeued: Mapping[int, QueueItem] | None = None,
) -> str:
    """The plain-text digest: reasons in words, people by ``label(user_id)``, never a score. ``owners``: the
    coordinator (username) whose queue holds each newly flagged pair, named beside it (tester round 77, 7: two
    coordinators got the same list of 39 pairs and could not tell who was handling which). ``without_mentor``: the
    mentees newly without a mentor, none of them named by an ended hold's part (``mentees_alone.digest_lines``);
    ``with_mentor``: (mentee, mentor) of those with a mentor again; ``two_roles``: those of them left out of matching
    for their two roles, named apart (``mentees_alone.left_out_two_roles``; tester round 114b, 1); ``moved``: the
    lines of the items moved to them from another coordinator (``digest_moved``; tester round 115a, 5). An item of
    ``back_items`` is said under "Back from away" only, not under "Queue items due or overdue" too (tester round
    109a, 6)."""
    lines = [f"lmsync digest for {programme}, {day.isoformat()}"]
    unanswered: Counter[str] = Counter()
    if new_items:
        lines += ["", f"Newly in your queue ({len(new_items)}):"]
        for i in new_items:
            if i.status == "recovered":  # never due (README; third tester, finding 7)
                lines.append(f"- recovered: {label(i.mentor_id)} / {label(i.mentee_id)}: ok again; nothing due")
                continue
            reasons = _why(i.reasons, unanswered)  # on watch already: never due either (tester round 116, 7)
            due = ("no longer fading: nothing due" if i.status == WATCH
                   else f"due {i.due_on.isoformat() if i.due_on else '?'}")
            lines.append(f"- {i.status.replace('_', ' ')}: {label(i.mentor_id)} / {label(i.mentee_id)}: {reasons}; {due}"
                         + requeued_words(i, requeued or {}))  # an acknowledged pair's, said so (131a, 1)
        lines += _unanswered_line(unanswered)
    lines += moved
    if new_pairs:
        lines += ["", f"Newly at risk or fading ({len(new_pairs)}):"]
        for p in new_pairs:
            reasons = _why([(r.code, r.text) for r in p.reasons], unanswered)
            owner = (owners or {}).get((p.mentor_id, p.mentee_id))
            lines.append(f"- {p.status.replace('_', ' ')}: {label(p.mentor_id)} / {label(p.mentee_id)}: {reasons}"
                         + (("; in your queue" if owner == username else f"; in {owner}'s queue") if owner else ""))
        lines += _unanswered_line(unanswered)
    if due_now := [i for i in items if i not in back_items]:
        lines += ["", f"Queue items due or overdue ({len(due_now)}):"]
        for i in due_now:
            late = i.overdue_days(day)
            when = f"{late} day(s) overdue" if late else "due today"
            extra = f", escalated from {i.owner}" if i.escalated_to == username and i.owner != username else ""
            due = i.due_on.isoformat() if i.due_on else "?"
            # the pair's latest status and reasons, as the README says: a coordinator acts on them (tester round 19, 2)
            why = _why(i.reasons, unanswered)
            lines.append(f"- {i.status.replace('_', ' ')}: {label(i.mentor_id)} / {label(i.mentee_id)}: {why}; "
                         f"due {due}, {when}{extra}")
        lines += _unanswered_line(unanswered)
    # paused on hold (the mentee's place, or the mentor's circle, held while they are away) is not gone: said apart
    # (after tester round 105a, 1: "no longer in the programme" for a pair whose place was held)
    on_hold = [i for i in paused if (i.gone_why or i.on_hold or "").startswith(HOLD_PREFIX)]  # acknowledged: 109a, 5
    gone = [i for i in paused if i not in on_hold]
    alone = [i for i in on_hold if (i.gone_why or "").startswith(LEFT_ALONE)]  # nobody away (tester round 108a, 4)
    on_hold = [i for i in on_hold if i not in alone]
    if gone:  # their items whose pair left the programme: nothing due, said once (tester R44b-3)
        lines += ["", GONE_HEAD.format(count=len(gone))]  # true of every reason it is paused (tester round 114b, 3)
        for i in gone:
            lines.append(f"- {label(i.mentor_id)} / {label(i.mentee_id)}: {i.gone_why or 'not in any circle'}"
                         f"{acked_said(i)}; since {i.last_seen_on.isoformat()}")  # acknowledged too (112a, 3)
    if on_hold:
        lines += ["", f"On hold while someone is away ({len(on_hold)}; nothing is due, and `lmsync queue done` takes no "
                      "outcome on them, until they are back):"]
        lines += [f"- {label(i.mentor_id)} / {label(i.mentee_id)}: {(i.gone_why or i.on_hold or '').removeprefix(HOLD_PREFIX)}"
                  f"{acked_said(i)}; since {i.last_seen_on.isoformat()}" for i in on_hold]
    lines += away.left_alone_lines(alone, label)
    lines += eased_lines(recovered, label, lambda i: _why(i.reasons, Counter()))  # or on watch (tester round 116, 7)
    # the people back, with their items active again, and the mentees whose held place was given up (round 108a, 5, 6)
    lines += away.back_lines(holds, places, back_items, label,
                             lambda i: back_item_line(i, label, _why(i.reasons, unanswered), day, username))
    unanswered.clear()
    lines += away.given_up_lines(places, label) + waiting_lines(places, label, two_roles)  # back with none (round 113)
    held = [h for h in holds if not h.ended and h.back_on is None]
    if held:
        lines += ["", f"Circles held while their mentor is away ({len(held)}; their mentees stay and are not matched "
                      "with another mentor meanwhile):"]
        lines += [f"- {label(h.mentor_id)}: away since {h.since.isoformat()}, held until {h.until.isoformat()}"
                  for h in held]
    lines += away.held_place_lines(places, label, {i.pair for i in on_hold})  # a mentee's too (tester round 111a, 4)
    lines += ended_lines([h for h in holds if h.ended_away], label, two_roles)  # and the mentees left alone (tester round 107a, 5)
    lines += digest_lines(without_mentor, label, with_mentor, two_roles)  # the others newly without one, or with one (107a, 5)
    if items or new_items or recovered or back_items or moved:
        # coordinators read, they do not type (tester round 12, 10): who records it, then how
        # of an item in the queue: a pair newly at risk without one takes only rematched or closed (round 86b, 6)
        lines += ["", "Record what was done about an item in your queue (met, re-matched, closed or no action needed): "
                      "tell the person who runs lmsync, or run: lmsync queue done MENTOR MENTEE --outcome "
                      "met|rematched|closed|no_action"]
    return "\n".join(lines)


def run_digest(
    api: MoodleApi,
    config: Config,
    store: Store,
    assessment: Assessment,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    allow_mass_nudge: bool = False,
) -> DigestReport:
    """Send each coordinator (``[health] coordinators``) today's digest, once a day at most.

    Run after health has stored today's snapshot and queue (``lmsync run``). A coordinator with
    nothing new and nothing due gets no message. Held in quiet hours like a nudge, and by the
    first-assessment guard unless ``allow_mass_nudge`` (``first_run_hold``). A username
    Moodle does not know is reported (``problem``: an admin must act); the others still get theirs.
    """
    from lmsync.service.directory import people_of
    from lmsync.service.site_accounts import accounts

    day = assessment.as_of
    report = DigestReport(day, new_run_id(), escalate_to=config.health.escalate_to)
    names = list(config.health.coordinators)
    if not names:
        return report
    if config.health.escalate_to and config.health.escalate_to not in names:
        names.append(config.health.escalate_to)  # told only of what escalated to them
    found = [u for u in api.get_users_by_field("username", list(names)) if u.username]
    users = {u.username: u.id for u in found}
    report.unknown_coordinators = [n for n in names if n not in users]
    report.suspended_coordinators = suspended_of(found, names)  # sent no digest; the run says so (tester round 113, 3)
    # an erased coordinator still listed: no digest, and no ``digests`` row naming them again (tester round 77b, 4:
    # their rows went with the erasure, and a second digest of the day went to them)
    erased = erased_on(store)
    report.erased_coordinators = [n for n in names if n in users and users[n] in erased]
    users = {n: uid for n, uid in users.items() if uid not in erased and n not in report.suspended_coordinators}
    programme = config.programme.name
    new_since: dict[object, list[PairHealth]] = {}  # by the day a coordinator was last told, or by them (122c, 1)
    statuses = StatusesTold.read(store, programme, day)  # the pair statuses their last digest was told from
    open_items, awaiting = _open_items(config, store)  # and those acknowledged, awaiting an outcome (109a, 5)
    held_acked = acked_on_hold(config, store, awaiting, day)
    holds = away.circle_holds(config, store, day, assessment.roster, assessment.circles)
    places = away.place_holds(config, store, day)
    alone = mentees_without_mentor(config, assessment.roster, assessment.circles, assessment.peer_mentors)
    history = PairingHistory(store, programme).history()
    late = AloneTold.read(config, store, alone, history, day)  # whom each was told of (tester round 114b, 2)
    owned = OwnedTold.read(store, programme, {u.id: str(u.username) for u in found}, report.suspended_coordinators, day)
    zeroed = ZeroedTold.read(config, store)  # grades written as 0 since each coordinator's last digest (117c, 4)
    by_erasure = ErasuresTold.read(config, store, day, zeroed.last)  # holds ended, queue items removed (117c, 2; 118b, 3)
    # a suspended or departed person of an item is named from their account, as `queue list` names them
    outside = ({uid for item in [*open_items, *awaiting] for uid in item.pair} | {h.mentor_id for h in holds}
               | {m for h in holds for m in h.mentees.alone} | {u for p in places for u in (p.mentee_id, p.mentor_id)}
               ) - set(assessment.roster)
    people = people_of(config, {**assessment.roster, **accounts(api, outside)})
    log_ = DigestLog(store, programme)
    followed = requeued(store, programme)  # new items following an acknowledged one (tester round 131a, 1)
    records = log_.records()
    last_sent = last_told(records, day)  # each coordinator's last digest sent before today: day, journal id
    moments = last_moments(records, day)  # and the queue's, the pairings' latest then (122c, 1)
    for username in names:
        if username not in users:
            continue
        me = users[username]  # never told about a pair they are part of (a mentee's verdict on them)
        mine = [
            i
            for i in open_items
            if ((i.owner == username and i.due_on is not None and i.due_on <= day) or i.escalated_to == username)
            and me not in i.pair
            and i.status not in NOT_DUE  # ok again, on watch only, or away: not chased (finding 6; R44b-3; round 83, 6)
        ]
        told_at = last_sent.get(me) or never(day)  # its moment: a change after the day's digest is news (122c, 1)
        told_on, moment = told_at.day if me in last_sent else None, moments.get(me)
        then, exact = statuses.then(me, told_on)  # what their last digest was told from (122c, 1)
        if (key := me if exact else told_on) not in new_since:
            new_since[key] = new_attention_pairs(store, programme, assessment, told_on, then if exact else None)
        fresh = (
            [p for p in new_since[key] if me not in (p.mentor_id, p.mentee_id)]
            if username in config.health.coordinators
            else []
        )
        # queued since their last digest sent (a held one told them nothing: tester round 19, 1); a pair that
        # recovered is news only from yesterday on, never from before they were first told
        recovered_since = told_on or day - timedelta(days=1)
        queued = [i for i in open_items if i.owner == username and newly_queued(i, moment, day)
                  and me not in i.pair and i not in mine and i.status != GONE]  # opened after it (122c, 1)  # and those moved to them from another coordinator, said there only (tester round 115a, 5)
        moved = owned.moved(me, [i for i in [*open_items, *awaiting] if i.owner == username and me not in i.pair],
                            {i.id for i in queued})
        mine, moved_ids = [i for i in mine if i.id not in {m.id for m, _ in moved}], {m.id for m, _ in moved}
        # their items lmsync paused since their last digest (never told: since yesterday), the pair gone or on hold,
        # acknowledged too (tester rounds 109a, 5 and 112a, 3)
        paused = [i for i in paused_since(open_items, awaiting, held_acked, username, me, recovered_since, day)
                  if i.id not in moved_ids]
        # ok again, or on watch, since they were last told (else since the day before): never said (56, 5; 116, 7)
        recovered = eased_items(open_items, then, username, me, queued,  # acknowledged too (117c, 1)
                                [i for i in awaiting if i.id not in {h.id for h in held_acked}])
        theirs = [i for i in [*open_items, *awaiting] if username in (i.owner, i.escalated_to) and me not in i.pair]
        told = (with_paused_items([h for h in away.holds_since(holds, told_at, day) if h.mentor_id != me],
                                  theirs) if username in config.health.coordinators else [])  # 112a, 7
        told_places = ([p for p in away.places_since(places, told_at, day, {i.pair for i in theirs})
                        if me not in (p.mentee_id, p.mentor_id)] if username in config.health.coordinators else [])
        mark = moment.pairing_mark if moment is not None else None  # the pairings' latest then (122c, 1)
        placed = (late.placed(holds, told_on, me, mark, away.held_at(holds, told_at))  # held then: 123a, 2
                  if username in config.health.coordinators else [])
        placed, again = rejoined(places, placed, history, programme_zone(config))  # back, matched anew (112a, 4)
        told_places += again + waiting(config, username, places, alone, history, me, theirs)  # round 113
        back = ({h.mentor_id for h in told if h.back_on is not None}, {p.pair for p in told_places if not p.held})
        back_items = [i for i in theirs if i.status != GONE and i not in queued and i.id not in moved_ids  # 109a, 6
                      and (i.mentor_id in back[0] or i.pair in back[1])]
        # said once, under "Newly in your queue", "due or overdue" or "Back from away" (tester rounds 61, 6, 65, 3
        # and 108a, 5)
        in_queue = {i.pair for i in [*queued, *mine, *back_items]} | {m.pair for m, _ in moved}
        fresh = [p for p in fresh if (p.mentor_id, p.mentee_id) not in in_queue]
        named = {m for h in told if h.ended_away for m in h.mentees.alone} | {p.mentee_id for p in told_places if p.waiting}
        # named by a hold's or place's part: not twice
        newly = late.newly(told_on, me, named, mark) if username in config.health.coordinators else []
        text = digest_text(programme, day, fresh, mine, people.label, username, queued, paused, recovered, told,
                           {i.pair: i.owner for i in open_items if i.owner}, told_places, back_items, newly, placed,
                           left_out_two_roles(config, assessment.roster, alone),
                           moved_lines(moved, people.label, lambda i: _why(i.reasons, Counter()), day),
                           followed) + zeroed.text(username, me) + by_erasure.text(username, me)
        digest = Digest(username, users[username], fresh, mine, text, [*queued, *(m for m, _ in moved)], paused,
                        recovered, told, told_places, newly, placed, zeroed.people(username, me),
                        *by_erasure.counts(username, me))
        if log_.on(digest.user_id, day) is not None:  # one sent today, whether or not there is news (123a, 2)
            report.outcomes[username] = "already"
        if digest.empty:
            continue
        report.digests.append(digest)
    due = [d for d in report.digests if d.username not in report.outcomes]
    if due:
        report.held = first_run_hold(config, assessment, allow=allow_mass_nudge) or quiet_hours_hold(config, now)
    if not dry_run and report.held is None and due:
        family = DigestFamily(api, store, programme, day=day, marks=(queue_mark(store, programme), pairing_mark(history)))
        ops = [family.digest_operation(d) for d in due]
        envelope = Envelope(family="messages", programme=programme, course_id=0, operations=list(ops))
        Executor(family, run_id=report.run_id, max_parallel=config.moodle.max_parallel).run(envelope)
        report.outcomes.update(family.states)
        late.save(store, programme, sent := [d.user_id for d in due if family.states.get(d.username) == "sent"])
        owned.save(store, programme, sent)  # the items each owned then (tester round 115a, 5)
        statuses.save(sent)  # the pair statuses each was told from (tester round 122c, 1)
        report.not_attempted = [d.username for d in due if d.username not in family.states]
    log.info(
        "digest.done", run_id=report.run_id,
        as_of=day.isoformat(), coordinators=len(names),
        digests=len(report.digests),
        sent=sum(1 for v in report.outcomes.values() if v == "sent"),
        already=sum(1 for v in report.outcomes.values() if v == "already"),
        held=report.held is not None,
        unknown_coordinators=len(report.unknown_coordinators),
    )
    return report


def _open_items(config: Config, store: Store) -> tuple[list[QueueItem], list[QueueItem]]:
    """The queue's open items, and those acknowledged and awaiting an outcome (``awaiting_outcome``)."""
    from lmsync.service.health import _queue

    queue = _queue(config, store)
    return queue.open_items(), queue.awaiting_outcome()

