"""When each mentee joined and left a mentor's circle: the pairing history (issue 12).

Written by the sync's apply through ``Journal.record_pairings`` when Moodle accepts an
``add_member`` / ``remove_member`` / ``delete_group`` batch; read by health for the date a
pair began (it replaced parsing the journal's operation keys). Rows hold ids and instants.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import bindparam, func, select

from lmsync.domain.pair_dates import days_apart
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.store.db import ProgrammeRepository, Store, now_iso
from lmsync.store.schema import pairing_history

_h = pairing_history

# Built once (apply records every accepted member batch): close an open row, open a new one.
_CLOSE = (
    _h.update()
    .where(
        _h.c.programme == bindparam("p"),
        _h.c.mentor_id == bindparam("mentor"),
        _h.c.mentee_id == bindparam("mentee"),
        _h.c.left_at.is_(None),
    )
    .values(left_at=bindparam("at"))
)
_OPEN = _h.insert()
#: sources of the rows of pairs this store made itself (its apply; the journal of an older store)
_PLACED = ("apply", "journal")


@dataclass(frozen=True)
class Pairing:
    mentor_id: int
    mentee_id: int
    joined_at: str
    left_at: str | None


class PairingHistory(ProgrammeRepository):
    def record(self, op_kind: str, members: Iterable[tuple[str, int]], *, at: str | None = None) -> int:
        """Record accepted ``(circle idnumber, mentee id)`` joins (``add_member``) or leaves.

        A join for a pair already open closes that row first (the mentee had left outside
        lmsync); circles not of this programme, and the mentor's own membership of their
        circle, are ignored. Two statements per batch (each executemany). Returns rows opened.
        """
        stamp = at or now_iso("milliseconds")
        pairs = sorted(
            {
                (mentor, mentee)
                for group, mentee in members
                if (mentor := mentor_of_idnumber(self.programme, group)) and mentor != mentee
            }
        )
        if not pairs:
            return 0
        with self.store.transaction():
            self.store.write(_CLOSE, [{"p": self.programme, "mentor": m, "mentee": e, "at": stamp} for m, e in pairs])
            written = len(pairs) if op_kind == "add_member" else 0
            if written:
                self.store.write(
                    _OPEN,
                    [
                        {
                            "programme": self.programme,
                            "mentor_id": mentor,
                            "mentee_id": mentee,
                            "joined_at": stamp,
                            "left_at": None,
                            "source": "apply",
                        }
                        for mentor, mentee in pairs
                    ],
                )
        return written

    def circles_closed(self, groups: Iterable[str], *, at: str | None = None) -> int:
        """Deleted circles: every open pairing of their mentors ends now."""
        mentors = [m for m in (mentor_of_idnumber(self.programme, g) for g in groups) if m is not None]
        if not mentors:
            return 0
        return self.store.write(
            _h.update()
            .where(_h.c.programme == self.programme, _h.c.mentor_id.in_(mentors), _h.c.left_at.is_(None))
            .values(left_at=at or now_iso("milliseconds"))
        )

    def follow_moodle(
        self, shown: Collection[tuple[int, int]], *, at: str | None = None, erased: Mapping[int, str | None] | None = None,
        judged: Mapping[tuple[int, int], str] | None = None,
    ) -> tuple[int, int]:
        """Bring the history in line with the (mentor, mentee) pairs Moodle ``shown`` now in this
        programme's circles (a sync's observation): an open row whose pair Moodle no longer shows is
        closed (the mentee was unenrolled, moved or taken out by hand, or the circle deleted); a pair
        Moodle shows gets a new open row, source ``observed``, when its rows are all closed (put back by
        hand) or when it has none but the history knows its mentee (moved by hand to another circle:
        without the row the new pair's grades counted meetings expected from the programme's start, its
        meetings were refused as "never a pair", and after a break the mentee went back to the mentor
        they had been moved away from; tester round 52, 1), or when it has none and its mentee is new to
        the history but its circle is one this store placed mentees in (a row of its mentor's of source
        ``apply`` or ``journal``): a mentee put there by hand before the store's first health judgement was
        dated from the programme's start, judged fading on its first day, and held every nudge as if another
        store had made this store's own circle (tester round 117b, 2). Other pairs of mentees the history never
        named are left to ``PairsByDate.appeared``: a store that never paired a circle must still see those
        circles as another store's (``nudge_holds.first_run_hold``). ``at``: the instant written
        (default now): the change happened between the previous observation and this one. Without it
        a past day's report counted a mentee who had left as still paired, for good (tester round 51c,
        5). ``erased``: Moodle id of each person erased (``store.erasures``) -> the first instant a pair of
        theirs may be dated (ISO, UTC: the start of the programme's day after the erasure), ``None`` while
        that day has not come. An erasure deletes every row naming the person, so the history no longer
        knows a pair of theirs that Moodle still shows (erased ``--while-enrolled``), and it was never
        recorded again: no "paired since", a ``paired_since`` that moved (tester round 79, 1). Such a pair
        gets a new open row, source ``observed``, from the day after the erasure on, dated no earlier than
        that instant; on the erasure's day no pair holding them is opened (nothing dated on or before it
        is stored again, as ``erasures.withheld`` rules for meetings and answers). ``judged``: pairs this
        store's health judged on its last snapshot day -> the instant it first judged them (ISO, UTC); one
        the history never knew that Moodle no longer shows gets a closed row, source ``judged``, from that
        instant to ``at``: a mentee of a circle this store took over, back after a break, went to another
        mentor, and ``pair show`` had no "paired" line (tester round 87a, 2). It is counted as closed.
        Returns (rows closed, rows opened); nothing is written when both are 0.
        """
        rows = self.store.rows(
            select(_h.c.mentor_id, _h.c.mentee_id, _h.c.left_at, _h.c.source).where(_h.c.programme == self.programme)
        )
        open_pairs: set[tuple[int, int]] = set()
        known: set[tuple[int, int]] = set()
        placed: set[int] = set()  # mentors whose circle this store placed mentees in (tester round 117b, 2)
        for row in rows:
            known.add((row.mentor_id, row.mentee_id))
            if row.source in _PLACED:
                placed.add(row.mentor_id)
            if row.left_at is None:
                open_pairs.add((row.mentor_id, row.mentee_id))
        mentees = {mentee for _, mentee in known}
        gone = sorted(open_pairs - set(shown))
        stamp = at or now_iso("milliseconds")
        marks = erased or {}
        back: list[tuple[int, int, str]] = []
        for pair in sorted(set(shown) - open_pairs):
            gates = [marks[person] for person in pair if person in marks]
            after = [gate for gate in gates if gate is not None]
            if len(after) < len(gates):  # someone of the pair was erased today: nothing of it is stored yet
                continue
            if pair in known or pair[1] in mentees or pair[0] in placed or after:
                back.append((*pair, _later(stamp, *after)))
        ended = sorted((pair, since) for pair, since in (judged or {}).items()
                       if pair not in known and pair not in shown and since < stamp)
        if not gone and not back and not ended:
            return 0, 0
        with self.store.transaction():
            if gone:
                self.store.write(_CLOSE, [{"p": self.programme, "mentor": m, "mentee": e, "at": stamp} for m, e in gone])
            if ended:
                self.store.write(_OPEN, [
                    {"programme": self.programme, "mentor_id": m, "mentee_id": e, "joined_at": since, "left_at": stamp,
                     "source": "judged"}
                    for (m, e), since in ended
                ])
            if back:
                self.store.write(_OPEN, [
                    {"programme": self.programme, "mentor_id": m, "mentee_id": e, "joined_at": joined, "left_at": None,
                     "source": "observed"}
                    for m, e, joined in back
                ])
        return len(gone) + len(ended), len(back)

    def pairing_days(self, tz: tzinfo = UTC) -> dict[tuple[int, int], date]:
        """When lmsync last put each mentee into a mentor's circle: the date, in ``tz``, of the accepted
        batch's instant. Pass the programme's zone (``programme_settings.programme_zone``) for a pair's
        start: at 22:35 UTC Auckland is already on the next day, and the pair began on that day."""
        query = (
            select(_h.c.mentor_id, _h.c.mentee_id, func.max(_h.c.joined_at).label("joined"))
            .where(_h.c.programme == self.programme)
            .group_by(_h.c.mentor_id, _h.c.mentee_id)
        )
        return {
            (row.mentor_id, row.mentee_id): local_day(row.joined, tz) for row in self.store.rows(query)
        }

    def history(self) -> list[Pairing]:
        """Every pairing of the programme, oldest first."""
        query = select(_h).where(_h.c.programme == self.programme).order_by(_h.c.id)
        return [Pairing(r.mentor_id, r.mentee_id, r.joined_at, r.left_at) for r in self.store.rows(query)]

    def remade_since(self, pair: tuple[int, int], day: date, recorded: str | None = None) -> bool:
        """Whether a pairing of ``pair`` (mentor, mentee) began after ``day`` (its instant's UTC date) and after the
        instant ``recorded`` (ISO, to the second, as ``acked_at`` is kept; a closure dated back still ends the pairing
        open when it was recorded): the pair was made again after a coordinator closed it
        (``established.ended_by_coordinator``). ``remade_on(...) is not None``."""
        return self.remade_on(pair, day, recorded) is not None

    def remade_on(self, pair: tuple[int, int], day: date, recorded: str | None = None) -> date | None:
        """The UTC date of the first pairing of ``pair`` that began after ``day`` and after the instant ``recorded``
        (``remade_since``'s rule, the one made-again rule), or None: the day a coordinator's closure stopped ending
        the pair (``ended_as_of.ended_spans``; tester round 99a, 2)."""
        query = select(_h.c.joined_at).where(
            _h.c.programme == self.programme, _h.c.mentor_id == pair[0], _h.c.mentee_id == pair[1])
        after = None if recorded is None else _aware(datetime.fromisoformat(recorded)).replace(microsecond=0)
        days = [local_day(joined, UTC) for (joined,) in self.store.rows(query)
                if local_day(joined, UTC) > day
                and (after is None or _aware(datetime.fromisoformat(joined)).replace(microsecond=0) > after)]
        return min(days, default=None)

    def open_pairs(self) -> list[tuple[int, int]]:
        """(mentor, mentee) of every pairing still open (lmsync placed the mentee and has not taken them out)."""
        query = select(_h.c.mentor_id, _h.c.mentee_id).where(_h.c.programme == self.programme, _h.c.left_at.is_(None))
        return [(r.mentor_id, r.mentee_id) for r in self.store.rows(query)]


def days_paired(store: Store, programme: str, pair: tuple[int, int], since: date, day: date) -> int:
    """The days from ``since`` up to ``day`` (exclusive; negative when ``day`` is earlier) on which ``pair`` (mentor,
    mentee Moodle ids) existed as lmsync's pairing history has it, in UTC days as ``remade_on`` (days before its first
    pairing count, and every day when the history never names it: ``pair_dates.days_apart``). The requeue clock of an
    acknowledged queue item counts these (``CoordinatorQueue.offer``, ``[health] requeue_after_days``): it counted the
    days a pair was apart (its mentee away, or with another mentor), and a pair back after weeks apart was queued again
    on the day it was back (tester round 113, 2). One read of the history; raises only the store's errors."""
    rows = store.rows(select(_h.c.joined_at, _h.c.left_at).where(
        _h.c.programme == programme, _h.c.mentor_id == pair[0], _h.c.mentee_id == pair[1]))
    spans = sorted(((local_day(r.joined_at, UTC), None if r.left_at is None else local_day(r.left_at, UTC)) for r in rows),
                   key=lambda span: (span[0], span[1] or date.max))
    return (day - since).days - days_apart(spans, since, day)


def _later(*instants: str) -> str:
    """The latest of stored ISO instants (a naive one is UTC), as written."""
    return max(instants, key=lambda text: _aware(datetime.fromisoformat(text)))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day(instant: str, tz: tzinfo) -> date:
    """The date in ``tz`` of a stored ISO instant (a naive one is UTC, as every store instant is)."""
    moment = datetime.fromisoformat(instant)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz).date()
