"""The test session keeps one date even when it runs over midnight UTC (tests/session_clock.py; CI 2026-12-07:
a run from 23:25 UTC failed 14 tests whose "today" was taken before midnight and the store's after)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import time_machine

from tests.session_clock import keep_one_day

LATE = datetime(2026, 12, 6, 23, 59, 59, 700000, tzinfo=UTC)  # the "real" clock, a moment before midnight


def test_a_suite_that_starts_a_moment_before_midnight_stays_on_its_date():
    with time_machine.travel(LATE, tick=True):
        kept = keep_one_day()
        assert kept is not None
        try:
            taken_at_import = datetime.now(UTC).date()
            time.sleep(0.6)  # the real clock is past midnight now
            assert datetime.now(UTC).date() == taken_at_import == date(2026, 12, 6)
            assert datetime.fromtimestamp(time.time(), UTC).date() == date(2026, 12, 6)  # what the emulator dates by
        finally:
            kept.stop()


def test_without_it_the_date_changes_under_the_tests_feet():
    with time_machine.travel(LATE, tick=True):
        taken_at_import = datetime.now(UTC).date()
        time.sleep(0.6)
        assert datetime.now(UTC).date() != taken_at_import


def test_a_morning_session_keeps_the_real_clock_and_it_never_moves_forward():
    morning = datetime(2026, 12, 7, 0, 20, tzinfo=UTC)
    assert keep_one_day(morning) is None
    with time_machine.travel(datetime(2026, 12, 7, 18, 0, tzinfo=UTC), tick=True):
        kept = keep_one_day()
        assert kept is not None
        try:
            assert datetime(2026, 12, 7, 12, 0, tzinfo=UTC) <= datetime.now(UTC) < datetime(2026, 12, 7, 12, 1, tzinfo=UTC)
        finally:
            kept.stop()
