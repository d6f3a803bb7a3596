"""A new admin's round on matching inputs (tester round 62), on the emulator.

Each test is named after the finding it covers.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from tests.flows.conftest import mentee_of, run_in

PROGRAMME = "mentor-2026"  # demo_home's


# --- 2. a misspelt [matching.attributes] field ----------------------------------------------------------


@pytest.mark.parametrize(("variable", "key", "typed"), [
    ("LMSYNC_MATCHING_ATTRIBUTES_DEPARTMENT", "department", "Department"),
    ("LMSYNC_MATCHING_ATTRIBUTES_INTERESTS", "interests", "Interests"),
    ("LMSYNC_MATCHING_ATTRIBUTES_LANGUAGES", "languages", "lang"),
])
def test_finding_2_plan_and_match_say_when_no_one_has_a_value_in_a_weighed_field(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch, variable: str, key: str, typed: str,
) -> None:
    """tester round 62, 2: a shortname typed with a capital made every pair without departments, in a
    normal-looking plan (only doctor said so); plan, sync and match now name the field and the fix."""
    monkeypatch.setenv(variable, typed)
    line = (f"no one in the course has a value in the profile field {typed!r} ([matching.attributes] {key}): it "
            "adds nothing to any pair")
    for args in (("plan",), ("match",), ("sync", "--dry-run")):
        result = run_in(demo_home, *args)
        assert result.exit_code == 0, result.output
        assert line in result.output and f'set {key} = ""' in result.output, args
    monkeypatch.delenv(variable)
    assert "no one in the course has a value" not in run_in(demo_home, "plan").output


def test_finding_2_a_field_weighed_0_is_not_warned_of(demo_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSYNC_MATCHING_ATTRIBUTES_DEPARTMENT", "Department")
    monkeypatch.setenv("LMSYNC_MATCHING_WEIGHTS_SAME_DEPARTMENT", "0")
    assert "no one in the course has a value" not in run_in(demo_home, "plan").output


# --- 3a. a circle over its mentor's capacity, whatever the cause -----------------------------------------


def test_finding_3a_a_circle_filled_by_hand_past_its_capacity_is_not_said_to_have_a_capacity_that_fell() -> None:
    """tester round 62, 3a: a teacher moved a fourth mentee into a circle of capacity 3 (never changed), and the
    plan said "their mentor's capacity fell below their pairs"; it now says what is true either way."""
    from lmsync.domain.circle_leaving import moved_words
    from lmsync.domain.compatibility import MatchSettings
    from lmsync.domain.matching import match
    from lmsync.domain.people import People, Person

    persons = (Person("m1", "mentor", capacity=1), Person("m2", "mentor", capacity=2),
               Person("s1", "mentee"), Person("s2", "mentee"))
    result = match(People(persons, current={"s1": "m1", "s2": "m1"}), MatchSettings())
    moved = [a for a in result.assignments if a.mentor == "m2"]
    assert len(moved) == 1
    assert f"{moved[0].mentee}: m1's circle holds more mentees than their capacity; matched again" in " ".join(
        result.warnings)
    assert moved_words(moved[0].cause) == "re-matched: their mentor's circle holds more mentees than their capacity"
    assert "fell" not in " ".join(result.warnings)
    assert "moved from m1 (over capacity)" in moved[0].reasons  # `lmsync match` said "(capacity fell)" (round 64, 3)


# --- 5. current_mentor / current_peer naming who cannot hold the place ----------------------------------


CURRENT = """id,role,capacity,year,current_mentor,current_peer
m1,mentor,2,,,
p1,peer_mentor,2,3,,
s1,mentee,,1,m1,p1
s2,mentee,,1,,p1
s3,mentee,,1,p1,m1
s4,mentee,,1,s4,
s5,mentee,,1,gone,
"""


def test_finding_5_current_places_that_cannot_hold_are_refused_with_line_and_field(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 62, 5: swapped current_mentor / current_peer left s3 with no mentor and no peer, silently; a
    mentee named as someone's current mentor was only warned of; with pairs, current_peer was dropped. Each is
    refused, naming the line and field, as preferences are; an id of no one in the file is still a leaver."""
    path = demo_home / "people.csv"
    path.write_text(CURRENT)
    monkeypatch.setenv("LMSYNC_MATCHING_STRUCTURE", "triads")
    result = run_in(demo_home, "match", "--people", str(path))
    assert result.exit_code == 3, result.output
    assert "people.csv:6: current_mentor: 'p1' is a peer mentor: their pair goes in current_peer" in result.output
    assert "people.csv:6: current_peer: 'm1' is a faculty mentor: their pair goes in current_mentor" in result.output
    assert "people.csv:7: current_mentor: 's4' is the row's own id: nobody is their own mentor" in result.output
    assert ":8:" not in result.output  # 'gone': someone who left, re-matched with a warning
    monkeypatch.setenv("LMSYNC_MATCHING_STRUCTURE", "pairs")
    result = run_in(demo_home, "match", "--people", str(path))
    assert result.exit_code == 3 and 'people.csv:4: current_peer: read only with [matching] structure = "triads"' \
        in result.output, result.output
    # with a preference naming a mentee too: every problem in one run (tester round 64, 8)
    path.write_text(CURRENT.replace("current_peer\n", "current_peer,preferences\n").replace("s5,mentee,,1,gone,",
                                                                                            "s5,mentee,,1,gone,,s1"))
    result = run_in(demo_home, "match", "--people", str(path))
    assert "people.csv:8: preferences: 's1' is not the id of a mentor or peer mentor" in result.output, result.output
    assert "people.csv:7: current_mentor: 's4' is the row's own id" in result.output
    fixed = "\n".join(line for line in CURRENT.splitlines() if not line.startswith(("s3", "s4")))
    path.write_text(fixed.replace(",m1,p1", ",m1,").replace(",,p1", ",p1,") + "\n")
    result = run_in(demo_home, "match", "--people", str(path))
    assert result.exit_code == 0 and "current mentor gone is not among the mentors" in result.output, result.output


