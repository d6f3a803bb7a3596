"""Tester round 108b, 1 and 3: what erasing one mentee takes from the others.

1 (HARM). Erasing s0002 took s0008's own note ("my own worry about exams", logged with ``meetings add --rated-by
mentee``) off for good, as a "shared copy" (``meeting_notes_shared 1``), because it had the same mentor, day and
text as s0002's; re-adding it was then stripped again. Only the copies of one mentor's Feedback response (stored
on each mentee who was there) are taken off the others; a mentee's own note, a file's row or ``meetings add``'s
stays, and can be given again.

3. Erasing s0002 withheld the report's T1 figure of an instrument s0002 had no answer in during T1: the erasure's
check counted the instrument's answers up to the erasure day as one, so any change withheld every wave begun by
then. Each wave's answers are counted apart now: only the waves the erasure changed are withheld, and an
evaluation comparing two waves when either is.

The tester's setup on the built-in emulator, programme ``mentoring-2026`` starting 2027-01-04.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lmsync.config import load_config
from lmsync.moodle.emulator.state import Site
from lmsync.store import schema
from lmsync.store.db import Store
from tests.flows.test_tester_round_77b_erasure import REPORT_WITHHELD, _at, erase, run, table

TOML = """[programme]
name = "mentoring-2026"
course = "MENTOR-2026"
[store]
path = "store/p3.db"
[waves]
programme_start = 2027-01-04
"""
NOTE = "my own worry about exams"


@pytest.fixture
def home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The emulator's demo site synced on 2027-01-04 under the tester's configuration."""
    (cli_home / "lmsync.toml").write_text(TOML)
    _at(monkeypatch, date(2027, 1, 4), hour=9)
    run(cli_home, "sync")
    return cli_home


def add(home: Path, mentee: str, notes: str, rated_by: str = "mentee", mentor: str = "m0001") -> None:
    run(home, "meetings", "add", "--date", "2027-01-19", "--mentor", mentor, "--mentee", mentee, "--minutes", "30",
        "--rating", "2", "--rated-by", rated_by, "--notes", notes)


def notes_of(home: Path, who: str) -> list[str | None]:
    """The notes stored on ``who``'s meetings (the store read directly: an export leaves out the other side's)."""
    config = load_config(home / "lmsync.toml", environ={})
    site = Site.load(config.emulator_state_path())
    person = next(u.id for u in site.users.values() if u.username == who)
    store = Store(config.store_path())  # through the store: on the PostgreSQL pass it is no SQLite file
    try:
        m = schema.meetings
        return [row.notes for row in store.rows(select(m.c.notes).where(m.c.mentee_id == person)
                                                .order_by(m.c.meeting_date, m.c.id))]
    finally:
        store.close()


def unenrol_and_erase(home: Path, mp: pytest.MonkeyPatch, who: str) -> str:
    _at(mp, date(2027, 1, 21), hour=9)
    run(home, "emulator", "edit", "unenrol", who)
    run(home, "sync")
    return erase(home, who).output


