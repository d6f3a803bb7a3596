"""Issue 12: one whole flow on each store engine, and several daemons on one PostgreSQL store.

``test_issue_12_sync_grades_and_health_on_each_engine`` runs the sync, a grade push and a
health run against the emulator with the store on SQLite and on PostgreSQL (the
``store_target`` fixture). The two-process tests start real ``lmsync sync`` processes on
one PostgreSQL store against the emulator served over HTTP and count its write requests
in the access log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_LOCKED
from lmsync.moodle.emulator import serve_in_background
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.service import grades, health
from lmsync.service.jobs import sync_job
from lmsync.store.db import Store
from lmsync.store.health import HealthSnapshots
from lmsync.store.locks import advisory_lock
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentor-2026"
GRADES_AS_OF = date(2026, 11, 25)
CONFIG = """
[programme]
name = "mentor-2026"
peer_mentor_cohort = "peer-mentors-2026"
[meetings]
feedback = "Meeting log"
cadence_days = 14
start = 2026-09-01
[meetings.items]
minutes = "meeting_minutes"
date = "meeting_date"
notes = "notes"
[waves]
programme_start = 2026-09-01
[grades]
assignment = "Mentoring attendance"
"""


def store_key(target: str | Path) -> str:
    return f'url = "{target}"' if "://" in str(target) else f'path = "{target}"'


def circle_pairs(site) -> list[tuple[int, int]]:
    pairs = []
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor is not None:
            pairs += [(mentor, m) for m in sorted(group.members) if m != mentor]
    return sorted(pairs)


def test_issue_12_sync_grades_and_health_on_each_engine(store_target, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(CONFIG + f"[store]\n{store_key(store_target)}\n")
    config = load_config(path, environ={})
    site = build_demo_site()

    first = sync_job(config, site=site)
    assert first.converged and sum(first.written.values()) > 0
    pairs = circle_pairs(site)
    assert len(pairs) > 10

    store = Store(store_target)
    today = datetime.now(UTC).date()
    assert PairingHistory(store, PROGRAMME).pairing_days() == {pair: today for pair in pairs}  # written by apply
    meetings = [
        Meeting(day, mentor, mentee, 30 + n % 3 * 10, bool((n + k) % 3), "csv")
        for n, (mentor, mentee) in enumerate(pairs)
        for k, day in enumerate((date(2026, 9, 16), date(2026, 9, 30), date(2026, 10, 14)))
    ]
    MeetingRepository(store, PROGRAMME).save((m, "test") for m in meetings)
    store.close()

    pushed = grades.push_job(config, site=site, as_of=GRADES_AS_OF)
    assert pushed.report.complete and not pushed.plan.empty
    assert grades.plan_job(config, site=site, as_of=GRADES_AS_OF).plan.empty  # read back: nothing left to write

    report = health.health_job(config, site=site)
    assert sum(report.counts.values()) == len(pairs)
    store = Store(store_target)
    snapshot = HealthSnapshots(store, PROGRAMME).rows(day=report.as_of)
    assert sorted((r.mentor_id, r.mentee_id) for r in snapshot) == pairs
    assert health.journal_pairing_days(store, PROGRAMME) == {pair: today for pair in pairs}  # the history's
    store.close()

    again = sync_job(config, site=site)
    assert again.converged and sum(again.written.values()) == 0


# --- several daemons, one site -----------------------------------------------------------------

WRITE = re.compile(r"wsfunction=(\w*(?:create|add|assign|delete|update|send|save)\w*)")


def _writes(access_log: list[str]) -> Counter[str]:
    return Counter(m.group(1) for line in access_log if (m := WRITE.search(line)))


def _served_config(tmp_path: Path, store: str, name: str) -> tuple[Path, list[str], object, object]:
    site = build_demo_site()
    access_log: list[str] = []
    url, stop = serve_in_background(site, access_log=access_log)
    token = tmp_path / f"{name}.token"
    token.write_text(DEMO_TOKEN + "\n")
    token.chmod(0o600)
    cfg = tmp_path / f"{name}.toml"
    cfg.write_text(
        f'[moodle]\nurl = "{url}"\ntoken_file = "{token}"\n'
        f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
        f"[store]\n{store_key(store)}\n"
    )
    return cfg, access_log, site, stop


def _lmsync(cfg: Path, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env.update({k: v for k, v in os.environ.items() if k.startswith(("LMSYNC_TEST_", "VIRTUAL_ENV", "PYTHON"))})
    return subprocess.Popen(
        [sys.executable, "-m", "lmsync", "--config", str(cfg), "sync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _memberships(site) -> dict[str, set[int]]:
    return {g.idnumber: set(g.members) for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)}


def test_issue_12_two_lmsync_processes_on_one_postgresql_store_write_once(postgres_url, tmp_path):
    # what one sync writes, on an identical site with a store of its own
    ref_cfg, ref_log, ref_site, ref_stop = _served_config(tmp_path, str(tmp_path / "ref.db"), "ref")
    try:
        ref = _lmsync(ref_cfg, tmp_path)
        out, _ = ref.communicate(timeout=300)
        assert ref.returncode == 0, out
    finally:
        ref_stop()  # type: ignore[operator]
    one_sync = _writes(ref_log)
    assert sum(one_sync.values()) > 0

    cfg, access_log, site, stop = _served_config(tmp_path, postgres_url, "shared")
    try:
        both = [_lmsync(cfg, tmp_path, "--wait"), _lmsync(cfg, tmp_path, "--wait")]
        outputs = [p.communicate(timeout=300)[0] for p in both]
    finally:
        stop()  # type: ignore[operator]
    assert [p.returncode for p in both] == [0, 0], outputs
    assert _writes(access_log) == one_sync  # no write made twice: the second run found nothing to do
    assert _memberships(site) == _memberships(ref_site)  # the end state equals one sync's
    store = Store(postgres_url, read_only=True)
    assert len(PairingHistory(store, PROGRAMME).history()) == sum(len(m) - 1 for m in _memberships(site).values())
    store.close()


def test_issue_12_a_run_finding_the_advisory_lock_held_exits_4_or_waits_with_wait(postgres_url, tmp_path):
    Store(postgres_url).close()  # migrated, so the runs below only wait for the lock
    cfg, access_log, _site, stop = _served_config(tmp_path, postgres_url, "locked")
    try:
        with advisory_lock(postgres_url, PROGRAMME, wait=False) as held:  # another daemon, elsewhere
            assert held
            refused = _lmsync(cfg, tmp_path)
            out, _ = refused.communicate(timeout=300)
            assert refused.returncode == EXIT_LOCKED, out
            assert "advisory lock of programme mentor-2026" in out and "--wait" in out
            assert _writes(access_log) == Counter()
            waiting = _lmsync(cfg, tmp_path, "--wait")
            time.sleep(3)
            assert waiting.poll() is None  # queued behind the holder
        out, _ = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, out
        assert sum(_writes(access_log).values()) > 0
    finally:
        stop()  # type: ignore[operator]


def test_issue_12_the_advisory_lock_is_one_holder_at_a_time(postgres_url):
    with advisory_lock(postgres_url, "p", wait=False) as first:
        with advisory_lock(postgres_url, "p", wait=False) as second:
            assert first and not second
        with advisory_lock(postgres_url, "other", wait=False) as other:
            assert other  # another programme is not blocked
        with advisory_lock(postgres_url, "p", wait=True, timeout=0.5) as timed_out:
            assert not timed_out
    with advisory_lock(postgres_url, "p", wait=False) as after:
        assert after  # released with the holder's connection


def test_issue_12_sqlite_keeps_the_host_local_flock(tmp_path):
    from lmsync.errors import LockedError
    from lmsync.service.lock import programme_lock

    lock = tmp_path / "p.lock"
    with programme_lock(lock, url=None), pytest.raises(LockedError) as info, programme_lock(lock):
        pass
    assert info.value.exit_code == EXIT_LOCKED and str(lock) in str(info.value)