# --- 4. the mentees of a held circle ---------------------------------------------------------------------


def test_finding_4_match_names_a_held_circle_whose_mentees_are_in_no_row(demo_home: Any) -> None:
    """tester round 62, 4: with a mentor away, `lmsync match` left their circle's mentees out of every row and
    every count, with no word; it now says the circle is held, as the plan does."""
    assert run_in(demo_home, "sync").exit_code == 0
    before = run_in(demo_home, "match")
    assert before.exit_code == 0 and "held as it is" not in before.output
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    held = run_in(demo_home, "match")
    assert held.exit_code == 0, held.output
    line = next(line for line in held.output.splitlines() if "held as it is" in line)
    assert "its mentor is not active in the course" in line and "member(s) stay until" in line
    assert line.split("warning: ", 1)[1] in run_in(demo_home, "plan").output


# --- 3c. a mentor who takes part as a mentee now ---------------------------------------------------------


def test_finding_3c_a_mentor_counted_as_a_mentee_is_not_said_to_have_left_or_been_mistyped() -> None:
    """tester round 62, 3c: with [matching] dual_role = "mentee", a mentor with a student role too became a
    mentee, and their mentees were told "current mentor m0010 is not among the mentors (left the programme, or a
    mistyped id)"; the warning now says what happened."""
    from lmsync.domain.compatibility import MatchSettings
    from lmsync.domain.matching import match
    from lmsync.domain.people import People, Person

    persons = (Person("m1", "mentee"), Person("m2", "mentor", capacity=2), Person("s1", "mentee"))
    result = match(People(persons, current={"s1": "m1", "s9": "gone"}), MatchSettings())
    assert ("s1: current mentor m1 takes part as a mentee now (their roles, or [matching] dual_role); re-matched"
            in result.warnings)
    assert not any("m1 is not among the mentors" in w for w in result.warnings)
    assert "s9: current mentor gone is not among the mentors (left the programme, or a mistyped id); re-matched" \
        in result.warnings


# --- 3b. a mentee lmsync placed who mentors now -----------------------------------------------------------


