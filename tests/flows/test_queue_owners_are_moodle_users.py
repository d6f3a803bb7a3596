"""Queue items go only to people Moodle has: ``[health] escalate_to`` naming nobody was made owner of a
coordinator's own pairs (``queue list``: "owner ghost99", while ``lmsync health`` said "Moodle has no user
ghost99"), and an item ``queue done --outcome rematched|closed`` opened went to a coordinator Moodle does
not have ("nosuchcoord"), while the health step leaves such names out."""

from __future__ import annotations

import json

from lmsync.service import health
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue
from tests.flows.queue_programme import coordinating_mentor, lmsync, programme, username, with_health
from tests.flows.test_cycle import AS_OF
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def _items(config) -> dict[tuple[int, int], object]:
    store = Store(config.store_path())
    try:
        return {i.pair: i for i in CoordinatorQueue(store, config.programme.name).items()}
    finally:
        store.close()


def test_an_escalate_to_moodle_does_not_have_never_owns_a_coordinators_own_pairs(
        tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    programme(tmp_path, site)
    coordinator, own, others = coordinating_mentor(site)  # a coordinator who also mentors
    config = with_health(tmp_path, [coordinator, "nosuchcoord"], escalate_to="ghost99")
    health.health_job(config, site=site, as_of=AS_OF)  # 70 days without a meeting: every pair fades
    owners = {i.pair: i.owner for i in health.queue_list(config)}
    assert set(own) <= set(owners) and set(others) <= set(owners)
    # the coordinator's own pairs: no other coordinator Moodle has, and escalate_to is nobody: no owner,
    # as for a coordinator Moodle does not have; never ghost99
    assert {owners[p] for p in own} == {None}
    assert {owners[p] for p in others} == {coordinator}
    listed = lmsync(config, "queue", "list")
    assert listed.exit_code == 0, listed.output
    assert "ghost99" not in listed.output and "nosuchcoord" not in listed.output
    mentor_line = next(line for line in listed.output.splitlines() if f"({coordinator}) / " in line)
    assert "no owner ([health] coordinators)" in mentor_line
    # and JSON says the same
    rows = json.loads(lmsync(config, "queue", "list", "--format", "json").stdout)
    assert {r["owner"] for r in rows if r["mentor"]["username"] == coordinator} == {None}


def test_queue_done_opens_an_item_only_for_a_coordinator_moodle_has(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    programme(tmp_path, site)
    coordinator, own, others = coordinating_mentor(site)
    # the unknown name first: on a tie in load it would have been chosen
    config = with_health(tmp_path, ["nosuchcoord", coordinator], escalate_to="ghost99")
    assert _items(config) == {}  # day one: nothing queued by the rules
    mentor, mentee = others[0]
    done = lmsync(config, "queue", "done", username(site, mentor), username(site, mentee), "--outcome", "closed")
    assert done.exit_code == 0, done.output
    assert _items(config)[(mentor, mentee)].owner == coordinator  # never nosuchcoord
    # the coordinator's own pair: the only other coordinator and escalate_to are names Moodle does not have
    mentor, mentee = own[0]
    done = lmsync(config, "queue", "done", username(site, mentor), username(site, mentee), "--outcome", "rematched")
    assert done.exit_code == 0, done.output
    assert _items(config)[(mentor, mentee)].owner is None  # never ghost99, never the coordinator themself
