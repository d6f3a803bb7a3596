"""lmsync.allocator: glibc's mmap threshold held for the console script's syncing commands only (issue 15)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap

import pytest

from lmsync import allocator


class _Libc:
    def __init__(self, answer: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return self.answer


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> _Libc:
    fake = _Libc()
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda name: fake)
    monkeypatch.setattr(allocator, "held", False)
    return fake


def test_the_console_script_holds_the_threshold_at_128_kib(libc: _Libc) -> None:
    assert allocator.hold_mmap_threshold(["/usr/local/bin/lmsync", "run"], {}, command="run") is True
    assert libc.calls == [(-3, 128 * 1024)]  # M_MMAP_THRESHOLD: glibc's malloc.h
    assert allocator.held is True


def test_only_the_commands_that_sync_hold_it(libc: _Libc) -> None:
    """``lmsync match`` at 50,000 x 10,000 spent ~5 s of system time faulting in arrays afresh with
    it held (issue 15, speed): previews and the small commands keep glibc's default."""
    for command in ("match", "health", "report", "import", None):
        assert allocator.hold_mmap_threshold(["lmsync"], {}, command=command) is False
    assert libc.calls == []
    assert allocator.hold_mmap_threshold(["lmsync"], {}, command="daemon") is True


@pytest.mark.parametrize(("command", "holds"), [("sync", True), ("plan", True), ("match", False), ("health", False)])
def test_the_cli_asks_for_it_with_the_command_it_runs(libc: _Libc, monkeypatch: pytest.MonkeyPatch, command: str,
                                                      holds: bool) -> None:
    from click.testing import CliRunner

    from lmsync.cli import main

    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/lmsync", command, "--help"])
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert (libc.calls == [(-3, 128 * 1024)]) is holds


def test_a_program_importing_lmsync_keeps_its_own_allocator(libc: _Libc) -> None:
    assert allocator.hold_mmap_threshold(["/usr/bin/pytest", "-q"], {}) is False
    assert libc.calls == []


def test_a_caller_asking_for_it_gets_it(libc: _Libc) -> None:
    assert allocator.hold_mmap_threshold([], {}) is True  # the benchmarks: as `lmsync` does
    assert libc.calls == [(-3, 128 * 1024)]


def test_the_admins_own_malloc_setting_wins(libc: _Libc) -> None:
    assert allocator.hold_mmap_threshold(["lmsync", "daemon"], {"MALLOC_MMAP_THRESHOLD_": "65536"}, command="daemon") is False
    assert libc.calls == []


def test_a_c_library_that_is_not_glibc_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_glibc(name: str) -> object:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(allocator.ctypes, "CDLL", no_glibc)
    monkeypatch.setattr(allocator, "held", False)
    assert allocator.hold_mmap_threshold(["lmsync", "sync"], {}, command="sync") is False


def test_a_refused_setting_is_not_reported_held(libc: _Libc) -> None:
    libc.answer = 0  # mallopt returns 0 on error
    assert allocator.hold_mmap_threshold(["lmsync"], {}, command="sync") is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc: Linux only")
def test_held_freed_large_arrays_leave_the_process(tmp_path: object) -> None:
    """The behaviour itself, in a fresh process: after a 24 MiB block is freed, glibc's
    dynamic threshold would serve the next 16 MiB blocks from the heap and keep them resident
    once freed; held at 128 KiB, each is unmapped when freed."""
    try:
        getattr(ctypes.CDLL("libc.so.6"), "mallopt")  # noqa: B009 - raises AttributeError where there is none
    except (OSError, AttributeError):
        pytest.skip("not glibc")
    script = textwrap.dedent("""
        import ctypes, sys
        from lmsync.allocator import hold_mmap_threshold
        if sys.argv[1] == "held":
            assert hold_mmap_threshold([], {})
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc.restype = ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        def rss():
            return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
        def touch(p, size):
            ctypes.memset(p, 1, size)
        big = libc.malloc(24 << 20); touch(big, 24 << 20); libc.free(big)  # raises glibc's dynamic threshold (to 24 MiB)
        before = rss()
        blocks, pins = [], []
        for _ in range(3):  # each followed by a live block, so no freed one is the heap's top
            blocks.append(libc.malloc(16 << 20))
            pins.append(libc.malloc(200 << 10))
        for p in blocks:
            touch(p, 16 << 20)
        for p in blocks:
            libc.free(p)
        print(rss() - before)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    kept = {
        mode: int(subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True,
                                 env=env).stdout)
        for mode in ("default", "held")
    }
    assert kept["default"] >= 40  # glibc's default: the freed 48 MiB stay resident
    assert kept["held"] <= 8  # held: handed back
