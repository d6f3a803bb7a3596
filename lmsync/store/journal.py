"""The write journal: every batch lmsync sends to Moodle, recorded before and after.

A row in state ``intent`` with no result means the process died (or the answer was lost)
while Moodle may or may not have applied the batch: the next run re-observes Moodle rather
than trusting or replaying the journal. Rows hold operation keys and ids, never names.

The journal is also where the sync's apply reports accepted circle changes
(``record_pairings``): they go to the pairing history (``lmsync.store.pairings``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from lmsync.domain.circle_proof import CircleProof
from lmsync.domain.ownership import mentor_group_idnumber
from lmsync.store.db import ProgrammeRepository, from_row, now_iso
from lmsync.store.pairings import PairingHistory
from lmsync.store.schema import created_objects, journal, pairing_history

#: ``created_objects.kind`` of a circle's group: key ``<idnumber>#<Moodle id>`` (tester round 73, 1)
CIRCLE = "circle"
GROUPING = "grouping"  # a grouping a sync adopted: its proof (``grouping_proof``; tester round 117b, 1)

_UNSETTLED = ("intent", "unknown")

# Built once: one intent and one finish per batch sent are the store's hot path.
_INTENT = journal.insert().returning(journal.c.id)
_FINISH = (
    journal.update()
    .where(journal.c.id == bindparam("entry_id"))
    .values(state=bindparam("state"), result=bindparam("result"), finished_at=bindparam("finished_at"))
)


@dataclass(frozen=True)
class JournalEntry:
    id: int
    run_id: str
    function: str
    op_kind: str
    item_count: int
    state: str
    result: Any
    started_at: str
    finished_at: str | None


@dataclass(frozen=True)
class KeyedEntry:
    """A journal entry with its operation keys (privacy export and erasure read these)."""

    id: int
    function: str
    state: str
    keys: list[str]
    started_at: str


class Journal(ProgrammeRepository):
    def intent(self, run_id: str, function: str, op_kind: str, op_keys: list[str]) -> int:
        """Record a batch about to be sent; returns its entry id."""
        return self.store.insert_id(
            _INTENT,
            {
                "run_id": run_id,
                "programme": self.programme,
                "function": function,
                "op_kind": op_kind,
                "op_keys": json.dumps(op_keys),
                "item_count": len(op_keys),
                "state": "intent",
                "started_at": now_iso("milliseconds"),
            },
        )

    def finish(self, entry_id: int, state: str, result: Any = None) -> None:
        self.store.write(
            _FINISH,
            {"entry_id": entry_id, "state": state, "result": json.dumps(result, default=str), "finished_at": now_iso("milliseconds")},
        )

    def record_pairings(self, op_kind: str, ops: Sequence[Any]) -> None:
        """Apply's hook after an accepted batch: circle joins and leaves go to the pairing history.

        ``ops`` are plan operations; only ``add_member`` / ``remove_member`` (``.group``,
        ``.user_id``) and ``delete_group`` (``.group``) batches change pairings.
        """
        history = PairingHistory(self.store, self.programme)
        if op_kind in ("add_member", "remove_member"):
            history.record(op_kind, [(op.group, op.user_id) for op in ops])
        elif op_kind == "delete_group":
            history.circles_closed([op.group for op in ops])

    def unfinished(self) -> list[JournalEntry]:
        """Batches whose outcome is unknown: a crash or a lost answer happened after the intent."""
        return [e for e in self.entries() if e.state in _UNSETTLED]

    def entries(self, run_id: str | None = None) -> list[JournalEntry]:
        query = select(journal).where(journal.c.programme == self.programme)
        if run_id is not None:
            query = query.where(journal.c.run_id == run_id)
        return [
            from_row(JournalEntry, row, result=json.loads(row.result) if row.result else None)
            for row in self.store.rows(query.order_by(journal.c.id))
        ]

    def keys_of(self, entry_id: int) -> list[str]:
        """The operation keys of one entry (``[]`` when there is no such entry)."""
        keys = self.store.scalar(select(journal.c.op_keys).where(journal.c.id == entry_id))
        return list(json.loads(keys)) if keys else []

    def keyed_entries(self) -> list[KeyedEntry]:
        """Every entry of the programme with its operation keys, oldest first."""
        query = (
            select(journal.c.id, journal.c.function, journal.c.state, journal.c.op_keys, journal.c.started_at)
            .where(journal.c.programme == self.programme)
            .order_by(journal.c.id)
        )
        return [
            KeyedEntry(row.id, row.function, row.state, list(json.loads(row.op_keys)), row.started_at)
            for row in self.store.rows(query)
        ]

    def rewrite_keys(self, rewrite: Callable[[str], str]) -> int:
        """Replace every operation key by ``rewrite(key)`` in one transaction; returns entries changed."""
        changed = 0
        with self.store.transaction():
            for entry in self.keyed_entries():
                new = [rewrite(k) for k in entry.keys]
                if new != entry.keys:
                    self.store.write(journal.update().where(journal.c.id == entry.id).values(op_keys=json.dumps(new)))
                    changed += 1
        return changed

    def succeeded(self, op_kind: str) -> list[tuple[list[str], str]]:
        """``(operation keys, finished_at)`` of every batch of ``op_kind`` Moodle accepted, oldest first."""
        query = (
            select(journal.c.op_keys, journal.c.finished_at)
            .where(
                journal.c.programme == self.programme,
                journal.c.op_kind == op_kind,
                journal.c.state == "ok",
                journal.c.finished_at.is_not(None),
            )
            .order_by(journal.c.id)
        )
        return [(list(json.loads(row.op_keys)), str(row.finished_at)) for row in self.store.rows(query)]

    def ever_succeeded(self, functions: Iterable[str]) -> bool:
        """Whether Moodle ever accepted a batch of any of ``functions`` from this store (one row read)."""
        query = (
            select(journal.c.id)
            .where(journal.c.programme == self.programme, journal.c.function.in_(list(functions)), journal.c.state == "ok")
            .limit(1)
        )
        return self.store.first(query) is not None

    def uncertain(self, kinds: Iterable[str]) -> list[tuple[int, list[str], str]]:
        """``(entry id, operation keys, started_at)`` of batches of ``kinds`` whose outcome is unknown
        (a lost answer or a crash after the intent): their writes may still commit (issue 10 point 10)."""
        query = (
            select(journal.c.id, journal.c.op_keys, journal.c.started_at)
            .where(
                journal.c.programme == self.programme,
                journal.c.state.in_(_UNSETTLED),
                journal.c.op_kind.in_(list(kinds)),
            )
            .order_by(journal.c.id)
        )
        return [(int(row.id), list(json.loads(row.op_keys)), str(row.started_at)) for row in self.store.rows(query)]

    def settle(self, entry_ids: Iterable[int], run_id: str, why: str) -> None:
        """Close uncertain batches once re-observation shows them or their settle time passed."""
        for entry_id in entry_ids:
            self.finish(entry_id, "reobserved", {"reobserved_by": run_id, "why": why})

    def settle_unfinished(self, run_id: str, kinds: Iterable[str]) -> int:
        """Mark older unknown outcomes of ``kinds`` as re-observed by ``run_id``.

        Only the job that re-observes those objects may settle them: the sync settles its
        group writes, never the grade pushes or nudges journaled beside them.
        """
        return self.store.write(
            journal.update()
            .where(
                journal.c.programme == self.programme,
                journal.c.state.in_(_UNSETTLED),
                journal.c.op_kind.in_(list(kinds)),
            )
            .values(state="reobserved", result=json.dumps({"reobserved_by": run_id}), finished_at=now_iso("milliseconds"))
        )

    def remember_created(self, kind: str, key: str, moodle_id: int) -> None:
        self.store.insert(
            created_objects,
            {"programme": self.programme, "kind": kind, "key": key, "moodle_id": moodle_id, "created_at": now_iso("milliseconds")},
            update=("moodle_id", "created_at"),
        )

    def created(self, kind: str) -> dict[str, int]:
        query = select(created_objects.c.key, created_objects.c.moodle_id).where(
            created_objects.c.programme == self.programme, created_objects.c.kind == kind
        )
        return {row.key: row.moodle_id for row in self.store.rows(query)}

    def remember_circles(self, groups: Iterable[tuple[str, int]]) -> int:
        """Record ``(idnumber, Moodle id)`` of circle groups lmsync created, found again after a lost
        answer, or adopted: its proof that they are its own (``circle_proof``). Returns rows written."""
        rows = sorted(set(groups))
        with self.store.transaction():
            for idnumber, group_id in rows:
                self.store.insert(created_objects, {"programme": self.programme, "kind": CIRCLE,
                                                    "key": f"{idnumber}#{group_id}", "moodle_id": group_id,
                                                    "created_at": now_iso("milliseconds")}, update=("moodle_id",))
        return len(rows)

    def circle_proof(self) -> CircleProof:
        """What this store holds of the programme's circles (``lmsync.domain.circle_proof``): the ids
        recorded (and, from stores of earlier releases, the ids their creates' answers gave), the
        creates whose answer is lost, and the idnumbers proved before ids were kept (re-observed
        creates, circles lmsync placed mentees in); and the Moodle ids its ``create_grouping`` writes were answered
        with, and those of the groupings a sync adopted (``CircleProof.groupings``, ``groupings_unsettled``; tester
        round 117b, 1). Three reads."""
        recorded: dict[str, set[int]] = {}
        groupings: set[int] = set()  # its grouping's proof: the ids create_grouping was answered with (round 105a, 4)
        query = select(created_objects.c.kind, created_objects.c.key, created_objects.c.moodle_id).where(
            created_objects.c.programme == self.programme, created_objects.c.kind.in_((CIRCLE, GROUPING)))
        for row in self.store.rows(query):
            if row.kind == GROUPING:  # adopted by a sync (grouping_proof; tester round 117b, 1)
                groupings.add(int(row.moodle_id))
                continue
            recorded.setdefault(str(row.key).rpartition("#")[0], set()).add(int(row.moodle_id))
        unsettled: set[str] = set()
        vouched: set[str] = set()
        lost_grouping: set[str] = set()  # states of create_grouping writes with no answer (tester round 117b, 1)
        creates = select(journal.c.op_kind, journal.c.state, journal.c.op_keys, journal.c.result).where(
            journal.c.programme == self.programme, journal.c.op_kind.in_(("create_group", "create_grouping")))
        for row in self.store.rows(creates):
            if row.op_kind == "create_grouping":
                ids = (json.loads(row.result) or {}).get("ids") if row.state == "ok" and row.result else None
                groupings.update(gid for gid in ids or [] if isinstance(gid, int))
                lost_grouping.update([row.state] if row.state in (*_UNSETTLED, "reobserved") else [])
            elif row.state == "ok" and row.result:
                for idnumber, group_id in (json.loads(row.result) or {}).get("idnumbers", {}).items():
                    recorded.setdefault(idnumber, set()).add(int(group_id))
            elif row.state in (*_UNSETTLED, "reobserved"):
                keys = {key.partition(":")[2] for key in json.loads(row.op_keys)}
                (unsettled if row.state in _UNSETTLED else vouched).update(keys)
        h = pairing_history
        placed = select(h.c.mentor_id).where(h.c.programme == self.programme, h.c.source.in_(("apply", "journal")))
        vouched.update(mentor_group_idnumber(self.programme, r.mentor_id) for r in self.store.rows(placed.distinct()))
        return CircleProof({k: frozenset(v) for k, v in recorded.items()}, frozenset(unsettled), frozenset(vouched),
                           frozenset(groupings), bool(lost_grouping & set(_UNSETTLED)) or (
                               "reobserved" in lost_grouping and not groupings))

