"""Tester round 74 (a Moodle admin on the emulator, README only): circles gone from Moodle whose pairs must wait.

1. A mentor was away (unenrolled) and `lmsync sync` held their circle; a teacher then deleted the circle's group
   (core_group_delete_groups). The next plan moved all its mentees to other mentors at once, with no reason and
   no "deleted in Moodle" warning (the same when the group is deleted and the mentor unenrolled in one step).
   The hold still applies: the mentees of an away mentor's deleted circle are not matched elsewhere while it
   lasts, and the plan says the group was deleted in Moodle and what happens.
2. A teacher deleted a mentor's circle and made a group with its ID number: lmsync left the group alone and
   warned, but re-matched the mentor's mentees to other mentors in the same run (the mentor "blocked", with no
   room); fixed, the mentor never got his circle back; under `lmsync run` only a log line said so. The pairs
   of such a mentor wait while the ID number is taken, the plan says so on their lines, the run's sync line
   says an admin must act (exit 2), and once the ID number is changed the circle is made again with them.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber, mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import open_moodle
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _circle(site: Site, mentor: int) -> Any:
    return next((g for g in site.groups.values() if g.courseid == COURSE and g.idnumber == mentor_group_idnumber(
        PROGRAMME, mentor)), None)


def _mentor_with_most_mentees(site: Site) -> tuple[int, list[int]]:
    circles = [g for g in site.groups.values() if g.courseid == COURSE and (m := mentor_of_idnumber(PROGRAMME, g.idnumber))
               and site.users[m].username.startswith("m")]
    best = max(circles, key=lambda g: (len(g.members), -g.id))
    mentor = mentor_of_idnumber(PROGRAMME, best.idnumber)
    assert mentor is not None
    return mentor, sorted(best.members - {mentor})


def _delete_group(home: Any, group_id: int) -> None:
    config, site = _site(home)
    with open_moodle(config, site=site) as conn:
        conn.api.delete_groups([group_id])
    site.save(config.emulator_state_path())


def _lines_naming(output: str, usernames: list[str]) -> list[str]:
    return [line for line in output.splitlines() if any(f"({name})" in line for name in usernames)]


def _held_after_deletion(home: Any, mentor: int, mentees: list[int], usernames: list[str], group_id: int) -> None:
    """What `lmsync plan` and `lmsync sync` do once the away mentor's circle is deleted: no mentee moves."""
    planned = run_in(home, "plan")
    assert planned.exit_code == 0, planned.output
    assert not _lines_naming(planned.output, usernames), planned.output  # none matched elsewhere
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)
    said = [line for line in planned.output.splitlines() if idnumber in line and "deleted in Moodle" in line]
    assert len(said) == 1, planned.output
    assert f"Moodle id {group_id}" in said[0] and "held as it is" in said[0], said
    assert f"its {len(mentees)} member(s)" in said[0] and "not matched with other mentors" in said[0], said
    assert "cannot be made again while its mentor is away" in said[0], said
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output
    _config, site = _site(home)
    placed = {u for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) for u in g.members}
    assert not placed & set(mentees), "a held circle's mentees were matched elsewhere"
    assert not _lines_naming(run_in(home, "plan").output, usernames)  # still held on the next run


def test_round_74_1_an_away_mentors_held_circle_deleted_in_moodle_keeps_its_mentees_waiting(demo_home: Any) -> None:
    """Held first, then deleted: the mentees wait for the mentor; back within the hold, the circle is made
    again with all of them."""
    assert run_in(demo_home, "sync").exit_code == 0
    _config, site = _site(demo_home)
    mentor, mentees = _mentor_with_most_mentees(site)
    group_id = _circle(site, mentor).id
    usernames = [site.users[m].username for m in mentees]
    assert run_in(demo_home, "emulator", "edit", "unenrol", site.users[mentor].username).exit_code == 0
    held = run_in(demo_home, "sync")
    assert held.exit_code == 0 and "held as it is" in held.output, held.output
    _delete_group(demo_home, group_id)

    _held_after_deletion(demo_home, mentor, mentees, usernames, group_id)

    restored = run_in(demo_home, "emulator", "edit", "join", site.users[mentor].username, "--role", "teacher")
    assert restored.exit_code == 0, restored.output
    back = run_in(demo_home, "sync")
    assert back.exit_code == 0, back.output
    _config, after = _site(demo_home)
    circle = _circle(after, mentor)
    assert circle is not None and set(circle.members) == {mentor, *mentees}


