"""Tester round 104b, 1 and 8: ``lmsync emulator reset --state FILE`` and ``emulator edit --state FILE``.

1 (harm): ``reset --state prog.db`` replaced the programme's SQLite store (its meetings) with demo JSON, exit 0;
the configuration, the lock a run held and any other file alike; and ``edit``'s "not an emulator state file"
error recommended that very reset. Now reset refuses lmsync's own files and any file that is not an emulator
state (exit 3, nothing written), and edit's error points --state at the emulator's site instead.

8: ``edit --state`` with a misspelt name made a new demo site there (and its missing folders), exit 0. Now a
file that does not exist, or a missing folder, is refused (exit 3) and nothing is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service.runtime import lock_for

from .conftest import run_in


def _programme(home: Path, store: str) -> Any:
    """``home``'s lmsync.toml naming the SQLite store ``store``, synced once (the store made) and a meeting added."""
    (home / "lmsync.toml").write_text(f'[programme]\nname = "mentoring-2026"\n[store]\npath = "{store}"\n')
    assert run_in(home, "sync").exit_code == 0
    added = run_in(home, "meetings", "add", "--date", "2026-12-01", "--mentor", "m0011", "--mentee", "s0001",
                   "--minutes", "30")
    assert added.exit_code == 0, added.output
    return load_config(home / "lmsync.toml", environ={})


@pytest.mark.sqlite_only("the programme's store, companions and lock are SQLite files")
def test_reset_refuses_the_programmes_own_files_and_any_file_not_an_emulator_state(cli_home: Path) -> None:
    config = _programme(cli_home, "prog.db")
    (cli_home / "r.html").write_text("<html>a report</html>")
    (cli_home / "notes.json").write_text('{"a": 1}')
    (cli_home / "link.json").symlink_to(cli_home / "prog.db")
    names = ["prog.db", "prog.lock", "lmsync.toml", "r.html", "notes.json", "link.json"]
    with lock_for(config):  # a run holds the lock: the store is still refused as input, first
        before = {name: (cli_home / name).read_bytes() for name in names}
        for name in names:
            reset = run_in(cli_home, "emulator", "reset", "--state", name)
            assert reset.exit_code == EXIT_INPUT, (name, reset.output)
            assert "not overwritten" in reset.output or "destroy" in reset.output or "lock" in reset.output, reset.output
        assert {name: (cli_home / name).read_bytes() for name in names} == before
    assert "2026-12-01" in run_in(cli_home, "meetings", "list").output  # the store and its meeting are there


@pytest.mark.sqlite_only("the programme's store is a SQLite file")
def test_edit_on_a_file_not_an_emulator_state_does_not_advise_reset_there(cli_home: Path) -> None:
    _programme(cli_home, "prog.db")
    edit = run_in(cli_home, "emulator", "edit", "suspend", "s0005", "--state", "prog.db")
    assert edit.exit_code == EXIT_INPUT and "not an emulator state file" in edit.output, edit.output
    assert "reset --state prog.db" not in edit.output, edit.output  # the advice that wiped the store
    assert "point --state at the emulator's site file" in edit.output and "mentoring-2026.emulator.json" in edit.output


@pytest.mark.sqlite_only("a store named like a lock file")
def test_reset_refuses_a_store_named_like_a_lock_in_another_folder(cli_home: Path) -> None:
    home = cli_home / "p"
    home.mkdir()
    _programme(home, "../X.lock")
    store = cli_home / "X.lock"
    before = store.read_bytes()
    reset = run_in(home, "emulator", "reset", "--state", str(store))
    assert reset.exit_code == EXIT_INPUT and "store" in reset.output, reset.output
    assert store.read_bytes() == before


def test_reset_still_writes_an_emulator_state_file_or_a_new_path(demo_home: Path) -> None:
    site = demo_home / "site.json"
    build_demo_site(seed=7).save(site)
    assert run_in(demo_home, "emulator", "reset", "--state", str(site)).exit_code == 0
    assert run_in(demo_home, "emulator", "reset", "--state", str(demo_home / "new.json")).exit_code == 0
    assert Site.load(site).tokens and Site.load(demo_home / "new.json").tokens


def test_edit_refuses_a_state_file_that_does_not_exist(demo_home: Path) -> None:
    typo = demo_home / "progA.emulatr.json"
    edit = run_in(demo_home, "emulator", "edit", "suspend", "s0001", "--state", str(typo))
    assert edit.exit_code == EXIT_INPUT, edit.output
    assert "no such file" in edit.output and f"lmsync emulator reset --state {typo}" in edit.output, edit.output
    assert not typo.exists()


def test_edit_refuses_a_state_file_in_a_missing_folder(demo_home: Path) -> None:
    deep = demo_home / "nosuchdir" / "x.json"
    edit = run_in(demo_home, "emulator", "edit", "suspend", "s0001", "--state", str(deep))
    assert edit.exit_code == EXIT_INPUT and "does not exist" in edit.output, edit.output
    assert not deep.parent.exists()
