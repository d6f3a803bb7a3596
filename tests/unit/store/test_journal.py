from lmsync.store.db import Store
from lmsync.store.journal import Journal


def test_intent_then_result_and_unfinished_batches_are_found(store_target):
    store = Store(store_target)
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


def test_created_objects_are_remembered_per_programme(store_target):
    store = Store(store_target)
    journal = Journal(store, "p1")
    journal.remember_created("discussion", "lmsync:p1:mentor:66", 12)
    journal.remember_created("discussion", "lmsync:p1:mentor:66", 13)
    assert journal.created("discussion") == {"lmsync:p1:mentor:66": 13}
    assert Journal(store, "p2").created("discussion") == {}


def test_journal_survives_reopening_on_both_engines(store_target):
    store = Store(store_target)
    first = Journal(store, "p1").intent("run1", "f", "add_member", ["k"])
    second = Journal(store, "p1").intent("run1", "f", "add_member", ["k2"])
    store.close()
    again = Store(store_target)
    assert [e.id for e in Journal(again, "p1").unfinished()] == [first, second] and second > first
    assert Journal(again, "other").unfinished() == []
    again.close()


def test_issue_12_keys_of_and_rewrite_keys_serve_privacy_without_sql_outside_the_store(store_target):
    store = Store(store_target)
    journal = Journal(store, "p1")
    entry = journal.intent("run1", "f", "add_member", ["add_member:g:7", "add_member:g:8"])
    assert journal.keys_of(entry) == ["add_member:g:7", "add_member:g:8"] and journal.keys_of(entry + 99) == []
    assert journal.rewrite_keys(lambda k: k.replace(":7", ":erased")) == 1
    assert journal.keyed_entries()[0].keys == ["add_member:g:erased", "add_member:g:8"]
    assert journal.rewrite_keys(lambda k: k) == 0
    store.close()
