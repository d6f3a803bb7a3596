"""Tester round 100a, 7 (second half): a refused sync on ``[store] url = "sqlite:///nodir/s.db"`` left ``nodir``.

The programme lock made the missing folder ``nodir`` and ``nodir/s.lock`` in it; the sync was refused (exit 2) and
removed the store it made (tester round 97b, 1), but the folder and the lock file stayed. A folder the lock made in
this run, holding only its lock file when no store was made there, is now removed with the lock file, while the lock
is still held; a run waiting for that lock then takes the lock file made anew, never the removed one (two runs at
once). A folder that was there before keeps its lock file: another run may hold it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lmsync.errors import LockedError
from lmsync.service.lock import programme_lock


def test_a_folder_the_lock_made_for_no_store_is_removed_with_the_lock_file(tmp_path: Path) -> None:
    folder = tmp_path / "nodir" / "deeper"
    with programme_lock(folder / "s.lock", store=folder / "s.db"):
        assert (folder / "s.lock").exists()
    assert not (tmp_path / "nodir").exists()


def test_the_lock_file_stays_in_a_folder_that_was_there_or_beside_a_store(tmp_path: Path) -> None:
    there = tmp_path / "there"
    there.mkdir()
    with programme_lock(there / "s.lock", store=there / "s.db"):
        pass
    assert (there / "s.lock").exists()  # another run may hold it
    made = tmp_path / "made"
    with programme_lock(made / "s.lock", store=made / "s.db"):
        (made / "s.db").write_bytes(b"")  # the run made its store: all stays
    assert (made / "s.lock").exists() and (made / "s.db").exists()
    other = tmp_path / "other"
    with programme_lock(other / "s.lock", store=other / "s.db"):
        (other / "notes.txt").write_text("kept")  # anything else in the folder: it stays
    assert (other / "s.lock").exists() and (other / "notes.txt").exists()


def test_a_run_waiting_on_a_lock_whose_folder_goes_takes_the_lock_made_anew(tmp_path: Path) -> None:
    """The waiter opened the lock file before its holder removed it: it must not run on that removed file while a
    third run locks the one made anew."""
    folder = tmp_path / "nodir"
    lock, store = folder / "s.lock", folder / "s.db"
    waiting, holds, release = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            waiting.set()
            with programme_lock(lock, wait=True, timeout=10, store=store):
                holds.set()
                release.wait(10)
        except BaseException as exc:  # pragma: no cover - said by the assertion below
            errors.append(exc)
            holds.set()

    with programme_lock(lock, store=store):
        thread = threading.Thread(target=waiter)
        thread.start()
        assert waiting.wait(10)
        thread.join(0.5)  # it opened the lock file and waits on it
    assert holds.wait(10) and not errors, errors
    try:
        assert lock.exists()  # its lock is the file at the lock's path: a third run is refused
        with pytest.raises(LockedError), programme_lock(lock, store=store):
            pass
    finally:
        release.set()
        thread.join(10)
    assert not folder.exists()  # it made the folder anew, and made no store either
