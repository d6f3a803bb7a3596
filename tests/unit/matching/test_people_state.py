"""People's state and the values people typed (issue 10 points 4, 5, 7; traps 41, 42).

Rosters are built from the second series' recordings where they show the case
(suspended accounts, two roles), otherwise from small hand-made rosters.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import Config, MatchingConfig, load_config
from lmsync.domain import matching as matching_module
from lmsync.domain.people import read_number, spelling_map
from lmsync.domain.plan import ObservedGroup, mentor_group_idnumber
from lmsync.errors import ConfigError
from lmsync.moodle.models import EnrolledUser, User
from lmsync.service import match as match_service
from lmsync.service.desire import people_from_roster
from lmsync.service.match import TWO_ROLES_UNMATCHED, match_programme, run_match
from lmsync.service.observe import RosterUser, read_roster, roster_user

RECORDINGS = Path(__file__).parents[2] / "contract" / "recordings"
PROGRAMME = Config().programme.name


def recorded(function: str, scenario: str) -> Any:
    data = json.loads((RECORDINGS / function / f"{scenario}.json").read_text())
    return json.loads(data["response"]["body"])


def config(**matching: Any) -> Config:
    return Config(matching=MatchingConfig(**matching))


def user(uid: int, username: str, role: str, suspended: bool | None = False, **profile: str) -> RosterUser:
    roles = frozenset(role.split("+"))
    return RosterUser(uid, username, username, username.upper(), f"{username}@example.org", roles, dict(profile),
                      suspended=suspended)


def circle(mentor: int, *members: int, gid: int = 0) -> ObservedGroup:
    return ObservedGroup(gid or mentor, f"Circle {mentor}", mentor_group_idnumber(PROGRAMME, mentor),
                         frozenset({mentor, *members}), True)


def codes(notices: Any) -> set[tuple[str, str]]:
    return {(n.code, n.person) for n in notices}


# -- point 5: values people typed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        ("3", 3, "number"),
        (" 4 ", 4, "number"),
        ("three", 3, "read"),
        ("Three", 3, "read"),
        ("Year 3", 3, "read"),
        ("3 mentees", 3, "read"),
        ("Up to two", None, "unreadable"),
        ("two or three", None, "unreadable"),
        ("Year three", None, "unreadable"),
        ("2-3", None, "unreadable"),
        ("2 or 3", None, "unreadable"),
        ("2.5", None, "unreadable"),
        ("lots", None, "unreadable"),
        ("", None, "empty"),
        (None, None, "empty"),
    ],
)
def test_point_5_read_number_reads_only_what_is_unambiguous(text: str | None, value: int | None, status: str) -> None:
    typed = read_number(text)
    assert (typed.value, typed.status) == (value, status)


def test_point_5_unreadable_capacity_gets_no_new_mentees_and_keeps_existing_ones() -> None:
    roster = {
        10: user(10, "m1", "teacher", mentorcapacity="Up to two"),
        11: user(11, "m2", "teacher", mentorcapacity="3"),
        1: user(1, "e1", "student"),
        2: user(2, "e2", "student"),
        3: user(3, "e3", "student"),
    }
    read = people_from_roster(roster, config(), groups=[circle(10, 1)])
    by_id = read.people.by_id()
    assert by_id["m1"].capacity == 1, "frozen at its existing mentees, not the default of 4"
    (notice,) = [n for n in read.notices if n.code == "value_unreadable"]
    assert (notice.person, notice.moodle_id, notice.username, notice.field, notice.value) == (
        "m1", 10, "m1", "mentorcapacity", "Up to two"
    )
    result = run_match(read.people, config(), read.notices)
    pairs = {a.mentee: a.mentor for a in result.assignments}
    assert pairs == {"e1": "m1", "e2": "m2", "e3": "m2"}
    assert any("'Up to two'" in w and "m1" in w for w in result.warnings)
    assert result.to_dict()["warning_items"][0]["code"] == "value_unreadable"


def test_point_5_unreadable_capacity_without_a_circle_gets_nobody() -> None:
    roster = {10: user(10, "m1", "teacher", mentorcapacity="2-3"), 1: user(1, "e1", "student")}
    read = people_from_roster(roster, config())
    result = run_match(read.people, config(), read.notices)
    assert result.assignments == [] and result.unmatched[0].mentee == "e1"


def test_point_5_number_word_and_single_number_are_read_and_named() -> None:
    roster = {
        10: user(10, "m1", "teacher", mentorcapacity="three"),
        1: user(1, "e1", "student", yearofstudy="Year 3"),
        2: user(2, "e2", "student", yearofstudy="Year three"),
    }
    read = people_from_roster(roster, config())
    by_id = read.people.by_id()
    assert by_id["m1"].capacity == 3 and by_id["e1"].year == 3 and by_id["e2"].year is None
    found = {(n.code, n.person, n.field, n.value) for n in read.notices}
    assert found == {
        ("value_read", "m1", "mentorcapacity", "three"),
        ("value_read", "e1", "yearofstudy", "Year 3"),
        ("value_unreadable", "e2", "yearofstudy", "Year three"),
    }


def test_point_5_capacity_of_a_mentee_is_not_read() -> None:
    read = people_from_roster({1: user(1, "e1", "student", mentorcapacity="Up to two")}, config())
    assert read.notices == []


def test_point_5_department_no_mentor_shares_is_listed_with_the_nearest_value() -> None:
    roster = {
        10: user(10, "m1", "teacher", department="Paediatrics"),
        11: user(11, "m2", "teacher", department="Surgery"),
        1: user(1, "e1", "student", department="Pediatrics"),
        2: user(2, "e2", "student", department="Community Medicine"),
    }
    read = people_from_roster(roster, config())
    result = run_match(read.people, config(), read.notices)
    items = {i["person"]: i for i in result.to_dict()["warning_items"]}
    assert items["e1"]["code"] == "department_unshared" and items["e1"]["suggestion"] == "paediatrics"
    assert items["e1"]["moodle_id"] == 1 and items["e1"]["field"] == "department"
    assert items["e2"]["suggestion"] is None


def test_point_5_aliases_map_spellings_to_one_value() -> None:
    roster = {
        10: user(10, "m1", "teacher", department="Paediatrics", mentorcapacity="1"),
        11: user(11, "m2", "teacher", department="Surgery", mentorcapacity="1"),
        1: user(1, "e1", "student", department="Paeds"),
    }
    cfg = config(aliases={"Pediatrics": "Paediatrics", "Paeds": "Paediatrics"})
    read = people_from_roster(roster, cfg)
    result = run_match(read.people, cfg, read.notices)
    assert result.notices == []
    (pair,) = result.assignments
    assert pair.mentor == "m1" and "department" in pair.terms


def test_point_5_alias_chains_and_empty_sides_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="straight to the final value"):
        spelling_map({"Peds": "Pediatrics", "Pediatrics": "Paediatrics"})
    path = tmp_path / "lmsync.toml"
    path.write_text('[matching.aliases]\nPeds = "Pediatrics"\nPediatrics = "Paediatrics"\n')
    with pytest.raises(ConfigError, match="aliases"):
        load_config(path, environ={})
    path.write_text('[matching.aliases]\nPaeds = "--"\n')
    with pytest.raises(ConfigError, match="aliases"):
        load_config(path, environ={})


# -- trap 41: suspended accounts ---------------------------------------------------------------


def _full(row: dict[str, Any]) -> dict[str, Any]:
    """A recorded id,idnumber row with what ROSTER_FIELDS would add (username = idnumber on that site)."""
    role = "teacher" if row["id"] >= 66 else "student"
    return {**row, "username": row["idnumber"], "roles": [{"roleid": 0, "shortname": role}]}


class RosterApi:
    """The two reads of ``read_roster``, answered from the second series' recordings."""

    def __init__(self, missing: frozenset[int] = frozenset()) -> None:
        rows = recorded("core_enrol_get_enrolled_users", "onlyactive-suspended-accounts")  # userfields=id,idnumber
        self.enrolled = [EnrolledUser.model_validate(_full(row)) for row in rows]
        self.accounts = {row["id"]: User.model_validate(row) for row in
                         recorded("core_user_get_users_by_field", "suspended-accounts")}
        self.missing = missing
        self.batches: list[int] = []

    class transport:  # noqa: N801 - read_roster parses the account answers lean (issue 15); nothing to parse here
        only_keys = staticmethod(lambda keys: contextlib.nullcontext())

    def get_enrolled_users(self, courseid: int, **_kw: Any) -> list[EnrolledUser]:
        return self.enrolled

    def get_users_by_field(self, field: str, values: list[int]) -> list[User]:
        assert field == "id"
        self.batches.append(len(values))
        return [self.accounts.get(uid) or User(id=uid, username=f"u{uid}") for uid in values if uid not in self.missing]


