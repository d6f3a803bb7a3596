"""Round 82a, 2: a second stop request while requests were in flight on the pool waited for them (up to
``[moodle] timeout_seconds``, 30 s) before lmsync ended. A second stop ends the run at once: the pools do
not wait for what is in flight, and the process ends without joining their threads (exit 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from lmsync.domain.plan import AddMember, mentor_group_idnumber
from lmsync.errors import EXIT_PARTIAL, StoppedAtOnce
from lmsync.service.executor import EACH, Executor, Kind, OpFamily, Sent, read_side_by_side
from lmsync.service.reads import ReadPool
from lmsync.store.db import Store
from lmsync.store.journal import Journal


class Hung(OpFamily):
    """``add_member`` whose first call hangs until ``release`` (a Moodle that does not answer)."""

    name = "sync"
    kinds = {"add_member": Kind("core_group_add_group_members", 2, idempotent=True, lane=EACH)}

    def __init__(self, journal: Journal) -> None:
        super().__init__(journal)
        self.release, self.started, self.answered = threading.Event(), threading.Event(), threading.Event()

    def send(self, kind, chunk):
        self.started.set()
        self.release.wait(20)
        self.answered.set()
        return Sent({"n": len(chunk)})


def test_a_second_stop_leaves_the_writes_in_flight_unwaited_for():
    store = Store.memory()
    family = Hung(Journal(store, "mentor-2026"))
    asked = []

    def should_stop():  # the second stop request's handler raises where the run is: here, between submits
        asked.append(1)
        if len(asked) > 1:
            assert family.started.wait(5)
            raise StoppedAtOnce("stopped at once on a second stop request")
        return False

    ops = [AddMember(group=mentor_group_idnumber("mentor-2026", g), user_id=g) for g in range(2)]
    try:
        with pytest.raises(StoppedAtOnce):
            Executor(family, run_id="r", budget=2, max_parallel=2, should_stop=should_stop).run_steps([("add_member", ops)])
        assert not family.answered.is_set(), "the run waited for the hung request before it stopped"
    finally:
        family.release.set()
        store.close()


@pytest.mark.parametrize("through", ["read_side_by_side", "ReadPool"])
def test_a_second_stop_leaves_the_reads_in_flight_unwaited_for(through):
    """The stop request's handler raises in the main thread, which waits on the reads."""
    release, answered = threading.Event(), threading.Event()

    def read(n: int) -> int:
        if n == 0:
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()  # once the read is in flight
            release.wait(20)
            answered.set()
        return n

    def second_stop(signum, frame):
        raise StoppedAtOnce("stopped at once on a second stop request")

    before = signal.signal(signal.SIGUSR1, second_stop)
    try:
        with pytest.raises(StoppedAtOnce):
            if through == "read_side_by_side":
                read_side_by_side(read, [0, 1], 2)
            else:
                with ReadPool(2) as pool:
                    pool.map(read, [0, 1])
        assert not answered.is_set(), "the reads in flight were waited for"
    finally:
        signal.signal(signal.SIGUSR1, before)
        release.set()


def test_a_second_stop_ends_the_process_without_joining_the_threads_in_flight():
    """The process itself: Python joins a pool's threads before it exits; after a second stop the command line
    (``ExitsAtOnce``, lmsync's group) does not, and exits with the command's code."""
    script = textwrap.dedent("""
        import os, signal, threading, time
        import click
        from lmsync.cli.exiting import ExitsAtOnce
        from lmsync.errors import StoppedAtOnce
        from lmsync.service.jobs import StopFlag

        @click.group(cls=ExitsAtOnce)
        def main():
            pass

        @main.command()
        def sync():
            StopFlag.install()
            threading.Thread(target=time.sleep, args=(60,), name="lmsync-read_0").start()  # a hung read: joined at exit
            os.kill(os.getpid(), signal.SIGTERM)
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            except StoppedAtOnce:
                click.echo("stopped at once")
                raise click.exceptions.Exit(1) from None

        main(["sync"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert "stopped at once" in done.stdout, done.stderr
    assert done.returncode == EXIT_PARTIAL, (done.returncode, done.stderr)
    assert "lmsync.stopping_now" in done.stdout + done.stderr, "the stop notice was not written before the exit"


def test_only_lmsyncs_own_pool_threads_are_not_waited_for_and_only_once(monkeypatch):
    """`exit_at_once` ends the process for lmsync's hung request pools alone, never for another program's threads
    (a test runner's), and a second stop counts for one command: the next command of the process exits as usual."""
    from lmsync.service import jobs

    exits: list[int] = []
    monkeypatch.setattr(jobs.os, "_exit", exits.append)
    release = threading.Event()
    foreign = threading.Thread(target=release.wait, args=(10,), name="someone-else")
    foreign.start()
    try:
        monkeypatch.setattr(jobs, "_AT_ONCE", [15])
        jobs.exit_at_once(1)
        assert exits == [] and jobs._AT_ONCE == []  # another program's thread: waited for as Python does
        ours = threading.Thread(target=release.wait, args=(10,), name="lmsync-write_0")
        ours.start()
        jobs.exit_at_once(1)
        assert exits == []  # no second stop in this command
        jobs._AT_ONCE.append(15)
        jobs.exit_at_once(1)
        assert exits == [1]
    finally:
        release.set()
