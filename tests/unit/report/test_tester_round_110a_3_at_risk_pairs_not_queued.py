"""Tester round 110a, 3: lmsync queues fading pairs only, yet the report's at-risk table pointed the reader to the
coordinators' queue for a pair at risk ("not shown beside a pair at risk (coordinators: `lmsync queue list`)", and
the section's words: "every other pair's item: `lmsync queue list`"). Now it says such a pair is not queued for being
at risk, and when lmsync would queue it: once `lmsync health` judges it fading.
"""

from __future__ import annotations

from datetime import date

from lmsync.config import Config
from lmsync.domain.health import PairHealth, Reason
from lmsync.render.report import csv_files
from lmsync.render.report_html import html_page
from lmsync.service.report import gather
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from lmsync.store.snapshots import HealthSnapshots

DAY = date(2027, 2, 1)
AT_RISK = Reason("no_meeting", "at_risk", "no meeting for 20 days", 45, "rhythm")
FADING = Reason("no_meeting", "fading", "no meeting for 40 days", 70, "rhythm")


def _pair(mentee: int, status: str, reason: Reason) -> PairHealth:
    return PairHealth(66, mentee, status, (reason,), date(2026, 10, 1), date(2026, 12, 20), 40, 0)  # type: ignore[arg-type]


def _data():
    store = Store.memory()
    try:
        at_risk, fading = _pair(1, "at_risk", AT_RISK), _pair(2, "fading", FADING)
        HealthSnapshots(store, "p").replace_day(DAY, [at_risk, fading])
        assert CoordinatorQueue(store, "p", coordinators=["ann"]).offer(DAY, fading) == "added"  # as health queues
        config = Config.model_validate({"programme": {"name": "p"}})
        return gather(config, store, as_of=DAY, roster={}, pairs=[(66, 1), (66, 2)])
    finally:
        store.close()


def test_round_110a_3_a_pair_at_risk_reads_not_queued_and_when_it_would_be():
    data = _data()
    cells = {row[2]: row[-1] for row in data.at_risk.rows}
    assert cells["fading"] == "open"
    said = cells["at_risk"]
    assert said.startswith("not queued for being at risk: lmsync queues a pair once `lmsync health` judges it fading")
    assert "not shown beside a pair at risk" not in said
    assert said in csv_files(data)["at_risk_today.csv"]


def test_round_110a_3_the_page_does_not_send_readers_to_the_queue_for_pairs_at_risk():
    page = html_page(_data())
    assert "every other pair&#x27;s item" not in page and "every other pair's item" not in page
    assert "lmsync queues a pair once it is judged fading, none for being at risk" in page
    assert "not queued for being at risk" in page
