"""Tester round 120b, 1: on a PostgreSQL store the programme's advisory lock was lost mid-run without lmsync noticing.

The lock lives as long as its own connection, idle for the whole run. A DBA's ``idle_session_timeout``, a
``pg_terminate_backend`` or a network blip closed it: the run wrote every remaining step without the lock while a
second daemon took it and ran too, then ended at the unlock with a traceback, "run failed before it started: exit 1"
after 7 step lines, and ``"run_id": null``. Now the lock's session (and the store's) turn the server's idle timeouts
off for themselves, and a run asks PostgreSQL before each step and each write batch whether it still holds the lock:
once it cannot show it does, it writes nothing more, says it lost the programme's lock, keeps its id in its last line
and exits 1 (README: "partial, the next run retries"); the daemon backs off and carries on.

These need the PostgreSQL server itself (its sessions, ``pg_terminate_backend``): they run on the suite's PostgreSQL
pass (``postgresql_pass``), never skipped under CI=true. Each run's lock takes a key of its own (``advisory_key``
patched), so a run of the suite elsewhere on the same database is never the one terminated.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from lmsync.config import load_config
from lmsync.errors import EXIT_PARTIAL
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import cycle, jobs
from lmsync.store import locks
from lmsync.store.db import Store
from lmsync.store.schema import health_snapshots, pairing_history
from tests.conftest import postgres_base_url
from tests.flows.conftest import run_in

pytestmark = pytest.mark.postgresql_pass("terminates and times out PostgreSQL sessions: the server itself")

LOST = "lost the programme's lock (its PostgreSQL connection closed)"
STEPS_AFTER_SYNC = ("feedback", "grades", "health", "nudges", "digest")


@pytest.fixture
def lock_key(monkeypatch: pytest.MonkeyPatch) -> int:
    """A key of this test's own for the programme's lock (the runs here take it, and only they)."""
    key = int(uuid.uuid4().int % 2**63) - 2**62
    monkeypatch.setattr(locks, "advisory_key", lambda programme: key)
    return key


def terminate_lock(url: str, key: int) -> int:
    """``pg_terminate_backend`` on the session holding the advisory lock of ``key``: how many were ended."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    engine = create_engine(make_url(url))
    try:
        with engine.begin() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                "classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"),
                {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF}).all())
    finally:
        engine.dispose()


def with_store(home: Any, url: str, more: str = "") -> None:
    path = home / "lmsync.toml"
    path.write_text(path.read_text() + more + f'[store]\nurl = "{url}"\n')


def after_step(monkeypatch: pytest.MonkeyPatch, name: str, act: Callable[[], Any]) -> None:
    """``act()`` once, as ``lmsync run`` shows its step ``name`` (the CLI's step printer)."""
    from lmsync.cli import cycle as cli_cycle

    printer = cli_cycle.step_printer

    def step_printer(as_json: bool) -> Callable[[Any], None]:
        show = printer(as_json)

        def shown(step: Any) -> None:
            show(step)
            if step.step == name:
                act()

        return shown

    monkeypatch.setattr(cli_cycle, "step_printer", step_printer)


def count(url: str, table: Any) -> int:
    store = Store(url, read_only=True)
    try:
        return int(store.scalar(select(func.count()).select_from(table)))
    finally:
        store.close()


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_a_run_whose_lock_connection_is_terminated_stops_writing_and_the_next_run_proceeds(
    demo_home, postgres_url, lock_key, monkeypatch
):
    with_store(demo_home, postgres_url)
    terminated: list[int] = []  # a DBA's pg_terminate_backend, in the first run only
    after_step(monkeypatch, "sync", lambda: terminated or terminated.append(terminate_lock(postgres_url, lock_key)))
    lost = run_in(demo_home, "--log-format", "json", "run")
    assert terminated == [1], lost.output
    assert lost.exit_code == EXIT_PARTIAL, lost.output
    assert "Traceback" not in lost.output and "failed before it started" not in lost.output, lost.output
    objects = json_lines(lost.output)
    steps, last = {o["step"]: o for o in objects if "step" in o and "event" not in o}, objects[-1]
    run_id = steps["sync"]["run_id"]
    assert last == {"run_id": run_id, "exit_code": EXIT_PARTIAL, "stopped": False, "lock_lost": True}, last
    assert steps["sync"]["state"] == "ok", steps["sync"]  # written under the lock
    for name in STEPS_AFTER_SYNC:  # written without it: none of them
        assert steps[name]["state"] == "skipped" and LOST in steps[name]["summary"], steps[name]
    assert count(postgres_url, health_snapshots) == 0  # the health step wrote nothing
    assert count(postgres_url, pairing_history) > 0  # the sync's writes are kept

    again = run_in(demo_home, "--log-format", "json", "run")
    assert again.exit_code == 0, again.output  # the lock was free: taken and let go
    assert json_lines(again.output)[-1]["exit_code"] == 0
    assert count(postgres_url, health_snapshots) > 0


