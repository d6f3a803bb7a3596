"""Revision 0019: ``hold_ends``, the holds a mentor's erasure ended, naming no one (tester round 117c, 2). A store at
revision 0018 migrates forward with the table empty; the downgrade drops it and keeps the rest. A row holds no person's
id, so no export shows it and no erasure takes it."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.hold_ends import HoldEnd, hold_ends_of, record_hold_end
from lmsync.store.surveys import erase_person, export_person
from tests.unit.store.legacy import downgrade_store, table_names


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0018 is a SQLite file here")
def test_a_store_at_0018_migrates_forward_with_no_hold_ended_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0018")
    assert "hold_ends" not in table_names(path) and "digest_owned" in table_names(path)
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        assert hold_ends_of(store, "p") == []
    finally:
        store.close()
    downgrade_store(path, "0018")
    assert "hold_ends" not in table_names(path) and "digest_owned" in table_names(path)


def test_a_hold_end_is_kept_per_programme_with_the_journals_mark_and_no_one_exports_or_erases_it(store_target):
    store = Store(store_target)
    try:
        with store.transaction():
            record_hold_end(store, "p", date(2027, 2, 12), 6)  # an empty journal: mark 0
        assert hold_ends_of(store, "p") == [HoldEnd(date(2027, 2, 12), 6, 0)]
        assert hold_ends_of(store, "q") == []
        assert not any("hold_ends" in key for key in export_person(store, 6))
        erase_person(store, 6)
        assert hold_ends_of(store, "p") == [HoldEnd(date(2027, 2, 12), 6, 0)]
    finally:
        store.close()
