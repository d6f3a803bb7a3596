"""Whole jobs as the CLI and the daemon run them: lock, connect, open the store, run, close.

Keeping this here (not in the CLI) lets tests and the daemon loop call exactly what a
person at the terminal gets.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.domain.plan import Plan
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.service.apply import ApplyReport
from lmsync.service.lock import programme_lock
from lmsync.service.moodle import MoodleConnection, open_moodle
from lmsync.service.sync import PlanResult, SyncResult, apply_saved_plan, make_plan, run_sync
from lmsync.store.db import Store

log = get_logger(__name__)


def lock_path(config: Config) -> Path:
    return config.store_path().with_suffix(".lock")


@contextmanager
def session(config: Config, *, wait: bool = False, site: Any = None, fault: Any = None) -> Iterator[
    tuple[MoodleConnection, Store]
]:
    """The programme lock, a Moodle connection and the store, released in reverse order."""
    with programme_lock(lock_path(config), wait=wait):
        store = Store(config.store_path())
        try:
            with open_moodle(config, site=site, fault=fault) as conn:
                yield conn, store
        finally:
            store.close()


def plan_job(config: Config, *, allow_delete: bool | None = None, wait: bool = False) -> PlanResult:
    with session(config, wait=wait) as (conn, _store):
        return make_plan(conn.api, config, allow_delete=allow_delete)


def apply_job(
    config: Config,
    plan: Plan,
    *,
    wait: bool = False,
    progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ApplyReport:
    with session(config, wait=wait) as (conn, store):
        return apply_saved_plan(conn.api, config, store, plan, progress=progress, should_stop=should_stop)


def sync_job(
    config: Config,
    *,
    dry_run: bool = False,
    allow_delete: bool | None = None,
    wait: bool = False,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[Plan], Any] | None = None,
    should_stop: Callable[[], bool] | None = None,
    site: Any = None,
) -> SyncResult:
    with session(config, wait=wait, site=site) as (conn, store):
        result = run_sync(
            conn.api,
            config,
            store,
            dry_run=dry_run,
            allow_delete=allow_delete,
            progress=progress,
            on_plan=on_plan,
            should_stop=should_stop,
        )
        log.info(
            "sync.done",
            run_id=result.run_id,
            rounds=result.rounds,
            written=dict(result.written),
            requests=sum(conn.transport.stats.values()),
            converged=result.converged,
        )
        return result


@dataclass
class StopFlag:
    """Set by SIGTERM/SIGINT; checked between batches so a stop never splits a batch."""

    event: threading.Event

    def __call__(self) -> bool:
        return self.event.is_set()

    @classmethod
    def install(cls) -> StopFlag:
        flag = cls(threading.Event())

        def _handler(signum: int, _frame: Any) -> None:
            log.info("daemon.stopping", signal=signal.Signals(signum).name)
            flag.event.set()

        signal.signal(signal.SIGTERM, _handler)
        signal.signal(signal.SIGINT, _handler)
        return flag


def daemon_loop(
    config: Config,
    interval: float,
    stop: StopFlag,
    *,
    wait: bool = True,
    run: Callable[..., SyncResult] = sync_job,
    max_runs: int | None = None,
) -> int:
    """Run a sync every ``interval`` seconds until stopped; returns the last run's exit code."""
    runs, code = 0, 0
    while not stop():
        started = time.monotonic()
        try:
            result = run(config, wait=wait, should_stop=stop)
            code = 0 if result.converged or result.stopped else 1
        except Exception as exc:  # a daemon survives one bad run; config errors end it
            code = int(getattr(exc, "exit_code", 1))
            log.error("daemon.run_failed", error=type(exc).__name__, exit_code=code)
            if isinstance(exc, ConfigError):
                return code
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        while not stop() and time.monotonic() - started < interval:
            stop.event.wait(min(1.0, interval))
    return code
