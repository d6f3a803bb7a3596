"""Shared set-up of the command-line flow tests."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.service import moodle as moodle_service


@pytest.fixture
def cli_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``tmp_path`` as a new admin's working folder: the state under it, no token or Moodle URL from
    the environment, the emulator notice not yet shown, and the current directory there."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.delenv("LMSYNC_MOODLE_URL", raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def demo_config(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, programme: str = "", more: str = "") -> Any:
    """The demo course's programme ``mentor-2026`` with its peer-mentor cohort, its state under ``tmp_path``:
    ``programme`` adds lines to ``[programme]``, ``more`` whole sections after it."""
    from lmsync.config import load_config

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n' + programme + more)
    return load_config(path, environ={})


@pytest.fixture
def programme_config(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo course's programme ``mentor-2026`` with its peer-mentor cohort, its state under ``tmp_path``."""
    return demo_config(tmp_path, monkeypatch)


@pytest.fixture
def sync_site() -> Any:
    """``sync(config, site, store)``: one ``run_sync`` on an in-memory emulator site; its result."""
    from lmsync.service.moodle import open_moodle
    from lmsync.service.sync import run_sync

    def sync(config: Any, site: Any, store: Any) -> Any:
        with open_moodle(config, site=site) as conn:
            return run_sync(conn.api, config, store)

    return sync


@pytest.fixture
def demo_home(cli_home: Any) -> Any:
    """``cli_home`` with the demo course's programme ``mentor-2026`` in ``lmsync.toml`` and the built-in
    emulator's site saved there; run commands with ``run_in(demo_home, ...)``."""
    from lmsync.config import load_config
    from lmsync.moodle.emulator.demo import build_demo_site

    path = cli_home / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    build_demo_site().save(load_config(path, environ={}).emulator_state_path())
    return cli_home


def run_in(home: Any, *args: str) -> Any:
    """``lmsync --log-level warning --config HOME/lmsync.toml ARGS`` through click's runner: its result."""
    from click.testing import CliRunner

    from lmsync.cli import main

    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(home / "lmsync.toml"), *args])


def mentee_of(home: Any, mentor: str) -> str:
    """The username of the first mentee (by Moodle id) in ``mentor``'s circle of ``demo_home``'s site, as saved."""
    from lmsync.config import load_config
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.moodle.emulator.state import Site

    site = Site.load(load_config(home / "lmsync.toml", environ={}).emulator_state_path())
    mentor_id = next(u.id for u in site.users.values() if u.username == mentor)
    group = next(g for g in site.groups.values() if mentor_of_idnumber("mentor-2026", g.idnumber) == mentor_id)
    return str(site.users[min(group.members - {mentor_id})].username)


def run_sql(url: str, *statements: str) -> None:
    """Run ``statements`` in one transaction on the database ``url`` names, outside lmsync (set-ups of tests that
    make a database lmsync must refuse or cannot use)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()
