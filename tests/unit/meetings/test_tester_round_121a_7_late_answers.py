"""Tester round 121a, 7: a paper answer imported after its wave closed moved that wave's figures (n 51 to 52) and
so gave that person's answer back to anyone comparing the reports before and after (52 x 3.115 - 51 x 3.078 =
5.0), and the import said nothing. It now warns, naming the wave and how many people's answers (never who),
with the fix (``lmsync.service.late_answers``)."""

from datetime import date

from lmsync.config import Config
from lmsync.domain.waves import Wave
from lmsync.service import meetings as service

from .conftest import PAIRS, PEOPLE

HEADER = "respondent,date,instrument,item,value\n"
T0 = Wave("T0", date(2026, 9, 1), date(2026, 10, 20))
T1 = Wave("T1", date(2026, 11, 1), date(2026, 11, 30))


def rows(respondent, day="2026-10-12", value=4):
    return "".join(f"{respondent},{day},relationship_satisfaction_mentee,rs{i},{value}\n" for i in range(1, 6))


def do_import(store, tmp_path, text, today, name="s.csv"):
    config = Config.model_validate({"programme": {"name": "p"}, "waves": {
        "programme_start": "2026-09-01", "windows": {"T0": {"start": "2026-09-01", "end": "2026-10-20"}}}})
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return service.import_surveys(config, path, people=PEOPLE, pairs=PAIRS, store=store, today=today)


def test_round_121a_7_an_answer_imported_after_its_wave_closed_is_said_with_the_wave_and_the_fix(store, tmp_path):
    _, on_time = do_import(store, tmp_path, rows("s0001"), date(2026, 10, 20))  # the last day: still open
    assert on_time.late is None
    _, late = do_import(store, tmp_path, rows("s0002", value=2), date(2026, 10, 27), name="late.csv")
    assert late.late is not None
    assert "T0 (closed 2026-10-20): 1" in late.late
    assert "could learn those answers" in late.late and "before a wave's window closes" in late.late
    assert "s0002" not in late.late  # counts, never who


def test_round_121a_7_an_import_that_moves_no_closed_wave_says_nothing_more(store, tmp_path):
    do_import(store, tmp_path, rows("s0001"), date(2026, 10, 15))
    _, again = do_import(store, tmp_path, rows("s0001"), date(2026, 10, 27), name="again.csv")  # unchanged
    assert again.late is None


def test_round_121a_7_late_by_wave_counts_people_per_closed_wave_only():
    from lmsync.service.late_answers import Moved, Scores, late_by_wave, late_note

    before = Scores({("i", "T0", 1): 3.0, ("i", "T0", 2): 4.0})
    after = Scores({("i", "T0", 1): 3.0, ("i", "T0", 2): 5.0, ("i", "T0", 3): 1.0, ("j", "T0", 3): 2.0,
                    ("i", "T1", 4): 2.0})
    late = late_by_wave(before, after, [T0, T1], date(2026, 11, 5))
    # a wave whose sittings are not recorded yet (tester round 128: recorded as the command ends)
    assert late == {"T0": Moved(moved=2)}  # people 2 (changed) and 3 (new, on two instruments); T1 is still open
    assert late_by_wave(before, after, [T0, T1], date(2026, 10, 20)) == {}  # T0's last day: not closed yet
    assert late_by_wave(before, after, [T0, T1], date(2026, 11, 5), days=[date(2026, 11, 2)]) == {}
    note = late_note(late, [T0, T1])
    assert note is not None and note.startswith("warning: ") and "T0 (closed 2026-10-20): 2" in note
