"""A pair a coordinator ended (``queue done --outcome closed``) is counted once, as ended, in every JSON
that counts pairs: ``lmsync health --format json`` and the health step of ``lmsync run`` (its counts),
as their text lines count it; it was counted under its last status too."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from lmsync.service import health
from lmsync.service.cycle import cycle_job
from tests.flows.queue_programme import coordinating_mentor, lmsync, programme, username, with_health
from tests.flows.test_cycle import AS_OF
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

STATUSES = ("ok", "watch", "at_risk", "fading", "closed")


def test_ended_pairs_are_counted_once_as_ended_in_health_json_and_the_runs_counts(
        tmp_path, site_and_coordinators, monkeypatch):  # noqa: F811
    site = site_and_coordinators
    programme(tmp_path, site)
    coordinator, _own, others = coordinating_mentor(site)
    config = with_health(tmp_path, [coordinator])
    health.health_job(config, site=site, as_of=AS_OF)  # every pair fades
    ended = others[:2]
    for mentor, mentee in ended:
        health.queue_done(config, (mentor, mentee), "closed", on=AS_OF)
    # the run's health step: statuses and ended_by_coordinator add up to the pairs, each counted once
    noon = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    step = cycle_job(config, site=site, now=noon, as_of=AS_OF).step("health")
    pairs = int(step.summary.split(" pair(s)")[0])
    assert step.counts["ended_by_coordinator"] == 2
    assert sum(step.counts[s] for s in STATUSES) + step.counts["ended_by_coordinator"] == pairs
    assert f"{step.counts['fading']} fading" in step.summary
    # `lmsync health --format json`: the text's head line's counts, on that day (a day to come is refused: 108b, 2)
    monkeypatch.setattr("lmsync.service.programme_settings.clock", lambda: noon)
    shown = lmsync(config, "health", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["counts"]["ended"] == 2 and sum(data["counts"].values()) == len(data["pairs"])
    head = lmsync(config, "health", "--as-of", AS_OF.isoformat()).output
    words = ", ".join([f"{data['counts']['fading']} fading", "0 closed (need met)", "2 ended by a coordinator."])
    assert words in head, head
    assert f"({username(site, ended[0][1])})" not in head  # ended: never listed as needing attention
