"""Tester round 116, 7, on the built-in emulator: a queued pair that stopped fading with minor signals left (``watch``)
keeps its item open, never due nor escalated (`queue list`: "no longer fading (minor signals only): not due"), yet its
owner's digest said nothing of it, as it says of one ``ok`` again ("Recovered since your last digest"): the item
dropped out of the digest without a word. Now the owner's next digest says so once, with the pair's reasons and what
is due (``digest_eased``)."""

from __future__ import annotations

import html
from datetime import timedelta

from lmsync.domain.meetings import Meeting
from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.flows.test_cycle import AS_OF, NOON, PROGRAMME, at, setup, user_id
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

HEAD = "No longer fading since your last digest (1; minor signals only, on watch: nothing is due, the item stays open"


def _digest(site, before: int, uid: int) -> str:
    texts = [html.unescape(m["text"]).replace("<br />", "") for m in site.messages[before:]
             if m["useridto"] == uid and "lmsync digest for" in html.unescape(m["text"])]
    assert len(texts) <= 1, texts
    return texts[0] if texts else ""


def test_round_116_7_the_owner_is_told_once_that_their_queued_pair_no_longer_fades(
        tmp_path, site_and_coordinators) -> None:
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    lapsed = cases["lapsed"]
    before = len(site.messages)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    (item,) = [i for i in health.queue_list(config) if i.pair == lapsed]
    assert item.status == "fading" and item.owner in cases["coordinators"]
    owner = user_id(site, item.owner)
    assert "Newly in your queue" in _digest(site, before, owner)  # told of it, fading
    # a meeting found 24 days back: 25 days of silence the next day, minor (watch), no longer fading
    store = Store(config.store_path())
    try:
        MeetingRepository(store, PROGRAMME).save(
            [(Meeting(AS_OF - timedelta(days=24), *lapsed, 45, True, "csv"), "test")])
    finally:
        store.close()
    before = len(site.messages)
    cycle_job(config, site=site, now=at(1), as_of=AS_OF + timedelta(days=1))
    (watched,) = [i for i in health.queue_list(config) if i.pair == lapsed]
    assert watched.status == "watch" and watched.id == item.id  # the same item, still open
    text = _digest(site, before, owner)
    assert HEAD in text, text
    section = text.split(HEAD, 1)[1].split("\n\n", 1)[0]
    assert section.count("\n- ") == 1, section
    assert f": no meeting for 25 days (expected every 14); item open since {AS_OF.isoformat()}" in section, section
    assert "Record what was done about an item in your queue" in text, text
    before = len(site.messages)  # said once: the next digest says it no more
    cycle_job(config, site=site, now=at(2), as_of=AS_OF + timedelta(days=2))
    assert "No longer fading since your last digest" not in _digest(site, before, owner)


def test_round_116_7_an_item_newly_queued_whose_pair_is_on_watch_already_is_not_said_due() -> None:
    """Queued fading on a day its owner was sent no digest (quiet hours, say), on watch the next: the digest that
    first names it, under "Newly in your queue", said "due ..." of an item that is not due (``NOT_DUE``)."""
    from datetime import date
    from types import SimpleNamespace

    from lmsync.config import Config
    from lmsync.domain.health import PairHealth, Reason
    from lmsync.service.digest import run_digest
    from lmsync.service.health import Assessment
    from lmsync.store.health import CoordinatorQueue
    from lmsync.store.snapshots import HealthSnapshots

    flagged, day = date(2026, 11, 8), date(2026, 11, 9)
    fading = PairHealth(66, 3, "fading", (Reason("no_meeting", "fading", "no meeting for 81 days"),),
                        date(2026, 9, 1), flagged, 0)
    watch = PairHealth(66, 3, "watch", (Reason("no_meeting", "watch", "no meeting for 25 days"),),
                       date(2026, 9, 1), day, 0)
    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(flagged, [fading])
        assert CoordinatorQueue(store, "p", coordinators=["ann"]).offer(flagged, fading) == "added"
        HealthSnapshots(store, "p").replace_day(day, [watch])
        config = Config.model_validate({"programme": {"name": "p"}, "health": {"coordinators": ["ann"]}})
        api = SimpleNamespace(get_users_by_field=lambda field, values: [SimpleNamespace(id=900, username="ann")])
        report = run_digest(api, config, store, Assessment(day, [], {}), dry_run=True)  # type: ignore[arg-type]
    finally:
        store.close()
    (digest,) = report.digests
    assert [i.pair for i in digest.new_items] == [(66, 3)] and not digest.recovered  # said once, as newly queued
    assert "- watch: user #66 (not in the course) / user #3 (not in the course): no meeting for 25 days; no longer " \
           "fading: nothing due" in digest.text, digest.text
    assert "due 2026-" not in digest.text, digest.text