def test_finding_3b_a_member_lmsync_placed_who_mentors_now_is_not_said_to_be_added_by_hand(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 62, 3b: a mentee lmsync had placed was given a teacher role too and, with dual_role =
    "mentor", left their circle "never matched into this circle (added by hand)"; lmsync had placed them."""
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.moodle.emulator.state import Site

    assert run_in(demo_home, "sync").exit_code == 0
    config = load_config(demo_home / "lmsync.toml", environ={})
    site = Site.load(config.emulator_state_path())
    group = next(g for g in sorted(site.groups.values(), key=lambda g: g.id)
                 if (mentor := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None and len(g.members) > 2
                 and site.users[mentor].username.startswith("m"))  # a faculty circle keeping other mentees
    mentee = min(group.members - {mentor_of_idnumber(PROGRAMME, group.idnumber)})
    course = next(c for c in site.courses.values() if mentee in c.enrolments)
    site.add_course_role(course.id, mentee, "editingteacher")
    site.save(config.emulator_state_path())
    monkeypatch.setenv("LMSYNC_MATCHING_DUAL_ROLE", "mentor")
    result = run_in(demo_home, "plan")
    assert result.exit_code == 0, result.output
    username = site.users[mentee].username
    line = next(line for line in result.output.splitlines() if f"({username}) from" in line)
    assert ("a mentor of their own circle now (their roles, or [matching] dual_role)" in line
            or "a mentor now: a mentor role and a mentee role, counted as a mentor ([matching] dual_role)" in line), line
    assert "added by hand" not in line


# --- 7. a pin written the wrong way round, its first person away -----------------------------------------


def test_finding_7_a_reversed_pin_is_refused_while_its_first_person_is_away(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 62, 7: [m0012, s0001] with m0012 away was accepted ("waits"); refused once m0012 was back.
    The person who is here shows it is written the wrong way round: refused now; the right way round waits."""
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_PINS", '[["m0012", "s0001"]]')
    result = run_in(demo_home, "plan")
    assert result.exit_code == 2, result.output
    assert "pin m0012 -> s0001: s0001 is not a mentor (a pin is [mentee, mentor]: written the wrong way round?)" \
        in result.output
    monkeypatch.setenv("LMSYNC_MATCHING_PINS", '[["s0001", "m0012"]]')
    result = run_in(demo_home, "plan")
    assert result.exit_code == 0 and "pin s0001 -> m0012 waits: m0012 is not active in the course" in result.output


# --- 9. wording -----------------------------------------------------------------------------------------


def test_finding_9_a_person_with_no_last_name_is_shown_with_one_space(demo_home: Any) -> None:
    """tester round 62, 9: joined without --name, a mentee read "s0200  (s0200)" (Moodle's fullname of a first
    name alone ends with a space)."""
    assert run_in(demo_home, "emulator", "edit", "join", "s0200", "--role", "student").exit_code == 0
    shown = run_in(demo_home, "match").output
    assert "s0200 (s0200)" in shown and "s0200  (s0200)" not in shown, shown


def test_finding_9_an_unreadable_capacity_is_not_said_to_count_as_missing(demo_home: Any) -> None:
    """tester round 62, 9: "counts as missing: no new mentees" read as the default an empty field gives."""
    assert run_in(demo_home, "emulator", "edit", "field", "m0003", "mentorcapacity", "lots").exit_code == 0
    shown = run_in(demo_home, "plan").output
    assert ("mentorcapacity 'lots' is not one number; read as no room: no new mentees, existing ones kept (only an "
            "empty field means [matching] default_capacity)") in shown, shown


def test_round_64_2_a_year_below_0_is_named_and_keeps_an_existing_peer_pair(demo_home: Any) -> None:
    """tester round 64, 2: year -1 dropped an established peer pair as "outside the year gap", naming no bad
    value (a people file refuses it); it is unknown, named, and the pair kept, as a year typed as words."""
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.moodle.emulator.state import Site

    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path())
    peer_circle = next(g for g in sorted(site.groups.values(), key=lambda g: g.id)
                       if (m := mentor_of_idnumber(PROGRAMME, g.idnumber)) is not None
                       and site.users[m].username.startswith("s") and len(g.members) > 1)
    mentee = site.users[min(peer_circle.members - {mentor_of_idnumber(PROGRAMME, peer_circle.idnumber)})].username
    assert run_in(demo_home, "emulator", "edit", "field", "--", mentee, "yearofstudy", "-1").exit_code == 0
    shown = run_in(demo_home, "plan").output
    assert "yearofstudy '-1' is below 0; counts as missing (year unknown)" in shown, shown
    assert f"({mentee}): existing pair with" in shown and "kept although the mentee's year is unknown" in shown
    assert f"({mentee}) from" not in shown


