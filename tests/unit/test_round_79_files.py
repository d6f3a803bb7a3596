"""Tester round 79, 4 and 5, at the unit level: ``write_private`` writes through a symbolic link to its target
(``landing``) and ``out_files.refusal`` judges the target too; ``refuse_not_a_store`` judges a store file read-only,
so a file it refuses is left as it was."""

from __future__ import annotations

import errno
import hashlib
import sqlite3
from pathlib import Path

import pytest

from lmsync.errors import ConfigError
from lmsync.service.out_files import refusal
from lmsync.service.private_files import write_private
from lmsync.store.db import Store

# --- 79, 4 ----------------------------------------------------------------------------------------------------

pytestmark = pytest.mark.sqlite_only("SQLite files themselves: judged, written and left as they are")


def test_write_private_replaces_a_links_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "www").mkdir()
    target = tmp_path / "www" / "latest.html"
    target.write_text("old report")
    target.chmod(0o644)
    link = tmp_path / "latest.html"
    link.symlink_to(Path("www") / "latest.html")
    from lmsync.service.private_files import landing  # tester round 79, 4

    assert landing(link) == target and landing(target) == target
    write_private(link, "new report")
    assert link.is_symlink() and target.read_text() == "new report" and target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (tmp_path / "www").iterdir()) == ["latest.html"]


def test_write_private_through_a_link_to_nothing_yet_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "later.html"
    link.symlink_to(tmp_path / "made.html")
    write_private(link, "first report")
    assert link.is_symlink() and (tmp_path / "made.html").read_text() == "first report"


def test_a_link_loop_is_refused_and_write_private_leaves_it(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    assert refusal(a) == f"{a} is a symbolic link that never ends at a file (a loop); not overwritten"
    with pytest.raises(OSError) as info:
        write_private(a, "report")
    assert info.value.errno == errno.ELOOP and a.is_symlink() and b.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_refusal_judges_a_links_target_by_its_own_name(tmp_path: Path) -> None:
    """``report.html`` -> ``x.db-wal`` beside a SQLite ``x.db``: the link's name said nothing of it."""
    sqlite3.connect(tmp_path / "x.db").execute("CREATE TABLE t (x)").connection.close()
    link = tmp_path / "report.html"
    link.symlink_to(tmp_path / "x.db-wal")
    assert refusal(link) == f"{link} is a symbolic link: {tmp_path / 'x.db-wal'} belongs to the SQLite database " \
                            f"{tmp_path / 'x.db'}; not overwritten"
    plain = tmp_path / "plain.html"
    plain.symlink_to(tmp_path / "page.html")
    assert refusal(plain) is None


# --- 79, 5 ----------------------------------------------------------------------------------------------------


def refuse_not_a_store(path: Path, where: str) -> None:
    """``sqlite_files.refuse_not_a_store`` (tester round 79, 5), imported when called."""
    from lmsync.store.sqlite_files import refuse_not_a_store as judge

    judge(path, where)


def state(path: Path) -> tuple[int, str, list[str]]:
    return (path.stat().st_mode & 0o777, hashlib.sha256(path.read_bytes()).hexdigest(),
            sorted(p.name for p in path.parent.iterdir()))


def test_an_lmsync_store_and_a_new_path_pass(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    refuse_not_a_store(store, str(store))  # no file: a new store is made there
    Store(store).close()
    before = state(store)
    refuse_not_a_store(store, str(store))
    assert state(store) == before


def test_another_applications_database_is_refused_read_only(tmp_path: Path) -> None:
    db = tmp_path / "contacts.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    db.chmod(0o644)
    before = state(db)
    for read_only in (False, True):
        with pytest.raises(ConfigError, match="it holds 1 tables of another application"):
            Store(db, read_only=read_only)
        assert state(db) == before
    (journal,) = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True).execute("PRAGMA journal_mode").fetchone()
    assert journal == "delete"


def test_a_table_only_in_the_wal_is_seen(tmp_path: Path) -> None:
    """A WAL database whose -wal holds changes (its application still has it open) is read through them."""
    db = tmp_path / "app.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    try:
        assert Path(f"{db}-wal").stat().st_size > 0
        with pytest.raises(ConfigError, match="tables of another application"):
            refuse_not_a_store(db, str(db))
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("the admin's notes\n")
    with pytest.raises(ConfigError, match="the file is not a SQLite database, or is damaged"):
        refuse_not_a_store(notes, str(notes))
