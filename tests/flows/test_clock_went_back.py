"""Tester round 77, 5: after a clock went back (a virtual machine restored from a snapshot, NTP), ``lmsync run``
pushed every attendance grade again for a day already past and sent a second digest for it, with no warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lmsync.errors import EXIT_ADMIN
from lmsync.service.clock_check import ClockWentBack
from lmsync.service.cycle import cycle_job
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from tests.flows.test_cycle import TODAY, make_config
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)


def test_round_77_5_a_run_dated_before_the_last_judgement_stops_before_any_step(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config = make_config(tmp_path)
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert cycle_job(config, site=site, now=noon + timedelta(days=14)).step("health").state == "ok"
    store = Store(config.store_path())
    try:
        before = len(Journal(store, config.programme.name).entries())
    finally:
        store.close()
    with pytest.raises(ClockWentBack) as info:
        cycle_job(config, site=site, now=noon)  # the clock two weeks back
    assert info.value.exit_code == EXIT_ADMIN and "the system clock went back" in str(info.value)
    assert f"judged the programme on {(TODAY + timedelta(days=14)).isoformat()}" in str(info.value)
    store = Store(config.store_path())
    try:
        assert len(Journal(store, config.programme.name).entries()) == before  # nothing ran: no write at all
    finally:
        store.close()
    assert cycle_job(config, site=site, now=noon, as_of=TODAY).step("health").state == "ok"  # a chosen day still runs
    assert cycle_job(config, site=site, now=noon + timedelta(days=15)).step("health").state == "ok"  # the clock right again


def test_round_78_1_health_nudge_and_grades_push_refuse_a_clock_gone_back_as_run_does(
        tmp_path, site_and_coordinators, monkeypatch):  # noqa: F811
    """Only `lmsync run` refused: a hand-run `lmsync nudge` under a clock a week back sent 29 messages again."""
    from lmsync.service.grades import push_job
    from lmsync.service.health import health_job
    from lmsync.service.nudges import nudge_job

    site = site_and_coordinators
    config = make_config(tmp_path)
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    assert cycle_job(config, site=site, now=noon + timedelta(days=14)).step("health").state == "ok"
    monkeypatch.setattr("lmsync.service.programme_settings.programme_today", lambda *_a, **_k: TODAY)
    sent = len(site.messages)
    for job in (lambda: health_job(config, site=site), lambda: nudge_job(config, site=site),
                lambda: push_job(config, site=site)):
        with pytest.raises(ClockWentBack):
            job()
    assert len(site.messages) == sent
    assert nudge_job(config, site=site, dry_run=True) is not None  # a dry run sends nothing: it may look
    assert health_job(config, site=site, record=False) is not None  # and a read of the day writes nothing


def test_round_85b_8_one_day_behind_names_a_time_zone_as_a_cause() -> None:
    """A health run under LMSYNC_PROGRAMME_TIMEZONE=Pacific/Auckland at 20:00 UTC judged the next day; the next
    run in the programme's zone was refused as "the system clock went back" alone."""
    from lmsync.domain.health import PairHealth
    from lmsync.service.clock_check import check_clock
    from lmsync.store.health import HealthSnapshots

    store = Store.memory()
    try:
        HealthSnapshots(store, "p").replace_day(TODAY + timedelta(days=1), [PairHealth(1, 2, "ok", (), TODAY, TODAY, 0)])
        with pytest.raises(ClockWentBack, match=r"another \[programme\] timezone .* or the system clock went back"):
            check_clock(store, "p", TODAY)
        with pytest.raises(ClockWentBack) as far:
            check_clock(store, "p", TODAY - timedelta(days=6))
        assert "timezone" not in str(far.value) and "the system clock went back" in str(far.value)
        check_clock(store, "p", TODAY + timedelta(days=1))
    finally:
        store.close()


def test_tester_round_94b_4_the_hint_says_what_happens_when_the_earlier_run_ran_ahead() -> None:
    """A run under a clock 70 days ahead, then runs with the right clock: each refused with only "set the system
    clock right", which was right already. The hint says when runs go on by themselves and what stays sent."""
    from datetime import date

    import pytest

    from lmsync.domain.health import PairHealth
    from lmsync.service.clock_check import ClockWentBack, check_clock
    from lmsync.store.db import Store
    from lmsync.store.snapshots import HealthSnapshots

    store = Store.memory()
    ahead = date(2027, 2, 13)
    HealthSnapshots(store, "p").replace_day(ahead, [PairHealth(1, 2, "ok", (), ahead, ahead, 0)])
    with pytest.raises(ClockWentBack) as refused:
        check_clock(store, "p", date(2026, 12, 5))
    assert "runs go on again on 2027-02-13 (that day itself)" in (refused.value.hint or "")
    assert "stays sent" in (refused.value.hint or "")
