"""The meetings file may say who logged and rated each meeting (``rated_by`` or ``logged_by``, issue 13)."""

from datetime import date

import pytest

from lmsync.errors import InputError
from lmsync.service.imports import ImportRules, import_meetings_file, meetings_template
from lmsync.store.meetings import MeetingRepository

TODAY = date(2026, 11, 1)
RULES = ImportRules(today=TODAY)  # the import checks dates against this day
OLD = "date,mentor,mentee,minutes,attended,rating,notes\n2026-10-12,m0001,s0001,45,yes,4,\n2026-10-26,m0002,s0003,30,1,5,\n"


def write(tmp_path, text, name="meetings.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sides(store):
    return [(m.mentee_id, m.rated_by) for m in MeetingRepository(store, "p").meetings()]


def test_a_file_without_the_column_is_as_valid_as_ever_and_says_no_side(tmp_path, store, resolve):
    result = import_meetings_file(store, "p", write(tmp_path, OLD), resolve, rules=RULES)
    assert result.counts.added == 2
    assert sides(store) == [(3, None), (5, None)]


def test_rated_by_says_the_side_blank_is_not_known(tmp_path, store, resolve):
    text = (
        "date,mentor,mentee,minutes,attended,rating,rated_by\n"
        "2026-10-12,m0001,s0001,45,yes,4,Mentee\n2026-10-13,m0001,s0002,45,yes,2,mentor\n2026-10-26,m0002,s0003,30,1,5,\n"
    )
    import_meetings_file(store, "p", write(tmp_path, text), resolve, rules=RULES)
    assert sides(store) == [(3, "mentee"), (4, "mentor"), (5, None)]


def test_logged_by_names_the_person_and_the_side_is_derived(tmp_path, store, resolve):
    text = (
        "date,mentor,mentee,minutes,attended,rating,logged_by\n"
        "2026-10-12,m0001,s0001,45,yes,4,s0001\n2026-10-26,m0002,s0003,30,1,5,m0002\n"
    )
    import_meetings_file(store, "p", write(tmp_path, text), resolve, rules=RULES)
    assert sides(store) == [(3, "mentee"), (5, "mentor")]


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("rated_by", "coach", "meetings.csv:2: rated_by: 'coach' is not mentor or mentee (or blank: not known)"),
        ("logged_by", "s0002", "meetings.csv:2: logged_by: 's0002' is neither the mentor nor the mentee of this meeting"),
        ("logged_by", "nobody", "meetings.csv:2: logged_by: 'nobody' matches nobody in the course"),
    ],
)
def test_a_side_that_cannot_be_is_a_row_problem_and_nothing_is_stored(tmp_path, store, resolve, header, value, message):
    text = f"date,mentor,mentee,minutes,attended,{header}\n2026-10-12,m0001,s0001,45,yes,{value}\n"
    with pytest.raises(InputError) as error:
        import_meetings_file(store, "p", write(tmp_path, text), resolve, rules=RULES)
    assert message in str(error.value)
    assert MeetingRepository(store, "p").count() == 0


def test_rated_by_and_logged_by_must_agree(tmp_path, store, resolve):
    text = "date,mentor,mentee,minutes,attended,rated_by,logged_by\n2026-10-12,m0001,s0001,45,yes,mentor,s0001\n"
    with pytest.raises(InputError, match="rated_by: says mentor, but logged_by is the mentee"):
        import_meetings_file(store, "p", write(tmp_path, text), resolve, rules=RULES)


def test_learning_the_side_of_a_meeting_imported_before_updates_it_in_place(tmp_path, store, resolve):
    import_meetings_file(store, "p", write(tmp_path, OLD), resolve, rules=RULES)
    again = import_meetings_file(store, "p", write(tmp_path, OLD, "again.csv"), resolve, rules=RULES)
    assert (again.counts.added, again.counts.updated, again.counts.unchanged) == (0, 0, 2)  # no side: the same rows
    sided = (  # the side alone: another file giving the ratings (withheld: no side) again is refused (tester finding, HARM)
        "date,mentor,mentee,minutes,attended,rated_by\n"
        "2026-10-12,m0001,s0001,45,yes,mentee\n2026-10-26,m0002,s0003,30,1,\n"
    )
    result = import_meetings_file(store, "p", write(tmp_path, sided, "sided.csv"), resolve, rules=RULES)
    assert (result.counts.added, result.counts.updated, result.counts.unchanged) == (0, 1, 1)
    assert sides(store) == [(3, "mentee"), (5, None)]


