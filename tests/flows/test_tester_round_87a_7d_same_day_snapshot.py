"""Tester round 87a, 7d: ``queue done --outcome rematched``, then a second run the same day. The run re-matched
the mentee, and its health step replaced the whole day's snapshot with the pairs it judged now, so the judgement
the coordinator acted on left the store and ``pair show``. A same-day re-run now replaces only the rows of the
pairs it judges; a pair ended since keeps the row it had that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.snapshots import HealthSnapshots
from tests.flows.queue_programme import lmsync, programme, username
from tests.flows.test_cycle import TODAY, circle_pairs
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def _rows(config, day):
    store = Store(config.store_path())
    try:
        return {(r.mentor_id, r.mentee_id): r for r in HealthSnapshots(store, config.programme.name).rows(day=day)}
    finally:
        store.close()


def test_a_pair_rematched_keeps_its_judgement_of_the_day_after_a_second_run(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config = programme(tmp_path, site)
    before = _rows(config, TODAY)
    pair = circle_pairs(site)[0]
    assert pair in before
    done = lmsync(config, "queue", "done", username(site, pair[0]), username(site, pair[1]), "--outcome", "rematched")
    assert done.exit_code == 0, done.output
    cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15),
              as_of=TODAY)
    assert pair not in circle_pairs(site)  # the mentee has another mentor, or none
    after = _rows(config, TODAY)
    assert pair in after and after[pair].status == before[pair].status  # the day's judgement of the ended pair
    assert set(circle_pairs(site)) <= set(after)  # every pair judged now has its row too
    shown = lmsync(config, "pair", "show", username(site, pair[0]), username(site, pair[1]))
    assert shown.exit_code == 0, shown.output
    assert TODAY.isoformat() in shown.output and before[pair].status.replace("_", " ") in shown.output.replace("_", " ")


def test_a_same_day_rerun_replaces_the_rows_of_the_pairs_it_judges(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config = programme(tmp_path, site)
    first = _rows(config, TODAY)
    cycle_job(config, site=site, now=datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15),
              as_of=TODAY)
    again = _rows(config, TODAY)
    assert set(again) == set(first)  # one row a pair, never two
    assert all(again[p].status == first[p].status for p in first)