def test_round_108b_1_erasing_a_mentee_leaves_another_mentees_own_note(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's repro: s0002, s0008 and s0020 each logged their own note of the same day with m0001, two of
    them the same words. Erasing s0002 takes nothing from s0008 nor s0020, and says no copy lost a note."""
    _at(monkeypatch, date(2027, 1, 20), hour=9)
    add(home, "s0002", NOTE)
    add(home, "s0008", NOTE)
    add(home, "s0020", "a different note")
    assert notes_of(home, "s0008") == [NOTE]
    erased = unenrol_and_erase(home, monkeypatch, "s0002")
    assert "meeting_notes_shared" in erased and "meeting_notes_shared 0" in " ".join(erased.split()), erased
    assert notes_of(home, "s0008") == [NOTE]
    assert notes_of(home, "s0020") == ["a different note"]


def test_round_108b_1_a_mentors_note_on_one_pair_and_a_files_note_stay_and_can_be_given_again(
    home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A mentor's own note on a one-to-one meeting (``meetings add --rated-by mentor``) and a meetings file's row
    with the erased mentee's words are each one pair's, not copies of one note: they stay, and a note given after
    the erasure with the same words is stored."""
    _at(monkeypatch, date(2027, 1, 20), hour=9)
    add(home, "s0002", "good session", rated_by="mentor")
    add(home, "s0008", "good session", rated_by="mentor")
    sheet = home / "meetings.csv"
    sheet.write_text("date,mentor,mentee,minutes,attended,rating,notes\n"
                     "2027-01-18,m0001,s0002,30,yes,3,mentor was distracted\n"
                     "2027-01-18,m0001,s0020,30,yes,3,mentor was distracted\n")
    run(home, "import", "meetings", str(sheet))
    unenrol_and_erase(home, monkeypatch, "s0002")
    assert notes_of(home, "s0008") == ["good session"]
    assert notes_of(home, "s0020") == ["mentor was distracted"]
    _at(monkeypatch, date(2027, 1, 22), hour=9)
    run(home, "meetings", "add", "--date", "2027-01-19", "--mentor", "m0001", "--mentee", "s0020", "--minutes", "30",
        "--rating", "2", "--rated-by", "mentee", "--notes", "mentor was distracted")
    assert sorted(notes_of(home, "s0020")) == ["mentor was distracted", "mentor was distracted"]


# --- 108b, 3 ----------------------------------------------------------------------------------------------------

WAVES = """[report]
min_cell = 1
[waves.windows]
T1 = { start = 2027-01-04, end = 2027-01-10 }
T2 = { start = 2027-01-11, end = 2027-01-20 }
[instruments.relationship_satisfaction_mentor]
"""
MENTOR_INSTRUMENT = "relationship_satisfaction_mentor"


def test_round_108b_3_an_erasure_withholds_only_the_waves_it_changed(
    cli_home: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Mentors answered about s0008 in T1 and about s0002 and s0008 in T2; s0002 erased: the T2 figure is
    withheld (it held an answer about s0002), T1's is still shown over its answers, and the evaluation T1 -> T2
    is withheld (its later wave is). A late answer dated in T1 before the erasure moves T1 as any answer does: the
    erasure changed nothing of it (tester round 118b, 6: a late answer neither withholds nor puts back a figure)."""
    (cli_home / "lmsync.toml").write_text(TOML.replace("programme_start = 2027-01-04\n", "") + WAVES)
    _at(monkeypatch, date(2027, 1, 4), hour=9)
    run(cli_home, "sync")
    items = ("rs1", "rs2", "rs3", "rs4", "rs5")
    rows = [("m0001", "2027-01-06", "s0008"), ("m0001", "2027-01-14", "s0002"), ("m0001", "2027-01-14", "s0008")]
    sheet = cli_home / "answers.csv"
    sheet.write_text("respondent,date,instrument,item,value,about\n" + "".join(
        f"{who},{day},{MENTOR_INSTRUMENT},{item},4,{about}\n" for who, day, about in rows for item in items))
    _at(monkeypatch, date(2027, 1, 20), hour=9)
    run(cli_home, "import", "surveys", str(sheet))
    unenrol_and_erase(cli_home, monkeypatch, "s0002")
    _at(monkeypatch, date(2027, 1, 25), hour=9)
    run(cli_home, "report", "--out", "rep", "--format", "csv")
    shown = {row[2]: row[3] for row in table(cli_home / "rep", "relationship_satisfaction")[1:]
             if row[0] == MENTOR_INSTRUMENT}
    assert shown == {"T1": "1", "T2": REPORT_WITHHELD}, shown
    evaluation = [row for row in table(cli_home / "rep", "programme_evaluation")[1:] if row[0] == MENTOR_INSTRUMENT]
    assert evaluation and all(row[4] == REPORT_WITHHELD for row in evaluation), evaluation

    late = cli_home / "late.csv"  # a late answer dated in T1, before the erasure: T1 still shown, T2 still withheld
    late.write_text("respondent,date,instrument,item,value,about\n" + "".join(
        f"m0001,2027-01-07,{MENTOR_INSTRUMENT},{item},4,s0020\n" for item in items))
    _at(monkeypatch, date(2027, 1, 26), hour=9)
    run(cli_home, "import", "surveys", str(late))
    run(cli_home, "report", "--out", "rep2", "--format", "csv")
    shown = {row[2]: row[3] for row in table(cli_home / "rep2", "relationship_satisfaction")[1:]
             if row[0] == MENTOR_INSTRUMENT}
    assert shown == {"T1": "1", "T2": REPORT_WITHHELD}, shown
