"""Kept windows of closed waves never overlap, and a report never fails on them (review of tester round 123a, 1).

w1 closed and was kept as 1-31 Jan; the admin then shortened w1 to 1-10 Jan in lmsync.toml and began w2 on 11 Jan.
While w2 was open the report counted it from 1 Feb (cut by w1's kept window); once it closed, lmsync kept lmsync.toml's
11 Jan - 20 Feb, and every report from then on raised "waves w1 and w2 overlap" (``ordered_waves``), for good, as kept
rows never change. Now a closed wave is kept as the report counts it (cut by earlier kept windows), and kept windows
that overlap (recorded before this rule) are cut, the earlier first.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lmsync.config import load_config
from lmsync.domain.closed_windows import held_waves
from lmsync.domain.waves import Wave
from lmsync.service.closed_windows import record_closed
from lmsync.store.closed_windows import record, recorded
from lmsync.store.db import Store

JAN1, JAN10, JAN11, JAN31, FEB1, FEB20 = (date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 11), date(2026, 1, 31),
                                          date(2026, 2, 1), date(2026, 2, 20))


def test_overlapping_kept_windows_are_cut_not_refused() -> None:
    configured = [Wave("w1", JAN1, JAN10), Wave("w2", JAN11, FEB20)]
    recorded = {"w1": (JAN1, JAN31), "w2": (JAN11, FEB20)}  # what the first version of the rule kept
    kept = held_waves(configured, recorded, date(2026, 3, 1))  # raised ValueError: waves w1 and w2 overlap
    assert [(w.name, w.start, w.end) for w in kept.waves] == [("w1", JAN1, JAN31), ("w2", FEB1, FEB20)]


def test_a_closing_wave_is_kept_as_the_report_counts_it(tmp_path: Path) -> None:
    """``record_closed`` keeps w2 from 1 Feb, as the report counted it while open, not lmsync.toml's 11 Jan."""
    (tmp_path / "lmsync.toml").write_text(
        '[programme]\nname = "p"\ncourse = "MENTOR-2026"\n[store]\npath = "p.db"\n[waves]\n'
        'programme_start = 2026-01-01\n[waves.windows]\nw1 = { start = 2026-01-01, end = 2026-01-10 }\n'
        'w2 = { start = 2026-01-11, end = 2026-02-20 }\n')
    config = load_config(tmp_path / "lmsync.toml", environ={})
    store = Store(tmp_path / "p.db")
    try:
        record(store, "p", {"w1": (JAN1, JAN31)}, FEB1)  # w1 kept before the admin shortened it
        assert record_closed(config, store) == 1  # w2 closed long before today
        assert recorded(store, "p") == {"w1": (JAN1, JAN31), "w2": (FEB1, FEB20)}  # was 11 Jan: overlapping w1
    finally:
        store.close()
