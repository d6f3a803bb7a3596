"""Tester round 105b, 4: pair health over time has every status column, in one order, whatever the data."""

from __future__ import annotations

from datetime import date

from lmsync.service.report_sections import health_table, of_the_day

COLUMNS = ("day", "ok", "watch", "at_risk", "fading", "ended", "closed")


def test_105b_4_every_status_has_its_column_zero_where_no_pair_had_it() -> None:
    day = date(2027, 1, 12)
    assert health_table([]).columns == COLUMNS
    table = health_table([(day, "at_risk", 3), (day, "new", 1), (day, "ok", 2)])  # ``new``: an old snapshot's ok
    assert table.columns == COLUMNS
    assert table.rows == (("2027-01-12", 3, 0, 3, 0, 0, 0),)
    assert health_table([(day, "someday", 1)]).columns == (*COLUMNS, "someday")  # a newer lmsync's status: last


def test_105b_1_a_snapshot_of_a_pair_gone_that_day_is_not_counted() -> None:
    day = date(2027, 1, 12)
    counts = [(day, "at_risk", 52), (day, "ok", 1)]
    assert of_the_day(counts, [(day, (1, 20), "at_risk")]) == [(day, "at_risk", 51), (day, "ok", 1)]
