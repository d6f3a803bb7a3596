"""The offline people CSV: what it accepts, and errors that name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import Config
from lmsync.errors import InputError
from lmsync.service.match import run_match
from lmsync.service.people_csv import load_people_csv

GOOD = (
    "id,role,capacity,department,interests,year,languages,current_mentor,preferences,needs\n"
    "m1,mentor,2,Medicine,AI;Mental health,,en,,,\n"
    "m2,mentor,,Law,retail,,en;fr,,,\n"
    "s1,mentee,,medicine,ai,1,EN,,m2;m1,\n"
    "s2,mentee;peer_mentor,1,law,Retail,4,,m2,,mental-health\n"
    "s3,mentee,,law,,2,,,,\n"
)


def write(tmp_path: Path, text: str, bom: bool = False) -> Path:
    path = tmp_path / "people.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_reads_people_with_bom_defaults_and_multi_values(tmp_path: Path) -> None:
    people = load_people_csv(write(tmp_path, GOOD, bom=True), Config())
    by_id = people.by_id()
    assert by_id["m1"].interests == frozenset({"ai", "mental health"})
    assert by_id["m2"].capacity == Config().matching.default_capacity
    assert by_id["s2"].roles == frozenset({"mentee", "peer_mentor"}) and by_id["s2"].capacity == 1
    assert by_id["s1"].preferences == ("m2", "m1") and by_id["s1"].year == 1
    assert by_id["s2"].needs == frozenset({"mental health"})
    assert people.current == {"s2": "m2"}


def test_moodle_shortname_is_accepted_as_a_column(tmp_path: Path) -> None:
    path = write(tmp_path, "id,role,yearofstudy\np,peer_mentor,5\n")
    person = load_people_csv(path, Config()).persons[0]
    assert person.year == 5 and person.capacity == Config().matching.peer_default_capacity


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("id,role,capacity\nm1,mentor,2\nm2,mentor,lots\n", ":3: capacity:"),
        ("id,role,year\ns1,mentee,first\n", ":2: year:"),
        ("id,role\ns1,student\n", ":2: role:"),
        ("id,role\ns1,mentee\ns1,mentee\n", ":3: id: s1 already appears on line 2"),
        ("id,role\n,mentee\n", ":2: id:"),
        ("id,role,capacity\nm1,mentor,-1\n", ":2: capacity:"),
        ("id,role,intrests\ns1,mentee,ai\n", ":1: column 3 'intrests'"),
        ("id,department\ns1,law\n", ":1: role: missing column"),
        ("id,role\ns1,mentee,extra\n", ":2: (row):"),
        ("id,role,preferences\nm1,mentor,\ns1,mentee,m1;m9\n", ":3: preferences: 'm9' is not the id of a mentor"),
        ("id,role,preferences\nm1,mentor,\ns2,mentee,\ns1,mentee,s2\n", ":4: preferences: 's2' is not the id"),
        ("sep=;\nid;role;capacity\nm1;mentor;-1\n", ":3: capacity:"),
        ("id,role,capacity\nm1,mentor,1e3\n", ":2: capacity: '1e3' is not a whole number"),  # tester round 40, 9
        ("id,role,capacity\nm1,mentor,1_0\n", ":2: capacity: '1_0' is not a whole number"),
        ("id,role,year\ns1,mentee,-3\n", ":2: year: must be 0 or more"),  # tester round 40b, 11
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    assert f"\n  {path}{where}" in str(info.value) or str(info.value).startswith(str(path) + where)


def test_every_bad_row_is_listed_and_nothing_is_matched(tmp_path: Path) -> None:
    """Left from stop 24: ``match --people`` stopped at the first bad row, so a file with three
    typos took three runs to fix; the imports list every problem at once, and so does it now."""
    path = write(tmp_path, "id,role,capacity,year\nm1,mentor,lots,\ns1,mentee,,first\ns2,student,,\n"
                           "s3,mentee,,2\ns1,mentee,,3\n")
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    text = str(info.value)
    assert text.startswith(f"{path}: 4 problems, nothing was matched")
    for where in (":2: capacity: 'lots'", ":3: year: 'first'", ":4: role: 'student'", ":6: id: s1 already appears on line 3"):
        assert f"\n  {path}{where}" in text, where
    assert ":5:" not in text  # the good row is not a problem
    assert info.value.hint == "fix the file and run lmsync match again"


def test_a_bad_row_and_a_bad_preference_are_reported_in_turn(tmp_path: Path) -> None:
    """Preferences are checked once every mentor is known, so only after the rows read cleanly."""
    path = write(tmp_path, "id,role,preferences\nm1,mentor,\ns1,mentee,m9\ns2,mentee,m8\n")
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    assert str(info.value).startswith(f"{path}: 2 problems, nothing was matched")
    assert ":3: preferences: 'm9'" in str(info.value) and ":4: preferences: 'm8'" in str(info.value)


def test_service_applies_configured_pins_and_forbids(tmp_path: Path) -> None:
    config = Config.model_validate({"matching": {"pins": [["s3", "m1"]], "forbids": [["s1", "m1"]]}})
    result = run_match(load_people_csv(write(tmp_path, GOOD), config), config)
    pairs = {(a.mentee, a.mentor) for a in result.assignments}
    assert ("s3", "m1") in pairs and ("s1", "m1") not in pairs


def test_cli_json_and_error_exit(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    runner = CliRunner()
    out = runner.invoke(main, ["--config", str(tmp_path / "none.toml"), "match", "--people", str(path), "--format", "json"])
    assert out.exit_code == 3  # --config naming no file: a wrong argument (tester round 99b, 8c; was 2)
    (tmp_path / "lmsync.toml").write_text("[matching]\nstructure = 'pairs'\n")
    out = runner.invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "match", "--people", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout[out.stdout.index("{"):])
    assert {a["mentee"] for a in data["assignments"]} == {"s1", "s2", "s3"}
    assert all(a["score"] == sum(a["terms"].values()) for a in data["assignments"])
    assert data["proven_optimal"] is True
    bad = write(tmp_path, "id,role,capacity\nm1,mentor,x\n")
    out = runner.invoke(main, ["--config", str(tmp_path / "lmsync.toml"), "match", "--people", str(bad)])
    assert out.exit_code == InputError.exit_code and f"{bad}:2: capacity" in out.output


def test_issue_15_csv_reader_keeps_short_rows_blank_lines_quotes_and_line_numbers(tmp_path: Path) -> None:
    text = (
        "id,role,capacity,department,interests,fullname\n"
        "m1,mentor,2,Law,\"AI; chess\",\"Ada\nLovelace\"\n"  # a quoted cell over two lines
        "\n"
        ",,,,,\n"  # a row of empty cells: skipped like a blank line
        "s1,mentee\n"  # short row: the missing cells are empty
        "s2,mentee,,law,chess;AI\n"
        "s2,mentee\n"
    )
    with pytest.raises(InputError) as info:
        load_people_csv(write(tmp_path, text), Config())
    assert str(info.value).splitlines()[1].endswith(":8: id: s2 already appears on line 7")  # physical lines, as an editor shows them
    people = load_people_csv(write(tmp_path, text.rsplit("s2,mentee\n", 1)[0]), Config()).by_id()
    assert people["m1"].fullname == "Ada\nLovelace" and people["m1"].interests == frozenset({"ai", "chess"})
    assert people["s1"].department is None and people["s1"].interests == frozenset()
    assert people["s2"].department == people["m1"].department == "law"
    assert people["s2"].interests == people["m1"].interests


def test_tester_finding_semicolon_file_and_excel_sep_line_are_read_like_the_imports(tmp_path: Path) -> None:
    """Excel in European locales saves ``;``-separated files, with a ``sep=;`` first line or without;
    multi-valued cells then come quoted. Both read exactly as the comma file does."""
    rows = ['m1;mentor;2;"AI;Mental health"', 'm2;mentor;;retail', 's1;mentee;;ai;"m2;m1"']
    comma = load_people_csv(write(tmp_path, GOOD), Config()).by_id()
    for first in ("sep=;\n", ""):
        path = write(tmp_path, first + "id;role;capacity;interests;preferences\n" + "\n".join(rows) + "\n")
        by_id = load_people_csv(path, Config()).by_id()
        assert by_id["m1"].interests == comma["m1"].interests == frozenset({"ai", "mental health"})
        assert by_id["s1"].preferences == comma["s1"].preferences == ("m2", "m1")
        assert by_id["m1"].capacity == 2 and by_id["m2"].capacity == Config().matching.default_capacity


def test_tester_finding_fix_c_2_commas_separate_values_of_a_multi_valued_cell(tmp_path: Path) -> None:
    """``"robotics, chess"`` is two interests, as ``robotics;chess`` is; the same for languages, needs,
    preferences and role, in a comma file (quoted cell) and in a ``;`` file."""
    comma = (
        "id,role,interests,languages,preferences,needs\n"
        't1,"mentor, peer_mentor","robotics, chess","en, fr",,\n'
        't2,mentor,music,de,,\n'
        's1,mentee,"chess,robotics","fr , en","t2, t1","study skills, time"\n'
    )
    semicolon = (
        "sep=;\nid;role;interests;languages;preferences;needs\n"
        't1;"mentor, peer_mentor";"robotics, chess";"en, fr";;\n'
        "t2;mentor;music;de;;\n"
        's1;mentee;"chess,robotics";"fr , en";"t2, t1";"study skills, time"\n'
    )
    for text in (comma, semicolon):
        by_id = load_people_csv(write(tmp_path, text), Config()).by_id()
        assert by_id["t1"].roles == frozenset({"mentor", "peer_mentor"})
        assert by_id["t1"].interests == by_id["s1"].interests == frozenset({"robotics", "chess"})
        assert by_id["t1"].languages == by_id["s1"].languages == frozenset({"en", "fr"})
        assert by_id["s1"].preferences == ("t2", "t1")
        assert by_id["s1"].needs == frozenset({"study skills", "time"})
    result = run_match(load_people_csv(write(tmp_path, comma), Config()), Config())
    assert [(a.mentee, a.mentor) for a in result.assignments] == [("s1", "t1")]  # shared interests and languages


def test_tester_finding_fix_c_3_references_to_people_of_the_file_are_any_case(tmp_path: Path) -> None:
    """``current_mentor``, ``current_peer`` and ``preferences`` name ids of the file in any case."""
    text = (
        "id,role,current_mentor,current_peer,preferences\n"
        "t0001,mentor,,,\nt0002,mentor,,,\np0001,peer_mentor,,,\n"
        "s0001,mentee,T0001,P0001,T0002;t0001\n"
    )
    triads = Config.model_validate({"matching": {"structure": "triads"}})
    people = load_people_csv(write(tmp_path, text), triads)
    assert people.current == {"s0001": "t0001"} and people.current_peers == {"s0001": "p0001"}
    text = text.replace("T0001,P0001,", "T0001,,")  # with pairs a mentee has one mentor (tester round 62, 5)
    people = load_people_csv(write(tmp_path, text), Config())
    assert people.by_id()["s0001"].preferences == ("t0002", "t0001")
    result = run_match(people, Config())
    assert [(a.mentee, a.mentor) for a in result.assignments] == [("s0001", "t0001")]  # the established pair holds
    assert not [w for w in result.warnings if "not among the mentors" in w]
    ambiguous = text.replace("t0002,mentor", "T0001,mentor")
    # third tester, finding 8: two ids differing only in case are one person named twice
    with pytest.raises(InputError, match=r":3: id: T0001 already appears on line 2 as t0001 \(ids are read in any case\)"):
        load_people_csv(write(tmp_path, ambiguous), Config())
    unknown = text.replace("T0001,,T0002;t0001", "T0009,,")
    assert load_people_csv(write(tmp_path, unknown), Config()).current == {"s0001": "T0009"}  # not in the file: as written
    # tester round 6, 13: such an id is named as possibly mistyped, not as someone who stopped mentoring
    warned = run_match(load_people_csv(write(tmp_path, unknown), Config()), Config()).warnings
    assert "s0001: current mentor T0009 is not among the mentors (left the programme, or a mistyped id); re-matched" in warned


def test_tester_finding_fix_c_5_people_csv_not_utf8_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("id,role,fullname\nt1,mentor,Alan\ns1,mentee,Zoë\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    assert str(info.value).startswith(f"{path}:3: not UTF-8") and "CSV UTF-8" in str(info.value.hint)


def test_fourth_tester_a_full_width_id_is_the_same_person(tmp_path):
    text = "id,role\nt0001,mentor\n\uff34\uff10\uff10\uff10\uff11,mentee\n"
    with pytest.raises(InputError, match=r":3: id: .* already appears on line 2 as t0001"):
        load_people_csv(write(tmp_path, text), Config())


def test_tester_finding_12_column_names_and_roles_are_read_in_any_case(tmp_path: Path) -> None:
    """``ID``, ``Role`` and ``Mentor`` were refused as unknown while ids are read in any case."""
    people = load_people_csv(write(tmp_path, "ID,Role,Capacity,Department\nt1,Mentor,2,Science\ns1,MENTEE,,Science\n"), Config())
    roles = {p.id: p.role for p in people.persons}
    assert roles == {"t1": "mentor", "s1": "mentee"}
    assert {p.id: p.capacity for p in people.persons}["t1"] == 2
    with pytest.raises(InputError, match="unknown column"):
        load_people_csv(write(tmp_path, "id,role,Departmnet\nt1,mentor,Science\n"), Config())
    # every unknown column at once (tester round 62, 9: "departement" hid "intrests")
    with pytest.raises(InputError, match=r":1: column 3 'departement': unknown column \(did you mean 'department'\?; "
                       r"known: .*\n.*:1: column 4 'intrests': unknown column \(did you mean 'interests'\?; known: "):
        load_people_csv(write(tmp_path, "id,role,departement,intrests\nt1,mentor,Science,AI\n"), Config())


def test_tester_finding_12_a_ragged_row_says_to_quote_a_cell_with_the_separator(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r":2: \(row\): 4 cells, the header has 3 \(a cell that holds a comma, such as several interests, must be in double quotes\)"):
        load_people_csv(write(tmp_path, "id,role,interests\ns1,mentee,a,b\n"), Config())


@pytest.mark.parametrize(("header", "row", "first", "second"), [
    ("id,role,capacity,Capacity", "t1,mentor,1,3", "capacity", "Capacity"),
    ("id,role,year,yearofstudy", "t1,peer_mentor,5,3", "year", "yearofstudy"),
    ("id,role,department,department", "t1,mentor,Law,Medicine", "department", "department"),
])
def test_round_3_finding_3_a_field_in_two_columns_is_refused_not_the_last_one_taken(
    tmp_path: Path, header: str, row: str, first: str, second: str
) -> None:
    path = write(tmp_path, f"{header}\n{row}\ns1,mentee,,\n")
    with pytest.raises(InputError) as error:
        load_people_csv(path, Config())
    assert f"people.csv:1: column 4 {second!r}:" in str(error.value)
    assert f"already column 3 {first!r}" in str(error.value)


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999999", "1000001"])
def test_round_3_finding_9_a_capacity_beyond_any_programme_names_its_line_not_a_traceback(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"id,role,capacity\ns1,mentee,\nt1,mentor,{value}\n")
    with pytest.raises(InputError, match=r"people\.csv:3: capacity: .* is too large"):
        load_people_csv(path, Config())
    assert load_people_csv(write(tmp_path, "id,role,capacity\nt1,mentor,1000000\n"), Config()).by_id()["t1"].capacity == 1_000_000


def test_round_3_finding_10_a_cell_over_the_csv_limit_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,role,capacity,interests\n\nt1,mentor,2,"' + "x" * 200_000 + '"\ns1,mentee,,a\n')
    with pytest.raises(InputError, match=r"people\.csv:3: \(row\): field larger than field limit"):
        load_people_csv(path, Config())


def test_round_3_finding_14_the_capacity_profile_field_names_the_capacity_column(tmp_path: Path) -> None:
    people = load_people_csv(write(tmp_path, "id,role,mentorcapacity\nt1,mentor,1\ns1,mentee,\n"), Config())
    assert people.by_id()["t1"].capacity == 1


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"people\.csv:6: role: empty"):
        load_people_csv(write(tmp_path, "id,role,capacity\n\nt1,mentor,1\n\ns1,mentee,\nx,,\n"), Config())


def test_round_3_finding_5_a_mentor_and_mentee_alone_is_told_why_they_have_no_mentor(tmp_path: Path) -> None:
    people = load_people_csv(write(tmp_path, 'id,role,capacity\nt1,"mentor;mentee",2\ns1,mentee,\n'), Config())
    result = run_match(people, Config())
    assert [(a.mentee, a.mentor) for a in result.assignments] == [("s1", "t1")]
    (alone,) = result.unmatched
    assert alone.mentee == "t1" and alone.reason == "the only mentor with capacity is t1 themself"


@pytest.mark.parametrize(("matching", "says"), [
    # pins beyond a capacity wait since tester round 50 (second pass, 4): test_engine's
    # test_pins_beyond_a_mentors_capacity_wait_in_the_order_listed
    ({"pins": [["s1", "t1"]], "forbids": [["s1", "t1"]]}, "pin s1 -> t1 contradicts a forbid"),
])
def test_round_3_finding_19_a_pin_the_matching_cannot_honour_is_a_configuration_error(
    tmp_path: Path, matching: dict[str, object], says: str
) -> None:
    from lmsync.errors import EXIT_ADMIN, ConfigError

    people = load_people_csv(write(tmp_path, "id,role,capacity\nt1,mentor,1\ns1,mentee,\ns2,mentee,\n"), Config())
    with pytest.raises(ConfigError) as error:
        run_match(people, Config.model_validate({"matching": matching}))
    assert error.value.exit_code == EXIT_ADMIN and says in error.value.message
    assert "[matching] pins / forbids (in the configuration file, or LMSYNC_MATCHING_PINS" in (error.value.hint or "")


@pytest.mark.parametrize(("text", "says"), [
    # a quote open to the end of the file (round 11, 4: the rest of the file became one cell)
    ('id,role,capacity\nt1,mentor,2\ns1,"mentee,\ns2,mentee,\n', r'people\.csv:3: \(row\): a quote \(\"\) opened on this line is never closed'),
    ('id,role,capacity\nt1,mentor,2\n"s\n1",mentee,\n', r"people\.csv:3: id: holds a line break"),
    ('role,id\nmentor,t1\n"mentee,s1\n', r'people\.csv:3: \(row\): a quote \(\"\) opened on this line is never closed'),
    ('id,role,fullname\nt1,mentor,"Bob\ns1,mentee,"Ann"\n', r"people\.csv:2: \(row\): a quote .* closes further on"),
])
def test_round_4_finding_17_a_quote_left_open_is_named_on_its_line(tmp_path: Path, text: str, says: str) -> None:
    """An unterminated quote read as ``x.csv:4: role: empty`` (or an id holding a line break was
    taken, breaking the text table): the row's first line and the field now say what happened."""
    with pytest.raises(InputError, match=says):
        load_people_csv(write(tmp_path, text), Config())


