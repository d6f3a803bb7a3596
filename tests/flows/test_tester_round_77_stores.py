"""Tester round 77, findings 4, 6 and 9: the store file as an admin finds it.

9: a zero-byte store file (a failed restore) is refused as any other file that is not a store, by every
command that opens it; only a path where no file is becomes a new store. 4: read commands read a store
in a folder lmsync's user cannot write (a coordinator or an auditor, a read-only backup). 6: a view of
what a store holds, run where there is no store (a coordinator's own account), says so, as `queue done`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError
from lmsync.store.db import Store

#: Commands that only read the store (tester round 77, 4): their arguments, ``{out}`` a folder to write into.
READS = {
    "queue list": ("queue", "list"),
    "plan": ("plan",),
    "health --as-of": ("health", "--as-of", "2026-12-01"),
    "meetings list": ("meetings", "list"),
    "nudge --dry-run": ("nudge", "--dry-run"),
    "report --out": ("report", "--out", "{out}/report.html"),
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", *args])


def said(result: Any) -> str:
    return " ".join(result.output.split())


@pytest.fixture
def store(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator programme's SQLite store, after one sync made it (no -wal or -shm left beside it)."""
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_REPORT_PATH"):
        monkeypatch.delenv(name, raising=False)
    assert invoke("sync").exit_code == 0
    path = cli_home / "state" / "lmsync" / "emulator" / "mentoring-2026.db"
    assert path.exists() and not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def read_only_folder(store: Path) -> Iterator[Path]:
    """The store's folder made read-only (chmod 555), as a store another account keeps; writable again after."""
    if os.geteuid() == 0:
        pytest.skip("root writes into a chmod 555 folder anyway; test_round_77_4_a_read_in_a_folder_it_cannot_write_"
                    "leaves_no_file_there simulates the folder for root")
    store.parent.chmod(0o555)
    try:
        yield store.parent
    finally:
        store.parent.chmod(0o700)


@pytest.mark.sqlite_only("a SQLite store file of zero bytes")
def test_round_77_9_a_zero_byte_store_file_is_refused_by_every_command_that_opens_it(
    store: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`: > state/x.db` was taken as a new store: `lmsync run` queued 45 items and overwrote the configured
    report with an empty store's figures. Now each command says the file is not a store, exit 2, and
    nothing is written: the file stays empty, the report stays as it was."""
    report = out / "configured.html"
    report.write_text("last week's report")
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(report))
    store.write_bytes(b"")
    for args in (("run",), ("sync",), ("health",), *(tuple(a.format(out=out) for a in r) for r in READS.values())):
        result = invoke(*args)
        assert result.exit_code == EXIT_ADMIN, (args, result.output)
        assert f"the store {store} is not an lmsync store: the file is empty (0 bytes)" in said(result), args
        assert "restore it from a backup" in said(result) and "Traceback" not in result.output
    doctor = invoke("doctor")
    assert doctor.exit_code != 0 and "[FAIL] store" in doctor.output and "the file is empty" in said(doctor)
    assert store.stat().st_size == 0 and report.read_text() == "last week's report"
    assert sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.name)) == [store.name]
    for read_only in (False, True):
        with pytest.raises(ConfigError, match="is not an lmsync store: the file is empty"):
            Store(store, read_only=read_only)
    store.unlink()  # where no file is, a new store is made; it takes over the circles only when told (89b, 1)
    assert invoke("sync", "--store-takes-over").exit_code == 0 and store.stat().st_size > 0


@pytest.mark.sqlite_only("SQLite's -shm and -wal files beside a store")
def test_round_77_4_a_read_in_a_folder_it_cannot_write_leaves_no_file_there(
    store: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder said unwritable (os.access; root writes anyway): the read opens the store without making
    SQLite's -shm and -wal there (which it cannot where the folder is truly read-only: "attempt to write a
    readonly database"), and reads all it holds."""
    folder, real_access = store.parent, os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path).resolve() == folder.resolve():
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    before = sorted(p.name for p in folder.iterdir())
    for name in ("queue list", "meetings list", "health --as-of", "report --out"):
        result = invoke(*(a.format(out=out) for a in READS[name]))
        assert result.exit_code == 0, (name, result.output)
        assert sorted(p.name for p in folder.iterdir()) == before, name
    reader = Store(store, read_only=True)
    try:
        assert reader.binding() is not None and "journal" in reader.tables()
    finally:
        reader.close()
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.sqlite_only("a SQLite store in a read-only folder")
@pytest.mark.parametrize("name", list(READS))
def test_round_77_4_read_commands_read_a_store_in_a_folder_they_cannot_write(
    store: Path, read_only_folder: Path, out: Path, name: str
) -> None:
    """`queue list`, `plan`, `health --as-of`, `meetings list`, `nudge --dry-run` and `report --out` on a
    store in a chmod 555 folder: "cannot be written (or its folder)", exit 2. They read it, and write nothing."""
    before = sorted(p.name for p in read_only_folder.iterdir())
    result = invoke(*(a.format(out=out) for a in READS[name]))
    assert result.exit_code == 0, result.output
    assert "cannot be written" not in result.output
    assert sorted(p.name for p in read_only_folder.iterdir()) == before


