"""Tester round 92b, 4: an enrolment read that returned nobody (core_enrol_get_enrolled_users answering [],
as a lost capability or a faulty enrolment plugin does) made `lmsync run` say "sync ok ... 20 circle(s) held
while their mentor is away", exit 0: cron and timers stayed green until the 14-day hold ended. Holding was
right (nothing removed); every circle's mentor gone in one read (or more than [sync] min_source_fraction
lets go) is now an admin's problem: the sync step says the read returned none of the circles' mentors,
holds as before, and exits 2; the next run that reads them again clears it.

Tester round 93b, 4: a real leave of 2 of 3 mentors (or every mentor at the end of term) then failed every
run for the whole 14-day hold. Only the runs of the day they were first found away exit 2; later runs of the
holds still say it ("since DAY", said before) and exit 0."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN, EXIT_OK
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.functions import registry
from lmsync.service import programme_settings
from lmsync.service.cycle import cycle_job
from lmsync.service.emulator_edit import course_of, set_suspended
from tests.flows.conftest import demo_config, run_in

PROGRAMME = "mentor-2026"
STEPS = ("sync",)


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The programme's day is ``day`` (noon UTC), as tests/flows/test_away_mentor_hold.py moves it."""
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _circles(site: Any) -> dict[str, frozenset[int]]:
    return {g.idnumber: frozenset(g.members) for g in site.groups.values() if g.idnumber.startswith("lmsync:")}


def _mentors(site: Any) -> list[int]:
    return sorted(m for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None)