def test_round_64_1_a_pin_naming_a_member_of_a_held_circle_says_the_circle_is_held(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 64, 1: with their mentor away, a pin naming a mentee of the held circle waited because the
    mentee "is not active in the course (enrolment suspended, or they left it)", which they were not. It says
    their circle is held; `match --format json` has an item for each held member (64, 7)."""
    import json


    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0012")
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    assert run_in(demo_home, "sync").exit_code == 0  # the hold begins
    monkeypatch.setenv("LMSYNC_MATCHING_PINS", f'[["{mentee}", "m0002"]]')
    shown = run_in(demo_home, "plan").output
    assert (f"pin {mentee} -> m0002 waits: {mentee}'s circle is held while their mentor is away, so it is left out "
            "of this match; it holds again when the hold ends or the mentor is back") in shown, shown
    assert f"{mentee} is not active in the course" not in shown
    items = json.loads(run_in(demo_home, "match", "--format", "json").output)["warning_items"]
    assert mentee in {i["person"] for i in items if i["code"] == "in_held_circle"}
    assert "in a circle held while their mentor is away" not in run_in(demo_home, "match").output  # said per circle


def test_round_64_5_a_mentor_counted_as_a_mentee_has_their_mentees_leave_saying_why(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 64, 5: with dual_role = "mentee", a mentor with a student role too left their circle, and
    its mentees were removed with a catch-all ("their mentor has no mentee in the new match (every mentee
    re-matched, ...; or they mentor no longer: capacity 0, another role, ...)"); each now says why."""
    from lmsync.moodle.emulator.state import Site

    assert run_in(demo_home, "sync").exit_code == 0
    path = load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(path)
    mentor = next(u for u in site.users.values() if u.username == "m0003")
    course = next(c for c in site.courses.values() if mentor.id in c.enrolments)
    site.add_course_role(course.id, mentor.id, "student")
    site.save(path)
    monkeypatch.setenv("LMSYNC_MATCHING_DUAL_ROLE", "mentee")
    shown = run_in(demo_home, "plan").output
    leaving = [line for line in shown.splitlines() if "(m0003)'s circle" in line and " from " in line
               and "(m0003) from " not in line]  # the mentor's own leaving: below
    assert leaving, shown
    named = f"{mentor.firstname} {mentor.lastname} (m0003)"  # a mentee elsewhere, in one circle (tester round 105a, 8)
    assert f"{named} from {named}'s circle (now a mentee in another circle; their own circle is kept empty" in (
        " ".join(shown.split())), shown
    assert all(f"their mentor {named} has a mentor role and a mentee role, counted as a mentee ([matching] dual_role)"
               in line for line in leaving), leaving  # named as the line names them (tester round 120c, 8)


def test_round_64_8_a_current_peer_naming_nobody_is_warned_of_beside_a_current_mentor() -> None:
    """tester round 64, 8: in triads, a mentee's current_peer naming someone not among the peer mentors was not
    warned of when their current_mentor was given too (one of the two was looked at)."""
    from lmsync.domain.compatibility import MatchSettings
    from lmsync.domain.matching import match
    from lmsync.domain.people import People, Person

    persons = (Person("m1", "mentor", capacity=2), Person("p1", "peer_mentor", capacity=2, year=3),
               Person("s1", "mentee", year=1))
    result = match(People(persons, current={"s1": "m1"}, current_peers={"s1": "y9"}), MatchSettings(structure="triads"))
    assert "s1: current mentor y9 is not among the mentors (left the programme, or a mistyped id); re-matched" \
        in result.warnings, result.warnings


def test_round_64_10_the_emulator_gives_and_takes_a_second_course_role(demo_home: Any) -> None:
    """tester round 64, 10: rehearsing [matching] dual_role needed the emulator's state file edited by hand."""
    given = run_in(demo_home, "emulator", "edit", "role", "m0003", "student")
    assert given.exit_code == 0 and "m0003: student too in" in given.output, given.output
    shown = run_in(demo_home, "plan").output
    assert "m0003" in shown and "has a mentor role and a mentee role" in shown, shown
    assert run_in(demo_home, "emulator", "edit", "role", "m0003", "student").exit_code == 0  # already: no change
    taken = run_in(demo_home, "emulator", "edit", "role", "m0003", "student", "--remove")
    assert taken.exit_code == 0 and "no longer student" in taken.output
    assert "has a mentor role and a mentee role" not in run_in(demo_home, "plan").output
    again = run_in(demo_home, "emulator", "edit", "role", "m0003", "student", "--remove")
    assert again.exit_code == 3 and "holds no student role" in again.output
    own = run_in(demo_home, "emulator", "edit", "role", "s0001", "student")
    assert own.exit_code == 3 and "enrolment role" in own.output


@pytest.mark.parametrize(("decision", "said"), [
    ("mentee", "not counted as a faculty mentor ([matching] dual_role): they stay a peer mentor (the peer-mentor "
               "cohort)"),
    ("mentor", "counted as a faculty mentor ([matching] dual_role), no longer a peer mentor"),
])
def test_round_64_5_a_peer_mentor_with_a_teacher_role_is_told_what_they_are_now(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch, decision: str, said: str,
) -> None:
    """tester round 64, 5: a peer mentor given a teacher role was "counted as mentee" with dual_role = "mentee"
    while they stayed a peer mentor, and became a faculty mentor with "mentor" without a word of it."""
    assert run_in(demo_home, "emulator", "edit", "role", "s0004", "teacher").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_DUAL_ROLE", decision)
    shown = run_in(demo_home, "plan").output
    assert f"(s0004) (Moodle id 6) has a mentor role and a mentee role (student, teacher): {said}" in shown, shown


@pytest.mark.parametrize("pin", [("s0001", "m0003"), ("s0029", "m0001"), ("m0003", "m0001"), ("s0001", "s0029")])
def test_round_66_1_and_2_a_pin_naming_someone_dual_role_leaves_out_waits_saying_so(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch, pin: tuple[str, str],
) -> None:
    """tester round 66, 1 and 2: with [matching] dual_role = "exclude", a pin to a mentor with a student role too
    displaced one of their mentees though they had room; pins naming such people were refused as "contradicts a
    forbid", "is not a mentee", "is not a mentor", stopping every plan. They wait, naming dual_role."""
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "role", "m0003", "student").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "role", "s0029", "teacher").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_PINS", f'[["{pin[0]}", "{pin[1]}"]]')
    shown = run_in(demo_home, "plan")
    assert shown.exit_code == 0, shown.output
    held = "m0003" if "m0003" in pin else "s0029"
    assert (f"pin {pin[0]} -> {pin[1]} waits: {held} has a mentor role and a mentee role, left out of new pairs "
            '([matching] dual_role = "exclude")') in shown.output, shown.output
    assert "displaced by the pin" not in shown.output


