"""Tester round 79, 4 and 5: the files an admin points lmsync at, as the README describes them.

4. A ``[report] path`` that is a symbolic link (to a web folder's ``latest.html`` lmsync wrote, or to a file not
   made yet) was replaced by a plain 0600 file on ``lmsync run``, and doctor said ok: the link's target kept the
   old report, with people since erased in it. Now the report is written through the link to its target, every
   check made of the target, and doctor says so; a link to nothing yet, in a folder that exists, creates its
   target (as ``--out`` does since tester round 45, 8).
5. ``lmsync run`` and ``lmsync health`` against another application's SQLite database (a ``contacts`` table)
   refused it, exit 2, but first made it 0600, put it in WAL mode and left ``<name>.lock`` beside it. Now the file
   is judged read-only first, and left exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN

#: An HTML report an earlier lmsync run wrote (its footer proves it lmsync's), naming someone since erased.
EARLIER = ("<!DOCTYPE html><html><body><p>at risk: s0099 (erased since)</p>"
           "<footer>Written by lmsync 0.0.9 on 2026-12-01.</footer></body></html>\n")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args])


def said(result: Any) -> str:
    return " ".join(result.output.split())


def report_line(result: Any) -> str:
    (line,) = [line for line in result.output.splitlines() if line.startswith("report ")]
    return line


def doctor_line(result: Any) -> str:
    lines = result.output.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "report path" in line]
    return " ".join(" ".join(lines[at:at + 2]).split())


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator programme with its state under ``cli_home``, no store, report or config from the environment."""
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_REPORT_PATH", "LMSYNC_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return cli_home


# --- 79, 4 ----------------------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("a run of the emulator programme's SQLite store, with a report")
def test_round_79_4_a_report_path_that_is_a_link_is_written_through_to_its_target(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[report] path`` = ``~/latest.html``, a link to ``www/latest.html`` (the report an earlier run wrote there):
    the run replaced the link by a plain file, and the web folder kept the old report. Now the link stays, its
    target holds the new report (owner-only), and doctor says where the report goes."""
    www = home / "www"
    www.mkdir()
    target = www / "latest.html"
    target.write_text(EARLIER)
    target.chmod(0o644)
    link = home / "latest.html"
    link.symlink_to(Path("www") / "latest.html")  # relative: read from the link's folder
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(link))

    doctor = invoke("doctor")
    assert doctor_line(doctor).startswith("[ok ] report path"), doctor.output
    assert f"a symbolic link: to its target {target} (the link stays)" in doctor_line(doctor), doctor_line(doctor)

    result = invoke("run")
    assert "report    ok" in report_line(result), result.output
    assert link.is_symlink() and os.readlink(link) == str(Path("www") / "latest.html")
    page = target.read_text()
    assert "s0099" not in page and "<footer>Written by lmsync " in page and "Written by lmsync 0.0.9" not in page
    assert target.stat().st_mode & 0o777 == 0o600  # a new owner-only file, as every report is
    assert sorted(p.name for p in www.iterdir()) == ["latest.html"]  # no partial file left beside it
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("latest")) == ["latest.html"]

    again = invoke("run")  # the next run replaces its own report through the link again
    assert "report    ok" in report_line(again) and link.is_symlink(), again.output


@pytest.mark.sqlite_only("a run of the emulator programme's SQLite store, with a report")
def test_round_79_4_a_link_to_a_file_not_made_yet_creates_its_target_and_stays_a_link(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link made before the first report (its target's folder exists): the run writes the target, as ``--out``
    does (tester round 45, 8), and doctor says so first. Into a folder that does not exist: both refuse it."""
    (home / "www").mkdir()
    link = home / "latest.html"
    link.symlink_to(home / "www" / "latest.html")
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(link))
    assert doctor_line(invoke("doctor")).startswith("[ok ] report path")
    result = invoke("run")
    assert "report    ok" in report_line(result), result.output
    assert link.is_symlink() and "<footer>Written by lmsync " in (home / "www" / "latest.html").read_text()

    nowhere = home / "nowhere.html"
    nowhere.symlink_to(home / "gone" / "latest.html")
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(nowhere))
    doctor = doctor_line(invoke("doctor"))
    assert doctor.startswith("[FAIL] report path") and "in a folder that does not exist" in doctor, doctor
    line = report_line(invoke("run"))
    assert "failed" in line and "in a folder that does not exist" in line, line
    assert nowhere.is_symlink() and not (home / "gone").exists()


