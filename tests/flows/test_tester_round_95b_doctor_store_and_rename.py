"""Tester round 95b, 1 and 2: ``lmsync doctor`` and the store the commands open, and a renamed programme.

1. With ``[store] url = "sqlite:////abs/x.db"`` (a store that made every circle) doctor read the path
   ``sqlite:/abs/x.db``: ``[ok] store: sqlite:/abs/x.db (made by the first run)`` and a ``circles`` warning that the
   store had no record, advising ``--store-takes-over``, while ``plan`` said "no changes". With a relative
   ``sqlite:///other-url.db`` it said ``sqlite: does not exist``; with a PostgreSQL store that was down it warned
   of no record though it never read the store. Doctor now describes the store the commands open
   (``stores.store_target``), and one it cannot read leaves the circles ``skip``, not checked.
2. After ``[programme] name`` was changed (same store, same course), doctor said "no problems" while ``lmsync run``
   stopped at its sync step: "Refusing this plan: the course holds circles lmsync made for another programme",
   exit 2. Doctor now fails with the plan's reason and fix.
"""

from __future__ import annotations

import shutil

import pytest

from lmsync.config import load_config
from lmsync.store.db import Store

from .conftest import run_in

REFUSAL = "Refusing this plan: the course holds circles lmsync made for another programme"  # the plan's words
NO_RECORD = "has no record of this programme's circles"
PROGRAMME = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


def _write(home, programme: str = PROGRAMME, store: str = "") -> None:
    (home / "lmsync.toml").write_text(programme + (f"[store]\n{store}\n" if store else ""))


def _line(output: str, name: str) -> str | None:
    return next((line for line in output.splitlines() if line[7:].startswith(f"{name}: ")), None)


@pytest.mark.sqlite_only("a [store] url naming a SQLite file")
def test_doctor_reads_the_store_an_absolute_sqlite_url_names(cli_home):
    db = cli_home / "cfg" / "x.db"
    db.parent.mkdir()
    _write(cli_home, store=f'url = "sqlite:///{db}"')
    assert run_in(cli_home, "sync").exit_code == 0
    assert db.exists()
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 0, doctor.output
    assert _line(doctor.output, "store") == f"[ok  ] store: {db}", doctor.output
    assert NO_RECORD not in doctor.output and "--store-takes-over" not in doctor.output, doctor.output


@pytest.mark.sqlite_only("a [store] url naming a SQLite file")
def test_doctor_reads_a_relative_sqlite_url_in_the_current_folder_as_the_commands_do(cli_home):
    _write(cli_home, store='url = "sqlite:///other-url.db"')
    assert run_in(cli_home, "sync").exit_code == 0
    assert (cli_home / "other-url.db").exists()  # cli_home is the current folder
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 0, doctor.output
    line = _line(doctor.output, "store")
    assert line is not None and line.startswith("[ok  ] store: other-url.db (relative"), doctor.output
    assert "does not exist" not in doctor.output and "made by the first run" not in line
    assert NO_RECORD not in doctor.output, doctor.output


@pytest.mark.sqlite_only("the file a sqlite:/// url names: the PostgreSQL pass opens PostgreSQL instead")
def test_store_target_is_the_file_store_opens_for_a_sqlite_url(tmp_path, monkeypatch):
    from lmsync.service.stores import store_target

    monkeypatch.chdir(tmp_path)
    for url, file in (("sqlite:///rel.db", "rel.db"), (f"sqlite:///{tmp_path}/abs.db", str(tmp_path / "abs.db"))):
        config = load_config(None, environ={"LMSYNC_STORE_URL": url})
        assert str(store_target(config)) == file
        store = Store(url)
        try:
            assert store.path is not None and str(store.path) == file
        finally:
            store.close()


@pytest.mark.sqlite_only("the emulator's circles are made with a SQLite store first")
def test_a_store_doctor_cannot_reach_leaves_the_circles_unchecked(cli_home):
    _write(cli_home)
    assert run_in(cli_home, "sync").exit_code == 0  # the course now holds the programme's circles
    _write(cli_home, store='url = "postgresql://lmsync@127.0.0.1:1/lmsync"')  # a server that is down
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    store = _line(doctor.output, "store")
    assert store is not None and store.startswith("[FAIL] store:") and "cannot be reached" in store, doctor.output
    circles = _line(doctor.output, "circles")
    assert circles is not None and circles.startswith("[skip] circles: not checked"), doctor.output
    assert NO_RECORD not in doctor.output and "--store-takes-over" not in doctor.output, doctor.output


def _renamed(home) -> None:
    """The programme's circles made as mentor-2026 in the store of [store] path, then the name changed to
    mentor-2027 (the emulator's site file, named after the programme, carried over: the same course)."""
    _write(home, store='path = "programme.db"')
    assert run_in(home, "sync").exit_code == 0
    site = home / "mentor-2026.emulator.json"  # beside [store] path
    shutil.copy(site, site.with_name("mentor-2027.emulator.json"))
    _write(home, PROGRAMME.replace("mentor-2026", "mentor-2027"), store='path = "programme.db"')


@pytest.mark.sqlite_only("the emulator's site file beside the SQLite store")
def test_doctor_fails_a_renamed_programme_whose_plan_the_sync_refuses(cli_home):
    _renamed(cli_home)
    run = run_in(cli_home, "sync")
    assert run.exit_code == 2 and REFUSAL in run.output, run.output  # what doctor must find
    doctor = run_in(cli_home, "doctor")
    assert doctor.exit_code == 2, doctor.output
    line = _line(doctor.output, "other programmes")
    assert line is not None and line.startswith(f"[FAIL] other programmes: {REFUSAL}"), doctor.output
    assert "'mentor-2026'" in line
    assert "fix: set [programme] name back to 'mentor-2026'" in doctor.output  # this store's: a rename (118a, 1)
    assert "observe.done" not in doctor.output  # the plan's log lines are no check


@pytest.mark.sqlite_only("the emulator's site file beside the SQLite store")
def test_doctor_passes_the_other_programme_once_the_configuration_names_it(cli_home):
    """A second programme with a store of its own; the same store would make it a rename, refused even when named
    (tester round 118a, 1)."""
    _renamed(cli_home)
    _write(cli_home, PROGRAMME.replace("mentor-2026", "mentor-2027") + '[sync]\nother_programmes = ["mentor-2026"]\n',
           store='path = "programme-2027.db"')
    doctor = run_in(cli_home, "doctor")
    assert REFUSAL not in doctor.output and _line(doctor.output, "other programmes") is None, doctor.output


@pytest.mark.sqlite_only("a [store] url naming a SQLite file")
def test_round_96b_9_doctor_names_the_store_url_in_its_fixes_when_the_url_names_the_store(cli_home, monkeypatch):
    """With ``[store] url = "sqlite:///..."`` in an unwritable folder, doctor's fix said "point [store] path
    (LMSYNC_STORE_PATH) at a writable place": a setting this configuration does not use."""
    from lmsync.service import doctor_checks

    _write(cli_home, store='url = "sqlite:///data/x.db"')
    (cli_home / "data").mkdir()
    monkeypatch.setattr(doctor_checks.os, "access", lambda p, _mode: False)  # a read-only mount (root ignores chmod)
    doctor = run_in(cli_home, "doctor")
    line = _line(doctor.output, "store")
    assert line is not None and line.startswith("[FAIL] store: lmsync's user cannot write"), doctor.output
    assert "point [store] url (or LMSYNC_STORE_URL) at a writable place" in doctor.output, doctor.output
    assert "[store] path" not in doctor.output, doctor.output
