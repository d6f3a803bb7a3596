"""The coordinator queue's commands (``lmsync queue list|ack|done``; store only, no Moodle needed), and the
names of a pair that is not a good fit, kept here for their callers (``lmsync.service.not_a_good_fit``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.domain.health import parse_pair_id
from lmsync.errors import InputError, LmsyncError
from lmsync.log import get_logger
from lmsync.moodle.api import MoodleApi
from lmsync.service.away_mentors import hold_windows
from lmsync.service.circles_left_alone import LEFT_ALONE_FIX, left_alone_item
from lmsync.service.clock_check import check_write_clock
from lmsync.service.coordinator_accounts import active_coordinators, suspended_usernames
from lmsync.service.established import NotAPair, known_pair, made_again_since_closed
from lmsync.service.health_inputs import today
from lmsync.service.not_a_good_fit import check_not_a_good_fit_item as check_not_a_good_fit_item
from lmsync.service.not_a_good_fit import mark_not_a_good_fit as mark_not_a_good_fit
from lmsync.service.not_a_good_fit import not_a_good_fit_answers as not_a_good_fit_answers
from lmsync.service.not_a_good_fit import with_forbidden_pairs as with_forbidden_pairs
from lmsync.service.queue_flagged import with_flagged_days
from lmsync.service.queue_holds import HELD_FIX, held_item, on_hold_said, with_holds
from lmsync.service.queue_judged import with_judged
from lmsync.service.runtime import store_session
from lmsync.service.stores import erased_ids, open_store, refuse_if_absent
from lmsync.store.absences import MemberAbsences
from lmsync.store.db import Store
from lmsync.store.forbids import PairForbids
from lmsync.store.queue import OUTCOMES, CoordinatorQueue, QueueItem
from lmsync.store.snapshots import HealthSnapshots, SnapshotRow

log = get_logger(__name__)


# --- the coordinator queue (store only: no Moodle needed) ------------------------------------------


def known_user(api: MoodleApi, username: str) -> bool | None:
    """Whether Moodle has a user ``username``; None when Moodle could not be asked."""
    from lmsync.moodle.errors import MoodleError

    try:
        return any(u.username == username for u in api.get_users_by_field("username", [username]))
    except MoodleError as exc:
        log.warning("health.user_unchecked", error=type(exc).__name__)
        return None


class QueueStaff(NamedTuple):
    """Who may be given queue items: the ``[health] coordinators`` and ``escalate_to`` Moodle has."""

    coordinators: list[str]  # those of [health] coordinators that are Moodle accounts, in their order
    escalate_to: str  # [health] escalate_to, or "" when Moodle has no such user (or none is set)
    erased: tuple[str, ...] = ()  # configured names of people erased (``person erase``): given nothing (round 77b, 4)


def queue_staff(api: MoodleApi, config: Config, erased: Collection[int] = ()) -> QueueStaff | None:
    """``[health] coordinators`` and ``escalate_to`` as queue items may go to them: only Moodle
    accounts (tester finding 3: a misspelt coordinator was given a third of the items, which nobody
    saw; an unknown ``escalate_to`` was made owner of a coordinator's own pairs while ``lmsync
    health`` said Moodle had no such user), and none ``erased`` (Moodle ids: ``store.erasures``; tester
    round 77b, 4: an erased coordinator still listed was given items again, stored under their name). One
    read (core_user_get_users_by_field), none when no coordinators are listed (nobody owns an item then;
    ``escalate_to`` is returned unchecked). None when Moodle could not be asked (every name is used, as
    before); the digest and ``lmsync doctor`` name the unknown ones. A coordinator whose account is suspended is left
    out while another is active (``coordinator_accounts``; tester round 113, 3)."""
    from lmsync.moodle.errors import MoodleError

    h = config.health
    if not h.coordinators:
        return QueueStaff([], h.escalate_to)
    names = list(dict.fromkeys([*h.coordinators, *([h.escalate_to] if h.escalate_to else [])]))
    try:
        users = [u for u in api.get_users_by_field("username", names) if u.username]
    except MoodleError as exc:
        log.warning("health.coordinators_unchecked", error=type(exc).__name__)
        return None
    found = {u.username: u.id for u in users}
    erased_ids = set(erased)
    gone = [name for name in names if name in found and found[name] in erased_ids]
    known = [name for name in h.coordinators if name in found and name not in gone]
    if len(known) < len(h.coordinators):
        log.warning("health.coordinators_unknown", unknown=len(h.coordinators) - len(known), known=len(known))
    # none suspended while another is active (tester round 113, 3): their items go to the active ones
    if (active := active_coordinators(known, suspended_usernames(users))) != known:
        log.warning("health.coordinators_suspended", suspended=len(known) - len(active), active=len(active))
        known = active
    escalate_to = h.escalate_to if h.escalate_to in found and h.escalate_to not in gone else ""
    if h.escalate_to and not escalate_to:
        log.warning("health.escalate_to_unknown")
    return QueueStaff(known, escalate_to, tuple(gone))


def known_coordinators(api: MoodleApi, config: Config) -> list[str] | None:
    """``queue_staff``'s coordinators: those of ``[health] coordinators`` Moodle has, in their order;
    None when Moodle could not be asked."""
    staff = queue_staff(api, config)
    return None if staff is None else staff.coordinators


def queue_staff_of(config: Config) -> QueueStaff | None:
    """``queue_staff`` read from the configured Moodle (opened here, only when coordinators are
    listed); None when it cannot be read (every name is used, as ``lmsync health`` does then)."""
    from lmsync.moodle.errors import MoodleError
    from lmsync.service.moodle import open_moodle

    if not config.health.coordinators:
        return QueueStaff([], config.health.escalate_to)
    erased = erased_ids(config)  # an erased coordinator is given nothing (tester round 77b, 4); no store: none
    try:
        with open_moodle(config) as conn:
            return queue_staff(conn.api, config, erased)
    except (LmsyncError, MoodleError, OSError) as exc:
        log.warning("health.coordinators_unchecked", error=type(exc).__name__)
        return None


def _queue(
    config: Config, store: Store, usernames: Mapping[int, str] | None = None, staff: QueueStaff | None = None
) -> CoordinatorQueue:
    """The programme's queue; ``staff``: the coordinators and ``escalate_to`` that may own items
    (default: all configured; the health step and ``queue done`` pass only those Moodle has,
    ``queue_staff``)."""
    h = config.health
    return CoordinatorQueue(
        store,
        config.programme.name,
        requeue_after_days=h.requeue_after_days,
        coordinators=h.coordinators if staff is None else staff.coordinators,
        assign=h.queue_assign,
        due_days=h.queue_due_days,
        due_every_days=h.queue_due_every_days,
        escalate_to=h.escalate_to if staff is None else staff.escalate_to,
        usernames=usernames,
    )


def queue_list(config: Config, *, acknowledged: bool = False) -> list[QueueItem]:
    """Open queue items, read from the store opened read-only; with ``acknowledged``, then the
    items acknowledged and still without an outcome (``acked_on`` set: ``lmsync queue list``). An open item of a
    pair on hold has ``on_hold`` set (``queue_holds.with_holds``; tester round 105a, 1); a paused one its pair's last
    judgement before the pause (``queue_judged.with_judged``; tester round 117c, 3).

    Raises StoreAbsent (exit 3) when the store file does not exist: an empty queue read from no store
    reassured a coordinator looking at the wrong one (tester round 77, 6)."""
    refuse_if_absent(config, "queue list", holds="nothing to show")
    store = open_store(config, read_only=True)
    try:
        queue = _queue(config, store)
        # an item of a pair on hold shows so, not as gone (tester round 105a, 1)
        listed = queue.open_items() + (queue.awaiting_outcome() if acknowledged else [])  # acknowledged too (107a, 3)
        # "last flagged": a day health judged the pair fading, never a pause's (tester round 115a, 2); a paused one
        # with its pair's last judgement before the pause, not the reasons it was queued with (tester round 117c, 3)
        listed = with_holds(config, store, listed, today(config))
        return with_judged(store, config.programme.name, with_flagged_days(store, config.programme.name, listed))
    finally:
        store.close()


def queue_ack(
    config: Config, pair: str, *, note: str | None = None, on: date | None = None, wait: bool = False,
    label: str | None = None,
) -> QueueItem:
    """Close the open queue item of ``pair`` (``MENTOR_ID-MENTEE_ID``), under the programme lock
    (``wait`` for it; LockedError otherwise, tester finding 9). ``label`` names the pair in errors. Dated ``on``
    (default: today; then ``ClockWentBack``, exit 2, nothing written, under a clock behind the store's records:
    ``check_write_clock``, tester round 107a, 2)."""
    try:
        key = parse_pair_id(pair)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    refuse_if_absent(config, "queue ack")
    with store_session(config, wait=wait) as store:
        queue = _queue(config, store if on is not None else check_write_clock(store, config))  # round 107a, 2
        if not queue.items(key) and queue.items((key[1], key[0])):
            key = (key[1], key[0])  # the mentee named first, its item acknowledged already (tester round 3, 15)
        met = next((i for i in queue.items(key) if i.acked_on is None and i.outcome == "met"), None)
        item = None if met is not None else queue.ack(key, on=on or today(config), note=note)
        acked = [i for i in queue.items(key) if i.acked_on is not None] if item is None else []
        if acked and made_again_since_closed(store, config.programme.name, key):
            acked = []  # the old pairing's items: the pair made again is a new one, with none yet (tester round 98a, 3)
        unknown = item is None and known_pair(store, config.programme.name, *key) is None
    if unknown:  # never a pair: said as `queue done` says it (tester round 56, 9)
        raise NotAPair(*key)
    if met is not None:  # an ack after a met read as the pair recovered and closed the item (tester round 59, 2)
        raise InputError(f"{label or 'pair ' + pair}: met recorded on {(met.outcome_on or met.opened_on).isoformat()}; "
                         f"the item stays open until its next due date ({met.due_on.isoformat() if met.due_on else '?'}) "
                         "and closes by itself once the pair is no longer fading",
                         hint="record what happens next with `lmsync queue done`",
                         summary=f"pair {pair}: met recorded already; nothing to acknowledge")
    if item is None:
        last = acked[-1] if acked else None
        if last is not None and last.outcome is not None:  # closed, not acknowledged (tester round 56, 3)
            raise InputError(f"{label or 'pair ' + pair}: the item was closed on "
                             f"{(last.outcome_on or last.acked_on or last.opened_on).isoformat()} (outcome {last.outcome})",
                             hint="nothing to acknowledge: a new item opens if `lmsync health` flags the pair again",
                             summary=f"pair {pair}: the item was closed already")
        if acked:  # a second ack (tester finding 12): say so, not "no open item"
            raise InputError(f"{label or 'pair ' + pair}: the item was acknowledged on {acked[-1].acked_on}",
                             hint="record what was done with `lmsync queue done`",
                             summary=f"pair {pair}: the item was acknowledged already")  # JSON logs: ids (round 22, 5)
        raise InputError(
            f"{label or 'pair ' + pair}: no open item in the coordinator queue", hint="see `lmsync queue list`",
            summary=f"pair {pair}: no open item in the coordinator queue",
        )
    log.info("queue.ack", item=item.id)
    return item


#: Outcomes a coordinator may record for a current pair the rules never queued (at risk, on watch).
BY_HAND = ("rematched", "closed")


def _judged_today(store: Store, programme: str, pair: tuple[int, int], day: date) -> SnapshotRow | None:
    """The pair's row (either order) in the latest health snapshot on or before ``day``: a current
    pair as the last ``lmsync health`` saw it; ``None`` for a pair it did not judge."""
    snapshots = HealthSnapshots(store, programme)
    latest = snapshots.day_before(day + timedelta(days=1))
    if latest is None:
        return None
    for key in (pair, (pair[1], pair[0])):
        rows = snapshots.rows(day=latest, pair=key)
        if rows:
            return rows[0]
    return None


class Recorded(NamedTuple):
    """What ``record_outcome`` recorded: the pair's item as it is now, and the pair's ``earlier``
    outcome ``rematched`` or ``closed`` (its item) when this one came after it with no item open.

    ``earlier`` is ``item`` itself when nothing new was opened: the same outcome given again
    (recorded once; a note is added to it), or ``rematched`` after ``closed`` (the pair stays ended
    and is marked not a good fit too). Otherwise ``item`` is a new item beside it (``closed`` after
    ``rematched``: the not-a-good-fit mark stays)."""

    item: QueueItem
    earlier: QueueItem | None = None


def _standing(queue: CoordinatorQueue, pair: tuple[int, int]) -> QueueItem | None:
    """The pair's latest item (either order) when a coordinator closed it ``rematched`` or ``closed``; not a closure
    of a pairing that ended, the pair made again since (``made_again_since_closed``; tester round 98a, 3: the new
    pair could not be closed, "closed was already recorded" on the old one, and was then queued and nudged)."""
    for key in (pair, (pair[1], pair[0])):
        items = queue.items(key)
        if items:
            latest = max(items, key=lambda i: i.id)
            if latest.outcome == "closed" and made_again_since_closed(queue.store, queue.programme, key):
                return None
            return latest if latest.acked_on is not None and latest.outcome in BY_HAND else None
    return None


def queue_done(config: Config, pair: tuple[int, int], outcome: str, **options: Any) -> QueueItem:
    """``record_outcome``'s item (its keyword ``options`` as it takes them): the pair's item as the outcome left it."""
    return record_outcome(config, pair, outcome, **options).item


HELD_SAID = ("its circle is held as it is while the mentor is away (since {since}), so health does not judge it and "
             "it has no open item")


def mentee_away_said(config: Config, who: str, since: date) -> str:
    """Why a pair whose mentee is away has no item to act on (tester round 104a, 7: "run lmsync health first",
    which changed nothing): their place held (``held_mentees``), health leaves the pair out meanwhile."""
    last = since + timedelta(days=config.sync.away_mentor_hold_days - 1)  # as ``away_mentors.last_held_day``
    held = (f"their place in the circle held until {last.isoformat()} ([sync] away_mentor_hold_days)"
            if last >= today(config) else f"their place was held until {last.isoformat()}: the next sync removes them")
    return (f"the mentee ({who}) is away (enrolment or account suspended since {since.isoformat()}), "
            f"{held}; health does not judge a pair while its mentee is away, so it has no open item")


#: ``queue done``'s fix for a pair whose mentee is away (tester round 104a, 7): refused rather than marked, as a
#: pair whose mentor is away is (``HELD_SAID``): nothing was judged to act on, and a forbid ends the pair now
MENTEE_AWAY_FIX = ("once they are back, `lmsync health` (or `lmsync run`) judges the pair and this acts on it; to end "
                   "the pair now, add [mentee, mentor] to [matching] forbids: the next sync takes the mentee out of the "
                   "circle, their place no longer held")


HOLD_ENDED_SAID = ("the mentor has been away since {since} and their circle's hold ended on {last}, so the pair has "
                   "ended: the first `lmsync run` after it matches the mentee with another mentor who has room")


class HeldCircle(InputError):
    """``queue done`` on a pair whose circle is held while its mentor is away (``away_mentors``), or whose
    hold ended with the mentor still away (the pair has ended)."""


def record_outcome(
    config: Config,
    pair: tuple[int, int],
    outcome: str,
    *,
    note: str | None = None,
    on: date | None = None,
    wait: bool = False,
    usernames: Mapping[int, str] | None = None,
    staff: QueueStaff | None = None,
) -> Recorded:
    """Record a coordinator's outcome for the pair's open item (``lmsync queue done``).

    ``met`` keeps it open until its next due date; ``rematched`` also marks the pair not a
    good fit, so the next sync (``lmsync run``) never makes it again and matches the mentee with
    another mentor who has room, if one has; ``closed`` and
    ``no_action`` close it. Raises InputError for an unknown outcome or a pair with no open item,
    ``NotAPair`` (an InputError) for two people the store knows no pair of; ``HeldCircle`` (an InputError), nothing
    written, for any outcome on the item of a pair on hold (``queue_holds.held_item``; tester round 105a, 1) or paused
    while its circle is left alone (``circles_left_alone.left_alone_item``; tester round 108a, 4);
    ``ClockWentBack`` (exit 2, nothing written) without ``on`` under a clock behind the store's records
    (``check_write_clock``; tester round 107a, 2).
    ``usernames`` (Moodle id -> username) of the pair's people and ``staff`` (``queue_staff``: the
    coordinators and ``escalate_to`` Moodle has; default: every configured name): an item opened
    here for a pair the rules did not queue goes to a coordinator who is not one of them and whom
    Moodle has, else to nobody, as the health step gives items (tester round 30, 3).

    With no item open, ``rematched`` or ``closed`` on a pair whose latest item a coordinator closed
    ``rematched`` or ``closed`` says so (``Recorded.earlier``): the same outcome again is recorded
    once; ``rematched`` after ``closed`` marks the pair not a good fit and leaves it ended (no new
    item: a pair a coordinator ended is never nudged again); ``closed`` after ``rematched`` ends
    the pair, its not-a-good-fit mark kept.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"unknown outcome {outcome!r}", hint=f"one of {', '.join(OUTCOMES)}")
    day = on or today(config)
    refuse_if_absent(config, "queue done")
    earlier: QueueItem | None = None
    with store_session(config, wait=wait) as store:  # under the programme lock (tester finding 9)
        queue = _queue(config, store if on is not None else check_write_clock(store, config), usernames, staff)
        held = held_item(config, queue, pair, day)  # nothing recorded while on hold (tester round 105a, 1)
        if held is None and (alone := left_alone_item(queue, (pair, pair[::-1]))) is not None:  # nor left alone
            raise HeldCircle(f"pair {alone.mentor_id}-{alone.mentee_id}: the pair is {alone.gone_why}; health does "
                             "not judge the pair meanwhile, so its item is paused and takes no outcome",
                             hint=LEFT_ALONE_FIX)  # nothing written (tester round 108a, 4)
        item = None if held is not None else queue.done(pair, outcome, on=day, note=note)
        if item is None and (item := queue.done((pair[1], pair[0]), outcome, on=day, note=note)) is not None:
            pair = (pair[1], pair[0])  # mentee named first (tester finding 12)
        if item is None and outcome in BY_HAND and (earlier := _standing(queue, pair)) is not None:
            pair = earlier.pair
            if outcome == earlier.outcome or earlier.outcome == "closed":  # once; an ended pair stays ended
                item = queue.add_note(earlier, note)
            else:  # closed after rematched: on the same item (tester round 60, 5)
                item = queue.close_after_rematch(earlier, on=day, note=note)
        if item is None and outcome in BY_HAND and (row := _judged_today(store, config.programme.name, pair, day)):
            queue.open_by_hand(day, row)  # an at-risk pair the rules did not queue (tester round 21, 10)
            pair = (row.mentor_id, row.mentee_id)
            item = queue.done(pair, outcome, on=day, note=note)
        if item is not None and outcome == "rematched":
            PairForbids(store, config.programme.name).mark(pair, source="queue", on=day)
        if item is not None and item.acked_on is None:  # open: its pair's latest status, as queue list (117c, 5)
            item = next((i for i in queue.open_items() if i.id == item.id), item)
        unknown = item is None and held is None and known_pair(store, config.programme.name, *pair) is None
        windows = hold_windows(config, store) if item is None and not unknown else {}
        away = MemberAbsences(store, config.programme.name).since() if item is None and not unknown else {}
    if held is not None:
        raise HeldCircle(f"pair {held[0].pair[0]}-{held[0].pair[1]}: {on_hold_said(held[1], usernames)}",
                         hint=MENTEE_AWAY_FIX if held[1].side == "mentee" else HELD_FIX)
    if unknown:  # never a pair: the fix below (judge first) cannot help (tester round 50, 9)
        raise NotAPair(*pair)
    window = next((windows[m] for m in pair if m in windows), None)
    if item is None and window is not None and window[1] < day and outcome in BY_HAND:
        # the hold is over, the mentor still away: the pair has ended, not "held" (stop 39's reading)
        raise HeldCircle(
            f"pair {pair[0]}-{pair[1]}: {HOLD_ENDED_SAID.format(since=window[0], last=window[1])}",
            hint="see `lmsync pair show` for the mentee's pair now; when the mentor is back they take new mentees",
        )
    if item is None and window is not None and outcome in BY_HAND:  # health judges no held circle (tester round 66, 10)
        raise HeldCircle(
            f"pair {pair[0]}-{pair[1]}: {HELD_SAID.format(since=window[0])}",
            hint="when the hold ends the next `lmsync run` matches the mentee with another mentor, unless the mentor "
                 "is back; to act before, take the mentee out of the circle in Moodle, or set [sync] "
                 "away_mentor_hold_days lower",
        )
    if item is None and (gone := next(((m, away[m]) for m in pair if m in away), None)) is not None:
        who = (usernames or {}).get(gone[0]) or f"Moodle id {gone[0]}"
        raise HeldCircle(f"pair {pair[0]}-{pair[1]}: {mentee_away_said(config, who, gone[1])}", hint=MENTEE_AWAY_FIX)
    if item is None:
        # with --outcome rematched already given, "also acts on a pair ... judged" read as the wrong fix: the
        # pair was not judged today (tester round 42, 6)
        unjudged = outcome in BY_HAND
        raise InputError(
            f"pair {pair[0]}-{pair[1]} has no open item in the coordinator queue"
            + (f", and the latest health judgement (on or before {day}) does not hold the pair" if unjudged else ""),
            hint="run `lmsync health` (or `lmsync run`) first: it judges today's pairs, then this acts on the pair"
                 if unjudged else f"see `lmsync queue list`; --outcome {' or '.join(BY_HAND)} also acts on a pair not "
                 "queued that today's `lmsync health` judged",
        )
    log.info("queue.done", item=item.id, outcome=outcome, earlier=earlier.outcome if earlier else None)
    return Recorded(item, earlier)
