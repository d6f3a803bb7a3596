"""Queue items of pairs on hold: a mentee's place, or a mentor's circle, held while they are away (tester round 105a, 1).

A mentee away (enrolment or account suspended) keeps their place in their circle for ``[sync]
away_mentor_hold_days`` (``held_mentees``), as a mentor away keeps their circle (``away_mentors``); health leaves
the pair out meanwhile and pauses its open item (``health_gone.pause_gone``). ``lmsync queue list`` showed that item
``gone``, "the pair is no longer in the programme", and ``lmsync queue done --outcome closed`` on it was accepted:
the mentee came back on time to the same circle and their pair stayed ended by a coordinator, never judged nor
nudged again. While the hold runs the item is shown on hold (``PairHold.said``, as ``lmsync pair show`` words it),
is never due nor escalated (it stays paused), and ``queue done`` refuses any outcome on it, writing nothing; once
they are back (the next sync forgets the absence) the pair is judged again and its item taken up as any paused one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date

from lmsync.config import Config
from lmsync.service.away_mentors import last_held_day
from lmsync.service.circles_left_alone import is_left_alone
from lmsync.store.absences import MemberAbsences, MentorAbsences
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory, local_day
from lmsync.store.queue import CoordinatorQueue, QueueItem
from lmsync.store.queue_item import HOLD_PREFIX


@dataclass(frozen=True)
class PairHold:
    """Why a pair is on hold now: who is away (``side``: ``"mentee"`` or ``"mentor"``; ``who``: their Moodle id),
    the day a sync first found them away (``since``) and the last day held (``until``, inclusive)."""

    side: str
    who: int
    since: date
    until: date

    @property
    def said(self) -> str:
        """In words, beginning ``on hold: ``: ``on hold: the mentee has been away since 2027-02-11 (enrolment or
        account suspended); their place in the circle is held until 2027-02-24 ([sync] away_mentor_hold_days)``."""
        return self.named(None)

    def named(self, who: str | None) -> str:
        """``said``, the one away named ``who`` (a username) beside their side when given."""
        side = f"the {self.side}" + (f" ({who})" if who else "")
        if self.side == "mentee":
            return (f"{HOLD_PREFIX}{side} has been away since {self.since.isoformat()} (enrolment or account "
                    f"suspended); their place in the circle is held until {self.until.isoformat()} "
                    "([sync] away_mentor_hold_days)")
        return (f"{HOLD_PREFIX}{side} has been away since {self.since.isoformat()}; their circle is held as it is "
                f"until {self.until.isoformat()} ([sync] away_mentor_hold_days)")


#: ``queue done``'s fix for a pair on hold while its mentor is away (the mentee's: ``health_queue.MENTEE_AWAY_FIX``)
HELD_FIX = ("once they are back, `lmsync run` judges the pair and this acts on it; when the hold ends with the mentor "
            "still away, the next `lmsync run` matches the mentee with another mentor; to act before, take the mentee "
            "out of the circle in Moodle, or set [sync] away_mentor_hold_days lower")


def held_item(
    config: Config, queue: CoordinatorQueue, pair: tuple[int, int], day: date
) -> tuple[QueueItem, PairHold] | None:
    """The item ``queue done`` would record an outcome on for ``pair`` (either order: the open one, else the latest
    one acknowledged with no outcome, or ``met``, as ``CoordinatorQueue.done`` takes it) and the pair's hold, when the
    pair is on hold at ``day`` (``pair_holds``); None otherwise. Such an outcome is refused, nothing written: a
    ``closed`` ended a pair whose mentee came back on time to the same circle (tester round 105a, 1)."""
    for key in (pair, (pair[1], pair[0])):
        items = queue.items(key)
        item = next((i for i in items if i.acked_on is None), None)
        if item is None and items and (latest := max(items, key=lambda i: i.id)).outcome in (None, "met"):
            item = latest
        if item is not None:
            hold = pair_holds(config, queue.store, [key], day).get(key)
            return (item, hold) if hold is not None else None
    return None


def on_hold_said(hold: PairHold, usernames: Mapping[int, str] | None = None) -> str:
    """Why ``queue done`` records nothing on the item of a pair on hold (``held_item``), naming the one away by
    ``usernames`` (Moodle id -> username; else by Moodle id)."""
    who = (usernames or {}).get(hold.who) or f"Moodle id {hold.who}"
    return (f"{hold.named(who)}; health does not judge a pair while its {hold.side} is away, so its item is paused "
            "and takes no outcome until they are back")


def pair_holds(
    config: Config, store: Store, pairs: Iterable[tuple[int, int]], day: date
) -> dict[tuple[int, int], PairHold]:
    """(mentor, mentee) -> its hold at ``day``, for each of ``pairs`` on hold: its mentee (first) or its mentor
    recorded away by the sync (``store.absences``), ``day`` within the hold (``[sync] away_mentor_hold_days`` from
    the first day found away, as ``away_mentors.last_held_day``), and the pair still in the circle when the absence
    began (a pairing open, or left on or after that day; a pairing the mentee left before is not held). Empty when
    ``away_mentor_hold_days`` is 0 (nothing is held). Read-only; raises nothing of its own."""
    days = config.sync.away_mentor_hold_days
    wanted = set(pairs)
    if not days or not wanted:
        return {}
    programme = config.programme.name
    away = {"mentee": MemberAbsences(store, programme).since(), "mentor": MentorAbsences(store, programme).since()}
    if not away["mentee"] and not away["mentor"]:
        return {}
    history = [p for p in PairingHistory(store, programme).history() if (p.mentor_id, p.mentee_id) in wanted]
    out: dict[tuple[int, int], PairHold] = {}
    for pair in sorted(wanted):
        for side, who in (("mentee", pair[1]), ("mentor", pair[0])):
            since = away[side].get(who)
            if since is None:
                continue
            until = last_held_day(since, days)
            if until >= day and any(
                    (p.mentor_id, p.mentee_id) == pair and (p.left_at is None or local_day(p.left_at, UTC) >= since)
                    for p in history):
                out[pair] = PairHold(side, who, since, until)
                break
    return out


def with_holds(config: Config, store: Store, items: list[QueueItem], day: date) -> list[QueueItem]:
    """``items`` with ``on_hold`` (``PairHold.said``) set on each whose pair is on hold at ``day`` (``pair_holds``),
    as ``lmsync queue list`` shows them: an acknowledged one too, as ``queue done`` refuses it as on hold (tester
    round 107a, 3: it showed fading, awaiting outcome, and its outcome was refused with no hint why); and on each
    paused because its circle is left alone (``circles_left_alone.is_left_alone``: its pause note's why)."""
    holds = pair_holds(config, store, (i.pair for i in items), day)
    # paused while its circle is left alone, as the health run that paused it found it (tester round 108a, 4)
    return [replace(i, on_hold=holds[i.pair].said) if i.pair in holds else
            replace(i, on_hold=i.gone_why) if is_left_alone(i) else i for i in items]
