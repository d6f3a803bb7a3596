"""The people CSV's fast path (issue 15, speed): each distinct cell read once, ``Person.normalised``.

Proof of "same people": random files (aliases, several roles in a cell, ``,`` and ``;`` between
values, empty cells, columns in any order, a Moodle shortname as a column, ids named in another
case) read by ``load_people_csv`` equal the people built row by row with the ``Person``
constructor, which normalises every value itself.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

import pytest

from lmsync.config import Config
from lmsync.domain.people import (
    Person,
    normal_also,
    normal_department,
    normal_preferences,
    respell,
    respell_all,
    spelling_map,
    split_values,
    tokens,
)
from lmsync.errors import InputError
from lmsync.service.people_csv import MULTI_SEPARATORS, default_capacity, load_people_csv

ALIASES = {"Paeds": "Paediatrics", "Pediatrics": "Paediatrics", "A.I.": "Artificial intelligence", "Français": "fr"}
DEPARTMENTS = ["Paediatrics", "paeds", "PEDIATRICS", " Law ", "law", "Mental-Health", "", "Ärzte", "ﬁnance"]
VALUES = ["AI", "a.i.", "Artificial Intelligence", "Robotics", "robotics ", "chess", "Français", "fr", "EN", "--", "Ωmega"]
ROLES = ["mentor", "peer_mentor", "mentee", "mentee;peer_mentor", "mentor, peer_mentor", "peer_mentor;mentee;mentee"]
COLUMNS = ["id", "role", "capacity", "department", "interests", "yearofstudy", "languages", "preferences", "needs",
           "fullname", "current_mentor"]


def random_file(rng: random.Random, rows: int) -> str:
    """A programme as a CSV: columns shuffled, cells drawn so that many repeat and some are empty."""
    columns = COLUMNS[:2] + rng.sample(COLUMNS[2:], len(COLUMNS) - 2)
    rng.shuffle(columns)
    ids = [f"P{i:03d}" for i in range(rows)]
    roles = [rng.choice(ROLES) for _ in ids]
    mentors = [i for i, r in zip(ids, roles, strict=True) if "mentor" in r]

    def several(pool: list[str]) -> str:
        return rng.choice([";", ",", "; ", " , "]).join(rng.sample(pool, rng.randint(0, 3)))

    def named(person: str) -> str:
        return person if rng.random() < 0.7 else person.lower()  # ids in any case (tester finding FIX-C 3)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for person, role in zip(ids, roles, strict=True):
        cells = {
            "id": person, "role": role, "capacity": rng.choice(["", "0", "2", " 3 "]),
            "department": rng.choice(DEPARTMENTS), "interests": several(VALUES), "languages": several(VALUES),
            "yearofstudy": rng.choice(["", "1", "4", " 2"]), "needs": several(VALUES),
            "preferences": ";".join(named(m) for m in rng.sample(mentors, min(len(mentors), rng.randint(0, 2)))),
            "fullname": rng.choice(["", "Ada Lovelace", " Alan Turing "]),
            # someone else: a row naming itself is refused (tester round 62, 5)
            "current_mentor": named(rng.choice(others)) if (others := [m for m in mentors if m != person])
            and rng.random() < 0.2 else "",
        }
        writer.writerow([cells[c] for c in columns])
        if rng.random() < 0.05:
            writer.writerow([])  # an empty line is skipped
    return out.getvalue()


def row_by_row(text: str, config: Config) -> list[Person]:
    """The people as the ``Person`` constructor builds them from each row's cells (no caches)."""
    spellings = spelling_map(config.matching.aliases)
    folded = {}
    persons = []
    held: Counter[str] = Counter()  # a blank capacity keeps the circle it holds (tester round 126, 2: blank_held)
    blank: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        if not any(row.values()):
            continue
        cell = {key: value.strip() for key, value in row.items()}
        roles = [r.strip() for r in MULTI_SEPARATORS.split(cell["role"]) if r.strip()]
        folded[cell["id"].casefold()] = cell["id"]
        held[cell.get("current_mentor", "").casefold()] += 1
        blank |= {cell["id"]} if not cell["capacity"] else set()
        persons.append(
            Person(
                id=cell["id"],
                role="mentee" if "mentee" in roles else roles[0],  # type: ignore[arg-type]
                also=frozenset(roles),  # type: ignore[arg-type]
                capacity=int(cell["capacity"]) if cell["capacity"] else default_capacity(frozenset(roles), config),
                department=respell(cell["department"], spellings),
                interests=respell_all(split_values(cell["interests"].replace(",", ";"), ";"), spellings),
                year=int(cell["yearofstudy"]) if cell["yearofstudy"] else None,
                languages=respell_all(split_values(cell["languages"].replace(",", ";"), ";"), spellings),
                fullname=cell["fullname"] or None,
                preferences=tuple(MULTI_SEPARATORS.split(cell["preferences"])),
                needs=split_values(cell["needs"].replace(",", ";"), ";"),
            )
        )
    return [
        Person(**{**{f: getattr(p, f) for f in Person.__dataclass_fields__},  # type: ignore[arg-type]
                  "preferences": tuple(folded[c.casefold()] for c in p.preferences),
                  **({"capacity": max(p.capacity, n), "blank_held": n}
                     if p.id in blank and (n := held[p.id.casefold()]) else {})})
        for p in persons
    ]


