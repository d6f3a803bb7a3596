"""Tester round 89b, 3: ``lmsync sync`` run once as root (no ``sudo -u lmsync``) left ``<store>.lock`` owned by
root, mode 0600, so every later run of the service's user could not open it. Run as root, lmsync gives the lock
the store's owner, as SQLite does its ``-wal`` and ``-shm`` files; as anyone else, the lock is its own."""

from __future__ import annotations

import os

import pytest

from lmsync.service.lock import programme_lock
from lmsync.store.db import Store

NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file another owner")
def test_a_lock_made_by_root_belongs_to_the_stores_owner(tmp_path):
    store = tmp_path / "mentoring.db"
    Store(store).close()
    os.chown(store, NOBODY, NOBODY)
    lock = tmp_path / "mentoring.lock"
    with programme_lock(lock, store=store):
        made = lock.stat()
    assert (made.st_uid, made.st_gid) == (NOBODY, NOBODY)
    assert made.st_mode & 0o777 == 0o600  # still private


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file another owner")
def test_with_no_store_yet_the_lock_belongs_to_the_folders_owner(tmp_path):
    folder = tmp_path / "state"
    folder.mkdir()
    os.chown(folder, NOBODY, NOBODY)
    lock = folder / "mentoring.lock"
    with programme_lock(lock, store=folder / "mentoring.db"):
        pass
    assert lock.stat().st_uid == NOBODY


def test_anyone_else_owns_the_lock_it_makes(tmp_path):
    store = tmp_path / "mentoring.db"
    Store(store).close()
    lock = tmp_path / "mentoring.lock"
    with programme_lock(lock, store=store):
        pass
    assert lock.stat().st_uid == store.stat().st_uid == os.geteuid()
