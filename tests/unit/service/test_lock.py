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
def held(path, hold=_hold):
    """Another process holding the programme lock (``hold``: as lmsync takes it) until ``release`` is set."""
    ready, release = CTX.Event(), CTX.Event()
    holder = CTX.Process(target=hold, args=(path, ready, release))
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
    with held(path) as (holder, _release):
        with pytest.raises(LockedError, match="another lmsync run") as info, programme_lock(path):
            pass
        assert info.value.exit_code == EXIT_LOCKED and "--wait" in str(info.value)
        assert f"p.lock (process {holder.pid})" in str(info.value)  # which one (tester round 27, 8)
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


def test_tester_finding_2_a_stop_while_queued_for_the_lock_ends_the_wait_with_exit_4(tmp_path):
    """Tester finding 2: ``daemon --once`` queued behind another run waited silently, ignored
    SIGTERM until that run ended, then reported success having done nothing. The wait is now
    logged when it begins, and a stop ends it at once with LockedError (exit 4) saying so."""
    from structlog.testing import capture_logs

    path = tmp_path / "p.lock"
    asked = []
    started = time.monotonic()

    def stop() -> bool:
        asked.append(time.monotonic())
        return time.monotonic() - started > 0.5

    with held(path), capture_logs() as events, pytest.raises(LockedError, match="stopped on request while waiting") as info, \
            programme_lock(path, wait=True, should_stop=stop):
        pass
    assert info.value.exit_code == EXIT_LOCKED
    assert time.monotonic() - started < 5  # not until the holder lets go (10 s)
    assert [e["event"] for e in events].count("lock.waiting") == 1


def test_tester_finding_2_the_daemon_stopped_while_queued_exits_4(tmp_path, monkeypatch):
    """The same through the daemon: ``daemon --once`` queued behind another run and told to
    stop returns EXIT_LOCKED at once, not 0 after the other run ends."""
    import threading

    from lmsync.config import load_config
    from lmsync.service.jobs import StopFlag, daemon_loop
    from lmsync.service.runtime import lock_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")})
    stop = StopFlag(threading.Event())
    with held(lock_path(config)):
        threading.Timer(0.5, stop.event.set).start()
        started = time.monotonic()
        said = []
        code = daemon_loop(config, 3600, stop, max_runs=1, on_run=lambda *closing: said.append(closing))
    assert code == EXIT_LOCKED
    assert time.monotonic() - started < 5
    assert said == [(None, EXIT_LOCKED, True)]  # its closing line says it was stopped (tester round 82, 7)


def _foreign(path, ready, release):  # `flock FILE backup`: a program that writes nothing into the file
    import fcntl

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        ready.set()
        release.wait(10)



def test_round_77_8_the_message_never_names_an_lmsync_run_that_has_ended(tmp_path):
    """The lock file kept the last lmsync run's pid: with a backup holding it under ``flock``, the message sent
    the admin to a process long gone."""
    path = tmp_path / "p.lock"
    with held(path) as (holder, release):
        gone = holder.pid
        release.set()
        holder.join(10)
    with held(path, _foreign), pytest.raises(LockedError) as info, programme_lock(path):
        pass
    assert str(gone) not in str(info.value) and "another program" in str(info.value)
    path.write_text(str(gone))  # a pid left by a version that did not clear it, or a crash
    with held(path, _foreign), pytest.raises(LockedError) as info, programme_lock(path):
        pass
    assert f"not lmsync's process {gone}, which has ended" in str(info.value)


def test_round_77_1_a_run_queued_behind_another_says_again_that_it_waits(tmp_path, monkeypatch):
    """A daemon blocked behind a held lock logged one info line when its wait began, then nothing for hours."""
    from structlog.testing import capture_logs

    monkeypatch.setattr("lmsync.service.lock.STILL_WAITING_EVERY", 0.3)
    path = tmp_path / "p.lock"
    with held(path) as (holder, _release), capture_logs() as logs, pytest.raises(LockedError), \
            programme_lock(path, wait=True, timeout=1.0):
        pass
    still = [e for e in logs if e["event"] == "lock.still_waiting"]
    assert still and still[0]["log_level"] == "warning" and still[0]["holder"] == f"process {holder.pid}"


def test_round_82_1_a_store_named_through_a_symbolic_link_shares_its_lock(tmp_path, monkeypatch):
    """``[store] path`` through a link put a second lock beside the link: two runs of one programme at once."""
    from lmsync.config import load_config
    from lmsync.service.runtime import lock_path

    real = tmp_path / "store" / "prog.db"
    real.parent.mkdir()
    (tmp_path / "link.db").symlink_to(real)  # dangling until the first run makes the store: the same lock
    monkeypatch.chdir(tmp_path)
    direct = load_config(None, environ={"LMSYNC_STORE_PATH": str(real)})
    linked = load_config(None, environ={"LMSYNC_STORE_PATH": str(tmp_path / "link.db")})
    assert lock_path(linked) == lock_path(direct) == real.with_suffix(".lock")
    with held(lock_path(direct)), pytest.raises(LockedError), programme_lock(lock_path(linked)):
        pass


def test_a_sqlite_store_url_has_its_lock_beside_the_file_it_names(tmp_path, monkeypatch):
    """``[store] url = sqlite:///...`` took its lock beside the default ``[store] path``, which lies in the state
    folder: two runs on one store file under other state folders (cron's HOME, an admin's) ran at once."""
    from lmsync.config import load_config
    from lmsync.service.runtime import lock_path

    store = tmp_path / "shared" / "prog.db"
    store.parent.mkdir()
    monkeypatch.chdir(tmp_path)
    cron = load_config(None, environ={"LMSYNC_STORE_URL": f"sqlite:///{store}", "XDG_STATE_HOME": str(tmp_path / "a")})
    admin = load_config(None, environ={"LMSYNC_STORE_URL": "sqlite:///shared/prog.db", "XDG_STATE_HOME": str(tmp_path / "b")})
    assert lock_path(cron) == lock_path(admin) == store.with_suffix(".lock")
    with held(lock_path(cron)), pytest.raises(LockedError), programme_lock(lock_path(admin)):
        pass
