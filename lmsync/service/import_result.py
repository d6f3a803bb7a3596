"""What one stored import file came to (``imports.import_meetings_file``, ``imports.import_surveys_file``).

A file has two names (tester round 122c, 2): ``file_name``, its base name, is its identity (the store's import log
and each row's ``FILE:LINE`` origin: a file imported again, "an earlier file named reg1.csv"), and ``shown``, the
path as given on the command line (``oct/register.csv``), is how what is said about it names it: coordinators keep
each month's export in its own folder under the same name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lmsync.service.import_replaced import ReplacedRow
from lmsync.store.meetings import SaveCounts


@dataclass(frozen=True)
class ImportResult:
    """One stored file: its kind (``meetings`` | ``surveys``), names, row counts and the notes' rows (``FILE:LINE``)."""

    kind: str
    file_name: str  # the file's base name: its identity in the store (``ImportLog``, the rows' origins)
    rows: int
    counts: SaveCounts
    seen_before: bool  # a file with the same bytes was imported earlier
    date_order: str | None = None  # how slash dates were read, said to the user ("day first ...")
    days: tuple[date, ...] = ()  # surveys: each row's date (the summary says which fall in no wave)
    longer_than: tuple[int, int] | None = None  # meetings: (rows over [meetings] max_minutes, that maximum)
    outside_pair: tuple[int, date, str] | None = None  # meetings: (rows dated when their pair did not exist, the
    # first such date, how: ``pair_dates.not_a_pair_on``): kept, but said (tester rounds 21, 12; 57, 6; 58, 5)
    outside_rows: tuple[str, ...] = ()  # those rows' places, FILE:LINE, the first ten (tester round 67, 5)
    longer_rows: tuple[str, ...] = ()  # the places of the rows ``longer_than`` counts, the first ten (round 112b, 5)
    withheld_rows: tuple[str, ...] = ()  # places of the rows ``counts.withheld`` counts, the first ten (round 112b, 5)
    first_imported: str | None = None  # when a file with the same bytes was first imported (an instant as stored)
    not_in_file: tuple[str, ...] = ()  # meetings: stored rows of an earlier file of this name not in it (round 85b, 3)
    words_kept: int = 0  # meetings: rows whose rating and notes were a withheld record's, kept (``hidden_words``)
    words_kept_at: tuple[str, ...] = ()  # those rows' places, FILE:LINE (tester round 111b, 7)
    replaced: tuple[ReplacedRow, ...] = ()  # meetings: rows replacing another file's values, named (round 105b, 2)
    shown: str = ""  # the path as given (``oct/register.csv``), how notes name the file; empty: ``file_name``

    @property
    def said_name(self) -> str:
        """The file as what is said names it: the path as given, else its base name (tester round 122c, 2)."""
        return self.shown or self.file_name

    def said_places(self, places: Iterable[str]) -> list[str]:
        """This file's rows' places (``FILE:LINE`` origins, by base name) as said: ``oct/register.csv:2``."""
        mine = f"{self.file_name}:"
        return [f"{self.said_name}:{p[len(mine):]}" if p.startswith(mine) else p for p in places]
