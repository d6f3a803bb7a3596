"""What a meetings file's columns say about a meeting it re-imports (tester finding, data loss).

Re-importing an attendance register (``date,mentor,mentee,minutes,attended``) over a full
meetings file used to erase the mentee's rating, the notes and the side that rated: the row was
rewritten with ``None`` for every column the register does not have. Now:

* a column the file does **not** have says nothing about its field: a meeting stored before
  under the same natural key (date, mentor, mentee, source) keeps that field as stored;
* a column that **is** there with an empty cell means what it always meant: no rating, no
  notes, side not known, and so clears the stored value; except that a row which does not say
  whose log it is cannot clear one side's rating and notes (``keep_sided_words``: tester round
  48, 2), as it cannot replace them (``meeting_clash.sideless_message``);
* minutes and attendance are required columns: they always come from the file.

The Feedback meeting log is not a file: it is re-read whole every run and stores what it reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

from lmsync.domain.meetings import Meeting

#: The meeting field each optional column gives (``logged_by`` gives the side, as ``rated_by`` does).
OPTIONAL_COLUMN_FIELDS: dict[str, str] = {
    "rating": "rating",
    "notes": "notes",
    "rated_by": "rated_by",
    "logged_by": "rated_by",
}


def fields_not_given(columns: Iterable[str]) -> frozenset[str]:
    """The meeting fields (``rating``, ``notes``, ``rated_by``) that none of a file's ``columns`` gives."""
    given = {OPTIONAL_COLUMN_FIELDS[c] for c in columns if c in OPTIONAL_COLUMN_FIELDS}
    return frozenset(OPTIONAL_COLUMN_FIELDS.values()) - given


def keep_absent_fields(new: Meeting, stored: Meeting | None, absent: Collection[str]) -> Meeting:
    """``new`` with its ``absent`` fields (``fields_not_given``) taken from ``stored``, the record of
    the same meeting (same natural key, so the same source) stored before; ``None``: nothing to keep."""
    if stored is None or not absent:
        return new
    if stored.natural_key != new.natural_key:
        raise ValueError(f"{stored.natural_key} is not the meeting {new.natural_key}")
    return replace(
        new,
        rating=stored.rating if "rating" in absent else new.rating,
        notes=stored.notes if "notes" in absent else new.notes,
        rated_by=stored.rated_by if "rated_by" in absent else new.rated_by,
    )


def keep_sided_words(new: Meeting, stored: Meeting | None) -> Meeting:
    """``new``, a row that says no side (``rated_by`` None), keeping the rating, notes and side of
    ``stored`` (the same meeting from the same source) when one side gave them: its blank rating
    cell erased a mentee's rating in silence, while a row giving another rating without a side was
    refused (tester round 48, 2). Its non-blank words are ``stored``'s own (checked before)."""
    if stored is None or new.rated_by is not None or stored.rated_by is None:
        return new
    return replace(new, rating=stored.rating, notes=stored.notes, rated_by=stored.rated_by)


def words_kept(new: Meeting, stored: Meeting | None, absent: Collection[str], shielded: bool = False) -> bool:
    """Whether the record saved for file row ``new`` holds ``stored``'s rating, notes and side (kept, not given by
    the row): the row is ``shielded`` (``hidden_words.keep_hidden_words``), says no side where ``stored`` has one
    (``keep_sided_words``), or its file has neither a rating nor a notes column (``absent``, ``fields_not_given``:
    an attendance register, a side-only file). Decided by the columns and sides alone, never by the values.
    ``stored`` ``None``: nothing kept. Such a record keeps the origin of its words (tester round 97a, 3: an
    attendance register that corrected the minutes was taken for their origin, and the mentee's own register,
    imported again, was refused as another file over them)."""
    if stored is None:
        return False
    return shielded or (new.rated_by is None and stored.rated_by is not None) or {"rating", "notes"} <= set(absent)
