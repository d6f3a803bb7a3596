"""A file at a programme's lock path that lmsync did not write as a lock is refused and left as it was.

The lock of a store ``X.db`` is ``X.lock`` beside it. Another programme's store named ``X.lock``, or an
admin's file of that name, was opened, emptied and taken as the lock, and the run exited 0: a whole
programme's store lost (tester round 102b, 1). A lock file is empty or holds its holder's process id.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.errors import EXIT_ADMIN, ConfigError
from lmsync.service.lock import programme_lock


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("content", [b"SQLite format 3\x00" + b"\x00" * 4080, b"keep me\n", b"12 and some words\n"])
def test_a_file_that_is_not_a_lock_is_refused_and_unchanged(tmp_path: Path, content: bytes) -> None:
    lock = tmp_path / "surgery.lock"
    lock.write_bytes(content)
    os.chmod(lock, 0o644)
    with pytest.raises(ConfigError) as refused, programme_lock(lock, store=tmp_path / "surgery.db"):
        pytest.fail("the lock was taken on a file lmsync did not write")
    assert "not a lock lmsync wrote" in refused.value.message and "left the file as it was" in refused.value.message
    assert "X.lock" in (refused.value.hint or "")
    assert lock.read_bytes() == content
    assert (lock.stat().st_mode & 0o777) == 0o644
    assert not (tmp_path / "surgery.db").exists()


def test_a_sqlite_database_is_named_as_such(tmp_path: Path) -> None:
    lock = tmp_path / "a.lock"
    lock.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(ConfigError, match="is a SQLite database"), programme_lock(lock):
        pass


def test_a_folder_at_the_lock_path_is_a_configuration_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "d.lock").mkdir()
    with pytest.raises(ConfigError, match="is a folder"), programme_lock(tmp_path / "d.lock"):
        pass


@pytest.mark.parametrize("content", [b"", b"4242", b"  123\n"])
def test_an_empty_lock_or_one_holding_a_process_id_is_taken(tmp_path: Path, content: bytes) -> None:
    lock = tmp_path / "p.lock"
    lock.write_bytes(content)
    with programme_lock(lock):
        assert lock.read_bytes() == str(os.getpid()).encode()


@pytest.mark.sqlite_only("two SQLite store files, one named like the other's lock")
def test_a_programme_whose_lock_is_another_programmes_store_leaves_that_store_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("LMSYNC_STORE_PATH", "LMSYNC_STORE_URL", "LMSYNC_CONFIG", "LMSYNC_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "surgery.toml").write_text('[programme]\nname = "surgery"\n[store]\npath = "surgery.lock"\n')
    (tmp_path / "paeds.toml").write_text('[programme]\nname = "paeds"\n[store]\npath = "surgery.db"\n')
    runner = CliRunner()
    first = runner.invoke(main, ["--config", "surgery.toml", "sync"])
    assert first.exit_code == 0, first.output
    before = _digest(tmp_path / "surgery.lock")
    second = runner.invoke(main, ["--config", "paeds.toml", "sync"])
    assert second.exit_code == EXIT_ADMIN, second.output
    assert "surgery.lock" in second.output and "not a lock lmsync wrote" in second.output
    assert _digest(tmp_path / "surgery.lock") == before
    assert not (tmp_path / "surgery.db").exists()
    again = runner.invoke(main, ["--config", "surgery.toml", "plan"])
    assert again.exit_code == 0, again.output
