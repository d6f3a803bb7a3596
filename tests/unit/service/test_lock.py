import multiprocessing
import time
from contextlib import contextmanager

import pytest

from lmsync.errors import EXIT_LOCKED, LockedError
from lmsync.service.lock import programme_lock

CTX = multiprocessing.get_context("fork")


def _hold(path, ready, release):
    with programme_lock(path):
        ready.set()
        release.wait(10)


@contextmanager
def held(path):
    """Another process holding the programme lock until ``release`` is set."""
    ready, release = CTX.Event(), CTX.Event()
    holder = CTX.Process(target=_hold, args=(path, ready, release))
    holder.start()
    assert ready.wait(10)
    try:
        yield holder, release
    finally:
        if holder.is_alive():  # a killed holder may have died inside the Event: never touch it again
            release.set()
        holder.join(10)


def test_second_run_is_refused_with_a_clear_message_then_allowed(tmp_path):
    path = tmp_path / "p.lock"
    with held(path):
        with pytest.raises(LockedError, match="another lmsync run") as info, programme_lock(path):
            pass
        assert info.value.exit_code == EXIT_LOCKED and "--wait" in str(info.value)
    with programme_lock(path):
        pass


def test_wait_queues_behind_the_running_one(tmp_path):
    path = tmp_path / "p.lock"
    with held(path) as (_holder, release):
        started = time.monotonic()
        CTX.Process(target=lambda: (time.sleep(0.5), release.set())).start()
        with programme_lock(path, wait=True, timeout=10):
            assert time.monotonic() - started >= 0.4


def test_a_crashed_holder_leaves_no_stale_lock(tmp_path):
    path = tmp_path / "p.lock"
    with held(path) as (holder, _release):
        holder.kill()
        holder.join(10)
        with programme_lock(path):
            assert path.exists()