@pytest.fixture
def nobody_enrolled(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``on()`` makes the emulator's core_enrol_get_enrolled_users answer [] (an enrolment read that returns
    nobody); ``off()`` puts it back."""
    name = "core_enrol_get_enrolled_users"
    real = registry.REGISTRY[name]

    class Switch:
        def on(self) -> None:
            monkeypatch.setitem(registry.REGISTRY, name, dataclasses.replace(real, handler=lambda _call, _p: []))

        def off(self) -> None:
            monkeypatch.setitem(registry.REGISTRY, name, real)

    return Switch()


def test_round_92b_4_an_enrolment_read_of_nobody_holds_every_circle_and_exits_2(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, nobody_enrolled: Any
) -> None:
    config = demo_config(tmp_path, monkeypatch)
    site = build_demo_site()
    first = cycle_job(config, site=site, steps=STEPS)
    assert first.exit_code == EXIT_OK and first.step("sync").state == "ok", first.step("sync").summary
    circles = _circles(site)
    nobody_enrolled.on()
    for _ in range(2):  # the day it happens, and the next run while the read is still broken
        broken = cycle_job(config, site=site, steps=STEPS)
        step = broken.step("sync")
        assert broken.run_exit_code == EXIT_ADMIN and step.state == "admin", step.summary
        assert f"{len(circles)} circle(s) held while their mentor is away" in step.summary
        assert f"the enrolment read returned none of the {len(circles)} circles' mentors" in step.summary
        assert "a broken read?" in step.summary and "enrolment plugins" in step.summary
        assert _circles(site) == circles  # held as now: nothing removed
    nobody_enrolled.off()
    again = cycle_job(config, site=site, steps=STEPS)
    assert again.exit_code == EXIT_OK and again.step("sync").state == "ok", again.step("sync").summary
    assert "enrolment read returned" not in again.step("sync").summary
    assert _circles(site) == circles


def test_round_92b_4_most_mentors_suspended_at_once_is_said_one_away_is_not(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than [sync] min_source_fraction lets go (its mass-removal share): said, exit 2; one mentor on
    leave is the hold it always was, exit 0; min_source_fraction 0 turns it off, as it does the guard."""
    config = demo_config(tmp_path, monkeypatch)
    site = build_demo_site()
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK
    course = course_of(site, config.programme.course)
    mentors = _mentors(site)
    set_suspended(site, course, mentors[0], True)
    one = cycle_job(config, site=site, steps=STEPS)
    assert one.exit_code == EXIT_OK and "1 circle(s) held" in one.step("sync").summary, one.step("sync").summary
    assert "enrolment read returned" not in one.step("sync").summary
    set_suspended(site, course, mentors[0], False)
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK  # back: forgotten
    most = mentors[: len(mentors) * 3 // 4]
    for mentor in most:
        set_suspended(site, course, mentor, True)
    many = cycle_job(config, site=site, steps=STEPS)
    summary = many.step("sync").summary
    assert many.exit_code == EXIT_ADMIN, summary
    assert f"the enrolment read returned {len(most)} of the {len(mentors)} circles' mentors as no longer active" in summary
    off = demo_config(tmp_path, monkeypatch, more="[sync]\nmin_source_fraction = 0\n")
    assert cycle_job(off, site=site, steps=STEPS).exit_code == EXIT_OK


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_92b_4_lmsync_sync_and_plan_say_it_too(demo_home: Any, nobody_enrolled: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    nobody_enrolled.on()
    plan = run_in(demo_home, "plan")
    said = " ".join(plan.output.split())
    assert "the enrolment read returned none of the" in said and "min_source_fraction" in said, plan.output
    synced = run_in(demo_home, "sync")
    said = " ".join(synced.output.split())
    assert synced.exit_code == EXIT_ADMIN, synced.output
    assert "but the enrolment read returned none of the" in said and "a broken read?" in said
    nobody_enrolled.off()
    assert run_in(demo_home, "sync").exit_code == EXIT_OK


def test_round_93b_4_a_later_day_of_the_holds_says_it_and_exits_0(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most mentors really on leave: the day they are first found away, exit 2; the next days of their holds
    say it, since that day, said before, and the sync step is ok (exit 0); nothing removed, nothing else changes."""
    day = date(2026, 3, 2)
    _on(monkeypatch, day)
    config = demo_config(tmp_path, monkeypatch)
    site = build_demo_site()
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK
    course = course_of(site, config.programme.course)
    mentors = _mentors(site)
    most = mentors[: len(mentors) * 3 // 4]
    for mentor in most:
        set_suspended(site, course, mentor, True)
    circles = _circles(site)
    for _ in range(2):  # every run of the first day fails
        first = cycle_job(config, site=site, steps=STEPS)
        assert first.run_exit_code == EXIT_ADMIN and first.step("sync").state == "admin", first.step("sync").summary
        assert "(said before)" not in first.step("sync").summary
    for later in (day + timedelta(days=1), day + timedelta(days=5)):
        _on(monkeypatch, later)
        run = cycle_job(config, site=site, steps=STEPS)
        step = run.step("sync")
        assert run.run_exit_code == EXIT_OK and step.state == "ok", step.summary
        assert (f"but the enrolment read returned {len(most)} of the {len(mentors)} circles' mentors as no longer "
                f"active in the course, all at once since {day.isoformat()} (said before)") in step.summary
        assert f"{len(most)} circle(s) held while their mentor is away" in step.summary
        assert step.counts["circle_mentors_away_at_once"] == 1
        assert _circles(site) == circles  # held as before: nothing removed
    for mentor in most:  # back: cleared as before
        set_suspended(site, course, mentor, False)
    back = cycle_job(config, site=site, steps=STEPS)
    assert back.exit_code == EXIT_OK and "enrolment read returned" not in back.step("sync").summary


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_93b_4_lmsync_sync_on_a_later_day_says_it_and_exits_0(
    demo_home: Any, nobody_enrolled: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date(2026, 3, 2)
    _on(monkeypatch, day)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    nobody_enrolled.on()
    assert run_in(demo_home, "sync").exit_code == EXIT_ADMIN
    _on(monkeypatch, day + timedelta(days=1))
    synced = run_in(demo_home, "sync")
    said = " ".join(synced.output.split())
    assert synced.exit_code == EXIT_OK, synced.output
    assert f"since {day.isoformat()} (said before)" in said and "a broken read?" in said, synced.output
    plan = " ".join(run_in(demo_home, "plan").output.split())
    assert f"exited 2 for it on {day.isoformat()} and now say it without failing" in plan, plan
