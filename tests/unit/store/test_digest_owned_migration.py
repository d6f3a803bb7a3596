"""Revision 0018: ``digest_owned``, the queue items each coordinator owned at a digest sent (tester round 115a, 5). A
store at revision 0017 migrates forward with the table empty; the downgrade drops it and keeps the rest."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.store import migrate
from lmsync.store.db import Store
from lmsync.store.digest_owned import DigestOwned
from lmsync.store.surveys import erase_person, export_person
from tests.unit.store.legacy import downgrade_store, table_names


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0017 is a SQLite file here")
def test_a_store_at_0017_migrates_forward_with_no_item_owned_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0017")
    assert "digest_owned" not in table_names(path) and "digest_alone" in table_names(path)
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        assert DigestOwned(store, "p").told() == {}
    finally:
        store.close()
    downgrade_store(path, "0017")
    assert "digest_owned" not in table_names(path) and "digest_alone" in table_names(path)


def test_each_coordinators_rows_are_replaced_apart_and_go_with_their_erasure(store_target):
    store = Store(store_target)
    try:
        owned = DigestOwned(store, "p")
        owned.keep({1: {10: date(2027, 2, 4), 11: date(2027, 2, 4)}, 2: {12: date(2027, 2, 4)}})
        owned.keep({1: {11: date(2027, 2, 5)}})  # coordinator 2's rows stay
        assert owned.told() == {1: {11: date(2027, 2, 5)}, 2: {12: date(2027, 2, 4)}}
        assert DigestOwned(store, "q").told() == {}  # per programme
        assert len(export_person(store, 2)["digest_owned"]) == 1
        erase_person(store, 2)
        assert owned.told() == {1: {11: date(2027, 2, 5)}}
    finally:
        store.close()