def test_left_from_stop_24_a_header_alone_is_refused_not_matched_as_nobody(tmp_path: Path) -> None:
    """A file with a header and no rows matched nobody, said every pair was kept, and exited 0."""
    path = write(tmp_path, "sep=;\nid;role;capacity\n\n")
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    assert f"{path}:2: a header and no people" in str(info.value)


def test_round_15_7_spreadsheet_habits_are_read_and_one_run_lists_a_preference_naming_nobody(tmp_path: Path) -> None:
    """Tester round 15, 7: trailing empty cells (as Excel saves them) were refused as extra cells,
    a capacity of 2.0 was not a whole number, and a preference naming nobody was reported only on a
    second run, after the row problems were fixed."""
    good = write(tmp_path, "id,role,capacity\nm1,mentor,2.0,,\ns1,mentee,,\n")
    people = load_people_csv(good, Config()).by_id()
    assert people["m1"].capacity == 2 and people["s1"].role == "mentee"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,role,capacity,preferences\nm1,mentor,lots,\ns1,mentee,,nobody\ns2,mentee,,m1\n")
    with pytest.raises(InputError) as info:
        load_people_csv(bad, Config())
    text = str(info.value)
    assert text.startswith(f"{bad}: 2 problems") and ":2: capacity:" in text
    assert ":3: preferences: 'nobody' is not the id of anyone in this file" in text and ":4:" not in text
    with pytest.raises(InputError, match="is not a whole number"):
        load_people_csv(write(tmp_path, "id,role,capacity\nm1,mentor,2.5\n"), Config())


