"""Baseline: the schema numbered migrations 001-007 made; recognises and finishes older stores.

Revision ID: 0001
Revises: (none)

A new store gets every table. A store made by an lmsync of the numbered-SQL era (it has a
``schema_version`` table; any of 001-007 applied) keeps every row: its tables already have
this shape, the ones it lacks (``store_binding`` before 005, ``grade_items`` before 007) are
created, and survey tables from before 006 are rebuilt with ``about_id`` = 0 (an answer
about the respondent's relationships in general), copying every row. ``schema_version``
is left as it was (an older lmsync reading the file still sees its own bookkeeping).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import column, inspect, literal, select, table

from lmsync.store import schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SURVEY_COLUMNS = {
    "survey_answers": (
        "id", "programme", "respondent_id", "instrument", "answer_date", "item", "value", "source", "origin",
        "created_at", "updated_at",
    ),
    "survey_scores": (
        "programme", "respondent_id", "instrument", "wave", "sitting_date", "source", "total", "answered",
        "required", "subscales", "scored_at",
    ),
}
_SURVEY_INDEXES = {"survey_answers": ("survey_answers_respondent",), "survey_scores": ()}


def upgrade() -> None:
    bind = op.get_bind()
    found = inspect(bind)
    existing = set(found.get_table_names())
    rebuild = [
        name
        for name in _SURVEY_COLUMNS
        if name in existing and "about_id" not in {c["name"] for c in found.get_columns(name)}
    ]
    for name in rebuild:  # before 006: set the old table aside (its index names are global on SQLite)
        for index in _SURVEY_INDEXES[name]:
            op.drop_index(index, table_name=name)
        op.rename_table(name, f"{name}_before_about")
    schema.metadata.create_all(bind, tables=schema.BASELINE_TABLES, checkfirst=True)
    for name in rebuild:
        columns = _SURVEY_COLUMNS[name]
        old = table(f"{name}_before_about", *(column(c) for c in columns))
        new = schema.metadata.tables[name]
        bind.execute(
            new.insert().from_select(
                [*columns, "about_id"], select(*(old.c[c] for c in columns), literal(0))
            )
        )
        op.drop_table(f"{name}_before_about")


def downgrade() -> None:
    schema.metadata.drop_all(op.get_bind(), tables=list(reversed(schema.BASELINE_TABLES)))
