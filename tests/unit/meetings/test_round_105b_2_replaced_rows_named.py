"""Tester round 105b, 2: a running register imported again after another file corrected one of its rows put that
row back, and the import said only "1 of the updated row(s) replaced values another file ... had stored": no line,
date or pair, so the coordinator could not tell which correction was lost. The note now names each row (line, date,
mentor and mentee as views name them), what it replaced (never a withheld rating or notes) and which file had
stored it; the log carries ids and counts only. Tester round 105b, 3: ``meetings list`` says what ``withheld``
covers, a meeting with no rating at all among it."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from structlog.testing import capture_logs

from lmsync.config import Config
from lmsync.service import meetings as service
from lmsync.store.db import Store

from .conftest import PAIRS, Obj


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    idnumber: str
    email: str
    fullname: str


PEOPLE = [
    Person(66, "m0001", "M-1", "m0001@example.org", "Mara Mentor"),
    Person(67, "m0002", "M-2", "m0002@example.org", "Milo Mentor"),
    Person(3, "s0001", "S-1", "s0001@example.org", "Sam Student"),
    Person(4, "s0002", "S-2", "s0002@example.org", "Sia Student"),
    Person(5, "s0003", "S-3", "s0003@example.org", "Sol Student"),
]
HEADER = "date,mentor,mentee,minutes,attended,rating,notes,rated_by\n"
D1, D2, D3 = (date.today() - timedelta(days=n) for n in (12, 11, 10))


def _runner(tmp_path, monkeypatch, show_names):
    from lmsync.cli.meetings import command, import_command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    config = Config.model_validate({"store": {"path": str(tmp_path / "p.db")}, "privacy": {"show_names": show_names}})
    Store(tmp_path / "p.db").close()  # the programme's store, as a first sync makes it

    def invoke(group, *args):
        result = CliRunner().invoke({"meetings": command, "import": import_command}[group], list(args),
                                    obj=Obj(config))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.fixture
def run(tmp_path, monkeypatch):
    return _runner(tmp_path, monkeypatch, True)


def _register_corrected_then_again(run, tmp_path, first_row, correction, correction_header=None):
    """The finding's steps: a register, another file correcting its first row, the register with a row added."""
    register, fix = tmp_path / "register.csv", tmp_path / "correction.csv"
    register.write_text(HEADER + first_row + f"{D2},m0001,s0002,30,yes,3,ok,mentor\n", encoding="utf-8")
    run("import", "meetings", str(register))
    fix.write_text((correction_header or "date,mentor,mentee,minutes,attended\n") + correction, encoding="utf-8")
    assert "1 updated" in run("import", "meetings", str(fix))
    with register.open("a", encoding="utf-8") as out:
        out.write(f"{D3},m0002,s0003,50,yes,5,great,mentor\n")
    return run("import", "meetings", str(register))


def test_round_105b_2_the_note_names_each_replaced_row_by_line_date_people_and_source(run, tmp_path):
    said = _register_corrected_then_again(run, tmp_path, f"{D1},m0001,s0001,40,yes,4,good,mentor\n",
                                          f"{D1},m0001,s0001,45,no\n")
    assert "1 added, 1 updated, 1 unchanged" in said, said
    assert "note: 1 of the updated row(s) replaced values another file" in said
    assert (f"\n  line 2: {D1}, mentor Mara Mentor (m0001), mentee Sam Student (s0001): 45 min -> 40 min, "
            "missed -> attended (stored by correction.csv, line 2)") in said, said
    assert "s0002" not in said and "s0003" not in said  # only the replaced row is named


def test_round_105b_2_usernames_only_when_names_are_off(tmp_path, monkeypatch):
    run = _runner(tmp_path, monkeypatch, False)
    said = _register_corrected_then_again(run, tmp_path, f"{D1},m0001,s0001,40,yes,4,good,mentor\n",
                                          f"{D1},m0001,s0001,45,no\n")
    assert f"  line 2: {D1}, mentor m0001, mentee s0001: 45 min -> 40 min" in said, said
    assert "Mara" not in said and "Sam" not in said


def test_round_105b_2_a_mentees_rating_and_notes_are_never_told_and_the_log_has_ids_only(run, tmp_path):
    with capture_logs() as logs:
        said = _register_corrected_then_again(run, tmp_path, f"{D1},m0001,s0001,40,yes,2,secret words,mentee\n",
                                              f"{D1},m0001,s0001,40,no\n")
    line = next(x for x in said.splitlines() if x.startswith("  line 2:"))
    assert line.endswith(": missed -> attended (stored by correction.csv, line 2)"), said
    assert "rating" not in line and "notes" not in line and "secret" not in said
    last = [e for e in logs if e["event"] == "import.replaced"][-1]  # the correction's own import replaced it too
    assert (last["count"], last["rows"]) == (
        1, [{"line": 2, "date": D1.isoformat(), "mentor_id": 66, "mentee_id": 3, "fields": ["attended"]}])
    assert not any(word in str(logs) for word in ("Mara", "Sam", "m0001", "s0001", "correction.csv", "secret"))


def test_round_105b_2_a_mentors_rating_is_told_as_views_show_it(run, tmp_path):
    said = _register_corrected_then_again(run, tmp_path, f"{D1},m0001,s0001,40,yes,4,good,mentor\n",
                                          f"{D1},m0001,s0001,40,yes,3,mentor\n", "date,mentor,mentee,minutes,attended,rating,rated_by\n")
    assert ": the mentor's rating 3 -> 4 (stored by correction.csv, line 2)" in said, said


def test_round_105b_2_a_long_list_is_capped(run, tmp_path):
    days = [date.today() - timedelta(days=n) for n in range(20, 29)]
    rows = [(d, mentor, mentee) for d in days for mentor, mentee in (("m0001", "s0001"), ("m0001", "s0002"),
                                                                       ("m0002", "s0003"))]
    register, fix = tmp_path / "register.csv", tmp_path / "fix.csv"
    register.write_text(HEADER + "".join(f"{d},{a},{b},40,yes,,,\n" for d, a, b in rows), encoding="utf-8")
    fix.write_text("date,mentor,mentee,minutes,attended\n" + "".join(f"{d},{a},{b},41,yes\n" for d, a, b in rows),
                   encoding="utf-8")
    run("import", "meetings", str(register))
    run("import", "meetings", str(fix))
    with register.open("a", encoding="utf-8") as out:
        out.write(f"{D3},m0002,s0003,50,yes,5,great,mentor\n")
    said = run("import", "meetings", str(register))
    listed = [x for x in said.splitlines() if x.startswith("  line ")]
    assert len(listed) == 20 and listed[0].startswith(f"  line 2: {days[0]},"), said
    assert "\n  ... and 7 more" in said


def test_round_105b_3_the_list_footer_says_withheld_covers_no_rating_at_all(run, tmp_path):
    run("meetings", "add", "--date", D1.isoformat(), "--mentor", "m0001", "--mentee", "s0001", "--minutes", "30")
    text = " ".join(run("meetings", "list").split())
    assert "1 meeting(s); 1 of them show the rating as withheld: every meeting the mentor did not rate, whether the mentee rated it" in text, text
    assert "or nobody rated it; the rating column does not tell these apart" in text
    assert "any rating of" not in text
    helped = " ".join(run("meetings", "list", "--help").split())
    assert '"withheld" stands for a rating by the mentee, one whose side is not known, or no rating at all' in helped