def test_round_15_4_mentees_with_no_mentor_are_not_told_every_pair_is_kept(tmp_path: Path) -> None:
    """Tester round 15, 4: a file of mentees only (or no mentor with room) said "nothing to assign
    anew: every mentee's pair is kept", and mentees over a lowered capacity were "re-matched" while
    they ended unmatched."""
    from lmsync.render.formats import render
    from lmsync.render.match import match_view
    from lmsync.service.match import run_match

    alone = run_match(load_people_csv(write(tmp_path, "id,role\ns1,mentee\ns2,mentee\n"), Config()), Config())
    text = render(match_view(alone), "text")
    assert "no mentor has room: the mentees not kept, pinned or returning are unmatched" in text
    assert "every mentee's pair is kept" not in text
    over = load_people_csv(write(tmp_path, "id,role,capacity,current_mentor\nt1,mentor,1,\ns1,mentee,,t1\ns2,mentee,,t1\n"),
                           Config())
    warned = run_match(over, Config()).warnings
    assert any("circle holds more mentees than their capacity; matched again (to another mentor with room, else unmatched)"
               in w for w in warned), warned


def test_round_43_3_a_pin_that_takes_a_full_mentor_s_room_is_named_as_the_cause(tmp_path: Path) -> None:
    """A pin to a mentor whose room was full moved their existing mentee with "capacity is below
    their existing pairs", though the capacity had not changed: the pin is named instead."""
    from lmsync.config import load_config
    from lmsync.service.match import run_match

    path = write(tmp_path, "id,role,capacity,department,current_mentor\nm1,mentor,1,x,\nm2,mentor,2,y,\n"
                           "s1,mentee,,x,m1\ns2,mentee,,y,\n")
    config = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s2", "m1"]]'})
    result = run_match(load_people_csv(path, config), config)
    moved = {m.mentee: m for m in result.assignments}["s1"]
    assert moved.mentor == "m2" and "displaced by the pin of s2" in " ".join(moved.reasons)
    assert "s1: m1's room went to [matching] pins (s2); matched again" in " ".join(result.warnings)
    assert "capacity is below" not in " ".join(result.warnings)
    # a capacity that fell below the existing pairs is still said so, with a pin besides
    fell = write(tmp_path, "id,role,capacity,current_mentor\nm1,mentor,1,\ns1,mentee,,m1\ns3,mentee,,m1\ns2,mentee,,\n")
    warned = " ".join(run_match(load_people_csv(fell, config), config).warnings)
    assert "m1's circle holds more mentees than their capacity" in warned and "room went to" not in warned