def test_the_template_shows_both_columns():
    header, row = meetings_template().strip().split("\n")
    fields = dict(zip(header.split(","), row.split(","), strict=True))
    assert (fields["rated_by"], fields["logged_by"]) == ("mentee", "s0001")


def test_round_16_1_the_other_sides_log_of_a_stored_meeting_is_refused_not_swapped_in(tmp_path, store, resolve):
    """The mentee's log (rating 4, notes) was replaced by the mentor's file without a word, and a
    re-import of the mentee's file swapped it back: the second side's row is now a row problem."""
    mentee_side = "date,mentor,mentee,minutes,attended,rating,notes,logged_by\n2026-10-12,m0001,s0001,45,yes,4,Elective,s0001\n"
    mentor_side = (
        "date,mentor,mentee,minutes,attended,rating,notes,logged_by\n"
        "2026-10-13,m0001,s0002,30,yes,5,,m0001\n"
        "2026-10-12,m0001,s0001,45,yes,2,Disengaged,m0001\n"
    )
    import_meetings_file(store, "p", write(tmp_path, mentee_side, "mentee.csv"), resolve, rules=RULES)
    with pytest.raises(InputError) as error:
        import_meetings_file(store, "p", write(tmp_path, mentor_side, "mentor.csv"), resolve, rules=RULES)
    text = str(error.value)
    assert "mentor.csv:3: rated_by:" in text and "stored as logged by the mentee (given by mentee.csv:2)" in text
    assert "`lmsync meetings remove`" in text
    stored = MeetingRepository(store, "p").meetings()
    assert [(m.mentee_id, m.rating, m.notes, m.rated_by) for m in stored] == [(3, 4, "Elective", "mentee")]  # whole file refused
    again = import_meetings_file(store, "p", write(tmp_path, mentee_side, "mentee.csv"), resolve, rules=RULES)
    assert (again.counts.added, again.counts.updated) == (0, 0)


def test_round_16_1_a_row_without_a_side_still_updates_the_stored_meeting(tmp_path, store, resolve):
    sided = "date,mentor,mentee,minutes,attended,rating,rated_by\n2026-10-12,m0001,s0001,45,yes,4,mentee\n"
    corrected = "date,mentor,mentee,minutes,attended\n2026-10-12,m0001,s0001,50,yes\n"
    import_meetings_file(store, "p", write(tmp_path, sided), resolve, rules=RULES)
    result = import_meetings_file(store, "p", write(tmp_path, corrected, "corrected.csv"), resolve, rules=RULES)
    assert result.counts.updated == 1
    [m] = MeetingRepository(store, "p").meetings()
    assert (m.minutes, m.rating, m.rated_by) == (50, 4, "mentee")


def test_round_16_5_a_moodle_id_where_the_person_key_belongs_is_named_as_one(tmp_path, store, resolve):
    text = "date,mentor,mentee,minutes,attended\n2026-10-12,66,s0001,45,yes\n2026-10-12,m0001,s9999,45,yes\n"
    with pytest.raises(InputError) as error:
        import_meetings_file(store, "p", write(tmp_path, text), resolve, rules=RULES)
    message = str(error.value)
    assert "meetings.csv:2: mentor: '66' is a Moodle user id, but [meetings] person_key = \"username\"" in message
    assert "meetings.csv:3: mentee: 's9999' matches nobody in the course" in message


