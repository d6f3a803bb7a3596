"""Tester round 106b, 5: an enrolment read that suddenly listed only the teachers and the first 15 students made
`lmsync run` say "sync ok ... 4 circle(s) held while their mentor is away ...; 37 place(s) held while their mentee
is away", exit 0, for the two weeks of the holds; only the mentors had a broken-read alarm (tester round 92b, 4).
Now more than 1 - [sync] min_source_fraction of the people placed in circles (mentors and members together) first
found away on one day is said as the mentors' is: held as before (nothing removed), `lmsync sync` and `lmsync run`
exit 2 that day, and later days of the holds say it without failing. A handful of suspended mentees is a hold, not
an alarm."""

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
DAY = date(2026, 3, 2)
TEACHERS = {"editingteacher", "teacher"}


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The programme's day is ``day`` (noon UTC)."""
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _circles(site: Any) -> dict[str, frozenset[int]]:
    return {g.idnumber: frozenset(g.members) for g in site.groups.values() if g.idnumber.startswith("lmsync:")}


def _mentors(site: Any) -> set[int]:
    return {m for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None}


def _mentees(site: Any) -> list[int]:
    """The circles' members who are no circle's mentor, in id order."""
    return sorted(set().union(*_circles(site).values()) - _mentors(site))


@pytest.fixture
def few_students(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``on()`` makes the emulator's core_enrol_get_enrolled_users list the teachers and the first 15 students
    only (the tester's filtered read); ``off()`` puts it back."""
    name = "core_enrol_get_enrolled_users"
    real = registry.REGISTRY[name]

    def handler(call: Any, params: Any) -> Any:
        users = real.handler(call, params)
        students = [u for u in users if not {r.get("shortname") for r in u.get("roles", [])} & TEACHERS]
        left_out = {u["id"] for u in students[15:]}
        return [u for u in users if u["id"] not in left_out]

    class Switch:
        def on(self) -> None:
            monkeypatch.setitem(registry.REGISTRY, name, dataclasses.replace(real, handler=handler))

        def off(self) -> None:
            monkeypatch.setitem(registry.REGISTRY, name, real)

    return Switch()


def test_round_106b_5_a_read_of_a_quarter_of_the_students_holds_and_exits_2_on_its_first_day(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, few_students: Any
) -> None:
    _on(monkeypatch, DAY)
    config = demo_config(tmp_path, monkeypatch)
    site = build_demo_site()
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK
    circles = _circles(site)
    placed = len(set().union(*circles.values()))
    few_students.on()
    for _ in range(2):  # every run of the day it is first found
        broken = cycle_job(config, site=site, steps=STEPS)
        step = broken.step("sync")
        assert broken.run_exit_code == EXIT_ADMIN and step.state == "admin", step.summary
        assert "place(s) held while their mentee is away" in step.summary
        assert f"but the enrolment read returned 41 of the {placed} people placed in circles as no longer active" in step.summary
        assert "(37 member(s) whose place is held and 4 mentor(s) whose circle is held), all at once:" in step.summary
        assert "a broken read? Check the lmsync user's capabilities (moodle/course:enrolreview" in step.summary
        assert "enrolment plugins" in step.summary and "(said before)" not in step.summary
        assert step.counts["circle_people_away_at_once"] == 1
        assert _circles(site) == circles  # held as now: nothing removed
    _on(monkeypatch, DAY + timedelta(days=3))  # a later day of the holds: said, said before, not failed
    later = cycle_job(config, site=site, steps=STEPS)
    step = later.step("sync")
    assert later.run_exit_code == EXIT_OK and step.state == "ok", step.summary
    assert f"all at once since {DAY.isoformat()} (said before): a broken read?" in step.summary
    assert _circles(site) == circles
    few_students.off()
    again = cycle_job(config, site=site, steps=STEPS)
    assert again.exit_code == EXIT_OK and "enrolment read returned" not in again.step("sync").summary
    assert _circles(site) == circles


def test_round_106b_5_most_mentees_suspended_at_once_is_said_a_handful_is_not(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three quarters of the mentees suspended in one day: exit 2, said; a handful suspended: the holds they always
    were, exit 0; [sync] min_source_fraction 0 turns it off, as it does the mentors' alarm."""
    _on(monkeypatch, DAY)
    config = demo_config(tmp_path, monkeypatch)
    site = build_demo_site()
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK
    course = course_of(site, config.programme.course)
    mentees = _mentees(site)
    placed = len(set().union(*_circles(site).values()))
    for mentee in mentees[:5]:
        set_suspended(site, course, mentee, True)
    few = cycle_job(config, site=site, steps=STEPS)
    assert few.exit_code == EXIT_OK, few.step("sync").summary
    assert "5 place(s) held while their mentee is away" in few.step("sync").summary
    assert "enrolment read returned" not in few.step("sync").summary
    for mentee in mentees[:5]:  # back: forgotten
        set_suspended(site, course, mentee, False)
    assert cycle_job(config, site=site, steps=STEPS).exit_code == EXIT_OK
    _on(monkeypatch, DAY + timedelta(days=1))
    most = mentees[: len(mentees) * 3 // 4]
    for mentee in most:
        set_suspended(site, course, mentee, True)
    circles = _circles(site)
    many = cycle_job(config, site=site, steps=STEPS)
    summary = many.step("sync").summary
    assert many.run_exit_code == EXIT_ADMIN and many.step("sync").state == "admin", summary
    assert (f"the enrolment read returned {len(most)} of the {placed} people placed in circles as no longer active in "
            f"the course ({len(most)} member(s) whose place is held), all at once: a broken read?") in summary
    assert _circles(site) == circles  # held: nothing removed
    off = demo_config(tmp_path, monkeypatch, more="[sync]\nmin_source_fraction = 0\n")
    quiet = cycle_job(off, site=site, steps=STEPS)
    assert quiet.exit_code == EXIT_OK and "enrolment read returned" not in quiet.step("sync").summary


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_106b_5_lmsync_sync_and_plan_say_it_too(
    demo_home: Any, few_students: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, DAY)
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
    few_students.on()
    plan = " ".join(run_in(demo_home, "plan").output.split())
    assert "people placed in circles as no longer active" in plan and "min_source_fraction (now 0.5)" in plan, plan
    assert "exit 2 today, the day they were first found away" in plan
    synced = run_in(demo_home, "sync")
    said = " ".join(synced.output.split())
    assert synced.exit_code == EXIT_ADMIN, synced.output
    assert "but the enrolment read returned 41 of the" in said and "a broken read?" in said, said
    _on(monkeypatch, DAY + timedelta(days=1))
    later = run_in(demo_home, "sync")
    said = " ".join(later.output.split())
    assert later.exit_code == EXIT_OK, later.output
    assert f"since {DAY.isoformat()} (said before)" in said and "a broken read?" in said, said
    plan = " ".join(run_in(demo_home, "plan").output.split())
    assert f"exited 2 for it on {DAY.isoformat()} and now say it without failing" in plan, plan
    few_students.off()
    assert run_in(demo_home, "sync").exit_code == EXIT_OK
