"""Tester round 104a, 1, 2, 3, 10 and 11: a circle whose ID number was cleared, changed, swapped or upper-cased in
Moodle is still the group lmsync made (the store records its Moodle id).

1. Cleared while its mentor was away: the circle was left as it was, never put back; when the hold ended its
   mentees were matched into other circles and kept in that group too, and a later sync said it had removed
   them. Now it is put back and is an owned circle like any other: held, then emptied when the hold ends.
2. Two circles' ID numbers swapped: both froze, and the advice ("change its ID number") made a second circle
   with the same mentees and a second welcome. Now the swap is named, and clearing or changing one of them
   lets the next sync put both back.
3. (a) a teacher's group given a circle's ID number while that circle's own group had it cleared was said to
   leave the circle "no longer in the course"; (b) the swapped groups were said "never made"; (c) a circle's
   ID number only upper-cased was refused as a group lmsync never made. Now each is said as it is, and (c) is
   put back.
10. A put-back that also renames names the group's name now; 11. a mentee put back into a circle made again
   because its group was taken over is not said to be there because the group was deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lmsync.domain.plan import grouping_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import Group
from lmsync.moodle.emulator.state import Site
from lmsync.render.sync import _describe
from lmsync.service import programme_settings
from lmsync.service.emulator_edit import course_of, set_suspended
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from tests.flows.conftest import demo_config

PROGRAMME = "mentor-2026"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _circles(site: Site) -> list[Group]:
    return sorted((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id)


def _welcomes(site: Site) -> int:
    return len(site.discussions)


@pytest.fixture
def synced(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """(config, site, store, sync, the first circle with 3+ members and a mentor, another circle) after one sync."""
    config = demo_config(tmp_path, monkeypatch)
    site, store = build_demo_site(), Store.memory()

    def sync(**kw: Any) -> Any:
        with open_moodle(config, site=site) as conn:
            return run_sync(conn.api, config, store, **kw)

    _on(monkeypatch, date(2026, 10, 1))
    assert sync().converged
    first = next(g for g in _circles(site) if len(g.members) > 2
                 and site.users[mentor_of_idnumber(PROGRAMME, g.idnumber) or 0].username.startswith("m"))
    other = next(g for g in _circles(site) if g.id != first.id and len(g.members) > 1)
    return config, site, store, sync, first, other


def _in_circles(site: Site) -> dict[int, int]:
    """Member (not a circle's mentor) -> how many groups lmsync made hold them (by the groups' ids, any ID number)."""
    counts: dict[int, int] = {}
    for g in site.groups.values():
        if g.id <= 20:  # the demo's circles are groups 1-20 after the first sync
            mentor = mentor_of_idnumber(PROGRAMME, g.idnumber)
            for user in g.members - {mentor}:
                counts[user] = counts.get(user, 0) + 1
    return counts


def test_round_104a_1_a_cleared_circle_of_an_away_mentor_is_put_back_held_then_emptied(synced: Any, monkeypatch: Any) -> None:
    config, site, _store, sync, first, _other = synced
    circle, mentor, mentees = first.idnumber, mentor_of_idnumber(PROGRAMME, first.idnumber), set(first.members)
    groups = len(site.groups)
    site.groups[first.id].idnumber = ""
    set_suspended(site, course_of(site, config.programme.course), mentor, True)
    _on(monkeypatch, date(2026, 10, 2))
    held = sync()
    assert held.converged
    assert any("held as it is" in w for w in held.first_plan.warnings), held.first_plan.warnings
    assert any("put back" in w and "cleared in Moodle" in w for w in held.first_plan.warnings), held.first_plan.warnings
    assert site.groups[first.id].idnumber == circle, "the ID number is put back while the circle is held"
    assert set(site.groups[first.id].members) == mentees, "held as it is"

    _on(monkeypatch, date(2026, 10, 21))  # the hold is over: its mentees leave it as from any owned circle
    over = sync()
    assert over.converged
    removed = {op.user_id for op in over.first_plan.operations if op.kind == "remove_member" and op.group == circle}
    assert removed == mentees - {mentor}, over.first_plan.operations
    assert all(n == 1 for n in _in_circles(site).values()), "a mentee in two circles"

    set_suspended(site, course_of(site, config.programme.course), mentor, False)
    _on(monkeypatch, date(2026, 10, 22))
    back = sync()
    assert back.converged and not any("lmsync circles" in w for w in back.first_plan.warnings), back.first_plan.warnings
    assert all(n == 1 for n in _in_circles(site).values()), "a mentee in two circles"
    assert len(site.groups) == groups and not any(g.name.endswith("(2)") for g in site.groups.values())


def test_round_104a_2_swapped_id_numbers_are_named_and_one_cleared_puts_both_back(synced: Any, monkeypatch: Any) -> None:
    _config, site, _store, sync, first, other = synced
    a, b = first.idnumber, other.idnumber
    members = {first.id: set(first.members), other.id: set(other.members)}
    groups, welcomes = len(site.groups), _welcomes(site)
    site.groups[first.id].idnumber, site.groups[other.id].idnumber = b, a
    _on(monkeypatch, date(2026, 10, 2))
    frozen = sync()
    said = [w for w in frozen.first_plan.warnings if "swapped" in w]
    assert len(said) == 1, frozen.first_plan.warnings
    low, high = sorted((first.id, other.id))
    ids = {first.id: a, other.id: b}
    assert "both circles this store made" in said[0] and f"{low}'s to {ids[low]}, {high}'s to {ids[high]}" in said[0]
    assert "clear the ID number of one of them" in said[0], said
    assert not any("never made" in w or "no longer in the course" in w for w in frozen.first_plan.warnings), frozen.first_plan.warnings
    assert not [op for op in frozen.first_plan.operations if op.kind == "create_group"]

    site.groups[first.id].idnumber = "x"  # what the old advice led to: a second circle and welcome
    _on(monkeypatch, date(2026, 10, 3))
    fixed = sync()
    assert fixed.converged and fixed.disowned == 0, fixed.first_plan.warnings
    assert {gid: site.groups[gid].idnumber for gid in ids} == ids, "both ID numbers put back"
    assert {gid: set(site.groups[gid].members) for gid in members} == members
    assert len(site.groups) == groups and _welcomes(site) == welcomes, "nothing made twice"
    assert not any(g.name.endswith("(2)") for g in site.groups.values())


def test_round_104a_3a_a_teachers_group_on_a_cleared_circles_id_number_is_said_as_it_is(synced: Any, monkeypatch: Any) -> None:
    _config, site, _store, sync, first, _other = synced
    circle, groups = first.idnumber, len(site.groups)
    site.groups[first.id].idnumber = ""
    teacher = Group(id=site.next_id("groups"), courseid=first.courseid, name="Teacher's group", idnumber=circle)
    site.groups[teacher.id] = teacher
    _on(monkeypatch, date(2026, 10, 2))
    blocked = sync()
    warnings = blocked.first_plan.warnings
    assert not any("no longer in the course" in w or "the circle is made again" in w for w in warnings), warnings
    (said,) = [w for w in warnings if f"Moodle id {teacher.id}" in w]
    assert f"{first.name!r} (Moodle id {first.id}), is still in the course with its ID number cleared" in said, said
    assert f"puts [{circle}] back on group {first.id}" in said, said
    site.groups[teacher.id].idnumber = "lab"
    _on(monkeypatch, date(2026, 10, 3))
    assert sync().converged
    assert site.groups[first.id].idnumber == circle and len(site.groups) == groups + 1, "put back, nothing made again"


def test_round_104a_3c_an_upper_cased_id_number_on_its_own_group_is_put_back(synced: Any, monkeypatch: Any) -> None:
    _config, site, _store, sync, first, _other = synced
    circle, groups, members = first.idnumber, len(site.groups), set(first.members)
    site.groups[first.id].idnumber = circle.upper()
    _on(monkeypatch, date(2026, 10, 2))
    result = sync()
    assert result.converged and result.disowned == 0, result.first_plan.warnings
    assert not any("never made" in w for w in result.first_plan.warnings), result.first_plan.warnings
    assert site.groups[first.id].idnumber == circle and set(site.groups[first.id].members) == members
    assert len(site.groups) == groups


def test_round_104a_10_11_a_put_back_names_the_old_name_and_a_taken_over_group_is_not_said_deleted(synced: Any, monkeypatch: Any) -> None:
    _config, site, _store, sync, first, _other = synced
    site.groups[first.id].idnumber, site.groups[first.id].name = "", "Aoife group (renamed by teacher)"
    _on(monkeypatch, date(2026, 10, 2))
    (op,) = [op for op in sync(dry_run=True).first_plan.operations if op.kind == "update_group"]
    assert "(ID number put back: cleared in Moodle; renamed back from 'Aoife group (renamed by teacher)')" in _describe(op)

    grouping = next(g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME))
    grouping.groupids.remove(first.id)  # taken over: the circle is made again
    added = [op for op in sync(dry_run=True).first_plan.operations if op.kind == "add_member" and op.reason]
    assert added and all("deleted" not in op.reason for op in added), added
    assert all(f"Moodle id {first.id}) is still in the course, but its ID number was cleared in Moodle and it was taken "
               "out of lmsync's grouping" in op.reason for op in added), added
