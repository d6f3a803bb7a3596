"""A file row giving a rating or notes where a withheld rating and notes are stored (tester round 95a, 1, HARM).

Shapes: ``guard_hidden_words(rows, held, own)`` takes the new rows as ``meeting_clash.against_held`` does
(meeting, line, mentor and mentee as typed), the stored records of their (date, mentor, mentee) with the origins
of their words (``StoredMeeting.words_origin``: the row that gave the rating, notes and side, not a later one that
kept them), and ``own(origin)``: whether such an origin is the importing file's own. It returns
``(problems, kept)``: a problem ``(line, field, message)`` per refused row, and the lines whose rating, notes and
side are to be taken from the stored record (``keep_hidden_words``) instead of the file's.

The rule. The store keys a meeting by (date, mentor, mentee, source), so every imported file shares one record
(source ``csv``). A mentee's rating of a meeting, and one whose side is not known, is withheld from every view
(``meetings list`` shows ``withheld``); yet a row of *another* file claiming the mentee's side was saved over it:
"1 unchanged" when it equalled the hidden rating, "1 updated" otherwise, and the guess replaced it. Now, when the
stored ``csv`` record holds such words (``words_hidden``) and the row gives a rating or notes:

* a row of another file is refused, whatever its values (the file names its line and the field);
* a row of the file's own (the origin of the stored words names a file of this name, or a file with exactly these
  bytes was imported before) is stored with the record's rating, notes and side: the
  file's are never compared with them, so its counts are the same whatever it says, and a renamed copy of a
  guess learns nothing and replaces nothing. To replace such words, remove the stored meeting first. The origin
  is the words', not the record's (tester round 97a, 3): an attendance register without a rating or notes column
  that corrected the minutes wrote the record last, and the mentee's own running register, imported again with a
  row added, was refused as another file over its own words (and a mentor-side row was told they came from it).

A blank cell is no guess, yet it cleared them (tester round 95b follow-up, HARM): a row of any file whose rating and/or
notes column is there but blank (``gives_words`` false) over a stored ``csv`` record of the mentee's side or an
unknown one (``side_hidden``: with words or without, as ``meetings list`` withholds both alike) erased the mentee's
rating and notes, "1 updated" where they existed and "1 unchanged" where not. Such a row now keeps the stored rating,
notes and side too (its line is among the kept ones, whatever the file), so it is counted as it would be were there no
words; only ``lmsync meetings remove`` and a new import clear them. A file with neither column (an attendance
register, a side-only file) is ``meeting_columns.keep_absent_fields``'.

Rows ``against_held`` refuses already (the other side's log, a row with no side) are left to it; rows of other
sources (``meetings add``, the Feedback meeting log) are ``against_held``'s ``guesses_the_words``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from lmsync.domain.meetings import Meeting

Key = tuple[date, int, int]


def gives_words(meeting: Meeting) -> bool:
    """The row gives a rating or notes (a blank cell, or a column the file lacks, is ``None``: no word)."""
    return (meeting.rating, meeting.notes) != (None, None)


def words_hidden(held: Meeting) -> bool:
    """``held`` holds a rating or notes a coordinator's views withhold: the mentee's (said whether they gave any or
    not, as ``meetings list`` withholds both alike), or one of an unknown side. An unknown side's record with none (an
    attendance register's) has nothing to guess: a later file may give them, as before (whether such a record holds
    words is the one thing the answer tells, as clearing them with a blank cell already does)."""
    return held.rated_by == "mentee" or (held.rated_by is None and gives_words(held))


def side_hidden(held: Meeting) -> bool:
    """``held``'s rating and notes, given or not, are withheld from views: the mentee's side, or an unknown one."""
    return held.rated_by in ("mentee", None)


def kept_quietly(new: Meeting, stored: Meeting | None) -> bool:
    """Whether a row ``guard_hidden_words`` keeps the stored words of needs no word said: its rating and notes cells are
    blank, it claims no side, and ``stored`` (the same meeting's record, same source) is of no known side either, so
    the row says nothing that differs from what views show of the record. Decided by the sides alone, never by
    whether ``stored`` holds a rating or notes (views withhold both alike: the answer must not tell them); a
    mentee's record is always said. Tester round 111b, 7: the import's note counted such a row over an attendance
    register's record, with no rating nor notes, as giving words for a withheld meeting."""
    return stored is not None and not gives_words(new) and new.rated_by is None and stored.rated_by is None


def origin_file(origin: str | None) -> str | None:
    """The file of an origin ``meetings.csv:12`` (``meetings.csv``); ``None`` for no origin."""
    return origin.rsplit(":", 1)[0] if origin else None


def hidden_message(held: Meeting, mentor: str, mentee: str, origin: str | None) -> str:
    """Why a row of another file giving a rating or notes is refused: the same words whatever its values."""
    whose = "the mentee's" if held.rated_by == "mentee" else "a rating and notes of an unknown side"
    where = f" (stored from {origin})" if origin else ""
    return (
        f"the meeting of '{mentor}' and '{mentee}' on {held.date.isoformat()} holds {whose}{where}, withheld from "
        "views; this row of another file gives a rating or notes, and lmsync neither compares nor replaces them: "
        "leave rating and notes out of this row, or remove the stored meeting first with `lmsync meetings remove` "
        "to replace it"
    )


def guard_hidden_words(
    rows: Iterable[tuple[Meeting, int, str, str]],
    held: Mapping[Key, Sequence[tuple[Meeting, str | None]]],
    own: Callable[[str | None], bool],
    *,
    refused: Iterable[int] = (),
    words_column: bool = False,
) -> tuple[list[tuple[int, str, str]], set[int]]:
    """The module's rule for each new ``csv`` row not among the ``refused`` lines (``against_held``'s problems);
    ``words_column``: the file has a rating or a notes column, so a row giving neither has blank cells there."""
    problems: list[tuple[int, str, str]] = []
    kept: set[int] = set()
    skip = set(refused)
    for new, line, mentor, mentee in rows:
        if new.source != "csv" or line in skip:
            continue
        records = held.get((new.date, new.mentor_id, new.mentee_id), ())
        if not gives_words(new):  # blank cells clear nothing withheld, whatever the file (the same answer either way)
            if words_column and any(m.source == new.source and side_hidden(m) for m, _o in records):
                kept.add(line)
            continue
        stored = next(((m, o) for m, o in records if m.source == new.source and words_hidden(m)), None)
        if stored is None:
            continue
        if own(stored[1]):
            kept.add(line)
        else:
            field = "rating" if new.rating is not None else "notes"
            problems.append((line, field, hidden_message(stored[0], mentor, mentee, stored[1])))
    return problems, kept


def keep_hidden_words(new: Meeting, stored: Meeting | None, shielded: bool = True) -> Meeting:
    """``new`` with ``stored``'s rating, notes and side (``stored``: the same meeting's record, same source) when
    ``shielded`` (its line is among ``guard_hidden_words``' kept ones); else ``new`` as it is."""
    if stored is None or not shielded:
        return new
    return replace(new, rating=stored.rating, notes=stored.notes, rated_by=stored.rated_by)


def own_file(file_name: str, seen_before: bool) -> Callable[[str | None], bool]:
    """``own`` for a file named ``file_name``: a stored words origin naming a file of that name is its own, and every
    one is when a file with exactly its bytes was imported before (``seen_before``: ``A file imported again changes
    nothing``, whichever file gave the words; a renamed copy of the same bytes is the same file)."""
    return lambda origin: seen_before or origin_file(origin) == file_name


def _added_over_message(held: Meeting, origin: str | None, mentor: str, mentee: str) -> str:
    """Why ``meetings add`` giving a rating or notes over ``held`` (``words_hidden``) is refused: one text whatever the
    options' values; ``origin`` is ``held``'s words origin (``StoredMeeting.words_origin``)."""
    mentees = held.rated_by == "mentee"  # their side, with words or none: the same text (``words_hidden``)
    whose, also = ("the mentee's rating and notes", "if any; ") if mentees else ("a rating and notes of an unknown side", "")
    fix = "remove the stored meeting first with `lmsync meetings remove` to replace them"
    if held.source == "feedback":  # ``meetings remove`` refuses those: the next read would bring them back
        where, fix = "read from the Feedback meeting log", "change or delete that response in Moodle's Feedback"
    elif held.source == "csv" and origin and origin_file(origin) != "csv":
        where = f"given by {origin}"
    else:
        where = "given with `lmsync meetings add`" if held.source == "cli" else "given by an imported meetings file"
    return (
        f"the meeting of '{mentor}' and '{mentee}' on {held.date.isoformat()} holds {whose} ({also}{where}), withheld from "
        f"views; lmsync neither compares nor replaces them: leave --rating and --notes out, or {fix}"
    )


def added_over_hidden(
    new: Meeting, records: Iterable[tuple[Meeting, str | None]], mentor: str, mentee: str
) -> tuple[str, str] | None:
    """``lmsync meetings add``'s rule (tester round 98a, 2, HARM): ``new`` (as parsed, before anything is kept from
    the stored record: a blank ``--rating``/``--notes`` is ``None``, no word) giving a rating or notes where any of
    ``records`` (the stored records of its date, mentor and mentee, every source, ``cli`` included, each with its
    ``StoredMeeting.words_origin``) holds withheld words (``words_hidden``) is refused whatever its values. Returns
    ``(option, message)`` (``rating``, or ``notes`` when only ``--notes`` is given), or ``None``.

    Before, a mentee's rating an earlier ``meetings add`` stored was saved over by the next one claiming the
    mentee's side, its log line ``updated=1`` when the guess differed and ``updated=0`` when it was right, and the
    guess replaced it; the imports refused the same. The message names where the words came from (tester round 98a,
    4: not an attendance register that corrected the minutes later, nor "correct that file" for words no file
    replaces)."""
    if not gives_words(new):
        return None
    stored = next(((m, o) for m, o in records if words_hidden(m)), None)
    if stored is None:
        return None
    return ("rating" if new.rating is not None else "notes"), _added_over_message(stored[0], stored[1], mentor, mentee)


def added_kept_fields(given: Mapping[str, str | None], new: Meeting, before: Meeting | None) -> set[str]:
    """The fields ``meetings add`` keeps from ``before`` (its own stored record of the meeting, or ``None``):
    ``given`` maps ``rating``, ``notes`` and ``rated_by`` to the options as typed (``None``: not given). An option
    not given keeps the stored value, except the side when a rating or notes are given (words without a side are
    nobody's, never the stored side's: tester round 59, 1). A blank ``--rating``/``--notes`` (``new`` gives no
    word) over a record whose words are withheld (``side_hidden``) is as if not given (tester round 98a, 2): it
    erased the mentee's rating, ``updated=1`` where there was one and ``updated=0`` where not."""
    absent = {name for name in ("rating", "notes", "rated_by") if given.get(name) is None}
    if before is not None and side_hidden(before) and not gives_words(new):
        absent |= {"rating", "notes"}
    elif given.get("rating") is not None or given.get("notes") is not None:
        absent.discard("rated_by")
    return absent
