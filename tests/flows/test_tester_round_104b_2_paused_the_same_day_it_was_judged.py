"""Tester round 104b, 2: ``lmsync health`` judged a fading pair in the morning (its item queued); then the mentee's
enrolment was suspended and health ran again the same day. That run paused the item, but it still showed ``fading``
with a due date until the next day, whose run paused it again, with a second "paused by lmsync" note: the
morning's snapshot, of the pause's own day, gave the item its status back over the pause.

The same-day run now pauses it once, and it shows ``gone`` from then on; no later run adds a second note. Back in
the programme, judged again, the pair shows its status again (the same day too)."""

from __future__ import annotations

from datetime import timedelta

from lmsync.service import health
from lmsync.service.cycle import cycle_job
from lmsync.store.queue_item import GONE_NOTE
from tests.flows.test_cycle import AS_OF, NOON, setup
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)
from tests.flows.test_queue_item_of_a_pair_gone import COURSE, SUSPENDED, items_of


def test_a_pair_gone_the_day_health_judged_it_is_paused_that_day_and_only_once(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    pair = cases["lapsed"]
    day = AS_OF + timedelta(days=3)
    morning = health.health_job(config, site=site, as_of=day)  # judged and fading that morning
    assert pair in {(h.mentor_id, h.mentee_id) for h in morning.assessment.healths if h.status == "fading"}
    (item,) = [i for i in health.queue_list(config) if i.pair == pair]
    assert item.status == "fading"
    site.courses[COURSE].enrolments[pair[1]].suspended = True
    later = health.health_job(config, site=site, as_of=day)  # the same day, the mentee's enrolment suspended
    assert [i.pair for i in later.gone] == [pair]
    (paused,) = [i for i in health.queue_list(config) if i.pair == pair]
    assert paused.status == "gone" and paused.paused and paused.overdue_days(day + timedelta(days=60)) == 0
    assert pair in {i.pair for i in later.paused}
    note = f"paused by lmsync on {day.isoformat()}: the pair is no longer in the programme ({SUSPENDED})"
    assert paused.note == note
    for after in (0, 1, 2):  # the same day again, and the next days: paused already, nothing added
        again = health.health_job(config, site=site, as_of=day + timedelta(days=after))
        assert again.gone == [] and pair in {i.pair for i in again.paused}
    (still,) = items_of(config, pair)
    assert still.note == note and still.note.count(GONE_NOTE) == 1 and still.status == "gone"


def test_a_pair_paused_and_back_the_same_day_shows_its_status_again(tmp_path, site_and_coordinators):
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    cycle_job(config, site=site, now=NOON, as_of=AS_OF)
    pair = cases["lapsed"]
    day = AS_OF + timedelta(days=3)
    site.courses[COURSE].enrolments[pair[1]].suspended = True
    health.health_job(config, site=site, as_of=day)  # paused in the morning
    assert [i.status for i in health.queue_list(config) if i.pair == pair] == ["gone"]
    site.courses[COURSE].enrolments[pair[1]].suspended = False
    back = health.health_job(config, site=site, as_of=day)  # back and judged the same day
    assert back.gone == [] and pair not in {i.pair for i in back.paused}
    (item,) = [i for i in health.queue_list(config) if i.pair == pair]
    assert item.status == "fading" and not item.paused
