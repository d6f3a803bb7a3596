"""Tester round 74 (a Moodle admin on the emulator, README only): words that said the wrong thing.

7. README: a meeting dated when its pair did not exist "counts in no grade: imports and `meetings add` say
   so". With no programme start set and the pairs made that day, a meeting dated a month earlier was imported
   ("1 rows, 1 added") and added ("added: ...") without a word; only `lmsync grades plan` said later that no
   stored meeting counted. A day before lmsync's pairing history was never judged. Now it is judged as the
   grades count it: with no start, or for a pair lmsync made later, the pair's period begins the day lmsync
   paired them; with `[meetings] start` (or `[waves] programme_start`) an established pair's older meetings
   count from it, and nothing is said.
4. A teacher changed the ID number of one of lmsync's circles (core_group_update_groups): away to something
   else, or onto another circle's after that circle's group was deleted. The plan said the group "is no longer
   in the course (deleted in Moodle)" though it still was, and of the group now carrying another circle's ID
   number "this store never made it" though it did. Now both say the ID number was changed.
"""

from __future__ import annotations

from copy import copy
from datetime import date, timedelta
from typing import Any

from lmsync.config import load_config
from lmsync.domain.pair_dates import DatedPair, not_a_pair_on
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.state import Site
from lmsync.service.moodle import open_moodle
from lmsync.service.programme_settings import programme_today
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COURSE = 2


def _site(home: Any) -> tuple[Any, Site]:
    config = load_config(home / "lmsync.toml", environ={})
    return config, Site.load(config.emulator_state_path())


def _circles(site: Site) -> list[Any]:
    return sorted((g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)),
                  key=lambda g: g.id)


def _pairs(site: Site) -> list[tuple[str, str]]:
    """(mentor, mentee) usernames of the first mentee of each circle."""
    out = []
    for circle in _circles(site):
        mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
        assert mentor is not None
        mentees = sorted(circle.members - {mentor})
        if mentees:
            out.append((site.users[mentor].username, site.users[mentees[0]].username))
    return out


def test_round_74_7_a_meeting_dated_before_its_pair_was_made_is_said_by_import_and_meetings_add(demo_home: Any) -> None:
    synced = run_in(demo_home, "sync")  # no programme start set: the pairs are made today
    assert synced.exit_code == 0, synced.output
    config, site = _site(demo_home)
    (m1, s1), (m2, s2), (m3, s3) = _pairs(site)[:3]
    today = programme_today(config)  # the pairs were made now: their first day in the programme's timezone
    early, earlier = (today - timedelta(days=32)).isoformat(), (today - timedelta(days=31)).isoformat()
    path = demo_home / "m2.csv"
    path.write_text(f"date,mentor,mentee,minutes,attended\n{early},{m1},{s1},30,yes\n")
    imported = run_in(demo_home, "import", "meetings", str(path))
    assert imported.exit_code == 0, imported.output
    assert (f"warning: 1 meeting(s) dated when their pair did not exist (the first on {early}: before the pair "
            f"began ({today.isoformat()})): kept, but no grade counts them") in imported.output, imported.output
    added = run_in(demo_home, "meetings", "add", "--date", earlier, "--mentor", m2, "--mentee", s2, "--minutes", "30")
    assert added.exit_code == 0, added.output
    assert (f"warning: dated before the pair began ({today.isoformat()}): kept, but no grade counts it; `lmsync "
            "meetings remove` takes it back if it is a mistake") in added.output, added.output

    # with a start set before it, an established pair's older meeting counts from that start: nothing to say
    toml = demo_home / "lmsync.toml"
    toml.write_text(toml.read_text() + f"\n[meetings]\nstart = {(today - timedelta(days=60)).isoformat()}\n")
    counted = run_in(demo_home, "meetings", "add", "--date", earlier, "--mentor", m3, "--mentee", s3, "--minutes", "30")
    assert counted.exit_code == 0, counted.output
    assert "warning" not in counted.output, counted.output


