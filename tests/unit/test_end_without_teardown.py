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


def _run(tmp_path: Path, before: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``lmsync ARGS`` through the console script's path (``ExitsAtOnce.__call__``), after ``before``. At
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
        from lmsync.cli import main
        sys.argv = ["lmsync", *{args!r}]
        main()
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path),
                               "PATH": "/usr/bin:/bin"})


def test_the_console_script_path_is_the_one_that_ends_at_once() -> None:
    from lmsync.cli import main

    assert isinstance(main, ExitsAtOnce)


@pytest.mark.parametrize(("people", "code"), [(PEOPLE, 0), (PEOPLE + "s1,mentee,,cardio\n", 3)], ids=["ok", "bad file"])
def test_a_match_from_a_file_ends_at_once_with_its_output_code_and_exit_handlers(tmp_path: Path, people: str,
                                                                                 code: int) -> None:
    (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    done = _run(tmp_path, "", ["match", "--people", "people.csv"])
    assert done.returncode == code, done.stderr
    assert "exit handler ran" in done.stdout
    assert "freed" not in done.stdout  # the objects were left to the operating system
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
        assert "freed" in done.stdout  # Python's own teardown ran
        assert ("thread done" in done.stdout) == ("threading" in before)
