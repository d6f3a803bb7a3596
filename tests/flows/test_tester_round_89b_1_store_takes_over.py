"""Tester round 89b, 1 (data harm): a mistyped ``[store] path`` made a new store, and its sync took over every circle
an earlier lmsync made, a teacher's hand-made group with a circle's ID number (which the real store refused)
included: renamed it, replaced its members, posted a welcome, exited 0, and left the real store refusing the groups
it had made since. A store with no record of the programme's circles now takes over those the course holds only
with ``--store-takes-over``: ``sync``, ``run`` and ``apply`` refuse otherwise (exit 2, nothing written), and
``plan`` and ``sync --dry-run`` say so."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from lmsync.cli import main
from lmsync.moodle.emulator import Site
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from tests.flows.test_grades_flow import PROGRAMME, make_config, site_with_circles

REFUSED = "has no record of this programme's circles, but the course holds"


def _groups(config):
    return {g.id: (g.name, g.idnumber, frozenset(g.members)) for g in Site.load(config.emulator_state_path()).groups.values()}


def _setup(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    site.save(config.emulator_state_path())
    circles = sum(1 for g in site.groups.values() if g.idnumber.startswith("lmsync:"))
    return config, ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning"], circles


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_a_new_store_refuses_to_take_over_the_circles_and_writes_nothing(tmp_path, monkeypatch):
    config, cfg, circles = _setup(tmp_path, monkeypatch)
    before = _groups(config)
    refused = CliRunner().invoke(main, [*cfg, "sync"])
    assert refused.exit_code == 2, refused.output
    assert f"{REFUSED} {circles} circle(s) an earlier lmsync made" in refused.output
    assert "nothing was written" in refused.output and "--store-takes-over" in refused.output
    assert "[store] path" in refused.output and str(config.store_path()) in refused.output
    assert _groups(config) == before  # no rename, no member, no welcome, no new group
    store = Store(config.store_path(), read_only=True)
    try:
        assert not Journal(store, PROGRAMME).circle_proof().holds_circles  # nothing recorded: refused again next time
    finally:
        store.close()
    again = CliRunner().invoke(main, [*cfg, "sync"])
    assert again.exit_code == 2 and REFUSED in again.output and _groups(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_plan_and_dry_run_say_what_a_sync_would_refuse(tmp_path, monkeypatch):
    config, cfg, circles = _setup(tmp_path, monkeypatch)
    before = _groups(config)
    for args in (["plan"], ["sync", "--dry-run"]):
        result = CliRunner().invoke(main, [*cfg, *args])
        assert result.exit_code == 0, (args, result.output)
        assert f"{REFUSED} {circles} circle(s)" in result.stderr and "--store-takes-over" in result.stderr, args
    assert _groups(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_run_refuses_in_its_sync_line_and_takes_over_when_told(tmp_path, monkeypatch):
    config, cfg, circles = _setup(tmp_path, monkeypatch)
    before = _groups(config)
    run = CliRunner().invoke(main, [*cfg, "run"])
    assert run.exit_code == 2, run.output
    line = next(line for line in run.output.splitlines() if line.startswith("sync "))
    assert REFUSED in line and "--store-takes-over" in line, line
    assert _groups(config) == before
    # and no later step wrote to that store (tester round 90a, 5: Feedback rows, snapshots, a queue item)
    for step in ("feedback", "grades", "health", "nudges", "digest"):
        said = next(line for line in run.output.splitlines() if line.startswith(f"{step} "))
        assert "skipped" in said and "the sync's plan was refused" in said, said
    store = Store(config.store_path(), read_only=True)
    try:
        tables = ("meetings", "health_snapshots", "coordinator_queue", "survey_answers")
        assert {t: store.scalar(text(f"SELECT count(*) FROM {t}")) for t in tables} == dict.fromkeys(tables, 0)
    finally:
        store.close()
    told = CliRunner().invoke(main, [*cfg, "run", "--store-takes-over"])
    line = next(line for line in told.output.splitlines() if line.startswith("sync "))
    assert "took over" in line, told.output
    after = CliRunner().invoke(main, [*cfg, "sync"])  # the store now holds the record: no flag needed
    assert after.exit_code == 0 and REFUSED not in after.output, after.output


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_apply_of_a_plan_made_with_a_new_store_is_refused(tmp_path, monkeypatch):
    config, cfg, _circles = _setup(tmp_path, monkeypatch)
    saved = tmp_path / "plan.json"
    assert CliRunner().invoke(main, [*cfg, "plan", "--out", str(saved)]).exit_code == 0
    before = _groups(config)
    applied = CliRunner().invoke(main, [*cfg, "apply", str(saved)])
    assert applied.exit_code == 2 and REFUSED in applied.output, applied.output
    assert _groups(config) == before


@pytest.mark.sqlite_only("the CLI runs on the emulator's site file and the config's SQLite store")
def test_doctor_warns_of_a_store_with_no_record_and_stops_once_it_holds_one(tmp_path, monkeypatch):
    config, cfg, circles = _setup(tmp_path, monkeypatch)
    doctor = CliRunner().invoke(main, [*cfg, "doctor"])
    line = next((line for line in doctor.output.splitlines() if "circles" in line and REFUSED in line), None)
    assert line is not None and f"{circles} circle(s)" in line and "refuse to take them over" in line, doctor.output
    assert "--store-takes-over" in doctor.output
    assert not config.store_path().exists()  # doctor made no store
    assert CliRunner().invoke(main, [*cfg, "sync", "--store-takes-over"]).exit_code == 0
    again = CliRunner().invoke(main, [*cfg, "doctor"])
    assert REFUSED not in again.output, again.output
