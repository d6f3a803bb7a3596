"""The two click groups, driven with a people list instead of Moodle."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from lmsync.config import Config
from lmsync.service import meetings as service
from lmsync.store.db import Store

from .conftest import PAIRS, PEOPLE, Obj


@pytest.fixture
def run(tmp_path, monkeypatch):
    from lmsync.cli.meetings import command, import_command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    config = Config.model_validate({"store": {"path": str(tmp_path / "p.db")}})

    def invoke(group, *args):
        # the programme's store, as a first sync makes it: an import, `meetings add` and `meetings remove` need one
        Store(tmp_path / "p.db").close()  # (tester rounds 94a, 4; 98a, 1 and 7)
        return CliRunner().invoke(
            {"meetings": command, "import": import_command}[group], list(args), obj=Obj(config)
        )

    return invoke


def test_add_then_list(run):
    day = (date.today() - timedelta(days=3)).isoformat()
    result = run(
        "meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001", "--minutes", "30"
    )
    assert result.exit_code == 0, result.output
    assert f"added: {day} mentor m0001, mentee s0001" in result.output  # usernames (issue 11)
    listing = run("meetings", "list", "--person", "s0001")
    assert day in listing.output and "1 meeting(s)" in listing.output
    assert "no meetings stored" in run("meetings", "list", "--person", "4").output


def test_import_meetings_twice(run, tmp_path):
    path = tmp_path / "m.csv"
    day = date.today().replace(day=1).isoformat()
    path.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,30,yes\n", encoding="utf-8")
    first = run("import", "meetings", str(path))
    second = run("import", "meetings", str(path))
    assert "1 added" in first.output
    assert "0 added, 0 updated, 1 unchanged (a file with exactly these contents was imported before)" in second.output


def test_round_16_3_a_meeting_longer_than_max_minutes_is_stored_with_a_warning(run, tmp_path):
    path = tmp_path / "m.csv"
    day = date.today().replace(day=1).isoformat()
    path.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,1440,yes\n", encoding="utf-8")
    result = run("import", "meetings", str(path))
    assert result.exit_code == 0 and "1 added" in result.output
    assert "warning: 1 meeting(s) longer than [meetings] max_minutes (240)" in result.output
    fine = tmp_path / "fine.csv"
    fine.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0002,s0003,240,yes\n", encoding="utf-8")
    assert "warning" not in run("import", "meetings", str(fine)).output


def test_round_16_1_a_file_imported_before_whose_rows_were_changed_since_says_so(run, tmp_path):
    """Round 16, 1 stored such rows again and said so; round 83, 1 keeps them as stored (a later correction wins),
    and says that."""
    path = tmp_path / "m.csv"
    day = date.today().replace(day=1).isoformat()
    path.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,30,yes\n", encoding="utf-8")
    run("import", "meetings", str(path))
    changed = tmp_path / "changed.csv"
    changed.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,45,yes\n", encoding="utf-8")
    assert "1 updated" in run("import", "meetings", str(changed)).output
    again = run("import", "meetings", str(path))
    assert "0 updated" in again.output and "1 kept as stored" in again.output and "they are kept as stored" in again.output
    removed = run("meetings", "remove", "--date", day, "--mentor", "m0001", "--mentee", "s0001", "--yes")
    assert removed.exit_code == 0, removed.output
    back = run("import", "meetings", str(path))  # a row removed since comes back, and that is said (round 16, 2)
    assert "1 added" in back.output and "the rows that differ from what is stored now were stored again" in back.output


def test_import_error_is_reported_not_raised(run, tmp_path):
    from lmsync.errors import InputError

    path = tmp_path / "m.csv"
    path.write_text("date,mentor,mentee,minutes,attended\n2026-10-12,m0001,s0001,xx,yes\n", encoding="utf-8")
    result = run("import", "meetings", str(path))
    assert isinstance(result.exception, InputError)  # the root group turns it into exit code 2
    assert "m.csv:2: minutes" in str(result.exception)


def test_tester_finding_fix_c_1_meetings_add_refuses_people_who_were_never_a_pair(run):
    """``meetings add`` applies the import's rule: m0002 and s0001 were never a pair (PAIRS), so nothing is stored."""
    day = (date.today() - timedelta(days=3)).isoformat()
    refused = run("meetings", "add", "--date", day, "--mentor", "m0002", "--mentee", "s0001", "--minutes", "40")
    assert refused.exit_code != 0 and "added" not in refused.output
    assert "--mentee: mentor 'm0002' and mentee 's0001' were never a mentoring pair" in str(refused.exception)
    swapped = run("meetings", "add", "--date", day, "--mentor", "s0001", "--mentee", "m0001", "--minutes", "40")
    assert "look swapped" in str(swapped.exception)
    # refused before storing anything (tester round 82, 6): the store holds no meeting
    assert "no meetings stored" in run("meetings", "list").output
    assert run("meetings", "add", "--date", day, "--mentor", "m0002", "--mentee", "s0003", "--minutes", "40").exit_code == 0
    assert "no meetings stored" not in run("meetings", "list").output


