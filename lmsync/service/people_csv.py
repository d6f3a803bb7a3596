"""People from a CSV file, for matching without a Moodle (``lmsync match --people FILE``).

Columns: ``id``, ``role`` (``mentor``, ``peer_mentor``, ``mentee``, or several joined by
``;`` or ``,``), ``capacity`` (empty = the configured default for the role), one column per
configured attribute (``department``, ``interests``, ``year``, ``languages``; the Moodle
profile field's shortname is accepted as the column name too), and optionally
``current_mentor``, ``current_peer``, ``preferences`` (ranked), ``needs``,
``fullname``. Multi-valued cells (role, interests, languages, needs, preferences) are separated by
``;`` or ``,`` (tester finding FIX-C 2: ``"robotics, chess"`` is two interests), the cell quoted,
as spreadsheets write it, when it holds the file's own separator (Excel's ``sep=;`` first line or a
``;`` header, read as the meeting imports read them). A preference must name a mentor or peer mentor
of the file. ``current_mentor``, ``current_peer`` and ``preferences`` name ids of the file in any
case, as lmsync names people everywhere (tester finding FIX-C 3); a reference matching two ids that
differ only in case is refused. A file not in UTF-8 is refused with its line, as the imports do. ``[matching] aliases`` respells
department, interests and languages as on the Moodle path; pins and forbids from the
configuration are added by ``run_match``, not here.

A malformed row stops everything: the error names the file, the line and the field,
because a half-read programme would be matched wrongly without anyone noticing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import cast

from lmsync.config import Config
from lmsync.domain.people import ROLES, People, Person, Role, respell, respell_all, spelling_map, split_values
from lmsync.errors import InputError
from lmsync.service.csv_tables import decode_csv, separator

MULTI = ";"
MULTI_SEPARATORS = re.compile(r"[;,]")  # between the values of a multi-valued cell (tester finding FIX-C 2)
ATTRIBUTES = ("department", "interests", "year", "languages")
OPTIONAL = ("capacity", "current_mentor", "current_peer", "preferences", "needs", "fullname")


def default_capacity(roles: frozenset[str], config: Config) -> int:
    """Capacity when the cell is empty: the mentor default, or the peer default for peers."""
    matching = config.matching
    if "mentor" in roles:
        return matching.default_capacity
    if "peer_mentor" in roles:
        return matching.triad_juniors if matching.structure == "triads" else matching.peer_default_capacity
    return 0


def load_people_csv(path: str | Path, config: Config) -> People:
    path = Path(path)
    try:
        text = decode_csv(path.read_bytes(), str(path))  # line and hint like the imports (tester finding FIX-C 5)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    text, delimiter, skipped = separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise InputError(f"{path}: empty file (expected a header line with id,role,...)")
    columns = _columns(path, header, config)
    position = {column: i for i, column in enumerate(header)}  # a repeated column: the last one counts
    fields = list(columns)
    where = [position.get(columns[name]) for name in fields]  # None: column absent, always empty
    width = len(header)
    persons: list[Person] = []
    current: dict[str, tuple[int, str]] = {}  # mentee -> (line, the id as written)
    current_peers: dict[str, tuple[int, str]] = {}
    seen: dict[str, int] = {}
    spellings = spelling_map(config.matching.aliases)
    # Programmes repeat the same departments, interests and languages: each distinct cell is read once.
    one: dict[str, str | None] = {}
    many: dict[str, frozenset[str]] = {}
    plain: dict[str, frozenset[str]] = {}
    chose: list[tuple[int, tuple[str, ...]]] = []  # (line, preferences), checked once every mentor is known
    for row in reader:
        line = reader.line_num + skipped
        if not row:
            continue  # empty line
        if len(row) > width:
            raise _fail(path, line, "(row)", f"{len(row)} cells, the header has {width}")
        cell = {name: (row[i].strip() if i is not None and i < len(row) else "") for name, i in zip(fields, where, strict=True)}
        if not any(cell.values()):
            continue  # blank line
        person_id = cell["id"]
        if not person_id:
            raise _fail(path, line, "id", "empty")
        if person_id in seen:
            raise _fail(path, line, "id", f"{person_id} already appears on line {seen[person_id]}")
        seen[person_id] = line
        roles = [r.strip() for r in MULTI_SEPARATORS.split(cell["role"]) if r.strip()]
        if not roles:
            raise _fail(path, line, "role", "empty (use mentor, peer_mentor or mentee)")
        for role in roles:
            if role not in ROLES:
                raise _fail(path, line, "role", f"{role!r} is not one of mentor, peer_mentor, mentee")
        capacity = default_capacity(frozenset(roles), config)
        if cell["capacity"]:
            capacity = _integer(cell["capacity"], path, line, "capacity")
            if capacity < 0:
                raise _fail(path, line, "capacity", "must be 0 or more")
        year = _integer(cell["year"], path, line, "year") if cell["year"] else None
        primary = cast(Role, "mentee" if "mentee" in roles else roles[0])
        department, interests, languages, needs = cell["department"], cell["interests"], cell["languages"], cell["needs"]
        if department not in one:
            one[department] = respell(department, spellings)
        for text in (interests, languages):
            if text not in many:
                many[text] = respell_all(split_values(_semicolons(text), MULTI), spellings)
        if needs not in plain:
            plain[needs] = split_values(_semicolons(needs), MULTI)
        persons.append(
            Person(
                id=person_id,
                role=primary,
                also=frozenset(cast(Role, r) for r in roles),
                capacity=capacity,
                department=one[department],
                interests=many[interests],
                year=year,
                languages=many[languages],
                fullname=cell["fullname"] or None,
                preferences=tuple(p.strip() for p in MULTI_SEPARATORS.split(cell["preferences"]) if p.strip()),
                needs=plain[needs],
            )
        )
        if persons[-1].preferences:
            chose.append((line, persons[-1].preferences))
        if cell["current_mentor"]:
            current[person_id] = (line, cell["current_mentor"])
        if cell["current_peer"]:
            current_peers[person_id] = (line, cell["current_peer"])
    folded: dict[str, list[str]] = {}
    for person in persons:
        folded.setdefault(person.id.casefold(), []).append(person.id)
    chose = [(line, tuple(_file_id(path, line, "preferences", p, folded) for p in prefs)) for line, prefs in chose]
    _check_preferences(path, chose, persons)
    choices = dict(zip((p.id for p in persons if p.preferences), (prefs for _, prefs in chose), strict=True))
    persons = [replace(p, preferences=choices[p.id]) if choices.get(p.id, p.preferences) != p.preferences else p for p in persons]
    return People(
        tuple(persons),
        current={k: _file_id(path, line, "current_mentor", v, folded) for k, (line, v) in current.items()},
        current_peers={k: _file_id(path, line, "current_peer", v, folded) for k, (line, v) in current_peers.items()},
    )


def _semicolons(text: str) -> str:
    """A multi-valued cell with ``,`` between values read as with ``;`` (tester finding FIX-C 2)."""
    return text.replace(",", MULTI)


def _file_id(path: Path, line: int, field: str, written: str, folded: dict[str, list[str]]) -> str:
    """The id of the file that ``written`` names in any case (README: people are named in any case;
    tester finding FIX-C 3); as written when no id matches, refused when two ids differ only in case."""
    ids = folded.get(written.casefold(), [])
    if len(ids) > 1:
        raise _fail(path, line, field, f"{written!r} matches {' and '.join(map(repr, ids))}, ids differing only in case")
    return ids[0] if ids else written


def _check_preferences(path: Path, chose: list[tuple[int, tuple[str, ...]]], persons: list[Person]) -> None:
    """A preference naming nobody who mentors is a typo that would silently drop a choice (tester finding)."""
    mentoring = {p.id for p in persons if p.roles & {"mentor", "peer_mentor"}}
    for line, preferences in chose:
        for choice in preferences:
            if choice not in mentoring:
                raise _fail(path, line, "preferences", f"{choice!r} is not the id of a mentor or peer mentor in this file")


def _fail(path: Path, line: int, field: str, message: str) -> InputError:
    """The error for one bad cell: file, line and field, so the admin can fix that row."""
    return InputError(f"{path}:{line}: {field}: {message}")


def _integer(text: str, path: Path, line: int, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _fail(path, line, field, f"{text!r} is not a whole number") from None


def _columns(path: Path, header: list[str], config: Config) -> dict[str, str]:
    """Field name -> header column; unknown columns are errors (a typo would drop data)."""
    attributes = config.matching.attributes
    aliases: dict[str, str] = {"id": "id", "role": "role"}
    for name in OPTIONAL:
        aliases[name] = name
    for name in ATTRIBUTES:
        shortname = getattr(attributes, name)
        if shortname is None:
            continue  # attribute switched off in the configuration: its column is ignored
        aliases[name] = name
        aliases[shortname] = name
    columns: dict[str, str] = {}
    for position, column in enumerate(header, start=1):
        if column in aliases:
            columns[aliases[column]] = column
        elif column in ATTRIBUTES or column == "":
            continue
        else:
            known = ", ".join(sorted(set(aliases)))
            raise InputError(f"{path}:1: column {position} {column!r}: unknown column (known: {known})")
    for required in ("id", "role"):
        if required not in columns:
            raise InputError(f"{path}:1: {required}: missing column")
    for name in (*ATTRIBUTES, *OPTIONAL):
        columns.setdefault(name, f"\0{name}")  # absent: always empty
    return columns
