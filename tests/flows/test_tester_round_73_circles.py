"""Tester round 73 (a Moodle admin on the emulator, README only): the circles lmsync can prove it made.

1. A teacher made, through web services, a group carrying lmsync's circle idnumber for a mentor lmsync had
   left out (two roles): `lmsync plan` took it for lmsync's circle, planned its members out and, with
   --allow-delete, the group's deletion "no longer a mentor circle", though it never was one. A store that
   records the programme's circles leaves a group it never made alone, and says so.
2. A teacher deleted one of lmsync's circles: the next plan made it again but put one of its mentor's four
   established mentees with another mentor, by a draw. The pairs of a circle deleted in Moodle stay the
   existing pairs, and the plan says the group was deleted in Moodle.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service.emulator_edit import course_of, join, second_role
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2
GROUP_NAME = "Circle: François L'Écuyer (2)"


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _user(site: Site, username: str) -> int:
    return next(u.id for u in site.users.values() if u.username == username)


def _circle(site: Site, mentor: int) -> Any:
    return next(g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber) == mentor)


def _circles(site: Site) -> list[Any]:
    return sorted((g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)),
                  key=lambda g: g.id)


def _mentees(group: Any) -> list[int]:
    return sorted(group.members - {mentor_of_idnumber(PROGRAMME, group.idnumber)})


def _teachers_group(config: Any, site: Site, mentor: int, members: list[int], name: str = GROUP_NAME) -> int:
    """A group a teacher makes through web services with lmsync's idnumber for ``mentor``, and its members."""
    with open_moodle(config, site=site) as conn:
        made = conn.api.create_groups([{"courseid": COURSE, "name": name, "description": "",
                                        "idnumber": mentor_group_idnumber(PROGRAMME, mentor)}])
        conn.api.add_group_members([{"groupid": made[0].id, "userid": user} for user in members])
    return int(made[0].id)


def test_round_73_1_a_group_with_lmsyncs_idnumber_that_this_store_never_made_is_left_alone(demo_home: Any) -> None:
    """mm06 holds a mentor and a student role: lmsync leaves him out and makes no circle of his. A teacher then
    makes "Circle: François L'Écuyer (2)" with lmsync's idnumber for him and puts two mentees of other circles
    in it. Neither plan nor run changes, deletes or posts into it; it is no circle for pairs or health; the plan
    names it, its idnumber, why it is left alone and what to do."""
    assert run_in(demo_home, "emulator", "edit", "role", "m0006", "student").exit_code == 0
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    config, site = _site(demo_home)
    mentor = _user(site, "m0006")
    assert not any(mentor_of_idnumber(PROGRAMME, g.idnumber) == mentor for g in site.groups.values())
    first, second = (_mentees(c)[0] for c in _circles(site)[:2])
    group_id = _teachers_group(config, site, mentor, [mentor, first, second])
    site.save(config.emulator_state_path())
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)

    for args in (("plan",), ("plan", "--allow-delete")):
        planned = run_in(demo_home, *args)
        assert planned.exit_code == 0, planned.output
        assert "no changes" in planned.output, planned.output  # no member out, no rename, no delete
        assert "DELETE" not in planned.output and "kept (needs --allow-delete" not in planned.output
        said = next(line for line in planned.output.splitlines() if idnumber in line and "warning" in line)
        assert f"group 'Circle: François L'Écuyer (2)' (Moodle id {group_id})" in said, said
        assert "this store never made it" in said and "leaves it as it is" in said, said
        assert "change its ID number in Moodle" in said, said
    as_json = json.loads(run_in(demo_home, "plan", "--format", "json").stdout)
    assert as_json["operations"] == [] and any(idnumber in w for w in as_json["warnings"])

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output  # an admin must change that group's ID number (tester round 74, 2)
    _config, after = _site(demo_home)
    group = after.groups[group_id]
    assert (group.name, group.idnumber, set(group.members)) == (GROUP_NAME, idnumber, {mentor, first, second})
    assert not any(d.groupid == group_id for d in after.discussions.values())  # no welcome posted into it
    assert first in _circles(after)[0].members and second in _circles(after)[1].members  # left in their circles too
    shown = run_in(demo_home, "pair", "show", "m0006", after.users[first].username)
    assert shown.exit_code != 0 and "are not a pair" in shown.output, shown.output  # no pair from it
    health = json.loads(run_in(demo_home, "health", "--format", "json").stdout)
    assert health["pairs"] and not any(p["mentor_id"] == mentor for p in health["pairs"])  # nor for health