def test_tester_finding_fix_c_7_help_names_optional_columns_and_what_erase_deletes():
    from lmsync.cli import main

    meetings = CliRunner().invoke(main, ["import", "meetings", "--help"])
    assert meetings.exit_code == 0 and "rated_by" in meetings.output and "logged_by" in meetings.output
    erase = " ".join(CliRunner().invoke(main, ["person", "erase", "--help"]).output.split())
    assert all(what in erase for what in ("health snapshots", "queue items", "nudges"))


def test_third_tester_meetings_add_correction_keeps_the_stored_rating_and_notes(run, tmp_path):
    """Correcting the minutes of a meeting added with a rating and notes, without --rating and
    --notes, keeps them (as a register re-import does); giving them replaces them."""
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository

    day = (date.today() - timedelta(days=3)).isoformat()
    base = ("meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001")
    # the mentor's side: an unknown side's words are withheld, and `--rating` over them refused (tester round 98a, 2)
    assert run(*base, "--minutes", "30", "--rating", "2", "--notes", "short again", "--rated-by", "mentor").exit_code == 0
    corrected = run(*base, "--minutes", "45")
    assert corrected.exit_code == 0, corrected.output

    def stored():
        store = Store(tmp_path / "p.db")
        try:
            (m,) = MeetingRepository(store, Config().programme.name).meetings()
            return m.minutes, m.rating, m.notes
        finally:
            store.close()

    assert stored() == (45, 2, "short again")
    assert run(*base, "--minutes", "45", "--rating", "4", "--rated-by", "mentor").exit_code == 0
    assert stored() == (45, 4, "short again")


def test_fourth_tester_meetings_add_correction_keeps_a_recorded_absence(run, tmp_path):
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository

    day = (date.today() - timedelta(days=3)).isoformat()
    base = ("meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001")

    def attended():
        store = Store(tmp_path / "p.db")
        try:
            (m,) = MeetingRepository(store, Config().programme.name).meetings()
            return m.attended
        finally:
            store.close()

    assert run(*base, "--minutes", "0", "--absent").exit_code == 0
    assert run(*base, "--minutes", "5").exit_code == 0  # a correction naming neither keeps the absence
    assert attended() is False
    assert run(*base, "--minutes", "5", "--attended").exit_code == 0
    assert attended() is True


