"""Revision 0017: ``digest_alone``, the mentees each coordinator's digest named as without a mentor (tester round
114b, 2). A store at revision 0016 migrates forward with the table empty; the downgrade drops it and keeps the rest."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.digest_alone import DigestAlone
from lmsync.store.surveys import erase_person, export_person
from tests.unit.store.legacy import downgrade_store, table_names


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0016 is a SQLite file here")
def test_a_store_at_0016_migrates_forward_with_no_mentee_told_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0016")  # as the previous lmsync left it
    assert "digest_alone" not in table_names(path) and "digests" in table_names(path)
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        assert DigestAlone(store, "p").told() == {}
    finally:
        store.close()
    downgrade_store(path, "0016")
    assert "digest_alone" not in table_names(path) and "digests" in table_names(path)


def test_each_coordinators_rows_are_replaced_apart_and_name_both_people(store_target):
    store = Store(store_target)
    try:
        told = DigestAlone(store, "p")
        told.keep({1: {10: date(2026, 12, 8), 11: date(2026, 12, 8)}, 2: {10: date(2026, 12, 9)}})
        told.keep({1: {11: date(2026, 12, 8), 12: date(2026, 12, 16)}})  # coordinator 2's rows stay
        assert told.told() == {1: {11: date(2026, 12, 8), 12: date(2026, 12, 16)}, 2: {10: date(2026, 12, 9)}}
        assert DigestAlone(store, "q").told() == {}  # per programme
        assert len(export_person(store, 10)["digest_alone"]) == 1 and len(export_person(store, 1)["digest_alone"]) == 2
        erase_person(store, 12)
        assert told.told() == {1: {11: date(2026, 12, 8)}, 2: {10: date(2026, 12, 9)}}
    finally:
        store.close()
