"""Issue 11, "reads never write": every read command leaves the store and the emulator untouched.

A programme is set up on the emulator (a sync, stored meetings, a recorded health run with
fading pairs queued), then each read command runs through the CLI while the emulator counts
write functions; the store (every row of every table), its file and the emulator's saved
state must be exactly as before. Plain ``lmsync health`` (which records today) is the
control: the same comparison sees its writes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_INPUT
from lmsync.moodle.emulator import server
from lmsync.service import health, jobs
from lmsync.service.moodle import emulator_site
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()
LATER = TODAY + timedelta(days=70)


@pytest.fixture
def emulator_writes(monkeypatch):
    """Write functions the in-process emulator receives from now on."""
    writes: list[str] = []
    original = server.EmulatorAdapter.send

    def send(self, request, *args, **kwargs):
        answer = original(self, request, *args, **kwargs)
        if self.calls and server.is_write(self.calls[-1]):
            writes.append(self.calls[-1])
        return answer

    monkeypatch.setattr(server.EmulatorAdapter, "send", send)
    return writes


@pytest.fixture
def programme(tmp_path, monkeypatch):
    """A synced programme with stored meetings and fading pairs in the coordinator queue."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    config = load_config(path, environ={})
    assert jobs.sync_job(config).converged
    site = emulator_site(config)
    pairs = sorted(
        (mentor, member)
        for g in site.groups.values()
        if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
        for member in g.members
        if member != mentor
    )
    store = Store(config.store_path())
    MeetingRepository(store, PROGRAMME).save(
        (Meeting(TODAY + timedelta(days=7), mentor, mentee, 45, True, "csv"), "test") for mentor, mentee in pairs[:5]
    )
    store.close()
    assert health.health_job(config, as_of=LATER).queued  # pairs fade by LATER: the queue is not empty
    return config, path, pairs


def fingerprint(config):
    """Every row of every store table, the store file's bytes, and the emulator's saved state."""
    path = config.store_path()
    store = Store(path, read_only=True)
    try:
        rows = store.contents()
    finally:
        store.close()
    state = config.emulator_state_path()
    return {
        "rows": rows,
        "file": hashlib.sha256(path.read_bytes()).hexdigest(),
        "emulator": hashlib.sha256(state.read_bytes()).hexdigest(),
    }


READS = {
    "health --as-of today": ["health", "--as-of", TODAY.isoformat()],  # a day to come is refused (108b, 2)
    "health --as-of (json)": ["health", "--format", "json", "--as-of", TODAY.isoformat()],
    "nudge --dry-run": ["nudge", "--dry-run", "--as-of", LATER.isoformat()],
    "plan": ["plan"],
    "grades plan": ["grades", "plan"],
    "sync --dry-run": ["sync", "--dry-run"],
    "match": ["match"],
    "doctor": ["doctor"],
    "queue list": ["queue", "list"],
    "meetings list": ["meetings", "list"],
    "person export": ["person", "export", "{mentor}"],
}


@pytest.mark.parametrize("name", list(READS))
def test_issue_11_read_commands_write_nothing_to_moodle_or_the_store(name, programme, emulator_writes):
    config, path, pairs = programme
    args = [a.format(mentor=pairs[0][0]) for a in READS[name]]
    before = fingerprint(config)
    result = CliRunner().invoke(main, ["--config", str(path), "--log-level", "warning", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if name != "doctor":  # doctor's verdict on the emulator is not the point here
        assert result.exit_code == 0, result.output
    assert emulator_writes == [], f"`lmsync {name}` sent writes to Moodle"
    assert fingerprint(config) == before, f"`lmsync {name}` changed the store or the emulator"


def test_issue_11_health_as_of_2030_queues_nothing_but_plain_health_records_today(programme, emulator_writes,
                                                                                  monkeypatch):
    config, path, _pairs = programme
    before = fingerprint(config)
    queued = {(i.mentor_id, i.mentee_id) for i in health.queue_list(config)}

    def run(*args):
        return CliRunner().invoke(main, ["--config", str(path), "--log-level", "warning", *args])

    view = run("health", "--format", "json", "--as-of", "2030-01-01")  # refused, a day to come (tester round 108b, 2)
    assert view.exit_code == EXIT_INPUT and "is after today" in view.output, view.output
    assert {(i.mentor_id, i.mentee_id) for i in health.queue_list(config)} == queued
    assert all(i.opened_on.year < 2030 for i in health.queue_list(config))
    assert fingerprint(config) == before

    # the control: plain `lmsync health` stores a snapshot of its day, one after the fixture's judgement of LATER
    # (a day before it is a clock gone back, refused: tester round 78, 1; the clock itself, not only the programme's
    # day, as health also refuses a clock behind the day the store recorded: tester round 109b, 1)
    noon = datetime.combine(LATER + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr("lmsync.service.programme_settings.clock", lambda: noon)
    recorded = run("health", "--format", "json")
    assert recorded.exit_code == 0 and json.loads(recorded.stdout)["recorded"] is True
    after = fingerprint(config)
    assert after["rows"]["health_snapshots"] != before["rows"]["health_snapshots"]
    assert emulator_writes == []  # health never writes to Moodle


def test_issue_11_a_read_on_a_fresh_machine_creates_no_store(tmp_path, monkeypatch, emulator_writes):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={})
    for args in (["plan"], ["queue", "list"], ["meetings", "list"], ["grades", "plan"]):
        result = CliRunner().invoke(main, ["--log-level", "warning", *args])
        # a view of what a store holds says there is none (tester round 77, 6); a plan needs none
        assert result.exit_code == (EXIT_INPUT if "list" in args else 0), result.output
    assert not config.store_path().exists() and not (tmp_path / "state").exists()
    assert emulator_writes == []


def test_issue_11_nudge_dry_run_sends_nothing_then_a_real_run_does(programme, emulator_writes):
    config, _path, _pairs = programme
    from lmsync.service import nudges

    dry = nudges.nudge_job(config, as_of=LATER, dry_run=True)
    assert dry.planned and emulator_writes == []
    held = nudges.nudge_job(config, as_of=LATER)  # a store that never nudged holds a mass first run
    assert held.held and held.sent == [] and emulator_writes == []
    sent = nudges.nudge_job(config, as_of=LATER, allow_mass_nudge=True)
    assert len(sent.sent) == len(dry.planned)
    assert emulator_writes == ["core_message_send_instant_messages"] * len(dry.messages)  # one per person