def test_round_74_7_before_the_history_is_said_exactly_when_the_grades_do_not_count_it() -> None:
    """``not_a_pair_on`` agrees with ``summarise_attendance`` on days before lmsync's pairing history."""
    from lmsync.domain.meetings import Meeting
    from lmsync.domain.metrics import summarise_attendance

    made, later = date(2026, 12, 4), date(2026, 12, 10)
    history = (DatedPair(1, 10, made, None), DatedPair(2, 20, later, None))
    as_of = date(2027, 1, 30)
    for start in (None, date(2026, 9, 1), date(2026, 11, 20)):
        for pair in ((1, 10), (2, 20)):
            for day in (date(2026, 11, 2), date(2026, 11, 25), date(2026, 12, 6)):
                meeting = Meeting(date=day, mentor_id=pair[0], mentee_id=pair[1], minutes=30, attended=True, source="cli")
                held = summarise_attendance(
                    [meeting], [(1, 10), (2, 20)], cadence_days=14, start=start, as_of=as_of,
                    spans={(p.mentor_id, p.mentee_id): [(p.start, p.end)] for p in history}, first_day=made,
                )[pair[1]].held
                said = not_a_pair_on(history, pair, day, start=start)
                assert (said is None) == (held == 1), (start, pair, day, said, held)
    assert not_a_pair_on(history, (1, 10), date(2026, 11, 2)) == "before the pair began (2026-12-04)"


def _renumber(home: Any, *, onto_deleted: bool) -> tuple[Any, Any]:
    """Sync, then a teacher changes the first circle's ID number: to "zoe-old", or to the second circle's
    after deleting the second circle's group. Returns the two circles as they were."""
    synced = run_in(home, "sync")
    assert synced.exit_code == 0, synced.output
    config, site = _site(home)
    first, second = (copy(c) for c in _circles(site)[:2])  # as they were: the emulator changes its own
    with open_moodle(config, site=site) as conn:
        if onto_deleted:
            conn.api.delete_groups([second.id])
        conn.api.update_groups([{"id": first.id, "name": first.name,
                                 "idnumber": second.idnumber if onto_deleted else "zoe-old"}])
    site.save(config.emulator_state_path())
    return first, second


def test_round_74_4_a_circle_whose_id_number_was_changed_is_not_said_deleted(demo_home: Any) -> None:
    first, _second = _renumber(demo_home, onto_deleted=False)
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    said = [line for line in planned.output.splitlines() if "warning" in line and f"[{first.idnumber}]" in line]
    assert len(said) == 1, planned.output
    assert "deleted in Moodle" not in said[0], said
    assert f"the group lmsync made for it (Moodle id {first.id}) is still in the course, but its ID number was " \
           "changed in Moodle to 'zoe-old'" in said[0], said
    _config, site = _site(demo_home)
    assert site.groups[first.id].idnumber == "zoe-old"  # only its ID number changed


def test_round_74_4_a_group_moved_onto_another_circles_id_number_is_not_said_never_made(demo_home: Any) -> None:
    first, second = _renumber(demo_home, onto_deleted=True)
    planned = run_in(demo_home, "plan")
    assert planned.exit_code == 0, planned.output
    warnings = [line for line in planned.output.splitlines() if "warning:" in line]
    assert not any("never made it" in line for line in warnings), warnings
    assert not any(f"Moodle id {first.id}) is no longer in the course" in line for line in warnings), warnings
    # tester round 104a, 1: the group gets its own ID number back (it was made a second time, its mentees in both),
    # and the circle whose ID number it carried is made at the next sync, once Moodle has freed it
    back = [line for line in warnings if f"[{first.idnumber}]: the group lmsync made for it" in line]
    assert len(back) == 1 and f"changed in Moodle to '{second.idnumber}'" in back[0], warnings
    assert "its ID number is put back" in back[0] and "made again" not in back[0].split("(nothing")[0], back
    assert any(f"circle [{second.idnumber}]: its ID number is free" in line for line in warnings), warnings
