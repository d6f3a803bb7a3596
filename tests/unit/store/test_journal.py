from lmsync.store.db import Store
from lmsync.store.journal import Journal


def test_intent_then_result_and_unfinished_batches_are_found(tmp_path):
    store = Store(tmp_path / "p.db")
    journal = Journal(store, "p1")
    done = journal.intent("run1", "core_group_create_groups", "create_group", ["create_group:a", "create_group:b"])
    journal.finish(done, "ok", {"ids": [1, 2]})
    lost = journal.intent("run1", "core_group_add_group_members", "add_member", ["add_member:a:3"])
    assert [e.id for e in journal.unfinished()] == [lost]
    entries = journal.entries("run1")
    assert entries[0].result == {"ids": [1, 2]} and entries[0].item_count == 2
    journal.intent("run1", "core_message_send_instant_messages", "nudge", ["nudge:7"])
    assert journal.settle_unfinished("run2", ["add_member", "create_group"]) == 1
    assert [e.op_kind for e in journal.unfinished()] == ["nudge"]  # not the sync's to settle


def test_journal_survives_reopening_and_is_private(tmp_path):
    path = tmp_path / "p.db"
    store = Store(path)
    Journal(store, "p1").intent("run1", "f", "add_member", ["k"])
    store.close()
    assert path.stat().st_mode & 0o077 == 0
    again = Journal(Store(path), "p1")
    assert len(again.unfinished()) == 1
    assert Journal(Store(path), "other").unfinished() == []


def test_created_objects_are_remembered_per_programme():
    store = Store.memory()
    journal = Journal(store, "p1")
    journal.remember_created("discussion", "lmsync:p1:mentor:66", 12)
    journal.remember_created("discussion", "lmsync:p1:mentor:66", 13)
    assert journal.created("discussion") == {"lmsync:p1:mentor:66": 13}
    assert Journal(store, "p2").created("discussion") == {}
