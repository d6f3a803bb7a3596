"""One coordinator-queue item as a value: its row read back, its due dates, and what its outcome means.

``lmsync.store.queue`` (the repository) builds these from ``coordinator_queue`` and
``queue_tracking`` rows; everything that reads the queue gets them from there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lmsync.store.db import from_row
from lmsync.store.snapshots import reasons_of

#: What ``lmsync queue done --outcome`` records (issue 13). ``met`` keeps the item open for its
#: next follow-up; the others close it.
OUTCOMES = ("met", "rematched", "closed", "no_action")

#: lmsync's outcome on an acknowledged item still without one when its pair is queued again (after
#: ``requeue_after_days``, or fading again after it recovered): the new item carries its note and owner, and the
#: acknowledged one, listed nowhere else, no longer waits for an outcome (tester round 84, 4). Not one a
#: coordinator records (``OUTCOMES``).
QUEUED_AGAIN = "queued_again"

#: lmsync's outcome on an open item, or one acknowledged and still without an outcome, whose pair was made again as a
#: new pair (moved back to its mentor after a pairing with another mentor: ``service.queue_made_again``; tester round
#: 115a, 3): the new pair's first-meeting grace is no recovery of the old one. Not one a coordinator records.
MADE_AGAIN = "made_again"

#: The status an open item shows when its pair's latest health snapshot is ``ok`` again (tester
#: finding 6): the coordinator closes it (``queue done``); it is never due nor escalated.
RECOVERED = "recovered"

#: The status of an open item lmsync paused because its pair is no longer in the programme (an account or
#: enrolment suspended, an enrolment ended, the mentee in another circle: ``CoordinatorQueue.pause_gone``;
#: tester R44b-3). Like ``RECOVERED`` it is never due nor escalated and stays listed until a coordinator
#: records an outcome; back in a circle and judged, the pair shows its status again, and the item its due
#: date, owner and escalation as they were (tester round 46, 3: a new item had wiped them).
GONE = "gone"

#: How lmsync's own note on such an item begins (``gone_note``), followed by the day and why.
GONE_NOTE = "paused by lmsync on "

#: How the why of an item paused while its pair is on hold begins (a mentee's place, or a mentor's circle, held while
#: they are away: ``service.queue_holds``; tester round 105a, 1): its note says the pair is on hold, not gone.
HOLD_PREFIX = "on hold: "

#: The status an open item shows when its pair's latest snapshot has only early, minor signals (an unanswered
#: survey, say): the pair no longer fades, so the item is not due nor escalated either; it stays listed until a
#: coordinator records an outcome (tester round 83, 6: "42 day(s) overdue" for a pair meeting again).
WATCH = "watch"

#: The statuses of an open item that is never due nor escalated.
NOT_DUE = (RECOVERED, GONE, WATCH)


@dataclass(frozen=True)
class QueueItem:
    id: int
    mentor_id: int
    mentee_id: int
    status: str
    reasons: tuple[tuple[str, str], ...]
    opened_on: date
    last_seen_on: date
    acked_on: date | None = None
    note: str | None = None
    owner: str | None = None  # a coordinator's username
    due_on: date | None = None
    followups: int = 0
    outcome: str | None = None
    escalated_to: str | None = None
    escalated_on: date | None = None
    outcome_on: date | None = None  # the day the coordinator recorded ``outcome`` (an ack may come earlier)
    # set by ``queue_holds.with_holds`` (never stored): the pair is on hold now, in words (tester round 105a, 1)
    on_hold: str | None = None
    # set by ``queue_flagged.with_flagged_days`` (never stored): the last day health judged the pair fading, which
    # ``lmsync queue list`` shows as "last flagged" (tester round 115a, 2: a pause's day was shown)
    flagged_on: date | None = None
    # set by ``queue_judged.with_judged`` (never stored) on an item lmsync paused: the pair's status (``ok``,
    # ``watch``, ``at_risk``, ``fading``) as health last judged it on or before the pause, and that day, whose reasons
    # the item shows (tester round 117c, 3: it kept the reasons it was first queued with)
    judged_status: str | None = None
    judged_on: date | None = None

    @property
    def pair(self) -> tuple[int, int]:
        return (self.mentor_id, self.mentee_id)

    @property
    def paused(self) -> bool:
        """Paused by lmsync (``GONE``: its pair is no longer in the programme, or on hold) and open, or acknowledged
        and still without an outcome: an acknowledged item whose pair ended stayed ``fading`` as a live pair, left
        out of the paused ones (tester round 111a, 1)."""
        return self.status == GONE and (self.acked_on is None or self.outcome is None)

    @property
    def gone_why(self) -> str | None:
        """Why lmsync paused the item, as its note says (``the mentee's Moodle account is suspended``);
        None for an item not paused."""
        note = self.note or ""
        at = note.rfind(GONE_NOTE)
        if not self.paused or at < 0:
            return None
        said = note[at:]
        if (end := said.find(" / ")) >= 0:  # a coordinator's note after it (``queue done --note``)
            said = said[:end]
        if (held := said.find(_HELD_WHY)) >= 0:  # paused while on hold (tester round 105a, 1)
            return said[held + len(_HELD_WHY) - len(HOLD_PREFIX):]
        start = said.find(_GONE_WHY)
        return said[start + len(_GONE_WHY):].removesuffix(")") if start >= 0 else None

    @property
    def acked_before_met(self) -> date | None:
        """The day a coordinator acknowledged this open item before a ``met`` reopened it (``ack_kept_note``), None for
        an item acknowledged now, one without a ``met``, or one whose note says no such day: ``queue done --outcome
        met`` clears the ack and ``lmsync queue list`` dropped its day (tester round 113, 6)."""
        if self.acked_on is not None or self.outcome != "met":
            return None
        found = _ACK_KEPT.findall(self.note or "")
        return date.fromisoformat(found[-1]) if found else None

    def overdue_days(self, day: date) -> int:
        """Days past the due date at ``day`` (0 when not yet due, closed, recovered, on watch or paused)."""
        if self.due_on is None or self.acked_on is not None or self.status in NOT_DUE:
            return 0
        return max(0, (day - self.due_on).days)


_GONE_WHY = ": the pair is no longer in the programme ("
_HELD_WHY = f": the pair is {HOLD_PREFIX}"


def gone_note(day: date, why: str) -> str:
    """lmsync's note on an item it pauses because its pair is no longer in the programme:
    ``paused by lmsync on 2026-12-03: the pair is no longer in the programme (WHY)``; or, for a ``why`` that begins
    ``HOLD_PREFIX`` (``PairHold.said``), because its pair is on hold: ``paused by lmsync on 2027-02-11: the pair is
    on hold: the mentee has been away since ...`` (tester round 105a, 1: the pair of a mentee whose place was held
    read as gone)."""
    if why.startswith(HOLD_PREFIX):
        return f"{GONE_NOTE}{day.isoformat()}: the pair is {why}"
    return f"{GONE_NOTE}{day.isoformat()}{_GONE_WHY}{why})"


#: lmsync's note on an acknowledged item a ``met`` reopens (``ack_kept_note``): ``acknowledged on DAY, met on DAY``,
#: at the start of the note or after `` / ``.
_ACK_KEPT = re.compile(r"(?:^| / )acknowledged on (\d{4}-\d{2}-\d{2}), met on \d{4}-\d{2}-\d{2}")


def ack_kept_note(item: QueueItem, on: date) -> str | None:
    """``item``'s note as a ``met`` recorded at ``on`` leaves it: an item acknowledged (``queue ack``) and awaiting its
    outcome, which the ``met`` reopens (its ack cleared), keeps its ack's day after its earlier notes, ``acknowledged on
    2027-02-11, met on 2027-02-12`` (``QueueItem.acked_before_met`` reads it back; tester round 113, 6); any other
    item's note is returned as it is."""
    if item.acked_on is None or item.outcome is not None:
        return item.note
    kept = f"acknowledged on {item.acked_on.isoformat()}, met on {on.isoformat()}"
    return f"{item.note} / {kept}" if item.note else kept


def paused_day(note: str | None) -> date | None:
    """The day of lmsync's latest pause in an item's ``note`` (``gone_note``), None when it holds none."""
    text = note or ""
    at = text.rfind(GONE_NOTE)
    if at < 0:
        return None
    try:
        return date.fromisoformat(text[at + len(GONE_NOTE):at + len(GONE_NOTE) + 10])
    except ValueError:
        return None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def item_of(r: Any) -> QueueItem:
    """An item from a queue row, with its tracking columns when selected (``CoordinatorQueue._select``;
    NULL for an item from before revision 0003)."""
    mapping = r._mapping
    return from_row(
        QueueItem,
        r,
        reasons=reasons_of(r.reasons),
        opened_on=date.fromisoformat(r.opened_on),
        last_seen_on=date.fromisoformat(r.last_seen_on),
        acked_on=_day(r.acked_on),
        due_on=_day(mapping.get("due_on")),
        followups=mapping.get("followups") or 0,
        escalated_on=_day(mapping.get("escalated_on")),
        outcome_on=_day(mapping.get("outcome_on")),
    )


def due_date(opened: date, followups: int, due_days: Sequence[int], every_days: int) -> date:
    """An item's due date after ``followups`` ``met`` outcomes: ``due_days`` after it opened
    (default 14 and 28: twice in the first month), then every ``every_days`` (monthly)."""
    days = list(due_days) or [every_days]
    if followups < len(days):
        return opened + timedelta(days=days[followups])
    return opened + timedelta(days=days[-1] + every_days * (followups - len(days) + 1))
