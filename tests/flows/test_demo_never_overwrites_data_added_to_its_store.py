"""Tester finding (harm): with no lmsync.toml, ``lmsync meetings add`` after a demo writes to the demo's own store;
the next demo set it aside as "the previous demo's store" saying nothing more, and the one after overwrote that
copy: the meeting was gone. A third demo likewise replaced the played term's ``.demo.db.previous``, where queue items
may have been acknowledged. A finished demo now records its stores' content in their markers
(``lmsync.service.demo_own``); a ``.previous`` holding data added since is never overwritten (exit 3, nothing moved)."""

from __future__ import annotations

import re
import shutil

from lmsync.store.db import Store
from tests.flows import test_demo_leaves_a_urlless_rehearsal_alone as rehearsal

_run, _digest, home = rehearsal._run, rehearsal._digest, rehearsal.home  # home: a fixture


def _add_meeting() -> None:
    added = _run("meetings", "add", "--date", "2026-12-06", "--mentor", "m0001", "--mentee", "s0008", "--minutes",
                 "30", "--rating", "4", "--rated-by", "mentor", "--notes", "practice note")
    assert added.exit_code == 0, added.output


def test_a_meeting_added_to_the_demos_store_survives_any_number_of_demos(home, tmp_path):
    assert (demo := _run("demo")).exit_code == 0, demo.output
    assert (plan := _run("plan")).exit_code == 0, plan.output  # the newcomer's next step: a read adds nothing
    assert (plain := _run("demo")).exit_code == 0, plain.output  # a plain demo's .previous is replaced as before
    assert "The previous demo's store is kept as" in plain.output and "It holds data added" not in plain.output
    _add_meeting()

    second = _run("demo")  # set aside once, and said so
    assert second.exit_code == 0, second.output
    previous = home / "mentoring-2026.db.previous"
    assert f"The previous demo's store is kept as {previous}" in second.output
    assert "It holds data added after that demo" in second.output and "moved away" in second.output
    before = _digest(previous)

    for _ in range(2):  # never overwritten
        refused = _run("demo")
        assert refused.exit_code == 3, refused.output
        assert str(previous) in refused.output and "data added after the demo" in refused.output
        assert "move them away" in refused.output and "Built-in Moodle emulator" not in refused.output  # two files (97b, 8)
        assert _digest(previous) == before

    shutil.move(previous, tmp_path / "kept.db")  # as the message says
    assert (again := _run("demo")).exit_code == 0, again.output
    kept = Store(tmp_path / "kept.db", read_only=True)
    try:
        assert len(kept.contents()["meetings"]) == 1  # the meeting added after the first demo
    finally:
        kept.close()


def test_a_queue_item_acknowledged_in_the_played_term_is_never_overwritten(home):
    assert (demo := _run("demo")).exit_code == 0, demo.output
    views = str(home / "mentoring-2026.demo.toml")  # the played term's configuration, as the demo shows it
    listed = _run("queue", "list", "--config", views)
    assert listed.exit_code == 0, listed.output
    pair = re.search(r"\((\w+)\) / [^(]*\((\w+)\)", listed.output)
    assert pair is not None, listed.output
    acked = _run("queue", "ack", "--config", views, pair[1], pair[2])  # updates a row: no row count changes
    assert acked.exit_code == 0, acked.output

    assert (second := _run("demo")).exit_code == 0, second.output  # set aside once
    previous = home / "mentoring-2026.demo.db.previous"
    # and said, as for the programme's store: it was set aside silently (tester round 97b, 4)
    assert f"It holds data added after that demo: the next `lmsync demo` stops until {previous}" in second.output
    before = _digest(previous)
    refused = _run("demo")
    assert refused.exit_code == 3 and str(previous) in refused.output, refused.output
    assert _digest(previous) == before

