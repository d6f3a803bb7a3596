"""Tester round 92a, 1: ``lmsync demo`` run in the folder of a coordinator's rehearsal on the emulator (an
``lmsync.toml`` with a ``[store] path`` and no ``[moodle] url``) replaced the rehearsal's saved site with a fresh
demo site and synced it into the rehearsal's store (its journal and pairing history grew, its circles were re-made),
and kept no ``.previous`` copy: the README says the demo starts a fresh site and store."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.service import moodle


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only("the rehearsal's SQLite file is compared byte for byte")
def test_the_demo_leaves_an_emulator_rehearsal_in_a_store_path_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_MOODLE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lmsync.toml").write_text('[programme]\nname = "rehearsal"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                                          '[store]\npath = "state/rehearsal.db"\n')
    rehearsal = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert rehearsal.exit_code == 0, rehearsal.output
    edit = CliRunner().invoke(main, ["--log-level", "warning", "emulator", "edit", "unenrol", "s0060"])
    assert edit.exit_code == 0, edit.output
    store, site = tmp_path / "state" / "rehearsal.db", tmp_path / "state" / "rehearsal.emulator.json"
    before = {path: _digest(path) for path in (store, site)}

    demo = CliRunner().invoke(main, ["demo"])

    assert demo.exit_code == 0, demo.output
    assert {path: _digest(path) for path in (store, site)} == before  # neither the site nor the store was touched
    assert "the Moodle and the store" in demo.output and "are left alone" in demo.output
    assert (tmp_path / "xdg" / "lmsync" / "emulator" / "rehearsal.emulator.json").exists()  # the demo's own


@pytest.mark.sqlite_only("the demo's SQLite stores")
def test_a_second_demo_keeps_the_first_demos_site_beside_its_store(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_MOODLE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    folder = tmp_path / "xdg" / "lmsync" / "emulator"
    first = {p.name: _digest(p) for p in folder.glob("*.emulator.json")}
    again = CliRunner().invoke(main, ["demo"])
    assert again.exit_code == 0, again.output
    assert first and {name: _digest(folder / f"{name}.previous") for name in first} == first