def test_trap_41_read_roster_reads_account_state_in_batches() -> None:
    api = RosterApi()
    roster = read_roster(api, 2, page_size=20)  # type: ignore[arg-type]
    assert len(roster) == 72, "onlyactive=1 still lists the suspended accounts"
    assert {uid for uid, u in roster.items() if u.suspended} == {11, 68}
    assert sum(api.batches) == 72 and max(api.batches) <= 20


def test_trap_41_an_account_moodle_does_not_return_is_unknown_and_said() -> None:
    api = RosterApi(missing=frozenset({3}))
    roster = read_roster(api, 2, page_size=500)  # type: ignore[arg-type]
    assert roster[3].suspended is None
    read = people_from_roster(roster, Config())
    assert ("account_state_unknown", "s0001") in codes(read.notices)
    assert any("1 account(s)" in w for w in read.warnings)
    assert "s0001" in read.people.by_id(), "an unknown state is matched as active, and said"


def test_trap_41_suspended_account_never_matched_and_named() -> None:
    roster = read_roster(RosterApi(), 2, page_size=500)  # type: ignore[arg-type]
    groups = [circle(68, 12, 13, gid=1), circle(66, 11, 14, gid=2)]  # m0003's circle; s0009 in m0001's
    read = people_from_roster(roster, Config(), groups=groups)
    ids = read.people.by_id()
    assert "s0009" not in ids and "m0003" not in ids
    notices = {n.person: n for n in read.notices if n.code == "account_suspended"}
    assert set(notices) == {"s0009", "m0003"}
    assert notices["s0009"].moodle_id == 11 and "removed from their circle" in notices["s0009"].message
    assert "re-matched" in notices["m0003"].message
    assert "s0010" not in read.people.current, "a suspended mentor's circle is open for re-matching"
    assert read.people.current.get("s0012") == "m0001"
    result = run_match(read.people, Config(), read.notices)
    placed = {a.mentee for a in result.assignments} | {a.mentor for a in result.assignments}
    assert not placed & {"s0009", "m0003"}
    # open to everyone else's mentors: placed, or left over in the shortage (44 places for 59 mentees) by the draw
    considered = {a.mentee for a in result.assignments} | {u.mentee for u in result.unmatched
                                                           if u.reason.startswith("no capacity left")}
    assert {"s0010", "s0011"} <= considered


