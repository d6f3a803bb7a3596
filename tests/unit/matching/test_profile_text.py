"""Tester round 62, 6: Moodle's textarea profile fields hold the editor's HTML, and a value typed with ``&`` can
come back as ``&amp;``: read as typed, ``<p>English</p>`` shared no language with "English", and the department
``Psychiatry &amp; Neurology`` was ``psychiatry amp neurology``. The values are read without markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import Config
from lmsync.domain.people import normal_department, respell, split_values
from lmsync.domain.profile_text import plain_text
from lmsync.service.people_csv import load_people_csv


@pytest.mark.parametrize(("typed", "read"), [
    ('<p dir="ltr">Mental health,&nbsp;Research methods</p>', ",Mental health,\xa0Research methods,"),
    ("<p>Mental health</p><p>Research methods</p>", ",Mental health,,Research methods,"),
    ("Emergency<br />Surgery", "Emergency,Surgery"),
    ("<b>Surgery</b>", " Surgery "),
    ("Psychiatry &amp; Neurology", "Psychiatry & Neurology"),
    ("R&D", "R&D"),  # no entity: as typed
    ("3 < 4 > 2", "3 < 4 > 2"),  # no tag
    ("plain", "plain"),
])
def test_plain_text_takes_out_markup_and_entities(typed: str, read: str) -> None:
    assert plain_text(typed) == read


def test_roster_values_read_with_markup_equal_the_typed_ones() -> None:
    assert split_values('<p dir="ltr">Mental health,&nbsp;Research methods</p>', ",") == split_values(
        "Mental health, Research methods", ",")
    assert split_values("<p>English</p><p>Urdu</p>", ",") == frozenset({"english", "urdu"})
    assert normal_department("Psychiatry &amp; Neurology") == normal_department("Psychiatry & Neurology")
    assert respell("<p>Surgery</p>", {}) == "surgery"


def test_a_people_file_with_markup_reads_as_the_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "id,role,capacity,department,interests,languages\n"
        'm1,mentor,3,Psychiatry & Neurology,"Mental health;Research methods",English\n'
        's1,mentee,,Psychiatry &amp; Neurology,"<p dir=""ltr"">Mental health,&nbsp;Research methods</p>",<p>English</p>\n'
    )
    people = load_people_csv(path, Config()).by_id()
    assert people["s1"].department == people["m1"].department == "psychiatry and neurology"  # & reads as "and" (tester round 86b, 5)
    assert people["s1"].interests == people["m1"].interests == frozenset({"mental health", "research methods"})
    assert people["s1"].languages == people["m1"].languages == frozenset({"english"})


@pytest.mark.parametrize("typed", ["Neurology; Surgical skills", "Neurology\nSurgical skills",
                                   "Neurology\r\nSurgical skills", "Neurology,Surgical skills"])
def test_round_64_4_a_semicolon_or_a_line_break_between_values_splits_them(typed: str) -> None:
    """Tester round 64, 4: typed in Moodle with ``;`` or on two lines, two interests were one shared by nobody."""
    assert split_values(typed, ",") == frozenset({"neurology", "surgical skills"})


def test_round_64_4_a_people_file_cell_on_two_lines_holds_two_values(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('id,role,capacity,interests\nm1,mentor,3,"Neurology\nSurgical skills"\ns1,mentee,,Neurology\n')
    assert load_people_csv(path, Config()).by_id()["m1"].interests == frozenset({"neurology", "surgical skills"})


@pytest.mark.parametrize(("typed", "value", "status"), [
    ("&#50;", 2, "number"),  # was read as 50, and a valid peer pair dropped (tester round 66, 3)
    ("&#x32;", 2, "number"),
    ("2&#160;", 2, "number"),
    ("<p></p>", None, "empty"),  # a cleared HTML field: the default capacity, not "no room" (round 66, 13)
    ("<p><br></p>", None, "empty"),
    ("&nbsp;", None, "empty"),
    ("<p>3</p>", 3, "number"),
    ("lots", None, "unreadable"),
])
def test_round_66_a_typed_number_is_read_without_moodles_html(typed: str, value: int | None, status: str) -> None:
    from lmsync.domain.people import read_number

    read = read_number(typed)
    assert (read.value, read.status, read.text) == (value, status, typed)
