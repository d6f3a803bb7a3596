"""The assignment grades this store wrote: ``sent_assign_grades`` (tester finding 1).

Revision ID: 0006
Revises: 0005

One new table, nothing changed in an old one: per programme, assignment and person, the grade
``grades push`` last wrote with ``mod_assign_save_grades`` (ids and a number only). It is the
store's proof of ownership: a second store (another machine, an empty meeting history) or a
teacher may hold the grade, and lmsync never changes what it cannot prove it wrote, so a grade
is rewritten only when Moodle has none or still holds the one recorded here. A store from before
this revision has none: the grades its journal shows it sent (``assign_grade:<assignment>:<user>``
keys of accepted ``mod_assign_save_grades`` requests) are adopted as Moodle holds them, and the
next push records what it writes.
"""

from __future__ import annotations

from lmsync.store import schema
from lmsync.store.migrations.add_tables import add_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

upgrade, downgrade = add_tables(schema.REVISION_0006_TABLES)
