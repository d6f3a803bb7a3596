"""The coordinator queue: fading pairs a coordinator acts on, with owners, due dates and outcomes.

Rows of ``coordinator_queue`` (migration 004: one open item per pair until acknowledged) and
``queue_tracking`` (revision 0003: the item's owner, due date, follow-ups, latest outcome and
escalation; an item queued before 0003 has none until it is next touched). Issue 13. An item as a
value, and what its outcome means, is ``lmsync.store.queue_item``'s (its names stay importable here).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from lmsync.domain.health import PairHealth
from lmsync.log import get_logger
from lmsync.store.db import ProgrammeRepository, Store, now_iso
from lmsync.store.pairings import PairingHistory, days_paired
from lmsync.store.queue_item import GONE as GONE
from lmsync.store.queue_item import MADE_AGAIN, ack_kept_note, gone_note
from lmsync.store.queue_item import NOT_DUE as NOT_DUE
from lmsync.store.queue_item import OUTCOMES as OUTCOMES
from lmsync.store.queue_item import QUEUED_AGAIN as QUEUED_AGAIN
from lmsync.store.queue_item import RECOVERED as RECOVERED
from lmsync.store.queue_item import WATCH as WATCH
from lmsync.store.queue_item import QueueItem as QueueItem
from lmsync.store.queue_item import due_date as due_date
from lmsync.store.queue_item import item_of as _item
from lmsync.store.queue_paused import back_note, paused_ids, shows_snapshot, statuses_back
from lmsync.store.queue_seen import flagged_again
from lmsync.store.schema import coordinator_queue, queue_tracking
from lmsync.store.snapshots import HealthSnapshots, SnapshotRow, reasons_json

_q, _t = coordinator_queue, queue_tracking

log = get_logger(__name__)


class CoordinatorQueue(ProgrammeRepository):
    """Fading pairs for a person to act on: one open item per pair until it is acknowledged.

    After an acknowledgement the pair is queued again only when it is still (or again)
    fading and either ``requeue_after_days`` have passed since the ack, or it was seen
    recovering in between: an ack means "I am on it", not "never tell me again".
    """

    def __init__(
        self,
        store: Store,
        programme: str,
        *,
        requeue_after_days: int = 28,
        coordinators: Sequence[str] = (),
        assign: str = "round_robin",
        due_days: Sequence[int] = (14, 28),
        due_every_days: int = 30,
        escalate_to: str = "",
        usernames: Mapping[int, str] | None = None,
    ) -> None:
        super().__init__(store, programme)
        self.requeue_after_days = requeue_after_days
        self.coordinators = list(coordinators)
        self.assign = assign
        self.due_days = list(due_days)
        self.due_every_days = due_every_days
        self.escalate_to = escalate_to
        # Moodle id -> username of the pairs' people: a coordinator never owns (or is escalated)
        # an item about a pair they are part of (a mentee's verdict on its mentor stays private)
        self.usernames: dict[int, str] = dict(usernames or {})

    def parties(self, pair: tuple[int, int]) -> set[str]:
        """The usernames of the pair's two people (those known)."""
        return {self.usernames[uid] for uid in pair if uid in self.usernames}

    def _select(self) -> Any:
        """Items with their tracking (an item from before revision 0003 has none)."""
        return select(
            _q, _t.c.owner, _t.c.due_on, _t.c.followups, _t.c.outcome, _t.c.escalated_to, _t.c.escalated_on,
            _t.c.outcome_on,
        ).select_from(_q.outerjoin(_t, _t.c.item_id == _q.c.id))

    def _with_due(self, item: QueueItem) -> QueueItem:
        if item.due_on is not None:
            return item
        return replace(item, due_on=due_date(item.opened_on, 0, self.due_days, self.due_every_days))

    def owner_for(self, mentor_id: int, mentee_id: int | None = None, *, warn: bool = True) -> str | None:
        """The coordinator a new item of ``mentor_id`` goes to (None: no coordinators configured).

        ``by_mentor``: whoever already owns an open item of that mentor; otherwise (and for
        ``round_robin``) the coordinator with the fewest open items, the first listed on a tie.
        A coordinator who is the pair's mentor or mentee is never chosen: another one, else
        ``escalate_to`` (when not a party either), else None (left unowned, with a warning unless ``warn`` is
        false: ``reassign`` of an item already unowned, warned of when it was queued; tester round 88a, 10).
        """
        if not self.coordinators:
            return None
        parties = self.parties((mentor_id, mentee_id) if mentee_id is not None else (mentor_id, mentor_id))
        eligible = [c for c in self.coordinators if c not in parties]
        if not eligible:
            if self.escalate_to and self.escalate_to not in parties:
                return self.escalate_to
            if warn:
                log.warning("queue.unowned", mentor=mentor_id, mentee=mentee_id, reason="every coordinator is a party")
            return None
        open_rows = self.store.rows(
            select(_q.c.mentor_id, _t.c.owner)
            .select_from(_q.join(_t, _t.c.item_id == _q.c.id))
            .where(_q.c.programme == self.programme, _q.c.acked_on.is_(None))
        )
        if self.assign == "by_mentor":
            for row in open_rows:
                if row.mentor_id == mentor_id and row.owner in eligible:
                    return str(row.owner)
        load = Counter(str(r.owner) for r in open_rows)
        return min(eligible, key=lambda c: (load[c], self.coordinators.index(c)))

    def _pair(self, pair: tuple[int, int]) -> tuple[Any, ...]:
        return (_q.c.programme == self.programme, _q.c.mentor_id == pair[0], _q.c.mentee_id == pair[1])

    def _open(self, pair: tuple[int, int]) -> Any:
        """The pair's open item with its tracking: without it, a paused item back took its first due date, not the
        one a ``met`` had moved on, and was overdue and escalated the day its pair came back (tester round 86b, 2)."""
        return self.store.first(self._select().where(*self._pair(pair), _q.c.acked_on.is_(None)))

    def offer(self, day: date, health: PairHealth) -> str:
        """Queue a fading pair: ``added``, ``updated`` (already open), ``snoozed`` (acked recently) or
        ``ended`` (a coordinator closed its latest item with ``--outcome closed``: the pair has ended,
        so it is never queued again, as its people are never nudged again; tester round 3, 1), unless the pair was
        made again after the closure's day (``_remade``): a new pair, queued at once (no ``snoozed`` for an old ack).
        An item lmsync paused while the pair was away (``pause_gone``) is open: back and fading, the
        pair's item is ``updated`` with its owner and escalation as they were, its due date moved on by the days
        it was paused (tester round 65, 4)."""
        pair = (health.mentor_id, health.mentee_id)
        with self.store.transaction():
            latest = self.store.first(self._select().where(*self._pair(pair)).order_by(_q.c.id.desc()))
            closed = latest is not None and latest.outcome == "closed"
            if closed and not self._remade(latest):
                return "ended"
            row = self._open(pair)
            if row is not None and row.status == GONE and (paused := _pause_days(row.last_seen_on, day)):
                # back from a pause: its due date moves on by the days paused, nothing being due meanwhile (tester
                # round 65, 4: it came back 46 days overdue and escalated the same day)
                item = self._with_due(_item(row))
                if item.due_on is not None:
                    self._track(item, due_on=(item.due_on + timedelta(days=paused)).isoformat())
            elif row is not None and HealthSnapshots(self.store, self.programme).quiet_after(pair, date.fromisoformat(row.last_seen_on)):
                # fading again after it recovered (ok, or watch): nothing was due meanwhile, so it is due as a new
                # item would be, not as long overdue (tester round 84, 5: "50 day(s) overdue" on the day it relapsed)
                item = self._with_due(_item(row))
                fresh = due_date(day, 0, self.due_days, self.due_every_days)
                if item.due_on is not None and item.due_on < fresh:
                    self._track(item, due_on=fresh.isoformat())
            if row is not None:
                self.store.write(
                    _q.update()
                    .where(_q.c.id == row.id)
                    # taken up again after a pause: its pause note says since when (tester round 106a, 5)
                    .values(status=health.status, reasons=reasons_json(health),
                            note=back_note(row.note, day) if row.status == GONE else row.note,
                            last_seen_on=max(day.isoformat(), row.last_seen_on))
                )
                return "updated"
            # made again after its closure (tester round 97a, 2), or its old item closed as of an earlier pairing
            # (``made_again``; tester round 116, 10): a new pair, which the old pairing's acks do not snooze
            new = closed or (latest is not None and latest.outcome == MADE_AGAIN)
            acked = None if new else self.store.scalar(select(func.max(_q.c.acked_on)).where(*self._pair(pair)))
            if acked is not None:
                acked_on = date.fromisoformat(acked)
                recent = days_paired(self.store, self.programme, pair, acked_on, day) < self.requeue_after_days
                if recent and not HealthSnapshots(self.store, self.programme).recovered_after(pair, acked_on):
                    flagged_again(self.store, latest, day)  # "last flagged" that day (tester round 112a, 6)
                    return "snoozed"
            waiting = _item(latest) if latest is not None and latest.acked_on is not None and latest.outcome is None else None
            item_id = self._insert(pair, health.status, reasons_json(health), day, day, after=waiting)
            if waiting is not None:  # its coordinator's "I am on it" goes on in the new item (tester round 84, 4)
                self.store.write(_q.update().where(_q.c.id == waiting.id).values(
                    note=_joined(waiting.note, f"queued again by lmsync on {day.isoformat()} as item {item_id}")))
                self._track(waiting, outcome=QUEUED_AGAIN, outcome_on=day.isoformat())
            return "added"

    def _remade(self, row: Any) -> bool:
        """Whether the pair of a closed item (its row) was made again after the closure: a new pair (a finding
        after tester round 95a; ``PairingHistory.remade_since``, ``established.ended_by_coordinator``)."""
        day = _item(row).outcome_on or _item(row).acked_on
        return day is not None and PairingHistory(self.store, self.programme).remade_since(
            (row.mentor_id, row.mentee_id), day, row.acked_at)

    def closures(self) -> dict[tuple[int, int], tuple[date, str | None]]:
        """Pair -> (the closure's day, the instant its item was acknowledged) of each pair whose latest item a
        coordinator closed with ``--outcome closed``."""
        latest: dict[tuple[int, int], Any] = {}
        for row in self.store.rows(self._select().where(_q.c.programme == self.programme).order_by(_q.c.id)):
            latest[(row.mentor_id, row.mentee_id)] = row
        return {pair: (date.fromisoformat(row.outcome_on or row.acked_on), row.acked_at)
                for pair, row in latest.items() if row.outcome == "closed" and (row.outcome_on or row.acked_on)}

    def open_by_hand(self, day: date, row: SnapshotRow) -> None:
        """Open an item for a pair the rules did not queue (at risk, on watch), from its latest
        snapshot ``row``: a coordinator acts on it by hand (``queue done ... --outcome rematched|closed``;
        tester round 21, 10: an at-risk pair could not be re-matched from the queue)."""
        reasons = json.dumps([[code, text] for code, text in row.reasons])
        with self.store.transaction():
            self._insert((row.mentor_id, row.mentee_id), row.status, reasons, day, row.day)

    def _insert(self, pair: tuple[int, int], status: str, reasons: str, day: date, seen: date, *,
                after: QueueItem | None = None) -> int:
        """A new open item of ``pair``; its id. ``after``: the pair's acknowledged item still awaiting an outcome,
        whose note it starts with and whose owner keeps it while still a coordinator and not a party."""
        note = _joined(after.note, f"item {after.id} acknowledged on {after.acked_on}") if after else None
        kept = after is not None and after.owner in self.coordinators and after.owner not in self.parties(pair)
        item_id = self.store.insert_id(_q.insert().values(
            programme=self.programme, mentor_id=pair[0], mentee_id=pair[1], status=status, reasons=reasons,
            opened_on=day.isoformat(), last_seen_on=seen.isoformat(), note=note,
        ))
        self.store.write(_t.insert().values(
            item_id=item_id, programme=self.programme,
            owner=after.owner if kept and after is not None else self.owner_for(pair[0], pair[1]),
            due_on=due_date(day, 0, self.due_days, self.due_every_days).isoformat(), followups=0,
        ))
        return item_id

    def open_items(self) -> list[QueueItem]:
        """Open items, oldest first, each with its pair's LATEST status and reasons (tester finding 6).

        An item keeps the status and reasons health last queued it with; a later snapshot that
        says otherwise wins, so a pair ``ok`` again shows as ``recovered`` (never due nor escalated)
        and a fading pair now at risk shows ``at_risk`` with today's reasons.
        """
        query = (
            self._select()
            .where(_q.c.programme == self.programme, _q.c.acked_on.is_(None))
            .order_by(_q.c.opened_on, _q.c.id)
        )
        return self._latest_states([self._with_due(_item(r)) for r in self.store.rows(query)])

    def awaiting_outcome(self) -> list[QueueItem]:
        """Items acknowledged (``queue ack``) and still without an outcome, by ack date: each its
        pair's latest item, which ``queue done`` still takes (tester finding 7), with its pair's
        latest status and reasons as ``open_items`` shows them. A pair queued again since has an
        open item instead."""
        latest = (
            select(func.max(_q.c.id)).where(_q.c.programme == self.programme).group_by(_q.c.mentor_id, _q.c.mentee_id)
        )
        query = (
            self._select()
            .where(_q.c.programme == self.programme, _q.c.acked_on.is_not(None), _t.c.outcome.is_(None),
                   _q.c.id.in_(latest))
            .order_by(_q.c.acked_on, _q.c.id)
        )
        return self._latest_states([_item(r) for r in self.store.rows(query)])

    def _latest_states(self, items: list[QueueItem]) -> list[QueueItem]:
        """``items`` with their pair's status and reasons of a health snapshot taken since last queued."""
        latest = HealthSnapshots(self.store, self.programme).latest(i.pair for i in items)
        out = []
        for item in items:
            row = latest.get(item.pair)
            if row is not None and shows_snapshot(item.status, item.last_seen_on, row.day):  # not paused (104b, 2)
                status = RECOVERED if row.status == "ok" else row.status
                item = replace(item, status=status, reasons=row.reasons)
            out.append(item)
        return out

    def items(self, pair: tuple[int, int] | None = None) -> list[QueueItem]:
        """Every item, open and closed (of one pair), oldest first."""
        query = self._select().where(_q.c.programme == self.programme)
        if pair is not None:
            query = query.where(_q.c.mentor_id == pair[0], _q.c.mentee_id == pair[1])
        return [self._with_due(_item(r)) for r in self.store.rows(query.order_by(_q.c.opened_on, _q.c.id))]

    def _track(self, item: QueueItem, **values: Any) -> None:
        """Update (or, for an item from before revision 0003, create) an item's tracking row."""
        if self.store.first(select(_t.c.item_id).where(_t.c.item_id == item.id)) is None:
            base = {
                "item_id": item.id,
                "programme": self.programme,
                "owner": item.owner,
                "due_on": (item.due_on or item.opened_on).isoformat(),
                "followups": item.followups,
            }
            self.store.write(_t.insert().values(**(base | values)))
        else:
            self.store.write(_t.update().where(_t.c.item_id == item.id).values(**values))

    def done(
        self, pair: tuple[int, int], outcome: str, *, on: date, note: str | None = None
    ) -> QueueItem | None:
        """Record a coordinator's outcome for the pair's open item; ``None`` when it has none.

        ``met`` keeps the item open, due on its next follow-up date (``due_date``), once a day (a
        second ``met`` on the same day changes nothing); ``rematched``,
        ``closed`` and ``no_action`` close it. Raises ValueError for another outcome.

        With no open item, the pair's latest item closed without an outcome that closes it (by
        ``queue ack``, or recovered after a ``met``) still takes one (tester finding 7: an ack
        means "I am on it"); ``met`` there reopens it until its next due date, its ack's day kept in its note
        (``ack_kept_note``; tester round 113, 6)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
        with self.store.transaction():
            row = self.store.first(self._select().where(*self._pair(pair), _q.c.acked_on.is_(None)))
            if row is None:
                row = self.store.first(self._select().where(*self._pair(pair)).order_by(_q.c.id.desc()))
                if row is None or row.outcome not in (None, "met"):
                    return None
            item = self._with_due(_item(row))
            values: dict[str, Any] = {"outcome": outcome, "outcome_on": on.isoformat()}
            last_on = self.store.scalar(select(_t.c.outcome_on).where(_t.c.item_id == item.id))
            if outcome == "met" and item.outcome == "met" and last_on == on.isoformat():
                # already met today: the due date moves once a day at most; an ack in between is
                # undone, as a met after an ack on another day undoes it (tester round 3, 8); its note
                # is kept as any other's (tester round 35, 1: a second met's note was dropped)
                reopen = {"acked_on": None, "acked_at": None} if item.acked_on is not None else {}
                if reopen or note:
                    self.store.write(_q.update().where(_q.c.id == item.id).values(**reopen, note=_joined(item.note, note)))
                    item = self._with_due(_item(self.store.first(self._select().where(_q.c.id == item.id))))
                return item
            if outcome == "met":
                followups = item.followups + 1
                due = due_date(item.opened_on, followups, self.due_days, self.due_every_days)
                while due <= on:  # a late follow-up: the next date still ahead
                    followups += 1
                    due = due_date(item.opened_on, followups, self.due_days, self.due_every_days)
                values |= {"followups": followups, "due_on": due.isoformat(), "escalated_to": None,
                           "escalated_on": None}
                reopen = {"acked_on": None, "acked_at": None} if item.acked_on is not None else {}
                if note is not None or reopen:
                    self.store.write(_q.update().where(_q.c.id == item.id).values(**reopen, note=_joined(ack_kept_note(item, on), note)))
            elif item.acked_on is not None:  # acknowledged: keep its ack, record the outcome
                if note is not None:
                    self.store.write(_q.update().where(_q.c.id == item.id).values(note=_joined(item.note, note)))
            else:
                self.store.write(
                    _q.update().where(_q.c.id == item.id).values(acked_on=on.isoformat(), acked_at=now_iso(),
                                                                 note=_joined(item.note, note))
                )
            self._track(item, **values)
            after = self.store.first(self._select().where(_q.c.id == item.id))
        return self._with_due(_item(after))

    def close_after_rematch(self, item: QueueItem, *, on: date, note: str | None = None) -> QueueItem:
        """``closed`` over the pair's item a coordinator closed ``rematched``: recorded on that item, its note
        keeping the earlier outcome and its day (tester round 60, 5: a second item was opened to hold it,
        while the other order records on one). The not-a-good-fit mark is not the queue's to change."""
        earlier = f"rematched on {(item.outcome_on or item.acked_on or on).isoformat()}"
        with self.store.transaction():
            self.store.write(_q.update().where(_q.c.id == item.id).values(note=_joined(_joined(item.note, earlier), note)))
            self._track(item, outcome="closed", outcome_on=on.isoformat())
            row = self.store.first(self._select().where(_q.c.id == item.id))
        return self._with_due(_item(row))

    def add_note(self, item: QueueItem, note: str | None) -> QueueItem:
        """``item`` as it is now, ``note`` added after its earlier notes (``_joined``; none: unchanged):
        a coordinator's word on an outcome already recorded is kept, never dropped."""
        with self.store.transaction():
            if note:
                self.store.write(_q.update().where(_q.c.id == item.id).values(note=_joined(item.note, note)))
            row = self.store.first(self._select().where(_q.c.id == item.id))
        return self._with_due(_item(row))

    def close_recovered(self, day: date, still_fading: set[tuple[int, int]]) -> list[QueueItem]:
        """Close items a coordinator ``met`` whose pair is no longer fading at ``day`` (not one paused: its pair
        was not judged, ``pause_gone``)."""
        closed = []
        for item in self.open_items():
            if item.outcome == "met" and item.pair not in still_fading and item.status != GONE:
                with self.store.transaction():
                    self.store.write(
                        _q.update().where(_q.c.id == item.id).values(acked_on=day.isoformat(), acked_at=now_iso())
                    )
                closed.append(item)
        return closed

    def pause_gone(
        self, day: date, current: set[tuple[int, int]], why: Callable[[tuple[int, int]], str]
    ) -> list[QueueItem]:
        """Pause each open item whose pair is not in ``current`` (the pairs in the programme at ``day``, every
        circle judged) and is not paused yet: status ``GONE`` and lmsync's note saying why (``why(pair)``).
        A paused item is never due nor escalated (``QueueItem.overdue_days``) and stays open: a coordinator records any outcome on it as on any item,
        and the pair, back in a circle and judged, shows its status again with the item's due date, owner and
        escalation as they were (tester R44b-3; round 46, 3 and 5: closing it had wiped the escalation clock
        and refused ``met``); a paused item whose pair is in ``current`` again takes its latest snapshot's status.
        An item acknowledged and awaiting an outcome is paused and taken up again alike, its ack kept: it stayed
        ``fading`` (tester round 111a, 1). Returns the items paused, as they are now."""
        paused, items = [], [*self.open_items(), *self.awaiting_outcome()]  # acknowledged too (tester round 111a, 1)
        stored_gone = paused_ids(self.store, self.programme)
        back = statuses_back(self.store, self.programme, {i.pair for i in items if i.id in stored_gone} & current)
        for item in items:
            if item.pair in current:
                if item.pair in back:  # back: its status as judged today, the same day it was paused too (104b, 2)
                    with self.store.transaction():
                        self.store.write(_q.update().where(_q.c.id == item.id).values(
                            status=back[item.pair], note=back_note(item.note, day)))  # says so (106a, 5)
                continue
            if item.id in stored_gone:  # paused already: never a second note (tester round 104b, 2)
                continue
            note = gone_note(day, why(item.pair))
            with self.store.transaction():
                # shown GONE from now on, even beside a snapshot of today (queue_paused.shows_snapshot)
                self.store.write(_q.update().where(_q.c.id == item.id).values(
                    status=GONE, note=_joined(item.note, note), last_seen_on=max(day.isoformat(), item.last_seen_on.isoformat())))
                paused.append(self._with_due(_item(self.store.first(self._select().where(_q.c.id == item.id)))))
        if paused:
            log.info("queue.paused_gone", items=[i.id for i in paused])  # ids only: never a name
        return paused

    def reassign(self) -> list[QueueItem]:
        """Give an owner to each open item (or one awaiting its outcome) without one (queued before ``[health] coordinators``
        was set), owned by one of its pair's people (queued before that was forbidden), or owned
        by someone who is no longer a coordinator nor ``escalate_to`` (the list changed, or a
        name Moodle does not know was left out: tester finding 3); returns the items whose owner
        changed, as they are now."""
        if not self.coordinators:
            return []
        changed = []
        current = {*self.coordinators, self.escalate_to} - {"", None}
        # an item acknowledged and awaiting its outcome needs an owner as much as an open one: after a
        # coordinator's erasure it stayed "no owner" (tester round 11, 6)
        for item in [*self.open_items(), *self.awaiting_outcome()]:
            if item.owner is not None and item.owner not in self.parties(item.pair) and item.owner in current:
                continue
            owner = self.owner_for(*item.pair, warn=item.owner is not None)  # unowned: said when queued
            if owner != item.owner:
                with self.store.transaction():
                    self._track(item, owner=owner)
                changed.append(item.id)
        return [i for i in [*self.open_items(), *self.awaiting_outcome()] if i.id in changed]

    def escalate(self, day: date, to: str, *, after_days: int) -> list[QueueItem]:
        """Give every open item more than ``after_days`` past its due date to ``to`` as well.

        An item escalates once to ``to`` (until a ``met`` sets a new due date); one escalated to
        someone ``[health] escalate_to`` no longer names (a typo since fixed: tester round 23, 3) escalates
        again. The escalated items are returned as they are now.
        """
        out = []
        for item in self.open_items():
            if (
                item.escalated_to != to
                and item.overdue_days(day) > after_days
                and item.owner != to
                and to not in self.parties(item.pair)
            ):
                with self.store.transaction():
                    self._track(item, escalated_to=to, escalated_on=day.isoformat())
                out.append(item)
        return [i for i in self.open_items() if i.id in {e.id for e in out}]

    def unescalated(
        self, day: date, to: str, *, after_days: int, no_user: bool = False, erased: bool = False
    ) -> list[tuple[QueueItem, str]]:
        """The open items more than ``after_days`` past due that ``escalate`` leaves with their owner
        alone, each with why: ``to`` owns it, or ``to`` is one of its pair (a coordinator who also
        mentors is never given their own pair), or (``no_user``) Moodle has no user ``to`` (or,
        ``erased``, ``to`` was erased: tester round 77b, 4), so nothing was escalated (round 23, 3:
        items went to a misspelt name for good). Tester round 19, 3: these went unreported."""
        out = []
        for item in self.open_items():
            if item.escalated_to == to or item.overdue_days(day) <= after_days:
                continue
            if no_user:
                out.append((item, f"{to} was erased ([health] escalate_to): remove them there" if erased
                            else f"Moodle has no user {to} ([health] escalate_to)"))
            elif to in self.parties(item.pair):
                out.append((item, f"{to} is one of the pair"))
            elif item.owner == to:
                out.append((item, f"{to} already owns it"))
        return out

    def ack(self, pair: tuple[int, int], *, on: date, note: str | None = None) -> QueueItem | None:
        """Close the pair's open item; ``None`` when it has none."""
        with self.store.transaction():
            row = self._open(pair)
            if row is None:
                return None
            self.store.write(_q.update().where(_q.c.id == row.id).values(
                acked_on=on.isoformat(), acked_at=now_iso(), note=_joined(row.note, note)))
            closed = self.store.first(select(_q).where(_q.c.id == row.id))
        return _item(closed)


def _joined(earlier: str | None, new: str | None) -> str | None:
    """A coordinator's notes on one item, oldest first: a new note is added, never put in place of
    the earlier one (tester round 7, 2: ``queue done --note`` replaced the ``queue ack --note``)."""
    if not new:
        return earlier
    if not earlier or earlier == new:
        return new
    return f"{earlier} / {new}"


def _pause_days(paused_on: str, day: date) -> int:
    """Days an item paused on ``paused_on`` (its ``last_seen_on``) stayed paused until ``day``, 0 for none."""
    return max(0, (day - date.fromisoformat(paused_on)).days)
