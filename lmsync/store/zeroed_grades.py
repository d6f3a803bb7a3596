"""The grades pushes wrote as 0 with no meeting behind them, and each coordinator's last digest sent, as the journal and
the digest log hold them (tester round 117c, 4; read by ``lmsync.service.digest_zeroed``).

A grades request's journal entry lists in its result (key ``unbacked``) the positions, in its request, of the grades
written as 0 because no meeting backs them any more (``lmsync.service.grades_zeroed``); its operation keys name the
people (``grade:<itemnumber>:<user id>``, ``assign_grade:<assignment id>:<user id>``), rewritten to ``...:erased`` by
an erasure. Journal ids grow with each entry, and a digest's row keeps its send's (``digests.journal_id``): an entry of
a larger id than a coordinator's last digest sent was written after it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from lmsync.store.db import Store
from lmsync.store.schema import digests, journal

#: The key of a grades journal entry's result listing the positions of its grades written as 0 (``grades_zeroed``).
RESULT_KEY = "unbacked"
_FUNCTIONS = ("core_grades_update_grades", "mod_assign_save_grades")


def zeroed_writes(store: Store, programme: str) -> list[tuple[int, list[int]]]:
    """(journal entry id, Moodle ids of the people whose grades it wrote as 0 with no meeting behind them, and that
    still read 0: no later grades request Moodle accepted wrote that grade again), oldest first, of every grades
    request of ``programme`` Moodle accepted (``ok``); a person since erased is left out (their key reads ``erased``).
    Tester round 123a, 3: a grade written as 0 at 14:00 and written back (1.0) at 16:00, its meeting imported again,
    was counted as reading 0. One read; raises what the store raises."""
    first = store.scalar(select(func.min(journal.c.id)).where(*_ok(programme), journal.c.result.like(f'%"{RESULT_KEY}"%')))
    if first is None:
        return []
    rows = store.rows(select(journal.c.id, journal.c.op_keys, journal.c.result)
                      .where(*_ok(programme), journal.c.id >= first).order_by(journal.c.id))
    last: dict[str, tuple[int, bool]] = {}  # a grade's op key -> its last write: (entry id, written as 0 unbacked)
    for row in rows:
        keys, result = json.loads(row.op_keys or "[]"), json.loads(row.result or "null")
        found = set(result.get(RESULT_KEY, []) if isinstance(result, dict) else [])
        for n, key in enumerate(keys if isinstance(keys, list) else []):
            if isinstance(key, str):
                last[key] = (int(row.id), n in found)
    out: dict[int, set[int]] = {}
    for key, (entry, zero) in last.items():
        user = key.rsplit(":", 1)[-1]
        if zero and user.isdigit():
            out.setdefault(entry, set()).add(int(user))
    return [(entry, sorted(users)) for entry, users in sorted(out.items())]


def _ok(programme: str) -> tuple[Any, ...]:
    """The conditions of a grades request of ``programme`` Moodle accepted."""
    return journal.c.programme == programme, journal.c.state == "ok", journal.c.function.in_(_FUNCTIONS)


def last_digest_entries(store: Store, programme: str) -> dict[int, int]:
    """Coordinator Moodle id -> the journal id of the latest digest of ``programme`` sent to them (state ``sent``).
    One read; raises what the store raises."""
    rows = store.rows(
        select(digests.c.recipient_id, func.max(digests.c.journal_id).label("last"))
        .where(digests.c.programme == programme, digests.c.state == "sent", digests.c.journal_id.is_not(None))
        .group_by(digests.c.recipient_id)
    )
    return {int(row.recipient_id): int(row.last) for row in rows}