# -- trap 42: two roles -------------------------------------------------------------------------


def two_roles_roster() -> dict[int, RosterUser]:
    rows = recorded("core_enrol_get_enrolled_users", "two-roles")
    roster = {}
    for row in rows:
        number = row["id"] - 2 if row["id"] < 66 else row["id"] - 65
        prefix = "s" if row["id"] < 66 else "m"
        row = {**row, "username": f"{prefix}{number:04d}"}
        roster[row["id"]] = roster_user(EnrolledUser.model_validate(row))
    return roster


def test_trap_42_two_roles_are_left_out_by_default_and_named() -> None:
    roster = two_roles_roster()
    assert roster[7].roles == {"teacher", "student"}
    read = people_from_roster(roster, Config())
    assert "s0005" not in read.people.by_id()
    (notice,) = [n for n in read.notices if n.code == "dual_role"]
    assert (notice.person, notice.moodle_id, notice.username, notice.value) == ("s0005", 7, "s0005", "student, teacher")
    assert "until an admin decides" in notice.message


@pytest.mark.parametrize(("decision", "role"), [("mentor", "mentor"), ("mentee", "mentee")])
def test_trap_42_config_decides_which_role_counts(decision: str, role: str) -> None:
    read = people_from_roster(two_roles_roster(), config(dual_role=decision))
    assert read.people.by_id()["s0005"].role == role
    assert ("dual_role", "s0005") in codes(read.notices)


def test_trap_42_excluded_person_keeps_an_existing_circle_without_new_mentees() -> None:
    roster = two_roles_roster()
    read = people_from_roster(roster, Config(), groups=[circle(7, 20, 21)])
    person = read.people.by_id()["s0005"]
    assert person.role == "mentor" and person.capacity == 2
    result = run_match(read.people, Config(), read.notices)
    assert sorted(a.mentee for a in result.assignments if a.mentor == "s0005") == ["s0018", "s0019"]


def test_trap_42_excluded_mentee_stays_in_their_circle() -> None:
    read = people_from_roster(two_roles_roster(), Config(), groups=[circle(66, 7)])
    assert read.people.by_id()["s0005"].role == "mentee"
    result = run_match(read.people, Config(), read.notices)
    assert {a.mentee: a.mentor for a in result.assignments}["s0005"] == "m0001"


def test_round_53_2_a_held_two_role_person_whose_mentor_left_is_not_matched_anew() -> None:
    """"kept in their circle, not matched anew" and then re-matched to another mentor when their mentor was
    suspended: held until an admin decides means not placed by lmsync either."""
    roster = two_roles_roster()
    del roster[66]  # m0001's enrolment suspended: not among the active enrolments
    read = people_from_roster(roster, Config(), groups=[circle(66, 7)])
    assert "s0005" not in read.people.by_id()
    (notice,) = [n for n in read.notices if n.code == "dual_role"]
    assert "left out of matching (the mentor of their circle is no longer active)" in notice.message
    result = run_match(read.people, Config(), read.notices)
    assert "s0005" not in {a.mentee for a in result.assignments}