@pytest.mark.parametrize("seed", range(12))
def test_csv_people_equal_people_built_row_by_row(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    config = Config.model_validate({"matching": {"aliases": ALIASES}})
    text = random_file(rng, rng.randint(1, 120))
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    loaded = load_people_csv(path, config).persons
    expected = row_by_row(text, config)
    assert list(loaded) == expected
    for got, want in zip(loaded, expected, strict=True):  # the same values, not only equal ones: same types too
        assert {f: repr(getattr(got, f)) for f in Person.__dataclass_fields__} == {
            f: repr(getattr(want, f)) for f in Person.__dataclass_fields__
        }


@pytest.mark.parametrize("seed", range(30))
def test_normalised_person_equals_the_constructed_one(seed: int) -> None:
    rng = random.Random(seed)
    roles = [r.strip() for r in MULTI_SEPARATORS.split(rng.choice(ROLES))]
    role = "mentee" if "mentee" in roles else roles[0]
    raw = {
        "id": rng.choice(["a", "B7", "ölçü"]), "role": role, "capacity": rng.randint(0, 4),
        "department": rng.choice([*DEPARTMENTS, None]), "year": rng.choice([None, 0, 3]),
        "interests": frozenset(rng.sample(VALUES, rng.randint(0, 4))),
        "languages": frozenset(rng.sample(VALUES, rng.randint(0, 2))),
        "needs": frozenset(rng.sample(VALUES, rng.randint(0, 2))),
        "fullname": rng.choice([None, "Ada"]), "preferences": tuple(rng.sample(["x", " y", "", "z "], rng.randint(0, 3))),
        "also": frozenset(roles),
    }
    built = Person(**raw)  # type: ignore[arg-type]
    fast = Person.normalised(
        **{**raw, "department": normal_department(raw["department"]),  # type: ignore[arg-type]
           "interests": tokens(raw["interests"]), "languages": tokens(raw["languages"]), "needs": tokens(raw["needs"]),
           "preferences": normal_preferences(raw["preferences"]), "also": normal_also(role, raw["also"])}
    )
    assert fast == built and repr(fast) == repr(built)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"id": ""}, "needs an id"), ({"role": "student"}, "unknown role"), ({"capacity": -1}, "capacity must be 0 or more")],
)
def test_normalised_person_keeps_the_checks(change: dict[str, object], message: str) -> None:
    values = {"id": "a", "role": "mentor", "capacity": 1, "department": None, "interests": frozenset(), "year": None,
              "languages": frozenset(), "fullname": None, "preferences": (), "needs": frozenset(), "also": frozenset()}
    with pytest.raises(ValueError, match=message):
        Person.normalised(**{**values, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # A cell read once is remembered; a bad one is not, and is refused on every line it appears.
        ("id,role,capacity\nm1,mentor,2\nm2,mentor,2\nm3,mentor,-2\n", ":4: capacity:"),
        ("id,role,year\ns1,mentee,2\ns2,mentee,two or three\n", ":3: year:"),  # 'two' is 2 (round 120c, 6)
        ("id,role\ns1,mentee\ns2,mentee;tutor\n", ":3: role: 'tutor'"),
        ("id,role,capacity,year\ns1,mentee,x,y\n", ":2: capacity:"),  # each bad field of a row (round 120c, 6)
        ("id,role,capacity\ns1,mentee;,\n\"s2\",\" ; \",\n", ":3: role: empty"),
    ],
)
def test_bad_cells_after_good_ones_name_their_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_people_csv(path, Config())
    assert f"\n  {path}{where}" in str(info.value)  # one problem listed under the count