def test_third_tester_import_surveys_says_what_the_programme_holds_and_what_is_complete(tmp_path, monkeypatch):
    from lmsync.cli.meetings import import_command

    monkeypatch.setattr(service, "roster_people", lambda _config: PEOPLE)
    monkeypatch.setattr(service, "moodle_pairs", lambda _config: PAIRS)
    day = date.today() - timedelta(days=3)
    Store(tmp_path / "p.db").close()  # the programme's store: an import into none is refused (94a, 4)
    config = Config.model_validate({
        "store": {"path": str(tmp_path / "p.db")},
        "waves": {"windows": {"T0": {"start": (day - timedelta(days=5)).isoformat(), "end": day.isoformat()}}},
    })
    path = tmp_path / "s.csv"
    path.write_text(f"respondent,date,instrument,item,value\ns0001,{day},general_self_efficacy,gse1,4\n", encoding="utf-8")
    result = CliRunner().invoke(import_command, ["surveys", str(path)], obj=Obj(config))
    assert result.exit_code == 0, result.output
    assert "the programme now holds 1 wave score(s), 0 complete" in result.output  # one item of ten: no total


def test_tester_round_5_5_meetings_add_records_who_gave_the_rating(run, tmp_path):
    """``meetings add`` had no way to say who rated: every hand-added rating had no side (and, since
    round 5, goes in neither export). ``--rated-by`` records it; a correction without it keeps it."""
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository

    day = (date.today() - timedelta(days=3)).isoformat()
    args = ("meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001", "--minutes", "30")
    assert run(*args, "--rating", "4", "--notes", "fine", "--rated-by", "mentee").exit_code == 0
    assert run(*args, "--minutes", "35").exit_code == 0  # a correction: the side stays
    assert run(*args, "--rated-by", "someone").exit_code != 0
    store = Store(tmp_path / "p.db")
    try:
        (meeting,) = MeetingRepository(store, Config().programme.name).meetings()
    finally:
        store.close()
    assert (meeting.minutes, meeting.rating, meeting.rated_by) == (35, 4, "mentee")


def test_round_59_1_meetings_add_neither_tells_nor_takes_over_a_mentees_rating(run, tmp_path):
    """Over a meeting the mentee rated 2, `meetings add --rating 2` said "already recorded" and every other value
    "updated", storing the coordinator's number as the mentee's own. Without a side it is refused whatever the
    value; given as the mentee's, each value reads the same: refused too, as they would replace the withheld
    rating (tester round 98a, 2)."""
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository

    day = (date.today() - timedelta(days=3)).isoformat()
    base = ("meetings", "add", "--date", day, "--mentor", "m0001", "--mentee", "s0001", "--minutes", "30")
    assert run(*base, "--rating", "2", "--rated-by", "mentee").exit_code == 0
    sideless = [run(*base, "--rating", str(r)) for r in (1, 2, 3)]
    assert {(r.exit_code, r.output.replace(day, "D")) for r in sideless} == {(sideless[0].exit_code, sideless[0].output.replace(day, "D"))}
    assert sideless[0].exit_code != 0
    store = Store(tmp_path / "p.db")
    try:
        (m,) = MeetingRepository(store, Config().programme.name).meetings()
        assert (m.rating, m.rated_by) == (2, "mentee")  # not taken over
    finally:
        store.close()
    said = [run(*base, "--rating", str(r), "--rated-by", "mentee") for r in (2, 3)]
    assert {(r.exit_code, str(r.exception)) for r in said} == {(said[0].exit_code, str(said[0].exception))}
    assert said[0].exit_code != 0 and "withheld" in str(said[0].exception)


def test_round_83_1_a_file_imported_again_does_not_undo_a_later_correction(run, tmp_path):
    """Tester round 83, 1: importing an old file again put back 45 minutes over a later file's 55 and a cleared
    rating, "1 updated", without a word. Rows changed after the file's first import are kept as stored and said;
    the same rows in a new file are applied (that is how an admin means them)."""
    day = date.today().replace(day=1).isoformat()
    old, fix = tmp_path / "old.csv", tmp_path / "fix.csv"
    old.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,45,yes\n{day},m0002,s0003,30,yes\n",
                   encoding="utf-8")
    fix.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,55,yes\n", encoding="utf-8")
    assert "2 added" in run("import", "meetings", str(old)).output
    assert "1 updated" in run("import", "meetings", str(fix)).output
    again = run("import", "meetings", str(old))
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 1 unchanged, 1 kept as stored (a file with exactly these contents was imported before)" in again.output
    assert "1 row(s) of this file changed after it was first imported" in " ".join(again.output.split())
    assert ",55," in run("meetings", "list", "--person", "s0001", "--format", "csv").output
    anew = tmp_path / "anew.csv"
    anew.write_bytes(old.read_bytes() + b"\n")  # the same rows, other bytes: a new file
    assert "1 updated" in run("import", "meetings", str(anew)).output
    assert ",45," in run("meetings", "list", "--person", "s0001", "--format", "csv").output


