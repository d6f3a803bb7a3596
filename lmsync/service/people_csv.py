"""People from a CSV file, for matching without a Moodle (``lmsync match --people FILE``).

Columns: ``id``, ``role`` (``mentor``, ``peer_mentor``, ``mentee``, or several joined by
``;``), ``capacity`` (empty = the configured default for the role), one column per
configured attribute (``department``, ``interests``, ``year``, ``languages``; the Moodle
profile field's shortname is accepted as the column name too), and optionally
``current_mentor``, ``current_peer``, ``preferences`` (ranked, ``;``-separated), ``needs``,
``fullname``. Multi-valued cells are separated by ``;``. ``[matching] aliases`` respells
department, interests and languages as on the Moodle path; pins and forbids from the
configuration are added by ``run_match``, not here.

A malformed row stops everything: the error names the file, the line and the field,
because a half-read programme would be matched wrongly without anyone noticing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import cast

from lmsync.config import Config
from lmsync.domain.people import ROLES, People, Person, Role, respell, respell_all, spelling_map, split_values
from lmsync.errors import InputError

MULTI = ";"
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
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InputError(f"{path}: empty file (expected a header line with id,role,...)")
    reader.fieldnames = header
    columns = _columns(path, header, config)
    persons: list[Person] = []
    current: dict[str, str] = {}
    current_peers: dict[str, str] = {}
    seen: dict[str, int] = {}
    spellings = spelling_map(config.matching.aliases)
    for row in reader:
        line = reader.line_num

        def fail(field: str, message: str, line: int = line) -> InputError:
            return InputError(f"{path}:{line}: {field}: {message}")

        if None in row:
            raise fail("(row)", f"{len(header) + len(row[None])} cells, the header has {len(header)}")  # type: ignore[index]
        cell = {name: (row.get(column) or "").strip() for name, column in columns.items()}
        if not any(cell.values()):
            continue  # blank line
        person_id = cell["id"]
        if not person_id:
            raise fail("id", "empty")
        if person_id in seen:
            raise fail("id", f"{person_id} already appears on line {seen[person_id]}")
        seen[person_id] = line
        roles = [r.strip() for r in cell["role"].split(MULTI) if r.strip()]
        if not roles:
            raise fail("role", "empty (use mentor, peer_mentor or mentee)")
        for role in roles:
            if role not in ROLES:
                raise fail("role", f"{role!r} is not one of mentor, peer_mentor, mentee")
        capacity = default_capacity(frozenset(roles), config)
        if cell.get("capacity"):
            capacity = _integer(cell["capacity"], fail, "capacity")
            if capacity < 0:
                raise fail("capacity", "must be 0 or more")
        year = _integer(cell["year"], fail, "year") if cell.get("year") else None
        primary = cast(Role, "mentee" if "mentee" in roles else roles[0])
        persons.append(
            Person(
                id=person_id,
                role=primary,
                also=frozenset(cast(Role, r) for r in roles),
                capacity=capacity,
                department=respell(cell.get("department"), spellings),
                interests=respell_all(split_values(cell.get("interests"), MULTI), spellings),
                year=year,
                languages=respell_all(split_values(cell.get("languages"), MULTI), spellings),
                fullname=cell.get("fullname") or None,
                preferences=tuple(p.strip() for p in cell.get("preferences", "").split(MULTI) if p.strip()),
                needs=split_values(cell.get("needs"), MULTI),
            )
        )
        if cell.get("current_mentor"):
            current[person_id] = cell["current_mentor"]
        if cell.get("current_peer"):
            current_peers[person_id] = cell["current_peer"]
    return People(tuple(persons), current=current, current_peers=current_peers)


def _integer(text: str, fail: object, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise fail(field, f"{text!r} is not a whole number") from None  # type: ignore[operator]


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
