"""People from a CSV file, for matching without a Moodle (``lmsync match --people FILE``).

Columns: ``id``, ``role`` (``mentor``, ``peer_mentor``, ``mentee``, or several joined by
``;`` or ``,``), ``capacity`` (empty = the configured default for the role, never fewer than the mentees whose
``current_mentor`` or ``current_peer`` names them: ``lmsync.domain.held_capacity``), one column per
configured attribute (``department``, ``interests``, ``year``, ``languages``; the Moodle
profile field's shortname is accepted as the column name too), and optionally
``current_mentor``, ``current_peer`` (one id each: ``lmsync.service.people_csv_ids``), ``preferences`` (ranked),
``needs``, ``fullname``. Multi-valued cells (role, interests, languages, needs, preferences) are separated by
``;`` or ``,`` (tester finding FIX-C 2: ``"robotics, chess"`` is two interests), the cell quoted,
as spreadsheets write it, when it holds the file's own separator (Excel's ``sep=;`` first line or a
``;`` header, read as the meeting imports read them). A preference must name a mentor or peer mentor
of the file. ``current_mentor``, ``current_peer`` and ``preferences`` name ids of the file in any
case, as lmsync names people everywhere (tester finding FIX-C 3); a reference matching two ids that
differ only in case is refused. A file not in UTF-8 is refused with its line, as the imports do. ``[matching] aliases`` respells
department, interests and languages as on the Moodle path; pins and forbids from the
configuration are added by ``run_match``, not here.

A malformed row stops everything: nothing of the file is matched, and the one error lists every
row problem (file, line and field; the first 25, as the imports list theirs), because a half-read
programme would be matched wrongly without anyone noticing and a file fixed one error per run
costs an admin a run per row (tester round 11, left from stop 24).
"""

from __future__ import annotations

import _csv
import csv
import io
import operator
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from difflib import get_close_matches
from pathlib import Path
from typing import TypeVar, cast

from lmsync.config import Config
from lmsync.domain.held_capacity import at_least_held, held_counts
from lmsync.domain.people import (
    PLACEHOLDERS,
    ROLES,
    People,
    Person,
    PersonWarning,
    Role,
    id_key,
    normal_also,
    normal_department,
    normal_preferences,
    normalise,
    respell,
    shared,
    spelling_map,
    split_values,
    tokens,
)
from lmsync.domain.profile_text import plain_text
from lmsync.errors import InputError
from lmsync.service import people_csv_numbers as numbers
from lmsync.service.csv_tables import ImportIssue, csv_problem, decode_csv, failed_import, separator
from lmsync.service.people_csv_ids import id_problem, mentor_problem
from lmsync.service.people_csv_numbers import BadCell
from lmsync.service.people_csv_preferences import preference_notices

T = TypeVar("T")
MULTI = ";"
MULTI_SEPARATORS = re.compile(r"[;,]")  # between the values of a multi-valued cell (tester finding FIX-C 2)
ATTRIBUTES = ("department", "interests", "year", "languages")
OPTIONAL = ("capacity", "current_mentor", "current_peer", "preferences", "needs", "fullname")
#: The fields of a row in the order ``load_people_csv`` unpacks them.
FIELDS = ("id", "role", "capacity", "department", "interests", "year", "languages", "current_mentor", "current_peer",
          "preferences", "needs", "fullname")


def default_capacity(roles: frozenset[str], config: Config) -> int:
    """Capacity when the cell is empty: the mentor default, or the peer default for peers."""
    matching = config.matching
    if "mentor" in roles:
        return matching.default_capacity
    if "peer_mentor" in roles:
        return matching.triad_juniors if matching.structure == "triads" else matching.peer_default_capacity
    return 0