def test_round_43_12_a_mentee_s_capacity_and_a_peer_mentor_without_a_year_are_said_with_their_lines(tmp_path: Path) -> None:
    """Both were left aside in silence: a mentee's capacity is not used, and a peer mentor with no year
    is ruled out by the year gap ("no mentor within the year gap" was all the mentee got)."""
    from lmsync.domain.people import PersonWarning
    from lmsync.service.match import run_match

    path = write(tmp_path, "id,role,capacity,department,year\np1,peer_mentor,,X,\nm1,mentor,1,Y,\ns1,mentee,3,X,1\n"
                           "b1,mentor;mentee,2,X,4\n")
    notices: list[PersonWarning] = []
    people = load_people_csv(path, Config(), notices)
    assert [(n.code, n.person) for n in notices] == [("year_missing", "p1"), ("capacity_ignored", "s1")]
    assert notices[0].message.startswith(f"{path}:2: year: p1 is a peer mentor with no year")
    assert notices[1].message.startswith(f"{path}:4: capacity: s1 is a mentee: the capacity '3' is not used")
    assert {n.message for n in notices} <= set(run_match(people, Config(), notices).warnings)
    assert load_people_csv(path, Config()) == people  # the same people, notices asked for or not


def test_round_42_a_pair_that_scores_nothing_says_so_in_its_why(tmp_path: Path) -> None:
    from lmsync.render.formats import render
    from lmsync.render.match import match_view
    from lmsync.service.match import run_match

    result = run_match(load_people_csv(write(tmp_path, "id,role,capacity,department\nm1,mentor,1,Y\ns1,mentee,,X\n"),
                                       Config()), Config())
    line = next(row for row in render(match_view(result), "text").splitlines() if row.startswith("s1"))
    assert line.endswith("nothing in common that the weights score")
    assert '"reasons": []' in render(match_view(result), "json")  # the data stays as matching gave it


