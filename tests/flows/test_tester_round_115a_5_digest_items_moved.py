"""Tester round 115a, 5, on the built-in emulator: a coordinator's account suspended, their queue items moved to the
active coordinator (``coordinator_accounts``), whose digest that day did not name the items it had just inherited:
they first appeared there once overdue; the same when the items went back. Now a coordinator's digest names the items
moved to them since their last digest, with whose they were, once (``digest_moved``, ``store.digest_owned``).
"""

from __future__ import annotations

import html
from datetime import timedelta

from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from tests.flows.test_cycle import AS_OF, NOON, PROGRAMME, at, setup, user_id
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

HEAD = "Moved to your queue since your last digest ("


def _digest(site, before: int, uid: int) -> str:
    texts = [html.unescape(m["text"]).replace("<br />", "") for m in site.messages[before:]
             if m["useridto"] == uid and "lmsync digest for" in html.unescape(m["text"])]
    assert len(texts) <= 1, texts
    return texts[0] if texts else ""


def _section(text: str) -> str:
    return text.split(HEAD, 1)[1].split("\n\n", 1)[0] if HEAD in text else ""


def test_round_115a_5_items_inherited_from_a_suspended_coordinator_and_given_back_are_said_once(
        tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    off, on = cases["coordinators"]
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    theirs = [i for i in health.queue_list(config) if i.owner == off]
    assert theirs  # round robin gave them some, told in their digest
    # their account suspended: the items go to the active coordinator, whose digest names them, with whose they were
    site.users[user_id(site, off)].suspended = True
    before = len(site.messages)
    cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    assert {i.owner for i in health.queue_list(config) if i.id in {t.id for t in theirs}} == {on}
    text = _digest(site, before, user_id(site, on))
    section = _section(text)
    assert section.startswith(f"{len(theirs)}; another coordinator's until now):"), text
    assert section.count(f"; was {off}'s (Moodle account suspended)") == len(theirs), text
    assert "Record what was done about an item in your queue" in text, text
    # said once
    before = len(site.messages)
    cycle_job(config, site=site, now=at(2), as_of=AS_OF + timedelta(days=2))
    assert HEAD not in _digest(site, before, user_id(site, on))
    # given back (the other account suspended in turn, theirs active again): said to them, from whom
    site.users[user_id(site, off)].suspended = False
    site.users[user_id(site, on)].suspended = True
    before = len(site.messages)
    cycle_job(config, site=site, now=at(3), as_of=AS_OF + timedelta(days=3))
    text = _digest(site, before, user_id(site, off))
    assert f"; back from {on} (Moodle account suspended)" in _section(text), text
    from lmsync.store.digest_owned import (
        DigestOwned,  # here: what the digests above say fails first on old code
    )

    store = Store(config.store_path())
    try:
        owned = DigestOwned(store, PROGRAMME).told()
    finally:
        store.close()
    assert {t.id for t in theirs} <= set(owned[user_id(site, off)]), owned  # kept: not said again
