"""Tester round 99b, 1 and 9: a store path that is there and is no regular file is refused before anything
touches it.

``LMSYNC_STORE_PATH=fakenull lmsync run`` (a character device, ``mknod fakenull c 1 3``) failed as "the store is
damaged: disk I/O error" after making the device 0600 and a ``fakenull.lock`` and a ``fakenull-journal`` beside
it (``path = "/dev/null"`` as root changed the real ``/dev/null``), and ``lmsync queue list`` read it as an empty
store, exit 0; a named pipe (FIFO) hung ``lmsync run`` for good. Now every command, writing or reading, and a
``sqlite:///`` url naming such a file, refuses it (exit 2, the kind of file named) and leaves it as it was: its
mode, no lock file, no journal. The pipe is never opened, here either: the commands run in a process of their
own, ended if they hang.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lmsync.errors import EXIT_ADMIN

from .conftest import run_in

pytestmark = pytest.mark.sqlite_only("a SQLite store file that is a device or a named pipe")

TOML = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'
FIX = "point [store] path (or LMSYNC_STORE_PATH, or [store] url) at the store file, or at a path where no file is yet"


def said(text: str) -> str:
    return " ".join(text.split())


def left_alone(path: Path, mode: int) -> None:
    """``path`` has its mode still, and nothing was made beside it (no lock file, no journal, no -wal or -shm)."""
    assert stat.S_IMODE(path.lstat().st_mode) == mode, oct(path.lstat().st_mode)
    assert sorted(p.name for p in path.parent.glob(path.name + "*")) == [path.name], list(path.parent.iterdir())
    assert not path.with_suffix(".lock").exists()


def device(home: Path) -> Path:
    """A character device like ``/dev/null`` (``mknod fakenull c 1 3``), mode 0666, in ``home``."""
    path = home / "fakenull"
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.chmod(path, 0o666)
    return path


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making a device (mknod) needs root; CI runs as root")


@needs_root
@pytest.mark.parametrize("command", [("run",), ("sync",), ("queue", "list"), ("health",), ("meetings", "list")])
def test_a_device_as_store_path_is_refused_and_left_alone(cli_home: Any, monkeypatch: pytest.MonkeyPatch,
                                                          command: tuple[str, ...]) -> None:
    (cli_home / "lmsync.toml").write_text(TOML)
    path = device(cli_home)
    monkeypatch.setenv("LMSYNC_STORE_PATH", "fakenull")
    result = run_in(cli_home, *command)
    assert result.exit_code == EXIT_ADMIN, result.output
    text = said(result.output)
    assert "the store fakenull is a character device, not a regular file" in text, text
    assert FIX in text and "damaged" not in text, text
    left_alone(path, 0o666)


@needs_root
def test_a_device_named_by_the_file_or_a_sqlite_url_is_refused_too(cli_home: Any) -> None:
    path = device(cli_home)
    for store in (f'path = "{path}"', f'url = "sqlite:///{path}"', 'url = "sqlite:///fakenull"'):
        (cli_home / "lmsync.toml").write_text(TOML + f"[store]\n{store}\n")
        for command in (("run",), ("queue", "list")):
            result = run_in(cli_home, *command)
            assert result.exit_code == EXIT_ADMIN, (store, command, result.output)
            assert "is a character device, not a regular file" in said(result.output), result.output
            left_alone(path, 0o666)


@needs_root
def test_doctor_fails_the_store_that_is_a_device(cli_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (cli_home / "lmsync.toml").write_text(TOML)
    path = device(cli_home)
    monkeypatch.setenv("LMSYNC_STORE_PATH", "fakenull")
    result = run_in(cli_home, "doctor")
    text = said(result.output)
    assert "[FAIL] store: the store fakenull is a character device, not a regular file" in text, text
    left_alone(path, 0o666)


def lmsync(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``lmsync ARGS`` in a process of its own in ``home``, ended (SIGKILL) if it runs 60 seconds: a named pipe
    hung it for good, and a hang here fails rather than blocks the suite."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMSYNC_") or k.startswith("LMSYNC_TEST_")}
    environ.update(XDG_STATE_HOME=str(home / "state"), **env)
    try:
        return subprocess.run([sys.executable, "-m", "lmsync", "--log-level", "warning", "--config",
                               str(home / "lmsync.toml"), *args], cwd=home, env=environ, capture_output=True,
                              text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"lmsync {' '.join(args)} hung on a named pipe as its store")


@pytest.mark.parametrize("command", [("run",), ("queue", "list"), ("doctor",)])
def test_a_named_pipe_as_store_path_is_refused_without_opening_it(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "lmsync.toml").write_text(TOML)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    done = lmsync(tmp_path, *command, LMSYNC_STORE_PATH="fifo")
    text = said(done.stdout + done.stderr)
    assert "the store fifo is a named pipe (FIFO), not a regular file" in text, text
    if command != ("doctor",):
        assert done.returncode == EXIT_ADMIN, text
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    left_alone(fifo, 0o644)


def test_a_sqlite_url_naming_a_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    (tmp_path / "lmsync.toml").write_text(TOML)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    done = lmsync(tmp_path, "run", LMSYNC_STORE_URL="sqlite:///fifo")
    assert done.returncode == EXIT_ADMIN, done.stdout + done.stderr
    assert "is a named pipe (FIFO), not a regular file" in said(done.stderr), done.stderr
    left_alone(fifo, 0o644)