def test_round_84_3_a_new_file_that_replaces_another_files_values_says_so(run, tmp_path):
    """Tester round 84, 3: a renamed, one-byte-edited copy of an old file put the old values back over a later file's
    corrections, "3 updated", without a word. Applied (a new file is applied), and said."""
    day = date.today().replace(day=1).isoformat()
    old, fix, copy = tmp_path / "A.csv", tmp_path / "B.csv", tmp_path / "A2.csv"
    old.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,45,yes\n{day},m0002,s0003,30,yes\n",
                   encoding="utf-8")
    fix.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,55,yes\n", encoding="utf-8")
    copy.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,45,yes\n{day},m0002,s0003,31,yes\n",
                    encoding="utf-8")
    run("import", "meetings", str(old))
    run("import", "meetings", str(fix))
    applied = run("import", "meetings", str(copy))
    said = " ".join(applied.output.split())
    assert "2 rows, 0 added, 2 updated" in said, applied.output
    assert "note: 2 of the updated row(s) replaced values another file (or `lmsync meetings add`) had stored" in said
    assert ",45," in run("meetings", "list", "--person", "s0001", "--format", "csv").output  # applied all the same
    edited = tmp_path / "A2.csv"  # the same file corrected in place: its own values, nothing to say
    edited.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0001,s0001,45,yes\n{day},m0002,s0003,32,yes\n",
                      encoding="utf-8")
    again = run("import", "meetings", str(edited))
    assert "1 updated" in again.output and "replaced values" not in again.output, again.output
    one = tmp_path / "one.csv"
    one.write_text(f"date,mentor,mentee,minutes,attended\n{day},m0002,s0003,33,yes\n", encoding="utf-8")
    assert "one.csv: 1 row, " in run("import", "meetings", str(one)).output  # not "1 rows" (round 84, 10)


def test_round_85b_3_a_corrected_copy_without_a_row_says_that_row_stays_stored(run, tmp_path):
    """A coordinator deleted a wrong row from the file and imported it again under its name: "1 updated,
    6 unchanged", and the deleted row stayed stored, counted by grades and health, without a word."""
    day = date.today().replace(day=1).isoformat()
    head = "date,mentor,mentee,minutes,attended\n"
    first = tmp_path / "week2.csv"
    first.write_text(head + f"{day},m0001,s0001,30,yes\n{day},m0002,s0003,20,yes\n", encoding="utf-8")
    assert "2 added" in run("import", "meetings", str(first)).output
    corrected = tmp_path / "fixed" / "week2.csv"
    corrected.parent.mkdir()
    corrected.write_text(head + f"{day},m0001,s0001,35,yes\n", encoding="utf-8")
    result = run("import", "meetings", str(corrected))
    assert result.exit_code == 0 and "1 updated" in result.output, result.output
    assert ("note: 1 meeting(s) an earlier file named week2.csv stored are not in this one (week2.csv:3): they stay "
            "stored") in result.output and "`lmsync meetings remove`" in result.output
    other = tmp_path / "week3.csv"  # another file's rows are not its own
    other.write_text(head + f"{day},m0001,s0001,35,yes\n", encoding="utf-8")
    assert "note:" not in run("import", "meetings", str(other)).output
