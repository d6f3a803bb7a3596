"""Revision 0023: each survey wave's window as it closed (tester round 123a, 1).

A store at revision 0022 migrates forward with no window recorded (the next write records each closed wave with
lmsync.toml's window of that moment); a wave is recorded once, and keeps its row whatever is given later; the
downgrade drops the table. ``held_waves`` puts a closed wave's recorded window in place of the configured one.
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.domain.closed_windows import held_scores, held_waves, moved_note
from lmsync.domain.instruments import Score, WaveScore
from lmsync.domain.waves import Wave
from lmsync.store import migrate
from lmsync.store.closed_windows import record, recorded
from lmsync.store.db import Store
from tests.unit.store.legacy import downgrade_store

T1 = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.mark.sqlite_only("a store the previous lmsync left at revision 0022 is a SQLite file here")
def test_a_store_at_0022_migrates_forward_with_no_window_recorded_and_back(tmp_path):
    path = tmp_path / "old.db"
    Store(path).close()
    downgrade_store(path, "0022")
    store = Store(path)
    try:
        assert store.contents()["alembic_version"] == [(migrate.head_revision(),)]
        assert recorded(store, "p") == {}
        assert record(store, "p", {"T1": T1}, date(2026, 11, 4)) == 1
    finally:
        store.close()
    downgrade_store(path, "0022")
    store = Store(path)
    try:
        assert recorded(store, "p") == {}  # dropped by the downgrade, made again empty by the upgrade
    finally:
        store.close()


def test_a_wave_is_recorded_once_and_keeps_its_window(store_target):
    store = Store(store_target)
    try:
        assert record(store, "p", {"T1": T1}, date(2026, 11, 4)) == 1
        assert record(store, "p", {"T1": (T1[0], date(2026, 11, 5))}, date(2026, 11, 10)) == 0
        assert recorded(store, "p") == {"T1": T1} and recorded(store, "q") == {}
    finally:
        store.close()


def _score(wave: str, day: date, who: int) -> WaveScore:
    return WaveScore(who, "mentor_qualities", wave, day, "csv", Score("mentor_qualities", 36, 9, 9))


def test_a_closed_wave_keeps_the_window_it_closed_with():
    widened = (Wave("T1", T1[0], date(2026, 11, 5)), Wave("T2", date(2026, 11, 20), date(2026, 12, 20)))
    kept = held_waves(widened, {"T1": T1}, date(2026, 11, 10))
    assert kept.waves == (Wave("T1", *T1), widened[1]) and kept.moved == ((Wave("T1", *T1), widened[0]),)
    late = _score("T1", date(2026, 11, 3), 9)  # scored under the widened window
    assert held_scores([_score("T1", date(2026, 10, 20), 1), late], kept) == [_score("T1", date(2026, 10, 20), 1)]
    note = moved_note(kept.moved)
    assert note is not None and note.startswith(
        "T1's window in lmsync.toml (2026-10-01 .. 2026-11-05) differs from the one it closed with (2026-10-01 .. "
        "2026-10-31): the report keeps the window each closed wave closed with, so that its figures do not change")
    # before its recorded end (a report --as-of that day): not closed, the configured window
    assert held_waves(widened, {"T1": T1}, date(2026, 10, 31)).waves == widened
    # a later wave moved into the kept window is cut to the days it leaves
    early = (Wave("T1", T1[0], date(2026, 10, 20)), Wave("T2", date(2026, 10, 21), date(2026, 12, 20)))
    assert held_waves(early, {"T1": T1}, date(2026, 11, 10)).waves == (
        Wave("T1", *T1), Wave("T2", date(2026, 11, 1), date(2026, 12, 20)))
