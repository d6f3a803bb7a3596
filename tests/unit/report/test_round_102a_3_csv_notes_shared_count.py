"""Tester round 102a, 3: the CSV export's summary and its pair-health table disagreed, and no file said why.

``summary.csv`` counted 45 pairs at risk or fading, ``pair_health_over_time.csv`` 44 on the same day: the table
counts each pair by the status both its people may read (a pair flagged by one side's own answers alone counts
by its other signs), as the HTML chart's caption explains. ``notes.csv`` now says it in the caption's words.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason, shared_view
from lmsync.domain.health.status import _judge
from lmsync.render.report import csv_files
from lmsync.render.report_charts import health_chart
from lmsync.service.health_inputs import thresholds
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots

DAY = date(2026, 11, 10)
T = thresholds(Config())
RATED_LOW = Reason("satisfaction_low_mentee", "at_risk", "rated low", 45, "satisfaction", False)  # type: ignore[arg-type]


def _health(mentee: int, *reasons: Reason) -> PairHealth:
    status, score, judged = _judge(reasons, T)
    shared = shared_view(judged, T)
    return PairHealth(66, mentee, status, judged, date(2026, 10, 1), None, 40, score,
                      shared_status=None if shared == status else shared)


def _data(*healths: PairHealth):  # type: ignore[no-untyped-def]
    from lmsync.service.report import gather

    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(DAY, list(healths))
        # the count of pairs not named shown at any size (below [report] min_cell it is withheld: round 120a, 2)
        config = Config.model_validate({"programme": {"name": "p"}, "report": {"min_cell": 1}})
        return gather(config, store, as_of=DAY, roster={}, pairs=[(66, h.mentee_id) for h in healths])
    finally:
        store.close()


def _notes(files: dict[str, str]) -> list[str]:
    rows = list(csv.reader(io.StringIO(files["notes.csv"])))
    assert rows[0] == ["note"]
    return [row[0] for row in rows[1:]]


def test_notes_csv_says_why_the_over_time_table_counts_fewer_than_the_summary():
    data = _data(_health(1, RATED_LOW), _health(2))  # at risk by the mentee's rating alone: "ok" in the table
    files = csv_files(data)
    summary = dict(csv.reader(io.StringIO(files["summary.csv"])))
    assert summary[f"pairs at risk or fading on {DAY.isoformat()}"] == "1"
    over_time = list(csv.DictReader(io.StringIO(files["pair_health_over_time.csv"])))
    assert over_time[0]["day"] == DAY.isoformat() and over_time[0].get("at_risk", "0") == "0"  # the two differ
    said = [n for n in _notes(files) if "counted by what both its people may read" in n]
    assert said == [
        "In pair_health_over_time.csv each pair is counted by what both its people may read: a pair one side's own "
        "answers alone flagged (a survey, meeting ratings) counts by its other signs, so that table can count fewer "
        "pairs at risk or fading than summary.csv."
    ]
    (chart,) = health_chart(data)  # the same words as the page's caption
    assert said[0].split(": ", 1)[1].split(", so ")[0] in chart.caption
    assert "can count fewer pairs at risk or fading than the summary." in chart.caption


def test_no_health_snapshots_no_such_note():
    store = Store.memory()
    try:
        from lmsync.service.report import gather

        data = gather(Config.model_validate({"programme": {"name": "p"}}), store, as_of=DAY, roster={}, pairs=[])
    finally:
        store.close()
    assert not any("counted by what both its people may read" in n for n in _notes(csv_files(data)))