def test_round_44_5_a_pin_that_moves_an_existing_pair_names_the_mentor_before(tmp_path: Path) -> None:
    from lmsync.config import load_config
    from lmsync.render.formats import render
    from lmsync.render.match import match_view
    from lmsync.service.match import run_match

    path = write(tmp_path, "id,role,capacity,department,current_mentor\nm1,mentor,2,x,\nm2,mentor,2,y,\ns1,mentee,,x,m1\n")
    config = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s1", "m2"]]'})
    result = run_match(load_people_csv(path, config), config)
    (pinned,) = result.assignments
    assert (pinned.mentor, pinned.origin, pinned.previous) == ("m2", "pinned", "m1")
    assert "pinned by the coordinator: moved from m1" in pinned.reasons
    assert "s1,m2,mentor,0,,pinned by the coordinator: moved from m1,,pinned,m1" in render(match_view(result), "csv")
    same = load_config(None, environ={"LMSYNC_MATCHING_PINS": '[["s1", "m1"]]'})
    stays = run_match(load_people_csv(path, same), same)
    assert stays.assignments[0].previous is None and "pinned by the coordinator" in stays.assignments[0].reasons


def test_round_53_9_a_row_in_another_separator_is_named_as_such(tmp_path: Path) -> None:
    """A semicolon row under a comma header was read as one cell: "role: empty"."""
    text = "id,role,capacity,department\nm1,mentor,2,Law\ns1;mentee;;Law\n"
    with pytest.raises(InputError) as info:
        load_people_csv(write(tmp_path, text), Config())
    assert ":3: (row): one cell holding semicolons: this row is separated by semicolons, the header by commas" in str(info.value)
    short = load_people_csv(write(tmp_path, "id,role,capacity,department\nm1,mentor,2,Law\ns1,mentee\n"), Config())
    assert short.by_id()["s1"].department is None  # a short row still reads its missing cells as empty


