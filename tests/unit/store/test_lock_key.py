"""The programme lock's PostgreSQL key: the programme's alone for every deployment, the programme's and the running
test's on the suite's PostgreSQL pass, whose tests run side by side on one database (``pytest -n auto``, .ci/run).

Unchanged for deployments: a daemon of the last release and one of this take the same key for one programme, so an
upgrade on one of several hosts never lets two runs write at once.
"""

from __future__ import annotations

import hashlib

from lmsync.store import suite_engine
from lmsync.store.locks import advisory_key


def _released(programme: str) -> int:
    """The key as every release so far derived it (first 8 bytes of SHA-256 of ``lmsync:programme:<name>``)."""
    return int.from_bytes(hashlib.sha256(f"lmsync:programme:{programme}".encode()).digest()[:8], "big", signed=True)


def test_a_deployment_keys_the_lock_by_the_programme_alone_as_every_release_did(monkeypatch):
    monkeypatch.delenv(suite_engine.SWITCH, raising=False)
    monkeypatch.setenv(suite_engine.RUN, "a")  # read only on the suite's PostgreSQL pass
    assert advisory_key("Year 1 mentoring") == _released("Year 1 mentoring")
    assert advisory_key("Year 1 mentoring") != advisory_key("Year 2 mentoring")


def test_on_the_postgresql_pass_two_tests_never_share_a_programme_lock_and_one_tests_processes_do(monkeypatch):
    monkeypatch.setenv(suite_engine.SWITCH, "postgresql")
    monkeypatch.setenv(suite_engine.RUN, "one")
    first = advisory_key("Year 1 mentoring")
    assert first == advisory_key("Year 1 mentoring")  # a test's CLI subprocesses inherit its token
    monkeypatch.setenv(suite_engine.RUN, "two")
    assert advisory_key("Year 1 mentoring") != first
    assert first != _released("Year 1 mentoring")


def test_the_switch_left_on_without_a_test_run_is_refused_not_a_changed_key(monkeypatch):
    """Only the suite sets both: a deployment whose environment kept ``LMSYNC_TEST_STORE`` alone must not take another
    key than its other daemons (review of round 124, 4)."""
    import pytest

    monkeypatch.setenv(suite_engine.SWITCH, "postgresql")
    monkeypatch.delenv(suite_engine.RUN, raising=False)
    with pytest.raises(suite_engine.OutsideTheSuite):
        advisory_key("Year 1 mentoring")