@pytest.mark.parametrize(
    ("groups", "decision", "outcome"),
    [([], "exclude", "held_out"), ([(66, 7)], "exclude", "held_with_mentor"), ([(7, 20)], "exclude", "kept_as_mentor"),
     ([], "mentor", "counted_as_mentor"), ([], "mentee", "counted_as_mentee")],
)
def test_a_two_role_notice_says_its_outcome_as_a_field(groups: list[tuple[int, int]], decision: str, outcome: str) -> None:
    """What was done with a two-role person is a field code reads (and JSON's warning_items carry),
    not words matched in the message (the held mentee's reason and "not re-matched" hung on them)."""
    read = people_from_roster(two_roles_roster(), config(dual_role=decision), groups=[circle(*g) for g in groups])
    (notice,) = [n for n in read.notices if n.code == "dual_role"]
    assert notice.outcome == outcome and notice.to_dict()["outcome"] == outcome
    assert all(n.outcome is None for n in read.notices if n.code != "dual_role")


def test_a_held_two_role_mentees_reason_does_not_hang_on_the_notices_words() -> None:
    """Reworded notices (a translation, a new phrasing) keep the held mentee's reason: it reads ``outcome``."""
    roster = two_roles_roster()
    read = people_from_roster(roster, Config(), groups=[circle(66, 7)])
    reworded = [replace(n, message="reworded") for n in read.notices]
    people = replace(read.people, persons=tuple(
        replace(p, capacity=0) if p.id == "m0001" else p for p in read.people.persons))  # no room left with their mentor
    result = run_match(people, Config(), reworded)
    (left,) = [u for u in result.unmatched if u.mentee == "s0005"]
    assert left.reason == TWO_ROLES_UNMATCHED


# -- point 7: overrides apply once --------------------------------------------------------------


def spy_on_match(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = matching_module.match

    def spy(people: Any, settings: Any) -> Any:
        seen.append(people)
        return real(people, settings)

    monkeypatch.setattr(match_service, "match", spy)
    return seen


def test_point_7_pin_applied_once_on_csv_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,role,capacity\nm1,mentor,2\nm2,mentor,2\ne1,mentee,\ne2,mentee,\n")
    seen = spy_on_match(monkeypatch)
    cfg = config(pins=[("e1", "m2")], forbids=[("e2", "m2")])
    result = match_programme(cfg, people)
    assert [p.pins for p in seen] == [(("e1", "m2"),)] and seen[0].forbids == (("e2", "m2"),)
    pairs = {a.mentee: (a.mentor, a.origin) for a in result.assignments}
    assert pairs == {"e1": ("m2", "pinned"), "e2": ("m1", "matched")}


def test_point_7_pin_applied_once_on_moodle_path(monkeypatch: pytest.MonkeyPatch) -> None:
    roster = {10: user(10, "m1", "teacher"), 11: user(11, "m2", "teacher"), 1: user(1, "e1", "student")}
    read = people_from_roster(roster, config(pins=[("e1", "m1")]))
    assert read.people.pins == (), "the Moodle reader never adds the configuration's pins"
    seen = spy_on_match(monkeypatch)
    result = run_match(read.people, config(pins=[("e1", "m1")]))
    assert [p.pins for p in seen] == [(("e1", "m1"),)]
    assert result.assignments[0].origin == "pinned"


def test_point_7_the_same_pin_listed_twice_is_one_decision() -> None:
    roster = {10: user(10, "m1", "teacher"), 11: user(11, "m2", "teacher"), 1: user(1, "e1", "student")}
    cfg = config(pins=[("e1", "m2"), ("e1", "m2")])
    result = run_match(people_from_roster(roster, cfg).people, cfg)
    assert [(a.mentee, a.mentor, a.origin) for a in result.assignments] == [("e1", "m2", "pinned")]


def test_point_5_aliases_apply_on_the_csv_path_too(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,role,capacity,department\nm1,mentor,1,Paediatrics\nm2,mentor,1,Surgery\ne1,mentee,,Paeds\n")
    cfg = config(aliases={"Paeds": "Paediatrics"})
    result = match_programme(cfg, people)
    assert result.notices == [] and result.assignments[0].mentor == "m1"
    plain = match_programme(config(), people)
    assert [(n.code, n.person, n.suggestion) for n in plain.notices] == [("department_unshared", "e1", "paediatrics")]
