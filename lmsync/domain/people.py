"""Who takes part in a programme, as matching sees them.

The sync code builds these from Moodle (custom profile fields, cohorts, groups) and the
offline CLI builds them from a CSV; both end up here so the matcher never knows where a
person came from. Attribute values are normalised on construction (case, whitespace and
punctuation folded) because Moodle profile fields are typed by hand: "Mental-health" and
"mental health" must match, while "AI" must never match inside "retail".

A person can hold several roles at once: a year-4 student is a mentee of a faculty mentor
and a peer mentor for year-1 and year-2 students. ``role`` is the primary role and
``also`` the others; ``roles`` is their union and is what the matcher reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["mentor", "peer_mentor", "mentee"]
ROLES: tuple[Role, ...] = ("mentor", "peer_mentor", "mentee")
MENTORING_ROLES: frozenset[str] = frozenset({"mentor", "peer_mentor"})

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """One canonical token for a hand-typed value: NFKC, casefolded, punctuation as spaces.

    ``"  Emergency-Medicine "`` and ``"emergency medicine"`` both become
    ``"emergency medicine"``. Tokens are compared whole, never as substrings.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def tokens(values: Iterable[str]) -> frozenset[str]:
    """Normalised, non-empty tokens of already-split values."""
    return frozenset(token for token in (normalise(v) for v in values) if token)


def split_values(text: str | None, separator: str) -> frozenset[str]:
    """Tokens of a multi-valued cell: Moodle stores ``"a, b"``, the CSV uses ``"a; b"``."""
    if not text:
        return frozenset()
    return tokens(text.split(separator))


@dataclass(frozen=True)
class Person:
    """One participant. ``id`` is the username or idnumber everyone else refers to them by.

    ``capacity`` is how many mentees they take in their mentoring role (0 = opted out); it
    means nothing for a pure mentee. ``aliases`` are other keys (idnumber when ``id`` is a
    username) that pins, forbids and preferences may use.
    """

    id: str
    role: Role
    capacity: int = 0
    department: str | None = None
    interests: frozenset[str] = frozenset()
    year: int | None = None
    languages: frozenset[str] = frozenset()
    moodle_id: int | None = None
    fullname: str | None = None
    preferences: tuple[str, ...] = ()
    needs: frozenset[str] = frozenset()
    also: frozenset[Role] = frozenset()
    aliases: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a person needs an id")
        for role in (self.role, *self.also):
            if role not in ROLES:
                raise ValueError(f"person {self.id}: unknown role {role!r}")
        if self.capacity < 0:
            raise ValueError(f"person {self.id}: capacity must be 0 or more")
        department = normalise(self.department) if self.department else ""
        object.__setattr__(self, "department", department or None)
        object.__setattr__(self, "interests", tokens(self.interests))
        object.__setattr__(self, "languages", tokens(self.languages))
        object.__setattr__(self, "needs", tokens(self.needs))
        object.__setattr__(self, "also", frozenset(self.also) - {self.role})
        object.__setattr__(self, "preferences", tuple(p.strip() for p in self.preferences if p.strip()))
        object.__setattr__(self, "aliases", frozenset(a for a in self.aliases if a and a != self.id))

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.role, *self.also})

    def has_role(self, role: Role) -> bool:
        return role == self.role or role in self.also

    @property
    def keys(self) -> frozenset[str]:
        """Every key this person may be referred to by."""
        return self.aliases | {self.id}


Pair = tuple[str, str]


@dataclass(frozen=True)
class People:
    """A programme's participants and the coordinator's standing decisions.

    - ``current``: existing pairs read back from Moodle, mentee id -> mentor id (for
      ``triads`` the faculty mentor); ``current_peers`` the same for near-peers in triads.
    - ``pins`` / ``forbids``: ``(mentee, mentor)`` by id or alias; pins are honoured,
      forbids never broken.
    - ``rematch``: mentee or mentor ids whose existing pairs are open to re-matching;
      ``"*"`` opens every pair. Pairs not flagged are kept as they are.
    """

    persons: tuple[Person, ...]
    current: Mapping[str, str] = field(default_factory=dict)
    current_peers: Mapping[str, str] = field(default_factory=dict)
    pins: tuple[Pair, ...] = ()
    forbids: tuple[Pair, ...] = ()
    rematch: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "persons", tuple(self.persons))
        seen: set[str] = set()
        for person in self.persons:
            if person.id in seen:
                raise ValueError(f"person {person.id} appears twice")
            seen.add(person.id)
        object.__setattr__(self, "pins", tuple((str(a), str(b)) for a, b in self.pins))
        object.__setattr__(self, "forbids", tuple((str(a), str(b)) for a, b in self.forbids))
        object.__setattr__(self, "rematch", frozenset(self.rematch))

    def by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.persons}

    def resolver(self) -> dict[str, str]:
        """Key (id or alias) -> id. An alias shared by two people resolves to neither."""
        resolved: dict[str, str] = {p.id: p.id for p in self.persons}
        clashes: set[str] = set()
        for person in self.persons:
            for alias in person.aliases:
                if alias in resolved and resolved[alias] != person.id:
                    clashes.add(alias)
                resolved.setdefault(alias, person.id)
        for alias in clashes - {p.id for p in self.persons}:
            del resolved[alias]
        return resolved

    def with_overrides(
        self,
        *,
        pins: Iterable[Pair] = (),
        forbids: Iterable[Pair] = (),
        rematch: Iterable[str] = (),
    ) -> People:
        """Add the configuration's standing decisions to those that came with the people."""
        return People(
            persons=self.persons,
            current=self.current,
            current_peers=self.current_peers,
            pins=(*self.pins, *(tuple(p) for p in pins)),  # type: ignore[arg-type]
            forbids=(*self.forbids, *(tuple(f) for f in forbids)),  # type: ignore[arg-type]
            rematch=self.rematch | frozenset(rematch),
        )
