"""Tester round 127, 5: the run's sync line said "1 pair(s) not a good fit forbidden" on every run after a pair was
marked, days later too, as if each run had just forbidden another pair. It says the mark as standing now."""

from __future__ import annotations

from lmsync.domain.instruments import SurveyAnswer
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.health import PairForbids
from lmsync.store.surveys import SurveyRepository
from tests.flows.test_cycle import AS_OF, NOON, PROGRAMME, TODAY, at, circle_pairs, setup
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (the fixture)


def test_the_sync_line_says_a_not_a_good_fit_mark_as_standing_tester_round_127_5(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, cases = setup(tmp_path, site)
    mentor, mentee = cases["healthy"][0]
    # dated the day the pairs were made (the pairing history's instants are the real clock's, not the cycles' ``now``)
    answer = SurveyAnswer(mentee, "fit_checkin", TODAY, "good_fit", "yes", "csv")
    store = Store(config.store_path())
    SurveyRepository(store, PROGRAMME).save([(answer, "t")])
    store.close()
    assert cycle_job(config, site=site, now=NOON, as_of=AS_OF).step("health").counts["not_a_good_fit"] == 1
    for day in (1, 8):  # the run that re-matches them, and one a week later that changes nothing
        sync = cycle_job(config, site=site, now=at(day), as_of=at(day).date()).step("sync")
        assert "1 pair marked not a good fit is kept apart" in sync.summary, sync.summary
        assert "forbidden" not in sync.summary and sync.counts["not_a_good_fit_forbidden"] == 1
    assert (mentor, mentee) not in circle_pairs(site) and any(n == mentee for _, n in circle_pairs(site))
    store = Store(config.store_path())
    assert list(PairForbids(store, PROGRAMME).pairs()) == [(mentor, mentee)]  # the new pair kept (round 127, 1)
    store.close()