def load_people_csv(path: str | Path, config: Config, notices: list[PersonWarning] | None = None) -> People:
    """The people of a ``--people`` CSV. Raises ``InputError`` naming file, line and field for every
    bad row (nothing is used). ``notices``, when given, receives what the file says that matching
    leaves aside (tester round 43, 12: both were silent): a capacity on a mentee-only row
    (``capacity_ignored``), a peer mentor without a year, whom the year gap then rules out
    (``year_missing``), a preference of a mentor with capacity 0 or of the row itself
    (``people_csv_preferences``), each naming its line."""
    path = Path(path)
    try:
        text = decode_csv(path.read_bytes(), str(path))  # line and hint like the imports (tester finding FIX-C 5)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    text, delimiter, skipped = separator(text)
    # strict: a quote left open to the end of the file is an error, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise _fail(path, 1 + skipped, "(header)", csv_problem(exc)) from None
    if not header:
        raise InputError(f"{path}: empty file (expected a header line with id,role,...)")
    columns = _columns(path, header, config)
    position = {column: i for i, column in enumerate(header)}  # a field's one column (_columns refuses two)
    width = len(header)
    # Every row is padded with empty cells so that an absent column reads the padding (always empty).
    pick = operator.itemgetter(*(position.get(columns[name], width) for name in FIELDS))
    padding = [""] * (width + 1)
    persons: list[Person] = []
    current: dict[str, tuple[int, str]] = {}  # mentee -> (line, the id as written)
    current_peers: dict[str, tuple[int, str]] = {}
    seen: dict[str, tuple[int, str]] = {}  # casefolded id -> (line, id as written)
    blank: set[str] = set()  # ids whose capacity cell is empty
    spellings = spelling_map(config.matching.aliases)
    words = _Cells(lambda part: _word(part, spellings))  # one value of a multi-valued cell
    # Programmes repeat the same roles, departments, interests and languages: each distinct cell is read once.
    roles_of = _Cells(lambda text: _roles(text, config))
    capacity_of, year_of = _Cells(numbers.capacity), _Cells(numbers.year)  # as the sync reads them (round 120c, 6)
    department_of = _Cells(lambda text: normal_department(respell(text, spellings)))
    values_of = _Cells(lambda text: _values(text, words))
    needs_of = _Cells(lambda text: tokens(split_values(_semicolons(text), MULTI)))  # needs are not respelt
    chose: list[tuple[int, tuple[str, ...]]] = []  # (line, preferences), checked once every mentor is known
    refused_chose: list[tuple[int, tuple[str, ...]]] = []  # ... of rows refused for a cell: checked for ids only
    problems: list[ImportIssue] = []  # every row's, raised together once the file is read
    short: list[tuple[int, int]] = []  # (line, cells) of rows with fewer cells than the header
    for line, row in _rows(path, reader, skipped, problems):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            # the advice in words: quoted characters read as a cell's value, masked in JSON logs (tester round 40b, 8)
            separator_name = {",": "a comma", ";": "a semicolon", "\t": "a tab"}.get(delimiter, "the separator")
            problems.append(ImportIssue(line, "(row)", f"{len(row)} cells, the header has {width} (a cell that holds "
                                        f"{separator_name}, such as several interests, must be in double quotes)"))
            continue
        other = next((sep for sep in (";", "\t", ",") if sep != delimiter and len(row) == 1 and sep in row[0]), None)
        if other is not None and width > 1:  # read as one cell, it said "role: empty" (tester round 53, 9)
            names = {",": "commas", ";": "semicolons", "\t": "tabs"}
            problems.append(ImportIssue(line, "(row)", f"one cell holding {names[other]}: this row is separated by "
                                        f"{names[other]}, the header by {names.get(delimiter, repr(delimiter))}"))
            continue
        row = row[:width]  # empty cells past the header, as spreadsheets save them (tester round 15, 7)
        raw = pick(row + padding[len(row):])
        cell = list(map(str.strip, raw))
        if not any(cell):
            continue  # blank line
        if len(row) < width:
            short.append((line, len(row)))
        person_id, role, capacity, department, interests, year, languages, mentor, peer, preferences, needs, fullname = cell
        broken = [field for field, value in (("id", raw[0]), ("role", raw[1])) if "\n" in value]
        if broken:  # a quote left open (tester round 4, 17)
            problems.append(ImportIssue(line, broken[0], 'holds a line break: a quote (") opened on this line is not closed on it'))
            continue
        bad: list[ImportIssue] = []  # every bad cell of the row, not the first alone (tester round 120c, 6)
        if not person_id:
            bad.append(ImportIssue(line, "id", "empty"))
        elif MULTI_SEPARATORS.search(person_id):  # preferences could never name it (tester round 82, 4)
            bad.append(ImportIssue(line, "id", f"{person_id!r} holds a comma or semicolon, which separate the ids "
                                   "of preferences: an id cannot hold one"))
        elif said := id_problem(person_id):  # a NUL byte was taken as part of the id (tester round 95a)
            bad.append(ImportIssue(line, "id", said))
        # people are named in any case and width: t1, T1 and Ｔ1 are one id (third and fourth testers)
        elif (key := id_key(person_id)) in seen:
            earlier, written = seen[key]
            case = "" if written == person_id else f" as {written} (ids are read in any case)"
            bad.append(ImportIssue(line, "id", f"{person_id} already appears on line {earlier}{case}"))
        else:
            seen[key] = (line, person_id)
        ranked = normal_preferences(MULTI_SEPARATORS.split(preferences)) if preferences else ()
        roles = numbers.cell(roles_of, role, line, bad)
        counted = numbers.cell(capacity_of, capacity, line, bad) if capacity else None
        # "N/A" (round 47, 6); a year 0 (a foundation year) is a year, not the placeholder "0"
        aged = numbers.cell(year_of, year, line, bad) if year and normalise(year) not in PLACEHOLDERS - {"0"} else None
        if bad or roles is None:
            # the row's other cells named in the same pass, not after a re-run (tester round 121b, 8)
            problems += bad + [ImportIssue(line, field, said) for field, given in (("current_mentor", mentor),
                                                                                     ("current_peer", peer))
                               if given and (said := mentor_problem(field, given))]
            refused_chose.append((line, ranked))
            continue
        primary, also, default = roles
        persons.append(
            Person.normalised(
                id=person_id,
                role=primary,
                also=also,
                capacity=counted.value if counted else default,
                department=department_of[department],
                interests=values_of[interests],
                year=aged.value if aged else None,
                languages=values_of[languages],
                fullname=fullname or None,
                preferences=ranked,
                needs=needs_of[needs],
            )
        )
        if notices is not None:
            notices.extend(_row_notices(path, line, person_id, role, capacity, year, primary, also))
            notices.extend(numbers.read_as(path, line, person_id, (("capacity", counted), ("year", aged))))
        if ranked:
            chose.append((line, ranked))
        if not capacity:
            blank.add(person_id)  # the default, but never below the circle they hold (tester round 95a)
        for field, given, into in (("current_mentor", mentor, current), ("current_peer", peer, current_peers)):
            if not given:
                continue
            if said := mentor_problem(field, given):  # "m1;m2" was read as one mentor who left (tester round 95a)
                problems.append(ImportIssue(line, field, said))
            else:
                into[person_id] = (line, given)
    if not persons and not problems:  # a header alone matched "nobody" and exited 0 (left from stop 24)
        problems.append(ImportIssue(1 + skipped, "", "a header and no people: one row per mentor and mentee below it"))
    if problems:  # with a preference naming no id of the file at all: one run lists them all (tester round 15, 7)
        problems += [ImportIssue(line, "preferences", f"{choice!r} is not the id of anyone in this file")
                     for line, prefs in chose + refused_chose for choice in prefs
                     if id_key(choice) not in seen]
        # and what the rows read name wrongly, but for ids of rows refused above (tester round 66, 4: three runs)
        failed = set(seen) - {id_key(p.id) for p in persons}
        nobody = {id_key(c) for _line, prefs in chose for c in prefs if id_key(c) not in seen}  # said just above
        *_, more = _references(path, persons, chose, (current, current_peers), config, skip=failed | nobody)
        raise _refused(path, sorted(problems + more, key=lambda issue: issue.line))
    chose, named, problems = _references(path, persons, chose, (current, current_peers), config)
    if problems:
        raise _refused(path, problems)
    choices = dict(zip((p.id for p in persons if p.preferences), (prefs for _, prefs in chose), strict=True))
    persons = [replace(p, preferences=choices[p.id]) if choices.get(p.id, p.preferences) != p.preferences else p for p in persons]
    if short and notices is not None:
        notices.append(_short_rows(path, short, header))
    current_ids = {k: v for k, (_line, v) in named["current_mentor"].items()}
    peer_ids = {k: v for k, (_line, v) in named["current_peer"].items()}
    # a blank capacity is the default, never fewer than the mentees in the circle they hold (as on Moodle)
    people = People(tuple(at_least_held(persons, blank, held_counts(current_ids, peer_ids))), current=current_ids,
                    current_peers=peer_ids)
    if notices is not None:  # a choice of a mentor with capacity 0, or of oneself (tester round 103a, 8)
        ids = (p.id for p in persons if p.preferences)
        notices.extend(preference_notices(path, ((line, i, prefs) for i, (line, prefs) in zip(ids, chose, strict=True)),
                                          people.persons))
    return people


