import multiprocessing
import time

import pytest

from lmsync.errors import LockedError
from lmsync.service.lock import programme_lock


def _hold(path, ready, release):
    with programme_lock(path):
        ready.set()
        release.wait(10)


def test_second_run_is_refused_with_a_clear_message_then_allowed(tmp_path):
    path = tmp_path / "p.lock"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockedError, match="another lmsync run") as info, programme_lock(path):
            pass
        assert info.value.exit_code == 2 and "--wait" in str(info.value)
    finally:
        release.set()
        holder.join(10)
    with programme_lock(path):
        pass


def test_wait_queues_behind_the_running_one(tmp_path):
    path = tmp_path / "p.lock"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(path, ready, release))
    holder.start()
    assert ready.wait(10)
    started = time.monotonic()
    ctx.Process(target=lambda: (time.sleep(0.5), release.set())).start()
    with programme_lock(path, wait=True, timeout=10):
        assert time.monotonic() - started >= 0.4
    holder.join(10)


def test_a_crashed_holder_leaves_no_stale_lock(tmp_path):
    path = tmp_path / "p.lock"
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(path, ready, release))
    holder.start()
    assert ready.wait(10)
    holder.kill()
    holder.join(10)
    with programme_lock(path):
        assert path.exists()