def test_round_66_4_a_cell_problem_does_not_hide_what_the_other_rows_name_wrongly(tmp_path: Path) -> None:
    """Tester round 66, 4: a file's problems came in up to three runs: the cells first, then the preferences and
    current places. Those of the rows read come with the cells' now; a name of a row refused is left for later."""
    text = ("id,role,year,current_mentor,preferences\nt0001,mentor,,,\ns0001,mentee,lots,,\n"
            "s0002,mentee,2,s0003,s0003\ns0003,mentee,1,,\ns0004,mentee,1,s0001,\n")
    with pytest.raises(InputError) as refused:
        load_people_csv(write(tmp_path, text), Config())
    message = refused.value.message
    assert ":3: year: 'lots' is not a whole number" in message  # 'two' is read as 2 (tester round 120c, 6)
    assert ":4: preferences: 's0003' is not the id of a mentor or peer mentor in this file" in message
    assert ":4: current_mentor: 's0003' is not a mentor or peer mentor in this file" in message
    assert ":6:" not in message  # s0001's row was refused: what it is, is not known yet


def test_round_66_12_a_row_both_mentor_and_peer_mentor_is_told_it_mentors_as_faculty_only(tmp_path: Path) -> None:
    """Tester round 66, 12: `peer_mentor;mentor` lost its peer-mentor part without a word."""
    from lmsync.domain.people import PersonWarning

    notices: list[PersonWarning] = []
    text = 'id,role,capacity,year\ns3,"peer_mentor;mentor",2,5\ns1,mentee,,3\n'
    load_people_csv(write(tmp_path, text), Config(), notices)
    assert [(n.code, n.person) for n in notices] == [("peer_role_ignored", "s3")]
    assert "s3 is a mentor and a peer mentor: they take part as a faculty mentor only" in notices[0].message