def test_round_18_1_a_file_without_a_side_cannot_replace_a_sides_rating(tmp_path, store, resolve):
    """The mentee's 2 became a 5 they never gave, still credited to them, from a file with a rating column
    and no side: now a row problem; the same file giving no rating (or the same one) still updates minutes."""
    sided = "date,mentor,mentee,minutes,attended,rating,notes,logged_by\n2026-10-12,m0001,s0001,25,yes,2,Rushed,s0001\n"
    import_meetings_file(store, "p", write(tmp_path, sided, "mentee.csv"), resolve, rules=RULES)
    sideless = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,60,yes,5\n"
    with pytest.raises(InputError) as error:
        import_meetings_file(store, "p", write(tmp_path, sideless, "mine.csv"), resolve, rules=RULES)
    assert "mine.csv:2: rating:" in str(error.value) and "holds the mentee's rating and notes" in str(error.value)
    assert "this row gives a rating or notes without saying whose" in str(error.value)  # not "gives others" (round 83, 10)
    [m] = MeetingRepository(store, "p").meetings()
    assert (m.minutes, m.rating, m.notes, m.rated_by) == (25, 2, "Rushed", "mentee")
    # the same rating is refused too: accepted, it told whoever tried 1 to 5 the mentee's rating (round 57, 1)
    same = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,30,yes,2\n"
    with pytest.raises(InputError) as again:
        import_meetings_file(store, "p", write(tmp_path, same, "same.csv"), resolve, rules=RULES)
    assert "same.csv:2: rating:" in str(again.value)
    blank = "date,mentor,mentee,minutes,attended,rating\n2026-10-12,m0001,s0001,30,yes,\n"
    assert import_meetings_file(store, "p", write(tmp_path, blank, "blank.csv"), resolve, rules=RULES).counts.updated == 1
    [m] = MeetingRepository(store, "p").meetings()
    assert (m.minutes, m.rating, m.rated_by) == (30, 2, "mentee")


@pytest.mark.parametrize("source", ["csv", "cli"])
def test_round_57_1_a_withheld_rating_cannot_be_found_by_trying_values(source):
    """A mentee's rating of a meeting is withheld from views; a row (another file, or `meetings add`)
    giving the same rating was "already recorded" and any other refused, so trying 1 to 5 told it.
    Every value gets the same answer; the rating's own side repeating it is still a repeat."""
    from lmsync.domain.meeting_clash import against_held
    from lmsync.domain.meetings import Meeting

    day = date(2026, 10, 12)
    held = {(day, 66, 3): [(Meeting(day, 66, 3, 25, True, "csv", rating=2, notes=None, rated_by="mentee"), "m3.csv:3")]}
    rows = [(Meeting(day, 66, 3, 25, True, source, rating=r), line, "m0001", "s0008") for line, r in enumerate(range(1, 6), 2)]
    problems, repeats = against_held(rows, held)
    assert [line for line, _f, _m in problems] == [2, 3, 4, 5, 6] and not repeats
    assert len({(f, m) for _l, f, m in problems}) == 1, problems  # one answer, whatever the value
    own = [(Meeting(day, 66, 3, 25, True, source, rating=2, rated_by="mentee"), 2, "m0001", "s0008")]
    # the same file again repeats its own row; another source claiming the mentee's side told it (round 60, 1)
    assert (against_held(own, held)[0] == []) == (source == "csv")


def test_round_60_1_a_row_of_another_source_claiming_the_mentees_side_learns_nothing():
    """A file row with rated_by=mentee over a meeting `meetings add` holds with the mentee's rating 4: 4 was
    "1 unchanged", every other value refused, so five tries told the rating `meetings list` withholds."""
    from lmsync.domain.meeting_clash import against_held
    from lmsync.domain.meetings import Meeting

    day = date(2026, 9, 10)
    held = {(day, 66, 10): [(Meeting(day, 66, 10, 35, True, "cli", rating=4, rated_by="mentee"), "cli")]}
    rows = [(Meeting(day, 66, 10, 35, True, "csv", rating=r, rated_by="mentee"), line, "m0001", "s0008")
            for line, r in enumerate(range(1, 6), 2)]
    problems, repeats = against_held(rows, held)
    assert [line for line, _f, _m in problems] == [2, 3, 4, 5, 6] and not repeats
    assert len({(f, m) for _l, f, m in problems}) == 1
    # the mentor's own rating is the coordinator's to see: a row repeating it is still a repeat
    mentor_held = {(day, 66, 10): [(Meeting(day, 66, 10, 35, True, "cli", rating=4, rated_by="mentor"), "cli")]}
    mine = [(Meeting(day, 66, 10, 35, True, "csv", rating=4, rated_by="mentor"), 2, "m0001", "s0008")]
    assert against_held(mine, mentor_held) == ([], {2})