def _references(
    path: Path, persons: list[Person], chose: list[tuple[int, tuple[str, ...]]],
    given: tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]], config: Config, skip: Collection[str] = (),
) -> tuple[list[tuple[int, tuple[str, ...]]], dict[str, dict[str, tuple[int, str]]], list[ImportIssue]]:
    """The file's ``preferences`` and ``current_mentor`` / ``current_peer`` as ids of its people (any case), and
    their problems together, not one kind per run (tester round 64, 8); a name whose ``id_key`` is in ``skip`` (a
    row refused for its own cells) is left out."""
    folded: dict[str, list[str]] = {}
    for person in persons:
        folded.setdefault(person.id.casefold(), []).append(person.id)
    unique = {ids[0] for ids in folded.values() if len(ids) == 1}  # ids as written, no other id in another case
    chose = [
        (line, prefs if unique.issuperset(prefs) else tuple(_file_id(path, line, "preferences", p, folded) for p in prefs))
        for line, prefs in chose
    ]
    named = {
        field: {k: (line, _file_id(path, line, field, v, folded)) for k, (line, v) in places.items()}
        for field, places in zip(("current_mentor", "current_peer"), given, strict=True)
    }
    checked = [(line, tuple(c for c in prefs if id_key(c) not in skip)) for line, prefs in chose]
    kept = {f: {k: v for k, v in n.items() if id_key(v[1]) not in skip} for f, n in named.items()}
    problems = _check_preferences(checked, persons) + _check_current(kept, persons, config.matching.structure)
    return chose, named, sorted(problems, key=lambda issue: issue.line)