def test_a_lock_lost_after_the_last_step_is_said_with_the_run_id_not_a_traceback(
    demo_home, postgres_url, lock_key, monkeypatch
):
    with_store(demo_home, postgres_url)
    told = cycle.tell_done

    def tell_done(result: Any) -> None:  # the run's last line logged: the lock goes before it is let go
        told(result)
        assert terminate_lock(postgres_url, lock_key) == 1

    monkeypatch.setattr(cycle, "tell_done", tell_done)
    lost = run_in(demo_home, "run")
    assert lost.exit_code == EXIT_PARTIAL, lost.output
    assert "Traceback" not in lost.output and "failed before it started" not in lost.output, lost.output
    assert "pg_advisory_unlock" not in lost.output and "sqlalche.me" not in lost.output, lost.output
    lines = lost.output.splitlines()
    assert lines[-2] == f"{LOST}: nothing more was written; the next run carries on", lost.output
    assert lines[-1].startswith("run ") and lines[-1].endswith(": exit 1") and "None" not in lines[-1], lost.output


def test_a_sync_stops_between_write_batches_once_its_lock_is_gone(postgres_url, lock_key, tmp_path, monkeypatch):
    from tests.flows.conftest import demo_config

    config = demo_config(tmp_path, monkeypatch, more=f'[moodle]\nbatch_budget = 10\nmax_parallel = 1\n'
                                                     f'[store]\nurl = "{postgres_url}"\n')
    written: list[int] = []  # operations per accepted write request, and when the lock went

    def progress(n: int) -> None:
        written.append(n)
        if len(written) == 2:
            assert terminate_lock(postgres_url, lock_key) == 1
            written.append(0)  # the mark: nothing may follow it

    with pytest.raises(locks.LockLost) as info:
        jobs.sync_job(config, site=(site := build_demo_site()), progress=progress)
    assert info.value.exit_code == EXIT_PARTIAL and LOST in info.value.message, info.value
    assert "nothing more was written" in info.value.message and "next run" in str(info.value.hint)
    assert written[-1] == 0, written  # no write request went after the lock was gone
    again = jobs.sync_job(config, site=site)  # the next run takes the lock and carries on
    assert again.converged and sum(again.written.values()) > 0


def test_the_daemon_logs_a_lost_lock_backs_off_and_runs_on(demo_home, postgres_url, lock_key, monkeypatch):
    from structlog.testing import capture_logs

    with_store(demo_home, postgres_url)
    config = load_config(demo_home / "lmsync.toml", environ={})
    runs: list[tuple[str | None, int]] = []
    terminated: list[int] = []

    def on_step(step: Any) -> None:
        if step.step == "sync" and not terminated:  # the first run only
            terminated.append(terminate_lock(postgres_url, lock_key))

    with capture_logs() as logs:
        code = jobs.daemon_loop(config, 60.0, jobs.StopFlag(threading.Event()), max_runs=2, sleep=lambda _s: None,
                                on_step=on_step, on_run=lambda result, code, *_: runs.append((result and result.run_id, code)))
    assert terminated == [1] and code == 0  # the daemon's last run
    assert [c for _, c in runs] == [EXIT_PARTIAL, 0] and all(run_id for run_id, _ in runs), runs
    events = [e["event"] for e in logs]
    assert "lock.lost" in events and "daemon.backing_off" in events and "daemon.run_failed" not in events, events


@pytest.fixture
def idle_database() -> Iterator[str]:
    """A database of its own whose sessions a DBA's ``idle_session_timeout`` of 1 s ends (PostgreSQL 14+)."""
    base = make_url(postgres_base_url())
    name = f"lmsync_t_idle_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if int(conn.execute(text("SHOW server_version_num")).scalar_one()) < 140000:
            pytest.fail("idle_session_timeout needs PostgreSQL 14 or later; .ci/postgres starts Debian's (15)")
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET idle_session_timeout = '1s'"))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_run_under_a_dbas_idle_session_timeout_completes_and_exits_0(demo_home, idle_database, monkeypatch):
    with_store(demo_home, idle_database)
    after_step(monkeypatch, "sync", lambda: time.sleep(1.6))  # both the lock's and the store's sessions idle > 1 s
    ran = run_in(demo_home, "--log-format", "json", "run")
    assert ran.exit_code == 0, ran.output
    objects = json_lines(ran.output)
    steps = [o for o in objects if "step" in o and "event" not in o]
    assert len(steps) == 7 and all(o["state"] != "failed" for o in steps), ran.output
    assert objects[-1] == {"run_id": steps[0]["run_id"], "exit_code": 0, "stopped": False}, objects[-1]
    engine = create_engine(make_url(idle_database))  # the timeout is still the database's: only lmsync's are off
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW idle_session_timeout")).scalar_one() == "1s"
    finally:
        engine.dispose()
