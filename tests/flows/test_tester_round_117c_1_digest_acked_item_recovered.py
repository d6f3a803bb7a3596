"""Tester round 117c, 1, on the built-in emulator: a queued pair whose item its coordinator acknowledged (`queue ack`)
met again and was ok: `queue list` showed it "recovered ... acknowledged DATE, awaiting outcome", yet its owner's next
digest named only the open item that recovered beside it under "Recovered since your last digest", never the
acknowledged one (the digest read the open items alone). Now it is said too, once, marked acknowledged
(``digest_eased``)."""

from __future__ import annotations

import html
from datetime import timedelta

from lmsync.domain.meetings import Meeting
from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.service.health_queue import queue_ack
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_cycle import AS_OF, NOON, PROGRAMME, at, setup, user_id
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

HEAD = "Recovered since your last digest ("


def _digest(site, before: int, uid: int) -> str:
    texts = [html.unescape(m["text"]).replace("<br />", "") for m in site.messages[before:]
             if m["useridto"] == uid and "lmsync digest for" in html.unescape(m["text"])]
    assert len(texts) <= 1, texts
    return texts[0] if texts else ""


def _label(site, uid: int) -> str:
    user = site.users[uid]
    return f"{user.firstname} {user.lastname} ({user.username})"


def test_round_117c_1_an_acknowledged_item_whose_pair_recovers_is_told_once(tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    before = len(site.messages)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    items = {i.pair: i for i in health.queue_list(config)}
    (mentor, acked), (_, other) = cases["two"]  # one mentor's two pairs, both fading and queued
    assert {(mentor, acked), (mentor, other)} <= items.keys()
    owner = user_id(site, items[(mentor, acked)].owner)
    assert "Newly in your queue" in _digest(site, before, owner)
    queue_ack(config, f"{mentor}-{acked}", on=AS_OF)
    store = Store(config.store_path())
    try:  # both pairs met yesterday: ok again
        MeetingRepository(store, PROGRAMME).save(
            [(Meeting(AS_OF, mentor, mentee, 45, True, "csv"), "test") for mentee in (acked, other)])
    finally:
        store.close()
    before = len(site.messages)
    cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    listed = {i.pair: i for i in health.queue_list(config, acknowledged=True)}
    assert listed[(mentor, acked)].status == "recovered" and listed[(mentor, acked)].acked_on == AS_OF
    text = _digest(site, before, owner)
    assert HEAD in text, text
    section = text.split(HEAD, 1)[1].split("\n\n", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("- ")]
    same_owner = items[(mentor, other)].owner == items[(mentor, acked)].owner
    assert len(lines) == 1 + same_owner, section
    assert (f"- {_label(site, mentor)} / {_label(site, acked)}: ok again (item open since {AS_OF.isoformat()}; "
            f"acknowledged {AS_OF.isoformat()}, awaiting outcome)") in lines, section
    before = len(site.messages)  # said once: the next digest says it no more
    cycle_job(config, site=site, now=at(2), as_of=AS_OF + timedelta(days=2))
    assert HEAD not in _digest(site, before, owner)