def _check_current(named: dict[str, dict[str, tuple[int, str]]], persons: list[Person], structure: str) -> list[ImportIssue]:
    """A ``current_mentor`` / ``current_peer`` naming someone of the file who cannot hold that place: a mentee
    (themselves too), or with ``triads`` the other kind of mentor; and a ``current_peer`` with ``pairs``, where a
    mentee has one mentor. Each was taken quietly: the pair lost, or another mentee given the place (tester round
    62, 5), while the same id in ``preferences`` is refused. An id of no one in the file is a mentor who left: the
    mentee is re-matched, as matching warns."""
    roles = {p.id: p.roles for p in persons}
    problems = []
    for field, given in named.items():
        for mentee, (line, mentor) in given.items():
            held = roles.get(mentor)
            if field == "current_peer" and structure != "triads":
                problems.append(ImportIssue(line, field, 'read only with [matching] structure = "triads"; with pairs, '
                                            "a mentee's one mentor (faculty or peer) goes in current_mentor"))
            elif held is None:
                continue
            elif mentor == mentee:
                problems.append(ImportIssue(line, field, f"{mentor!r} is the row's own id: nobody is their own mentor"))
            elif not held & {"mentor", "peer_mentor"}:
                kind = "a peer mentor" if field == "current_peer" else "a mentor or peer mentor"  # round 66, 15
                problems.append(ImportIssue(line, field, f"{mentor!r} is not {kind} in this file"))
            elif structure == "triads" and field == "current_mentor" and "mentor" not in held:
                problems.append(ImportIssue(line, field, f"{mentor!r} is a peer mentor: their pair goes in current_peer"))
            elif structure == "triads" and field == "current_peer" and "peer_mentor" not in held:
                problems.append(ImportIssue(line, field, f"{mentor!r} is a faculty mentor: their pair goes in current_mentor"))
    return sorted(problems, key=lambda issue: issue.line)