def test_round_76_3_short_rows_are_read_with_a_notice_not_in_silence(tmp_path: Path, monkeypatch) -> None:
    """A row with fewer cells than the header was padded with empty cells and said nothing: right when a tool
    left out trailing empty cells, wrong when a cell in the middle was left out (its neighbours slide left)."""
    text = "id,role,capacity,department,interests\nm1,mentor,3,Law,AI\ns1,mentee,,AI\ns2,mentee\ns3,mentee,,Law,AI\n"
    notices: list = []
    people = load_people_csv(write(tmp_path, text), Config(), notices).by_id()
    (short,) = [n for n in notices if n.code == "short_rows"]
    assert ":3: 4 cell(s), the header has 5: interests read as empty and 1 more row(s)" in short.message
    assert people["s1"].department == "ai" and people["s2"].interests == frozenset()  # read as before, but said
    full: list = []
    load_people_csv(write(tmp_path, text.replace("s1,mentee,,AI\ns2,mentee\n", "s1,mentee,,,AI\n")), Config(), full)
    assert not [n for n in full if n.code == "short_rows"]
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["match", "--people", str(write(tmp_path, text))])
    assert out.exit_code == 0 and "interests read as empty" in out.output


def test_round_82_4_an_id_holding_a_list_separator_is_refused_on_its_own_line(tmp_path: Path) -> None:
    """``"t,1"`` was read as an id, and a preference naming it was then refused as two ids, 't' and '1', sending
    the admin to a ``preferences`` cell that was right."""
    for bad in ("t,1", "t;1"):
        text = f'id,role,preferences\n"{bad}",mentor,\ns1,mentee,"{bad}"\n'
        with pytest.raises(InputError) as info:
            load_people_csv(write(tmp_path, text), Config())
        lines = str(info.value).splitlines()
        assert any(f":2: id: {bad!r} holds a comma or semicolon" in line for line in lines), lines


def test_round_82b_5_a_pair_that_stays_for_want_of_a_better_mentor_says_so_not_what_its_people_share() -> None:
    """With [matching] stickiness 0, a mentee whose open pair stayed read "nothing in common that the weights score",
    as if that paired them; an existing pair that stays says it stays because no mentor scores higher."""
    from lmsync.domain.matching import Match, MatchResult
    from lmsync.render.formats import render
    from lmsync.render.match import match_view

    result = MatchResult("mentor", [Match("s1", "m1", 0.0, {}, [], origin="stayed"), Match("s2", "m2", 0.0, {}, [])],
                         [], 0.0, {"m1": 1, "m2": 1}, [])
    lines = {row.split()[0]: row for row in render(match_view(result), "text").splitlines() if row.startswith("s")}
    assert lines["s1"].endswith("the existing pair stays: no other mentor scores higher (nothing in common that the "
                                "weights score)")
    assert lines["s2"].endswith("  nothing in common that the weights score")  # a new pair: as before (round 42)
