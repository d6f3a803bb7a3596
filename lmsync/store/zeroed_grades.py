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

from sqlalchemy import func, select

from lmsync.store.db import Store
from lmsync.store.schema import digests, journal

#: The key of a grades journal entry's result listing the positions of its grades written as 0 (``grades_zeroed``).
RESULT_KEY = "unbacked"
_FUNCTIONS = ("core_grades_update_grades", "mod_assign_save_grades")


def zeroed_writes(store: Store, programme: str) -> list[tuple[int, list[int]]]:
    """(journal entry id, Moodle ids of the people whose grades it wrote as 0 with no meeting behind them), oldest
    first, of every grades request of ``programme`` Moodle accepted (``ok``); a person since erased is left out (their
    key reads ``erased``). One read; raises what the store raises."""
    rows = store.rows(
        select(journal.c.id, journal.c.op_keys, journal.c.result)
        .where(journal.c.programme == programme, journal.c.state == "ok", journal.c.function.in_(_FUNCTIONS),
               journal.c.result.like(f'%"{RESULT_KEY}"%'))
        .order_by(journal.c.id)
    )
    out = []
    for row in rows:
        keys, result = json.loads(row.op_keys), json.loads(row.result)
        found = result.get(RESULT_KEY, []) if isinstance(result, dict) else []
        ids = [keys[n].rsplit(":", 1)[1] for n in found if isinstance(n, int) and 0 <= n < len(keys)]
        out.append((int(row.id), [int(i) for i in ids if i.isdigit()]))
    return out


def last_digest_entries(store: Store, programme: str) -> dict[int, int]:
    """Coordinator Moodle id -> the journal id of the latest digest of ``programme`` sent to them (state ``sent``).
    One read; raises what the store raises."""
    rows = store.rows(
        select(digests.c.recipient_id, func.max(digests.c.journal_id).label("last"))
        .where(digests.c.programme == programme, digests.c.state == "sent", digests.c.journal_id.is_not(None))
        .group_by(digests.c.recipient_id)
    )
    return {int(row.recipient_id): int(row.last) for row in rows}