def _short_rows(path: Path, short: list[tuple[int, int]], header: list[str]) -> PersonWarning:
    """One notice for every row with fewer cells than the header (``short_rows``): the missing cells are read as
    empty, which is right for trailing empty cells a tool left out and wrong for a cell left out in the middle,
    whose neighbours then sit one column left (tester round 76, 3: padded in silence)."""
    line, cells = short[0]
    more = f" and {len(short) - 1} more row(s)" if len(short) > 1 else ""
    return PersonWarning("short_rows", "", f"{path}:{line}: {cells} cell(s), the header has {len(header)}: "
                         f"{', '.join(header[cells:])} read as empty{more}; if a cell in the middle of a row was "
                         f"left out, the cells after it are in the wrong columns: add its empty cell (,,)")


def _row_notices(path: Path, line: int, person_id: str, role: str, capacity: str, year: str, primary: str,
                 also: frozenset[str]) -> list[PersonWarning]:
    """What matching leaves aside on one row (see ``load_people_csv``)."""
    found = []
    if capacity and primary == "mentee" and not also:
        found.append(PersonWarning("capacity_ignored", person_id, f"{path}:{line}: capacity: {person_id} is a mentee: "
                                   f"the capacity {capacity!r} is not used (a mentor's is; role mentor;mentee for both)",
                                   field="capacity", value=capacity))
    if {"mentor", "peer_mentor"} <= {primary, *also}:  # one circle each (tester round 66, 12: said nowhere)
        found.append(PersonWarning("peer_role_ignored", person_id, f"{path}:{line}: role: {person_id} is a mentor and a "
                                   "peer mentor: they take part as a faculty mentor only", field="role", value=role))
    elif not year and "peer_mentor" in {primary, *also}:
        found.append(PersonWarning("year_missing", person_id, f"{path}:{line}: year: {person_id} is a peer mentor with "
                                   "no year: the year gap to their mentees cannot be measured, so nobody is matched to "
                                   "them as a peer", field="year"))
    return found


class _Cells(dict[str, T]):
    """Cell text -> ``read(text)``, each distinct cell read once (issue 15, speed: 60,000 rows hold a
    few thousand distinct cells). A cell ``read`` refuses (``people_csv_numbers.BadCell``) is not remembered."""

    def __init__(self, read: Callable[[str], T]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, text: str) -> T:
        value = self[text] = self.read(text)
        return value


def _roles(text: str, config: Config) -> tuple[Role, frozenset[Role], int]:
    """A role cell as the primary role, the others (as ``Person`` holds them) and the default capacity."""
    roles = [r.strip().lower() for r in MULTI_SEPARATORS.split(text) if r.strip()]  # "Mentor" too
    if not roles:
        raise BadCell("role", "empty (use mentor, peer_mentor or mentee)")
    for role in roles:
        if role not in ROLES:
            raise BadCell("role", f"{role!r} is not one of mentor, peer_mentor, mentee")
    primary = cast(Role, "mentee" if "mentee" in roles else roles[0])
    all_roles = frozenset(cast(Role, r) for r in roles)
    return primary, normal_also(primary, all_roles), default_capacity(all_roles, config)


