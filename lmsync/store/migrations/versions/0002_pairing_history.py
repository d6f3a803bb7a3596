"""Pairing history: when each mentee joined and left a mentor's circle (issue 12).

Revision ID: 0002
Revises: 0001

Written by the sync's apply from now on. Back-filled here, once, from the journal's
accepted ``add_member`` / ``remove_member`` batches (the only place an older store kept
it), so health keeps each pair's date across the upgrade. An add for a pair already open
closes the open row first (the mentee had left the circle outside lmsync).
"""

from __future__ import annotations

import json

from alembic import op
from sqlalchemy import select

from lmsync.store import schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _pair(programme: str, key: str) -> tuple[int, int] | None:
    """``(mentor, mentee)`` of an ``add_member:lmsync:<programme>:mentor:<id>:<user id>`` key."""
    kind, _, rest = key.partition(":")
    group, _, member = rest.rpartition(":")
    prefix = f"lmsync:{programme}:mentor:"
    if kind not in ("add_member", "remove_member") or not group.startswith(prefix) or not member.isdigit():
        return None  # e.g. a key scrubbed by an erasure (":erased")
    mentor = group[len(prefix) :]
    return (int(mentor), int(member)) if mentor.isdigit() else None


def upgrade() -> None:
    bind = op.get_bind()
    history = schema.pairing_history
    history.create(bind, checkfirst=True)
    j = schema.journal
    entries = bind.execute(
        select(j.c.programme, j.c.op_kind, j.c.op_keys, j.c.finished_at)
        .where(j.c.state == "ok", j.c.op_kind.in_(("add_member", "remove_member")), j.c.finished_at.is_not(None))
        .order_by(j.c.id)
    ).all()
    open_rows: dict[tuple[str, int, int], dict[str, object]] = {}
    rows: list[dict[str, object]] = []
    for programme, kind, op_keys, finished_at in entries:
        for key in json.loads(op_keys):
            pair = _pair(programme, key)
            if pair is None or pair[0] == pair[1]:  # the mentor's own membership is no pairing
                continue
            current = open_rows.pop((programme, *pair), None)
            if current is not None:
                current["left_at"] = finished_at
            if kind == "add_member":
                row: dict[str, object] = {
                    "programme": programme,
                    "mentor_id": pair[0],
                    "mentee_id": pair[1],
                    "joined_at": finished_at,
                    "left_at": None,
                    "source": "journal",
                }
                rows.append(row)
                open_rows[(programme, *pair)] = row
    if rows:
        bind.execute(history.insert(), rows)


def downgrade() -> None:
    op.drop_table("pairing_history")
