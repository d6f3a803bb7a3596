"""a coordinator never sees one mentee's verdict on themselves; a message that failed for a
site-wide reason (a capability, the service, the token) is sent again on the next run."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.health import PairHealth, Reason
from lmsync.moodle.errors import MoodleException
from lmsync.service import health, nudges
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue, DigestLog, NudgeLog
from tests.flows.test_cycle import NOON, PROGRAMME, make_config, setup, user_id
from tests.flows.test_health_flow import AS_OF
from tests.flows.test_health_flow import config as config  # noqa: F401  (fixture)
from tests.flows.test_health_flow import term as term  # noqa: F401  (fixture)

DAY = date(2026, 12, 1)
SEND = "moodle/site:sendmessage"


def fading(mentee: int, mentor: int = 66) -> PairHealth:
    reason = Reason("satisfaction_low_mentee", "at_risk", "satisfaction low (mentee side)")
    return PairHealth(mentor, mentee, "fading", (reason,), date(2026, 9, 1), date(2026, 10, 1), 61)


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


USERNAMES = {66: "m0001", 5: "s0027", 67: "m0002", 6: "s0028"}


def test_a_coordinator_is_never_given_an_item_about_their_own_pair(store):
    q = CoordinatorQueue(store, "p", coordinators=["m0001", "ann"], usernames=USERNAMES, assign="by_mentor")
    assert q.offer(DAY, fading(5)) == "added"
    assert q.offer(DAY, fading(6, mentor=67)) == "added"
    owners = {i.pair: i.owner for i in q.open_items()}
    assert owners[(66, 5)] == "ann"  # not the mentor m0001, although m0001 had fewer items
    assert owners[(67, 6)] == "m0001"
    # the only coordinator is the mentor: escalate_to takes it, else it stays unowned
    alone = CoordinatorQueue(Store.memory(), "p", coordinators=["m0001"], usernames=USERNAMES, escalate_to="chief")
    alone.offer(DAY, fading(5))
    assert [i.owner for i in alone.open_items()] == ["chief"]
    nobody = CoordinatorQueue(Store.memory(), "p", coordinators=["m0001"], usernames=USERNAMES)
    nobody.offer(DAY, fading(5))
    assert [i.owner for i in nobody.open_items()] == [None]
    # the mentee as coordinator, and escalation to a party of the pair: never
    mentee = CoordinatorQueue(Store.memory(), "p", coordinators=["s0027", "ann"], usernames=USERNAMES)
    mentee.offer(DAY, fading(5))
    assert [i.owner for i in mentee.open_items()] == ["ann"]
    late = DAY + timedelta(days=60)
    assert q.escalate(late, "m0001", after_days=7) == []


def test_the_digest_to_a_coordinator_never_lists_their_own_pairs(tmp_path, monkeypatch):
    from lmsync.moodle.emulator.demo import build_demo_site

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site)
    busy = cases["two"][0][0]
    mentor = next(u.username for u in site.users.values() if u.id == busy)
    other = cases["coordinators"][0]
    config = make_config(tmp_path, f"[health]\ncoordinators = {json.dumps([mentor, other])}\n")
    before = len(site.messages)
    result = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert result.step("digest").state == "ok", result.step("digest").summary
    items = health.queue_list(config)
    own = [i for i in items if busy in i.pair]
    assert own and all(i.owner == other for i in own)
    digests = {m["useridto"]: m["text"] for m in site.messages[before:] if "lmsync digest" in m["text"]}
    assert "lmsync digest" in digests[busy] and f"({mentor})" not in digests[busy]
    assert f"({mentor})" in digests[user_id(site, other)]  # the other coordinator is told


def test_pair_show_withholds_mentee_side_reasons_when_the_mentee_side_is_withheld(config, term, tmp_path):  # noqa: F811
    site, cases, _healthy = term
    health.health_job(config, as_of=AS_OF, site=site)
    mentor, mentee = cases["unhappy"]
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning", "pair", "show", str(mentor), str(mentee)]
    )
    assert result.exit_code == 0, result.output
    assert "withheld: only 1 of the mentor's mentees answered" in result.output
    assert "satisfaction low (mentee side)" not in result.output
    assert "a mentee-side signal (withheld: fewer than 3 of the mentor's mentees answered)" in result.output


def test_a_nudge_refused_for_a_site_wide_reason_is_sent_on_the_next_run(config, term):  # noqa: F811
    site, _cases, _healthy = term
    token = next(iter(site.tokens.values()))
    full = frozenset(token.capabilities)
    token.capabilities = full - {SEND}
    with pytest.raises(MoodleException):
        nudges.nudge_job(config, as_of=AS_OF, site=site)
    assert site.messages == []
    store = Store(config.store_path())
    assert {r.state for r in NudgeLog(store, PROGRAMME).records(day=AS_OF)} == {"failed"}
    store.close()
    token.capabilities = full
    again = nudges.nudge_job(config, as_of=AS_OF, site=site)
    assert again.sent and not again.failed and again.recently_nudged == 0
    assert len(site.messages) == len(again.messages)


def test_a_digest_refused_for_a_site_wide_reason_is_sent_on_the_next_run(tmp_path, monkeypatch):
    from lmsync.moodle.emulator.demo import build_demo_site

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site)
    token = next(iter(site.tokens.values()))
    full = frozenset(token.capabilities)
    token.capabilities = full - {SEND}
    first = cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    assert first.step("digest").state != "ok"
    token.capabilities = full
    before = len(site.messages)
    again = cycle_job(config, site=site, now=NOON + timedelta(hours=1), as_of=AS_OF)
    assert again.step("digest").counts["sent"] == 2, again.step("digest").summary
    assert again.step("nudges").counts["sent"] > 0
    coordinator_ids = {user_id(site, c) for c in cases["coordinators"]}
    assert coordinator_ids <= {m["useridto"] for m in site.messages[before:]}
    store = Store(config.store_path())
    assert {r.state for r in DigestLog(store, PROGRAMME).records()} == {"sent"}
    store.close()


def test_open_items_without_an_owner_or_owned_by_their_mentor_are_assigned_on_the_next_run(store):
    before = CoordinatorQueue(store, "p", usernames=USERNAMES)  # no [health] coordinators yet
    before.offer(DAY, fading(6, mentor=67))
    legacy = CoordinatorQueue(store, "p", coordinators=["m0001"])  # queued before the party rule
    legacy.offer(DAY, fading(5))
    assert {i.pair: i.owner for i in legacy.open_items()} == {(67, 6): None, (66, 5): "m0001"}
    now = CoordinatorQueue(store, "p", coordinators=["m0001", "ann"], usernames=USERNAMES)
    changed = now.reassign()
    owners = {i.pair: i.owner for i in changed}
    assert owners[(66, 5)] == "ann" and owners[(67, 6)] in ("m0001", "ann")
    assert now.reassign() == []  # once
