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


def _clean_env(tmp_path, monkeypatch):
    monkeypatch.setattr(moodle, "_announced", False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    for name in ("LMSYNC_TOKEN", "LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_MOODLE_URL",
                 "LMSYNC_PROGRAMME_COURSE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.sqlite_only("the rehearsal's SQLite file is compared byte for byte")
def test_the_demo_leaves_out_a_rehearsals_pins_forbids_and_rematch(tmp_path, monkeypatch):
    """Tester round 93a, 1: pins naming the rehearsal's people stopped the demo (exit 2), which advised removing
    them from the rehearsal's lmsync.toml."""
    _clean_env(tmp_path, monkeypatch)
    toml = tmp_path / "lmsync.toml"
    toml.write_text('[programme]\nname = "rehearsal"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                    '[store]\npath = "state/rehearsal.db"\n')
    rehearsal = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert rehearsal.exit_code == 0, rehearsal.output
    toml.write_text(toml.read_text() + '[matching]\npins = [["s0100", "m0100"]]\nforbids = [["s0101", "m0101"]]\n'
                    'rematch = ["s0102"]\n')
    files = [toml, tmp_path / "state" / "rehearsal.db", tmp_path / "state" / "rehearsal.emulator.json"]
    before = {path: _digest(path) for path in files}

    demo = CliRunner().invoke(main, ["demo"])

    assert demo.exit_code == 0, demo.output
    assert "s0100" not in demo.output and "remove these entries" not in demo.output
    assert "pins, forbids, rematch" in demo.output and "are left out" in demo.output
    assert {path: _digest(path) for path in files} == before


def _pairs(store):
    import sqlite3

    connection = sqlite3.connect(store)
    try:
        return connection.execute("SELECT COUNT(*) FROM pairing_history").fetchone()[0]
    finally:
        connection.close()


@pytest.mark.sqlite_only("the demo's SQLite stores")
@pytest.mark.parametrize("failure", ["course", "term"])
def test_a_demo_that_fails_part_way_puts_the_last_good_demo_back(tmp_path, monkeypatch, failure):
    """Tester round 93a, 2: a failing demo left a half-made store and no site, having set the last good demo's aside;
    the next demo then set the half-made store aside over it."""
    _clean_env(tmp_path, monkeypatch)
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    folder = tmp_path / "xdg" / "lmsync" / "emulator"
    store, site = folder / "mentoring-2026.db", folder / "mentoring-2026.emulator.json"
    pairs, good_site = _pairs(store), _digest(site)
    assert pairs > 0
    env = {}
    if failure == "course":
        env["LMSYNC_PROGRAMME_COURSE"] = "MED-MENT"
    else:
        from lmsync.service import demo as demo_module

        def broken(*args, **kwargs):
            raise RuntimeError("the term broke")

        monkeypatch.setattr(demo_module, "run_demo_term", broken)

    failed = CliRunner().invoke(main, ["demo"], env=env)

    assert failed.exit_code != 0, failed.output
    assert _pairs(store) == pairs and _digest(site) == good_site  # the last good demo is back in place
    assert not (folder / "mentoring-2026.db.previous").exists()
    assert not (folder / "mentoring-2026.emulator.json.previous").exists()
    monkeypatch.undo()
    _clean_env(tmp_path, monkeypatch)
    again = CliRunner().invoke(main, ["demo"])
    assert again.exit_code == 0, again.output
    assert _pairs(folder / "mentoring-2026.db.previous") == pairs
    assert _digest(folder / "mentoring-2026.emulator.json.previous") == good_site