@pytest.mark.sqlite_only("a SQLite store's -wal file without its -shm")
def test_round_77_4_a_wal_that_cannot_be_read_in_a_read_only_folder_says_what_reading_needs(
    store: Path, read_only_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy whose -wal holds changes, without its -shm, in a folder this user cannot write: the one case
    SQLite cannot read. The error says what reading needs, not that the store cannot be written."""
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy2(store, copy / store.name)
    writer = sqlite3.connect(copy / store.name, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("PRAGMA user_version = 7")  # a change held in the -wal file
        shutil.copy2(f"{copy / store.name}-wal", tmp_path / "held-wal")
    finally:
        writer.close()  # folds the -wal in and removes both side files: put the -wal back, without -shm
    shutil.copy2(tmp_path / "held-wal", f"{copy / store.name}-wal")
    copy.chmod(0o555)
    try:
        monkeypatch.setenv("LMSYNC_STORE_PATH", str(copy / store.name))
        result = invoke("queue", "list")
    finally:
        copy.chmod(0o700)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert f"{store.name}-wal file holds changes" in said(result) and f"{store.name}-shm" in said(result)
    assert "cannot be written" not in result.output


@pytest.mark.sqlite_only("a SQLite store file this user may not read")
def test_round_77_4_a_store_file_this_user_cannot_read_is_said_so_not_that_it_cannot_be_written(store: Path) -> None:
    """A read of a store file this user may not read blamed writing ("cannot be written (or its folder)")."""
    if os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file anyway")
    store.chmod(0o000)
    try:
        result = invoke("queue", "list")
    finally:
        store.chmod(0o600)
    assert result.exit_code == EXIT_ADMIN, result.output
    assert f"the store {store} cannot be read by lmsync's user" in said(result) and "readable" in said(result)
    assert "cannot be written" not in result.output


def test_round_77_6_views_of_a_store_that_is_not_there_say_so_as_queue_done_does(
    store: Path, cli_home: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coordinator's own account resolves the store path to a place of their own, where there is no store:
    `queue list` said "the coordinator queue is empty", exit 0, while `queue done` said there is no store.
    Each view of what a store holds now says there is none and how to point at the right one, as `queue done`
    does (exit 3), and makes nothing; with the store named, the same views read it."""
    monkeypatch.setenv("XDG_STATE_HOME", str(cli_home / "coordinator"))
    theirs = cli_home / "coordinator" / "lmsync" / "emulator" / store.name
    done = invoke("queue", "done", "m0001", "s0008", "--outcome", "met")
    assert done.exit_code == EXIT_INPUT and f"there is no store at {theirs}" in said(done), done.output
    views = {"queue list": ("queue", "list"), "meetings list": ("meetings", "list"),
             "pair show": ("pair", "show", "m0001", "s0008"), "report": ("report", "--out", f"{out}/r.html")}
    for name, args in views.items():
        result = invoke(*args)
        assert result.exit_code == done.exit_code, (name, result.output)
        assert f"{name}: there is no store at {theirs}" in said(result), result.output
        assert "[store] path (or LMSYNC_STORE_PATH)" in said(result) and "lmsync doctor" in said(result)
    assert not (cli_home / "coordinator").exists() and not (out / "r.html").exists()
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(store))
    for name, args in views.items():
        assert invoke(*args).exit_code == 0, name


def test_round_77b_2_export_and_erase_in_a_store_that_is_not_there_are_refused(
    store: Path, cli_home: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from another account, `person export` wrote "nothing to export ... holds nothing" (a reply to a
    data-subject request read from no store at all) and `person erase` made and bound a new store, erased
    nothing there, said "the erasure is recorded" and exited 0, while the programme's store kept it all."""
    monkeypatch.setenv("XDG_STATE_HOME", str(cli_home / "coordinator"))
    theirs = cli_home / "coordinator" / "lmsync" / "emulator" / store.name
    for name, args in {"person export": ("person", "export", "s0008", "--out", f"{out}/x.json"),
                       "person erase": ("person", "erase", "s0008", "--while-enrolled", "--yes")}.items():
        result = invoke(*args)
        assert result.exit_code == EXIT_INPUT, (name, result.output)
        assert f"{name}: there is no store at {theirs}" in said(result), result.output
    assert not (cli_home / "coordinator").exists() and not (out / "x.json").exists()
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(store))
    assert invoke("person", "export", "s0008", "--out", f"{out}/x.json").exit_code == 0