def _config(tmp_path: Any, monkeypatch: Any, extra: str = "") -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n' + extra)
    return load_config(path, environ={})


def _sync(config: Any, site: Site, store: Store, **kw: Any) -> Any:
    with open_moodle(config, site=site, fault=kw.pop("fault", None)) as conn:
        return run_sync(conn.api, config, store, **kw)


def _plan(config: Any, site: Site, store: Store) -> Any:
    with open_moodle(config, site=site) as conn:
        return make_plan(conn.api, config, journal=Journal(store, PROGRAMME), allow_delete=True).plan


def _lost_answers(function: str, when: str) -> str | None:
    """Every group create commits, and its answer is lost (the client's read times out)."""
    return "timeout" if function == "core_group_create_groups" and when == "after" else None


def test_round_73_1_circles_whose_create_answer_was_lost_stay_lmsyncs_and_a_new_store_still_adopts(
    tmp_path: Any, monkeypatch: Any,
) -> None:
    """Crash convergence: a circle lmsync made whose create answer was lost is found again by its idnumber and
    stays lmsync's (filled, welcomed, later emptied or deleted as before); a teacher's group with a circle
    idnumber is left alone all the while. A new store (no record of the programme's circles) adopts what it
    finds, as before, and keeps it as its own after it has made a circle of its own."""
    config = _config(tmp_path, monkeypatch)
    site = build_demo_site()
    mentor = _user(site, "m0006")
    second_role(site, course_of(site, config.programme.course), mentor, "student")  # left out: no circle of his
    store = Store.memory()
    _sync(config, site, store, fault=_lost_answers, max_rounds=40)
    settled = _sync(config, site, store)
    assert settled.converged, settled.final_plan
    circles = _circles(site)
    assert circles and all(_mentees(c) for c in circles)
    assert all(any(d.groupid == c.id for d in site.discussions.values()) for c in circles)  # welcomed
    assert not any("never made it" in w for w in settled.first_plan.warnings)

    teachers = _teachers_group(config, site, mentor, [mentor, _mentees(circles[0])[0]])
    plan = _plan(config, site, store)
    assert not [op for op in plan.operations if mentor_group_idnumber(PROGRAMME, mentor) in op.key]
    assert sum("never made it" in w for w in plan.warnings) == 1
    recorded = Journal(store, PROGRAMME).circle_proof().recorded
    assert all(c.id in recorded.get(c.idnumber, ()) for c in circles)  # found again, now recorded by id
    # one of lmsync's circles whose mentor mentors no more is still lmsync's to empty and delete (--allow-delete)
    gone = circles[1]
    fields = site.users[mentor_of_idnumber(PROGRAMME, gone.idnumber)].customfields
    capacity, fields["mentorcapacity"] = fields["mentorcapacity"], "0"
    plan = _plan(config, site, store)
    assert [op.group for op in plan.by_kind("delete_group")] == [gone.idnumber]
    assert {op.user_id for op in plan.by_kind("remove_member") if op.group == gone.idnumber} == set(_mentees(gone))
    fields["mentorcapacity"] = capacity
    assert teachers in site.groups

    # a new store over the same site: no record of the circles, so it adopts them, the teacher's group too
    fresh = Store.memory()
    adopted = _sync(config, site, fresh, takes_over=True)  # when told it replaces a lost store (89b, 1)
    assert adopted.converged and not any("never made it" in w for w in adopted.first_plan.warnings)
    assert teachers in Journal(fresh, PROGRAMME).circle_proof().recorded[mentor_group_idnumber(PROGRAMME, mentor)]
    # a new mentor, and a mentee pinned to them: the adopting store makes a circle of its own and moves them
    join(site, course_of(site, config.programme.course), "mnew", "teacher", "New Mentor", {"mentorcapacity": "3"})
    moved = _mentees(circles[0])[-1]
    pinned = _config(tmp_path, monkeypatch, f'[matching]\npins = [["{site.users[moved].username}", "mnew"]]\n')
    again = _sync(pinned, site, fresh)
    assert again.converged and again.written["create_group"] == 1
    assert any(op.user_id == moved and op.group == circles[0].idnumber for op in again.first_plan.by_kind("remove_member"))
    last = _plan(pinned, site, fresh)
    assert not any("never made it" in w for w in last.warnings), last.warnings  # the adopted circles stay its own
    kept = Journal(fresh, PROGRAMME).circle_proof().recorded
    assert all(c.id in kept[c.idnumber] for c in circles)


