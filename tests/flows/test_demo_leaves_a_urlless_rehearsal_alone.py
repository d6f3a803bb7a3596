"""Tester finding (harm): ``lmsync demo`` beside a practice run of a ``lmsync.toml`` with no ``[moodle] url`` and no
``[store] path`` (its store and site are the emulator's default ones, where the demo works) set the practice store
aside as "the previous demo's store", and a second demo overwrote that copy: the practice meeting and the edited
practice site were gone. The demo now marks the store it makes (``lmsync.service.demo_own``) and refuses, exit 3 and
nothing moved, a store or site it did not make."""

from __future__ import annotations

import hashlib
import shutil
import time
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle

NOTE = "rehearsal note"


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args])


def _digest(path: Any) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An empty working folder, the state under it, nothing from the shell's environment; the emulator's folder."""
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_MOODLE_URL",
                 "LMSYNC_PROGRAMME_COURSE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "state" / "lmsync" / "emulator"


def _rehearse() -> None:
    """``init --no-input`` (no url, no store path), a sync, a meeting, an edit of the practice site."""
    assert (init := _run("init", "--no-input")).exit_code == 0, init.output
    assert (sync := _run("sync")).exit_code == 0, sync.output
    added = _run("meetings", "add", "--date", "2026-12-06", "--mentor", "m0001", "--mentee", "s0008", "--minutes",
                 "30", "--rating", "4", "--rated-by", "mentor", "--notes", NOTE)
    assert added.exit_code == 0, added.output
    assert (edit := _run("emulator", "edit", "unenrol", "s0060")).exit_code == 0, edit.output


def test_the_demo_never_sets_aside_a_urlless_rehearsals_store_and_its_meeting_survives_two_demos(home):
    _rehearse()
    store, site = home / "mentoring-2026.db", home / "mentoring-2026.emulator.json"
    before = {path: _digest(path) for path in (store, site)}

    for _ in range(2):
        demo = _run("demo")
        assert demo.exit_code == 3, demo.output
        assert str(store) in demo.output and str(site) in demo.output
        assert "the demo did not make" in demo.output and "set [store] path" in demo.output
        assert "The previous demo's store is kept" not in demo.output and "Built-in Moodle emulator" not in demo.output
        assert {path: _digest(path) for path in (store, site)} == before  # nothing moved, nothing written
        assert not list(home.glob("*.previous*")) and not list(home.glob("*.demo.*"))

    listed = _run("meetings", "list")
    assert listed.exit_code == 0 and "1 meeting(s)" in listed.output, listed.output
    assert "Umar Yilmaz (s0008)" in listed.output


def test_the_rehearsal_moved_to_a_store_path_as_the_demo_says_keeps_its_meeting_beside_two_demos(home, tmp_path):
    _rehearse()
    kept = tmp_path / "rehearsal"
    kept.mkdir()
    for name in ("mentoring-2026.db", "mentoring-2026.emulator.json"):
        shutil.move(home / name, kept / name)
    toml = tmp_path / "lmsync.toml"
    toml.write_text(toml.read_text().replace("[store]\n", '[store]\npath = "rehearsal/mentoring-2026.db"\n', 1))

    for _ in range(2):
        assert (demo := _run("demo")).exit_code == 0, demo.output

    listed = _run("meetings", "list")
    assert listed.exit_code == 0 and "1 meeting(s)" in listed.output, listed.output


def test_two_plain_demos_in_a_row_keep_the_first_as_previous_and_a_third_replaces_it(home):
    assert (first := _run("demo")).exit_code == 0, first.output
    assert "The previous demo's store is kept" not in first.output
    again = _run("demo")
    assert again.exit_code == 0, again.output
    assert f"The previous demo's store is kept as {home / 'mentoring-2026.db.previous'}" in again.output
    assert (home / "mentoring-2026.emulator.json.previous").exists()
    assert (home / "mentoring-2026.db.previous.made-by-demo").exists()  # the copy stays the demo's
    third = _run("demo")
    assert third.exit_code == 0, third.output
    assert "The previous demo's store is kept as" in third.output


def test_a_store_made_where_the_demos_was_moved_away_is_not_taken_for_the_demos(home, tmp_path):
    """The marker names one store (its binding's moment): moving the demo's store and site away by hand leaves the
    marker, and a practice store made there afterwards is not the demo's."""
    assert (demo := _run("demo")).exit_code == 0, demo.output
    shutil.move(home / "mentoring-2026.db", tmp_path / "old-demo.db")
    shutil.move(home / "mentoring-2026.emulator.json", tmp_path / "old-demo.emulator.json")
    for side in ("-wal", "-shm"):
        (home / f"mentoring-2026.db{side}").unlink(missing_ok=True)
    assert (home / "mentoring-2026.db.made-by-demo").exists()
    assert (init := _run("init", "--no-input")).exit_code == 0, init.output
    time.sleep(1.1)  # a binding's moment is to the second
    assert (sync := _run("sync")).exit_code == 0, sync.output
    store = home / "mentoring-2026.db"
    before = _digest(store)

    refused = _run("demo")

    assert refused.exit_code == 3, refused.output
    assert str(store) in refused.output and _digest(store) == before


def test_a_store_left_by_an_older_demo_with_no_marker_is_refused_once(home, tmp_path):
    assert (demo := _run("demo")).exit_code == 0, demo.output
    (home / "mentoring-2026.db.made-by-demo").unlink()  # as an older lmsync's demo left it

    refused = _run("demo")

    assert refused.exit_code == 3 and "an older lmsync" in refused.output, refused.output
    for name in ("mentoring-2026.db", "mentoring-2026.db-wal", "mentoring-2026.db-shm", "mentoring-2026.emulator.json"):
        if (home / name).exists():  # moved away, as the message says
            shutil.move(home / name, tmp_path / name)
    assert (again := _run("demo")).exit_code == 0, again.output


def test_an_unmarked_previous_copy_is_not_overwritten(home):
    """A practice store an older lmsync's demo set aside as ``.previous`` (the finding's first demo) is not replaced
    by the next demo's store."""
    assert (demo := _run("demo")).exit_code == 0, demo.output
    assert (again := _run("demo")).exit_code == 0, again.output
    (home / "mentoring-2026.db.previous.made-by-demo").unlink()
    previous = home / "mentoring-2026.db.previous"
    before = _digest(previous)

    refused = _run("demo")

    assert refused.exit_code == 3 and str(previous) in refused.output, refused.output
    assert _digest(previous) == before


def test_a_practice_site_edited_before_any_sync_is_not_overwritten(home):
    assert (init := _run("init", "--no-input")).exit_code == 0, init.output
    assert (edit := _run("emulator", "edit", "unenrol", "s0060")).exit_code == 0, edit.output
    site = home / "mentoring-2026.emulator.json"
    before = _digest(site)

    refused = _run("demo")

    assert refused.exit_code == 3 and str(site) in refused.output, refused.output
    assert _digest(site) == before and not (home / "mentoring-2026.db").exists()


def test_tester_round_96b_2_the_demo_refuses_a_site_a_running_emulator_serve_holds(home):
    # the demo moved the served file aside and wrote a new site; the server's next write saved its old state over it
    from lmsync.moodle.emulator.serving import serving

    assert (first := _run("demo")).exit_code == 0, first.output
    site = home / "mentoring-2026.emulator.json"
    before = {path: _digest(path) for path in (site, home / "mentoring-2026.db")}
    with serving(site):
        refused = _run("demo")
    assert refused.exit_code == 2, refused.output
    assert "held by a running `lmsync emulator serve`" in refused.output and "the demo's new site" in refused.output
    assert {path: _digest(path) for path in before} == before
    assert not (home / "mentoring-2026.db.previous").exists()
