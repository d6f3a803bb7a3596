"""Issue 15, speed: a command with nothing left to close ends without Python freeing its objects one by one
(``lmsync.cli.exiting.end_without_teardown``; after ``lmsync match --people`` of 50,000 x 10,000 that took
0.2-0.35 s). Its output, its exit code and the exit handlers are as with Python's own exit; a command that may
hold a store open, or leaves a thread running, exits as before."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lmsync.cli.exiting import ExitsAtOnce

PEOPLE = "id,role,capacity,department\nm1,mentor,2,cardio\ns1,mentee,,cardio\ns2,mentee,,cardio\n"


def _run(tmp_path: Path, before: str, args: list[str], entry: str = "console") -> subprocess.CompletedProcess[str]:
    """``lmsync ARGS`` through ``entry`` (``console``: the console script's and ``python -m lmsync``'s), after ``before``. At
    module level, an object whose ``__del__`` prints "freed" (Python's teardown calls it; an end at once does
    not), and an exit handler that prints "exit handler ran"."""
    script = textwrap.dedent(f"""
        import atexit, sys
        class Marker:
            def __del__(self):
                print("freed", flush=True)
        marker = Marker()
        atexit.register(lambda: print("exit handler ran", flush=True))
        {before}
        from lmsync.cli import {entry}
        sys.argv = ["lmsync", *{args!r}]
        try:
            {entry}()
        except SystemExit as exc:
            print("main returned", exc.code, flush=True)
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path),
                               "PATH": "/usr/bin:/bin"})


def test_the_console_script_and_python_m_lmsync_are_the_entry_that_ends_at_once() -> None:
    import tomllib

    from lmsync.cli import console, main

    root = Path(__file__).resolve().parents[2]
    assert tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]["lmsync"] == "lmsync.cli:console"
    assert "console()" in (root / "lmsync" / "__main__.py").read_text()
    assert isinstance(console, ExitsAtOnce) and console.ends_at_once and not main.ends_at_once
    assert console.commands is main.commands  # the same commands, options and help


def test_a_program_that_calls_main_keeps_its_process(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    done = _run(tmp_path, "", ["match", "--people", "people.csv"], entry="main")
    assert done.returncode == 0, done.stderr
    assert "main returned 0" in done.stdout and "freed" in done.stdout


@pytest.mark.parametrize(("people", "code"), [(PEOPLE, 0), (PEOPLE + "s1,mentee,,cardio\n", 3)], ids=["ok", "bad file"])
def test_a_match_from_a_file_ends_at_once_with_its_output_code_and_exit_handlers(tmp_path: Path, people: str,
                                                                                 code: int) -> None:
    (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    done = _run(tmp_path, "", ["match", "--people", "people.csv"])
    assert done.returncode == code, done.stderr
    assert "exit handler ran" in done.stdout
    assert "freed" not in done.stdout and "main returned" not in done.stdout  # the process ended there
    if code == 0:
        assert "s1" in done.stdout and "s2" in done.stdout and "unmatched" in done.stdout  # the whole output
    else:
        assert "already appears on line" in done.stderr


def test_with_a_store_library_loaded_or_a_thread_left_python_exits_as_before(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    for before in ("import sqlalchemy",
                   "import threading, time; threading.Thread(target=lambda: (time.sleep(4), print('thread done', flush=True))).start()"):
        done = _run(tmp_path, before, ["match", "--people", "people.csv"])
        assert done.returncode == 0, done.stderr
        assert "exit handler ran" in done.stdout
        assert "freed" in done.stdout and "main returned 0" in done.stdout  # Python's own exit
        assert ("thread done" in done.stdout) == ("threading" in before)