def test_round_66_10_queue_done_on_a_pair_of_a_held_circle_says_the_circle_is_held(demo_home: Any) -> None:
    """tester round 66, 10: `queue done MENTOR MENTEE --outcome rematched` on a pair whose mentor is away said to run
    `lmsync health` first, which skips held circles: it said the same again. It says the circle is held."""
    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0012")
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    assert run_in(demo_home, "sync").exit_code == 0  # the hold begins
    assert run_in(demo_home, "health").exit_code == 0
    done = run_in(demo_home, "queue", "done", "m0012", mentee, "--outcome", "rematched")
    assert done.exit_code == 3, done.output
    assert "its circle is held as it is while the mentor is away (since " in done.output, done.output
    assert "run `lmsync health`" not in done.output


def test_round_66_9_a_rematch_naming_a_mentee_dual_role_leaves_out_waits_saying_so(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tester round 66, 9: `rematch = ["s0029"]` for a mentee with a teacher role too, left out of new pairs, said
    "stays with their mentor: open to re-matching, but no mentor is better by more than the stickiness weight"."""
    assert run_in(demo_home, "sync").exit_code == 0
    assert run_in(demo_home, "emulator", "edit", "role", "s0029", "teacher").exit_code == 0
    monkeypatch.setenv("LMSYNC_MATCHING_REMATCH", '["s0029"]')
    shown = run_in(demo_home, "match").output
    assert ('rematch s0029 waits: s0029 has a mentor role and a mentee role, left out of new pairs ([matching] '
            'dual_role = "exclude")') in shown, shown
    assert "open to re-matching" not in shown


def test_queue_done_on_a_pair_whose_hold_ended_with_the_mentor_still_away_says_the_pair_ended(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stop 39's reading: once the hold is over, the mentor still away, `queue done` still called the circle
    "held as it is", though the next run moves its mentees. It says the pair has ended and when the hold did."""
    from datetime import timedelta

    from lmsync.service import health_queue
    from lmsync.service.programme_settings import programme_today

    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0012")
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    assert run_in(demo_home, "sync").exit_code == 0  # the hold begins today
    config = load_config(demo_home / "lmsync.toml", environ={})
    days = config.sync.away_mentor_hold_days
    first = programme_today(config)
    monkeypatch.setattr(health_queue, "today", lambda _config: first + timedelta(days=days))  # the day after the hold
    done = run_in(demo_home, "queue", "done", "m0012", mentee, "--outcome", "rematched")
    assert done.exit_code == 3, done.output
    last = first + timedelta(days=days - 1)
    assert f"the mentor has been away since {first} and their circle's hold ended on {last}, so the pair has ended" \
        in done.output, done.output
    assert "held as it is" not in done.output
    monkeypatch.setattr(health_queue, "today", lambda _config: last)  # its last day: still held
    assert "its circle is held as it is while the mentor is away" in run_in(
        demo_home, "queue", "done", "m0012", mentee, "--outcome", "rematched").output