def test_round_73_2_a_circle_deleted_in_moodle_comes_back_with_all_its_established_pairs(demo_home: Any) -> None:
    """A teacher deleted m0005's circle (core_group_delete_groups): four established mentees with meetings. The
    next plan made the circle again and put one of them with another mentor, no `!`, no reason, and `lmsync
    match` showed no "keeps the existing pair": the deletion broke a pair by a draw. Now the pairs of a circle
    lmsync made that was deleted in Moodle are the existing pairs: kept by matching, all put back with their
    mentor, and the plan says the group was deleted in Moodle. Here one mentee is made a better fit for
    another mentor with room, which a fresh match would move them to."""
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    config, site = _site(demo_home)
    mentor = _user(site, "m0005")
    circle = _circle(site, mentor)
    mentees = _mentees(circle)
    assert len(mentees) >= 3
    names = {uid: site.users[uid].username for uid in [mentor, *mentees]}
    today = datetime.now(UTC).date().isoformat()
    for mentee in mentees:  # established: each has met their mentor
        added = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", "m0005", "--mentee", names[mentee],
                       "--minutes", "40")
        assert added.exit_code == 0, added.output
    other = next(c for c in _circles(site) if c is not circle and len(_mentees(c)) < int(
        site.users[mentor_of_idnumber(PROGRAMME, c.idnumber)].customfields.get("mentorcapacity", "0")))
    other_mentor = site.users[mentor_of_idnumber(PROGRAMME, other.idnumber)]
    tempted = mentees[0]  # a better fit for ``other``'s mentor now
    for key in ("department", "interests", "languages"):
        if key in other_mentor.customfields:
            site.users[tempted].customfields[key] = other_mentor.customfields[key]
    with open_moodle(config, site=site) as conn:
        conn.api.delete_groups([circle.id])
    site.save(config.emulator_state_path())

    matched = run_in(demo_home, "match")
    assert matched.exit_code == 0, matched.output
    theirs = [line for line in matched.output.splitlines() if any(f"({names[m]}) " in line.split(")")[0] + ") "
                                                                  for m in mentees)]
    assert len(theirs) == len(mentees), theirs
    assert all("(m0005)" in line and line.endswith("keeps the existing pair") for line in theirs), theirs

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)
    assert f"[{idnumber}]: the group lmsync made for it (Moodle id {circle.id}) is no longer in the course " \
           "(deleted in Moodle); it is made again" in planned.output, planned.output
    for mentee in mentees:
        assert f"({names[mentee]}) to " in planned.output and \
            "(put back: their circle's group was deleted in Moodle, and the match still pairs them)" in planned.output
    back = [line for line in planned.output.splitlines() if "their circle's group was deleted in Moodle" in line]
    assert len(back) == len(mentees) and all("(m0005)'s circle" in line for line in back), back
    assert not any(f"({names[tempted]}) to" in line and "(m0005)'s circle" not in line
                   for line in planned.output.splitlines()), planned.output

    assert run_in(demo_home, "sync").exit_code == 0
    _config, after = _site(demo_home)
    assert set(_circle(after, mentor).members) == {mentor, *mentees}
    assert "no changes" in run_in(demo_home, "plan").output
