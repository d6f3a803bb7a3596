"""Tester round 108b, 2: `lmsync --config p2/c_missing.toml doctor`, run from p2's parent folder, said
``store: p2/s.db (relative: in the folder lmsync runs in, now /.../work)`` while the file's relative
``[store] path = "s.db"`` was (rightly) read from the file's folder, as the README says. The line now says
that, naming the file and its folder, with the absolute path; a relative path set by environment is read
from the folder lmsync runs in, as the line said, now with the absolute path too."""

from __future__ import annotations

from pathlib import Path

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from tests.flows.test_doctor import doctor


def _store_line(config):
    (check,) = [c for c in doctor(build_demo_site(), config).checks if c.name == "store"]
    return check


def test_a_relative_store_path_in_the_file_is_said_read_from_the_files_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    work = tmp_path / "work"
    (work / "p2").mkdir(parents=True)
    (work / "p2" / "c_missing.toml").write_text('[programme]\nname = "mentor-2026"\n[store]\npath = "s.db"\n')
    monkeypatch.chdir(work)
    check = _store_line(load_config(Path("p2/c_missing.toml"), environ={}))
    assert check.status == "ok", check
    assert check.detail == (
        f"{work / 'p2' / 's.db'} (a relative [store] path in p2/c_missing.toml: read from that file's folder, "
        f"{work / 'p2'}) (made by the first run)"
    )
    assert "in the folder lmsync runs in" not in check.detail


def test_a_relative_store_path_set_by_environment_is_said_read_from_the_folder_lmsync_runs_in(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    work = tmp_path / "work"
    (work / "p2").mkdir(parents=True)
    monkeypatch.chdir(work)
    config = load_config(None, environ={"LMSYNC_STORE_PATH": "p2/s.db", "LMSYNC_PROGRAMME_NAME": "mentor-2026"})
    check = _store_line(config)
    assert check.status == "ok", check
    assert check.detail == (
        f"p2/s.db (relative, set by LMSYNC_STORE_PATH: read from the folder lmsync runs in, now {work}, so "
        f"{work / 'p2' / 's.db'}) (made by the first run)"
    )