def _rows(path: Path, reader: _csv.Reader, skipped: int, problems: list[ImportIssue]) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows with the physical line each starts on. A row ``csv`` cannot read (a cell
    over its 131,072-character limit, a quote left open) joins ``problems`` with its line, as the
    imports report it (tester round 3, 10), and ends the reading: after it, lines cannot be told apart."""
    line = 1 + skipped
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(ImportIssue(start, "(row)", csv_problem(exc)))
            return
        line = reader.line_num + skipped
        if row:
            yield start, row


def _values(text: str, words: dict[str, str]) -> frozenset[str]:
    """Interests or languages: split, respelt and normalised as ``Person`` holds them, each value once.

    The same set as ``tokens(respell_all(split_values(...)))``: each value goes through the same
    steps on its own (``_word``), and one with nothing left at any step is dropped.
    """
    return shared(frozenset(word for word in (words[part] for part in _semicolons(plain_text(text, MULTI)).split(MULTI))
                            if word))


def _word(part: str, spellings: dict[str, str]) -> str:
    """One value of a multi-valued cell as ``Person`` holds it, ``""`` when nothing is left or it only
    says the cell was not filled in (``PLACEHOLDERS``: tester round 47, 1, "shared interests: n a")."""
    spelt = respell(normalise(part), spellings)
    word = normalise(spelt) if spelt else ""
    return "" if word in PLACEHOLDERS else word


def _semicolons(text: str) -> str:
    """A multi-valued cell with ``,`` (or a line break: tester round 64, 4) between values read as with ``;``
    (tester finding FIX-C 2)."""
    return text.replace(",", MULTI).replace("\r", MULTI).replace("\n", MULTI)


def _file_id(path: Path, line: int, field: str, written: str, folded: dict[str, list[str]]) -> str:
    """The id of the file that ``written`` names in any case (README: people are named in any case;
    tester finding FIX-C 3); as written when no id matches, refused when two ids differ only in case."""
    ids = folded.get(written.casefold(), [])
    if len(ids) > 1:
        raise _fail(path, line, field, f"{written!r} matches {' and '.join(map(repr, ids))}, ids differing only in case")
    return ids[0] if ids else written


def _check_preferences(chose: list[tuple[int, tuple[str, ...]]], persons: list[Person]) -> list[ImportIssue]:
    """A preference naming nobody who mentors is a typo that would silently drop a choice (tester finding); one
    naming the row itself is not: ``preference_notices`` warns of it (tester round 115b, 2: a mentee's was refused)."""
    mentoring = {p.id for p in persons if p.roles & {"mentor", "peer_mentor"}}
    rows = zip(chose, (p.id for p in persons if p.preferences), strict=True)  # the row each choice is made on
    return [
        ImportIssue(line, "preferences", f"{choice!r} is not the id of a mentor or peer mentor in this file")
        for (line, preferences), own in rows for choice in preferences
        if choice not in mentoring and id_key(choice) != id_key(own)
    ]


def _fail(path: Path, line: int, field: str, message: str) -> InputError:
    """The error for one bad cell: file, line and field, so the admin can fix that row."""
    return _refused(path, [ImportIssue(line, field, message)])


def _refused(path: Path, problems: list[ImportIssue]) -> InputError:
    """The one error for a refused people file: every problem found (the first 25), nothing matched."""
    return failed_import(str(path), problems, outcome="nothing was matched",
                         hint="fix the file and run lmsync match again")


def _columns(path: Path, header: list[str], config: Config) -> dict[str, str]:
    """Field name -> header column; unknown columns are errors (a typo would drop data)."""
    attributes = config.matching.attributes
    aliases: dict[str, str] = {"id": "id", "role": "role"}
    for name in OPTIONAL:
        aliases[name] = name
    if attributes.capacity:
        aliases[attributes.capacity] = "capacity"  # the profile field's shortname, as for the others (round 3, 14)
    for name in ATTRIBUTES:
        shortname = getattr(attributes, name)
        if shortname is None:
            continue  # attribute switched off in the configuration: its column is ignored
        aliases[name] = name
        aliases[shortname] = name
    folded = {name.casefold(): field for name, field in aliases.items()}  # "ID", "Role": tester finding 12
    columns: dict[str, str] = {}
    at: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []  # every one in one message: the first alone hid the next typo (tester round 62, 9)
    for position, column in enumerate(header, start=1):
        if column in aliases or column.casefold() in folded:
            field = aliases.get(column) or folded[column.casefold()]
            if field in columns:  # capacity,Capacity or year,yearofstudy: which one would count? (round 3, 3)
                raise InputError(f"{path}:1: column {position} {column!r}: {field} is already column {at[field]} "
                                 f"{columns[field]!r}; keep one of them")
            columns[field], at[field] = column, position
        elif column.casefold() in ATTRIBUTES or column == "":
            continue
        else:
            unknown.append((position, column))
    if unknown:  # as every other problem of the file: each one, a fix line, JSON's problems (tester round 64, 12)
        known, spelt = ", ".join(sorted(set(aliases))), {name.casefold(): name for name in sorted(aliases)}
        near = [get_close_matches(name.casefold(), spelt, n=1) for _place, name in unknown]  # round 115b, 7: no hint
        raise _refused(path, [ImportIssue(1, f"column {place} {name!r}", "unknown column (" + "".join(
            f"did you mean {spelt[n]!r}?; " for n in close) + f"known: {known})")
            for (place, name), close in zip(unknown, near, strict=True)])
    for required in ("id", "role"):
        if required not in columns:
            raise InputError(f"{path}:1: {required}: missing column")
    for name in (*ATTRIBUTES, *OPTIONAL):
        columns.setdefault(name, f"\0{name}")  # absent: always empty
    return columns