def test_round_74_1_deleted_and_unenrolled_in_one_step_is_held_too(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    _config, site = _site(demo_home)
    mentor, mentees = _mentor_with_most_mentees(site)
    group_id = _circle(site, mentor).id
    usernames = [site.users[m].username for m in mentees]
    _delete_group(demo_home, group_id)
    assert run_in(demo_home, "emulator", "edit", "unenrol", site.users[mentor].username).exit_code == 0

    _held_after_deletion(demo_home, mentor, mentees, usernames, group_id)


def test_round_74_2_a_mentor_whose_circle_idnumber_a_teachers_group_holds_keeps_his_mentees(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    config, site = _site(demo_home)
    mentor, mentees = _mentor_with_most_mentees(site)
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)
    usernames = [site.users[m].username for m in mentees]
    with open_moodle(config, site=site) as conn:
        conn.api.delete_groups([_circle(site, mentor).id])
        made = conn.api.create_groups([{"courseid": COURSE, "name": "Pierre's reading group", "description": "",
                                        "idnumber": idnumber}])
    site.save(config.emulator_state_path())
    teachers = int(made[0].id)

    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert not [line for line in _lines_naming(planned.output, usernames) if " to " in line], planned.output
    assert any(idnumber in line and "never made it" in line for line in planned.output.splitlines())
    said = next(line for line in planned.output.splitlines() if idnumber in line and "cannot be made" in line)
    assert "a group lmsync cannot take as this circle holds its ID number" in said, said  # round 104a, 3a
    assert f"its {len(mentees)} mentee(s)" in said and "not matched with other mentors" in said, said
    assert "they go back to their mentor's circle" in said, said

    ran = run_in(demo_home, "run")
    assert ran.exit_code == 2, ran.output  # an admin must act
    line = next(line for line in ran.output.splitlines() if "sync" in line and "write(s)" in line)
    assert "1 group carries a circle's ID number this store does not record for it (see `lmsync plan`)" in line, line
    _config, site = _site(demo_home)
    placed = {u for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) for u in g.members}
    assert not placed & set(mentees), "the mentees of a blocked mentor were matched elsewhere"
    again = run_in(demo_home, "plan")
    assert not [line for line in _lines_naming(again.output, usernames) if " to " in line], again.output

    with open_moodle(config, site=site) as conn:  # the teacher fixes the ID number
        conn.api.update_groups([{"id": teachers, "name": "Pierre's reading group", "idnumber": "reading-1"}])
    site.save(config.emulator_state_path())
    fixed = run_in(demo_home, "plan")
    assert fixed.exit_code == 0, fixed.output
    back = [line for line in _lines_naming(fixed.output, usernames) if " to " in line]
    assert len(back) == len(mentees) and all("their circle's group was deleted in Moodle" in b for b in back), back
    assert run_in(demo_home, "sync").exit_code == 0
    _config, after = _site(demo_home)
    circle = _circle(after, mentor)
    assert circle is not None and set(circle.members) == {mentor, *mentees}
    assert after.groups[teachers].idnumber == "reading-1"
    assert "no changes" in run_in(demo_home, "plan").output


def _on(monkeypatch: Any, day: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from lmsync.service import programme_settings

    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=12))


def _away_and_deleted(home: Any, monkeypatch: Any, *, teachers_group: bool) -> tuple[int, list[int], list[str]]:
    """A mentor unenrolled, their circle held from 2026-09-20 (14 days: until 2026-10-03), then its group deleted
    (and, with ``teachers_group``, a teacher's group made with its ID number); the clock left on 2026-10-05."""
    from datetime import date

    _on(monkeypatch, date(2026, 9, 19))
    assert run_in(home, "sync").exit_code == 0
    config, site = _site(home)
    mentor, mentees = _mentor_with_most_mentees(site)
    assert run_in(home, "emulator", "edit", "unenrol", site.users[mentor].username).exit_code == 0
    _on(monkeypatch, date(2026, 9, 20))
    held = run_in(home, "sync")
    assert held.exit_code == 0 and "held as it is" in held.output, held.output
    config, site = _site(home)
    with open_moodle(config, site=site) as conn:
        conn.api.delete_groups([_circle(site, mentor).id])
        if teachers_group:
            conn.api.create_groups([{"courseid": COURSE, "name": "Pierre's reading group", "description": "",
                                     "idnumber": mentor_group_idnumber(PROGRAMME, mentor)}])
    site.save(config.emulator_state_path())
    # still within the hold: nobody moves; a teacher's group carrying the circle's ID number is an admin's to
    # change, exit 2 as `lmsync run` says it (tester round 75, 6: sync said 0)
    assert run_in(home, "sync").exit_code == (2 if teachers_group else 0)
    _on(monkeypatch, date(2026, 10, 5))
    return mentor, mentees, [site.users[m].username for m in mentees]


def _each_mentee_said(output: str, usernames: list[str]) -> None:
    """Every mentee of the gone mentor's deleted circle is re-matched with why, or named as left with no mentor."""
    lines = _lines_naming(output, usernames)
    moved = [line for line in lines if " to " in line]
    assert moved, output
    assert all("re-matched: their mentor is not active in the course" in line and "held until 2026-10-03" in line
               for line in moved), moved
    left = [line for line in lines if "left with no mentor" in line]
    assert all("their mentor is not active in the course" in line for line in left), left
    assert {u for u in usernames if any(f"({u})" in line for line in moved + left)} == set(usernames), output


def test_round_75_1_a_blocked_mentor_gone_after_the_hold_no_longer_keeps_his_mentees_waiting(
        demo_home: Any, monkeypatch: Any) -> None:
    mentor, mentees, usernames = _away_and_deleted(demo_home, monkeypatch, teachers_group=True)
    idnumber = mentor_group_idnumber(PROGRAMME, mentor)
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    assert "no changes" not in planned.output, planned.output
    assert not any("cannot be made" in line for line in planned.output.splitlines()), planned.output
    assert any(idnumber in line and "never made it" in line for line in planned.output.splitlines())  # still left alone
    _each_mentee_said(planned.output, usernames)
    assert run_in(demo_home, "sync").exit_code == 2  # the teacher's group still carries it: as `lmsync run` (round 75, 6)
    _config, site = _site(demo_home)
    placed = {u for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) for u in g.members}
    assert placed & set(mentees), "the mentees of a mentor gone still wait for his circle"
    assert sum(1 for g in site.groups.values() if g.idnumber == idnumber) == 1  # the teacher's group, left alone


def test_round_75_2_a_held_circle_deleted_in_moodle_says_why_its_mentees_move_once_the_hold_is_over(
        demo_home: Any, monkeypatch: Any) -> None:
    _mentor, _mentees, usernames = _away_and_deleted(demo_home, monkeypatch, teachers_group=False)
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    _each_mentee_said(planned.output, usernames)
    shown = run_in(demo_home, "plan", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert "their circle was held until 2026-10-03" in shown.output
