"""Tester round 96b, 7: with another run holding the demo store's lock, ``lmsync demo`` printed "The previous
demo's store is kept as ....previous" and then exited 4, having put the store back: the message named a file that
was not there. The demo now tries the lock before it sets anything aside: exit 4, nothing said of a ``.previous``,
the store and its site as they were."""

from __future__ import annotations

from lmsync.config import load_config
from lmsync.service.demo import demo_config
from lmsync.service.runtime import lock_path
from tests.flows import test_demo_leaves_a_urlless_rehearsal_alone as rehearsal
from tests.unit.service.test_lock import held

_run, _digest, home = rehearsal._run, rehearsal._digest, rehearsal.home  # home: a fixture


def test_a_demo_refused_by_a_held_lock_says_nothing_of_a_store_set_aside(home):
    assert (first := _run("demo")).exit_code == 0, first.output
    store, previous = home / "mentoring-2026.db", home / "mentoring-2026.db.previous"
    assert store.exists() and not previous.exists()
    before = _digest(store)
    with held(lock_path(demo_config(load_config(None)))):
        refused = _run("demo")
    assert refused.exit_code == 4, refused.output
    assert "another lmsync run" in refused.output
    assert "kept as" not in refused.output and "Built-in Moodle emulator" not in refused.output
    assert not previous.exists() and _digest(store) == before
    assert (again := _run("demo")).exit_code == 0, again.output  # the lock let go: the demo runs as before
    assert f"The previous demo's store is kept as {previous}" in again.output


def test_a_demo_with_the_test_only_store_switch_left_set_says_to_unset_it(home, monkeypatch):
    """Tester round 97b, 5: with ``LMSYNC_TEST_STORE=postgresql`` left set in a shell, the demo said its own store
    held "a programme the demo did not make" (exit 3) instead of the switch's own error (exit 2)."""
    assert (first := _run("demo")).exit_code == 0, first.output
    monkeypatch.setenv("LMSYNC_TEST_STORE", "postgresql")
    monkeypatch.delenv("LMSYNC_TEST_STORE_RUN", raising=False)  # as in a shell: no test is running
    refused = _run("demo")
    assert refused.exit_code == 2, refused.output
    assert "unset LMSYNC_TEST_STORE" in refused.output and "did not make" not in refused.output, refused.output


def test_a_demo_refused_by_a_held_lock_on_the_played_terms_store_moves_nothing(home):
    """Tester round 98b, 1: with another run holding the played term's lock (``<programme>.demo.lock``), the demo
    set that store aside, exited 4 and did not put it back: only ``.demo.db.previous`` was left."""
    assert (first := _run("demo")).exit_code == 0, first.output
    term = home / "mentoring-2026.demo.db"
    before = _digest(term)
    with held(term.with_suffix(".lock")):
        refused = _run("demo")
    assert refused.exit_code == 4, refused.output
    assert "kept as" not in refused.output and "Built-in Moodle emulator" not in refused.output
    assert _digest(term) == before and not (home / "mentoring-2026.demo.db.previous").exists()