@pytest.mark.sqlite_only("the emulator programme's SQLite store")
def test_round_79_4_every_check_is_made_of_the_links_target(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through a link: a file lmsync did not write, the store, another SQLite database's -wal file and a link that
    never ends (a loop: pathlib's RuntimeError was a traceback) are refused by the run and by doctor alike, named,
    and nothing is written: the link stays a link, its target as it was."""
    assert invoke("sync").exit_code == 0
    store = home / "state" / "lmsync" / "emulator" / "mentoring-2026.db"
    readme = home / "README.md"
    readme.write_text("# our programme\n")
    other = home / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    (home / "loop-a").symlink_to(home / "loop-b")
    (home / "loop-b").symlink_to(home / "loop-a")
    cases = {
        "readme.html": (readme, f"(a symbolic link to {readme}) is a file lmsync did not write"),
        "store.html": (store, "is this programme's store"),
        "wal.html": (home / "other.db-wal", f"belongs to the SQLite database {other}"),
        "loop-a": (None, "is a symbolic link that never ends at a file (a loop)"),
    }
    for name, (target, why) in cases.items():
        link = home / name
        if target is not None:
            link.symlink_to(target)
        before = target.read_bytes() if target is not None and target.exists() and target != store else None
        monkeypatch.setenv("LMSYNC_REPORT_PATH", str(link))
        doctor = invoke("doctor")
        assert doctor_line(doctor).startswith("[FAIL] report path") and why in doctor_line(doctor), (name, doctor.output)
        result = invoke("run")
        line = report_line(result)
        assert result.exit_code == EXIT_ADMIN and "failed" in line and why in line, (name, result.output)
        assert "Traceback" not in result.output + doctor.output
        assert link.is_symlink(), name
        if target == store:  # the run's own steps write it: still the store, not a report
            assert store.read_bytes().startswith(b"SQLite format 3\x00") and invoke("queue", "list").exit_code == 0
        elif target is not None:
            assert (target.read_bytes() if target.exists() else None) == before, name


# --- 79, 5 ----------------------------------------------------------------------------------------------------


def contacts_db(path: Path, journal: str) -> Path:
    """Another application's SQLite database: one ``contacts`` table, in ``journal`` mode, mode 0644."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contacts (name) VALUES ('Ada'), ('Grace')")
    conn.commit()
    conn.close()
    path.chmod(0o644)
    return path


def as_it_is(path: Path, scratch: Path) -> tuple[int, str, str, list[str]]:
    """The file's mode, journal mode, content digest and the files beside it. The journal mode is read with
    sqlite3 from a copy in ``scratch``: opened where it is, a WAL database would get its -wal and -shm files."""
    scratch.mkdir(exist_ok=True)
    copy = scratch / path.name
    copy.write_bytes(path.read_bytes())
    conn = sqlite3.connect(copy)
    (journal,) = conn.execute("PRAGMA journal_mode").fetchone()
    conn.close()
    beside = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.stem))
    return path.stat().st_mode & 0o777, journal, hashlib.sha256(path.read_bytes()).hexdigest(), beside


@pytest.mark.sqlite_only("another application's SQLite database at [store] path")
@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_round_79_5_another_applications_database_is_refused_and_left_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch, journal: str
) -> None:
    """`lmsync run` and `lmsync health` refused it (exit 2) after making it 0600 and WAL and leaving contacts.lock
    beside it; every command now refuses it and leaves its mode, journal mode and content, and makes no file."""
    folder = home / "apps"
    folder.mkdir()
    db = contacts_db(folder / "contacts.db", journal)
    before = as_it_is(db, home / "scratch")
    assert before[:2] == (0o644, journal) and before[3] == ["contacts.db"]
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(db))
    for args in (("run",), ("health",), ("sync",), ("person", "erase", "s0001", "--yes"), ("person", "export", "s0001"),
                 ("doctor",)):
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN, (args, result.output)
        assert f"the store {db} is not an lmsync store: it holds 1 tables of another application" in said(result), args
        assert as_it_is(db, home / "scratch") == before, args
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:  # what the application keeps is still there
        assert conn.execute("SELECT name FROM contacts ORDER BY id").fetchall() == [("Ada",), ("Grace",)]


@pytest.mark.sqlite_only("another application's SQLite database at [store] path")
def test_round_79_5_a_lock_file_already_there_stays_and_the_file_is_still_left_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a lock file is already there, the run takes the lock and the store is judged under it (tester round
    78, 7): still read-only, before any chmod or journal mode; the lock file stays as it was."""
    db = contacts_db(home / "contacts.db", "delete")
    lock = db.with_suffix(".lock")
    lock.write_bytes(b"")
    before = as_it_is(db, home / "scratch")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(db))
    for args in (("run",), ("health",)):
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN and "tables of another application" in said(result), result.output
        assert as_it_is(db, home / "scratch") == before and lock.read_bytes() == b""


@pytest.mark.sqlite_only("a file at [store] path that is not a SQLite database")
def test_round_79_5_a_file_that_is_not_a_database_leaves_no_lock_file_either(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text file at [store] path was refused ("not a SQLite database") after the run made its lock beside it."""
    notes = home / "notes.db"
    notes.write_text("not a database, the admin's notes\n")
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(notes))
    for args in (("run",), ("health",)):
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN, result.output
        assert f"the store {notes} is not an lmsync store: the file is not a SQLite database" in said(result)
        assert sorted(p.name for p in home.iterdir() if p.name.startswith("notes")) == ["notes.db"]
    assert notes.read_text() == "not a database, the admin's notes\n"
