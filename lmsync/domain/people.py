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

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from lmsync.domain.normal_text import normalise as normalise  # re-exported: callers import it here
from lmsync.domain.profile_text import plain_text

Role = Literal["mentor", "peer_mentor", "mentee"]
T = TypeVar("T")
ROLES: tuple[Role, ...] = ("mentor", "peer_mentor", "mentee")
MENTORING_ROLES: frozenset[str] = frozenset({"mentor", "peer_mentor"})
_ROLE_SET: frozenset[str] = frozenset(ROLES)

#: Values that say a field was not filled in, as ``normalise`` leaves them: read as no value, never as
#: one shared by everyone who typed it (tester round 46b, 5: "Not specified" scored as a shared department).
#: "Other" (a form's catch-all choice, Moodle menu fields' "Other (please specify)", "None of the above") and a
#: lone zero say nothing two people share either (tester round 50, 5: "same department (other)", "common
#: language: 0"; the second pass: "other please specify", "0 0").
PLACEHOLDERS: frozenset[str] = frozenset({
    "n a", "na", "none", "nil", "null", "unknown", "not specified", "unspecified", "not applicable", "not set",
    "not known", "tbd", "tba", "tbc", "no answer", "prefer not to say", "none yet", "not yet known", "no department",
    "not assigned", "unassigned", "other", "others", "0", "00", "0 0", "other please specify", "other specify",
    "none of the above", "not listed", "misc", "miscellaneous", "various",
})


def id_key(person_id: str) -> str:
    """An id as people are named in any case and width: NFKC, casefolded (``t1``, ``T1`` and ``Ｔ1``
    are one; third and fourth testers)."""
    return unicodedata.normalize("NFKC", person_id).casefold()


def tokens(values: Iterable[str]) -> frozenset[str]:
    """Normalised tokens of already-split values, without empty ones and ``PLACEHOLDERS``."""
    if isinstance(values, frozenset):
        return _set_tokens(values)  # every Person normalises its sets again: once per distinct set
    return shared(frozenset(token for token in (normalise(v) for v in values) if token and token not in PLACEHOLDERS))


@functools.lru_cache(maxsize=1 << 16)  # pure; a CSV's or a roster's people hold a few distinct sets (issue 15, speed)
def _set_tokens(values: frozenset[str]) -> frozenset[str]:
    return shared(frozenset(token for token in (normalise(v) for v in values) if token and token not in PLACEHOLDERS))


@functools.lru_cache(maxsize=1 << 16)
def shared(values: frozenset[str]) -> frozenset[str]:
    """One instance per distinct set of tokens: 50,000 people hold a few thousand distinct
    interest and language sets, not 50,000 copies of them (issue 15, memory)."""
    return values


_VALUE_BREAK = re.compile(r"[,;\r\n]+")  # between the values of a multi-valued profile field


@functools.lru_cache(maxsize=1 << 16)  # pure, immutable result; cells repeat (issue 15, speed)
def split_values(text: str | None, separator: str) -> frozenset[str]:
    """Tokens of a multi-valued cell: Moodle stores ``"a, b"``, the CSV uses ``"a; b"``; a ``;`` or a line
    break between values splits them too, whichever ``separator`` (tester round 64, 4: "Neurology; Surgical
    skills" typed in Moodle was one interest shared by nobody)."""
    if not text:
        return frozenset()
    return tokens(_VALUE_BREAK.split(plain_text(text, separator)))


_EMPTY: frozenset[Any] = frozenset()


def _or_empty(values: frozenset[T]) -> frozenset[T]:
    """``values``, or one shared empty set (each empty frozenset is 216 bytes; issue 15, memory)."""
    return values if values else _EMPTY


def normal_department(value: str | None) -> str | None:
    """A department as a ``Person`` holds it: :func:`normalise`, None when nothing is left or it is
    one of the ``PLACEHOLDERS`` (``"N/A"``, ``"Not specified"``)."""
    token = normalise(plain_text(value)) if value else ""
    return token if token and token not in PLACEHOLDERS else None


def normal_also(role: Role, also: Iterable[Role]) -> frozenset[Role]:
    """A person's other roles as a ``Person`` holds them: without the primary ``role``."""
    return _or_empty(frozenset(also) - {role})


def normal_preferences(preferences: Iterable[str]) -> tuple[str, ...]:
    """Ranked choices as a ``Person`` holds them: stripped, empty ones dropped, each once at its
    best rank, in order (tester finding 12: ``t1;t1`` read as "1st choice of 2")."""
    return tuple(dict.fromkeys(p.strip() for p in preferences if p.strip()))


@dataclass(frozen=True, slots=True)  # slotted: one per participant (issue 15, memory)
class Person:
    """One participant. ``id`` is the username or idnumber everyone else refers to them by.

    ``capacity`` is how many mentees they take in their mentoring role (0 = opted out); it
    means nothing for a pure mentee. ``aliases`` are other keys (idnumber when ``id`` is a
    username) that pins, forbids and preferences may use. ``blank_held``: with the capacity field
    empty, how many mentees' current pairs name them (``held_capacity.at_least_held``), else 0.
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
    aliases: Collection[str] = ()  # held as a sorted tuple: a frozenset of 4 is 216 bytes (issue 15, memory)
    blank_held: int = 0  # capacity field empty: the mentees whose pair names them (held_capacity; round 126, 2)

    def __post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "department", normal_department(self.department))
        object.__setattr__(self, "interests", tokens(self.interests))
        object.__setattr__(self, "languages", tokens(self.languages))
        object.__setattr__(self, "needs", tokens(self.needs))
        object.__setattr__(self, "also", normal_also(self.role, self.also))
        object.__setattr__(self, "preferences", normal_preferences(self.preferences))
        object.__setattr__(self, "aliases", tuple(sorted({a for a in self.aliases if a and a != self.id})))

    def _check(self) -> None:
        """Raises ValueError for an empty id, an unknown role or a negative capacity."""
        if not self.id:
            raise ValueError("a person needs an id")
        for role in (self.role, *self.also):
            if role not in ROLES:
                raise ValueError(f"person {self.id}: unknown role {role!r}")
        if self.capacity < 0:
            raise ValueError(f"person {self.id}: capacity must be 0 or more")

    @classmethod
    def normalised(
        cls,
        id: str,
        role: Role,
        capacity: int,
        department: str | None,
        interests: frozenset[str],
        year: int | None,
        languages: frozenset[str],
        fullname: str | None,
        preferences: tuple[str, ...],
        needs: frozenset[str],
        also: frozenset[Role],
    ) -> Person:
        """``Person(...)`` for values already in the form construction gives them, without normalising again.

        For readers that normalise each distinct cell once (``lmsync.service.people_csv``: 60,000
        rows hold a few thousand distinct cells; issue 15, speed): ``department`` must be a
        :func:`normal_department`, the sets :func:`tokens`, ``also`` a :func:`normal_also` and
        ``preferences`` :func:`normal_preferences` (then the person equals ``Person`` built from the
        same values). The checks still run: raises ValueError as ``Person`` does.
        """
        person = object.__new__(cls)
        values = (id, role, capacity, department, interests, year, languages, None, fullname, preferences, needs, also, (), 0)
        for name, value in zip(_PERSON_FIELDS, values, strict=True):
            object.__setattr__(person, name, value)
        if not (id and capacity >= 0 and role in ROLES and _ROLE_SET.issuperset(also)):
            person._check()  # raises, naming what is wrong
        return person

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.role, *self.also})

    def has_role(self, role: Role) -> bool:
        return role == self.role or role in self.also

    def other_keys(self) -> tuple[str, ...]:
        """The keys besides the id that name this person: the aliases, and ``id:N`` when they came from
        Moodle, made from ``moodle_id``, not held (a string each was 3 MB at 55,000; issue 15, memory)."""
        return tuple(self.aliases) if self.moodle_id is None else (*self.aliases, f"id:{self.moodle_id}")


#: ``Person``'s fields in order (``Person.normalised`` sets them in this order).
_PERSON_FIELDS = tuple(Person.__dataclass_fields__)

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
    - ``returning``: mentee id -> mentor id, for a mentee in no pair now whose last pair lmsync
      ended when they left (a suspended enrolment, say): matching puts them back with that
      mentor while the mentor has room (``lmsync.service.established.returning_mentors``).
    - ``established``: mentee id -> meetings held with their current mentor; when a mentor's
      capacity falls below their pairs, the pairs with more meetings are kept first.
    - ``since``: mentee id -> when lmsync paired them with their current mentor (ISO instant, the
      pairing history), for those same pairs: among equal meetings and fits the older pair stays.
    - ``unfit``: the ``forbids`` that are a coordinator's "not a good fit" mark (``lmsync queue
      done --outcome rematched``), said so where matching names why a pair cannot be made.
    - ``departed`` / ``departed_peers``: mentee id -> the mentor of the circle they are still in
      who is no longer among the people (account or enrolment suspended, left the course, no
      mentor role): matching says whom they were with and why they are matched again (tester
      round 50, 1: on Moodle they read as newcomers). Not pairs to keep, so never warned of.
    """

    persons: tuple[Person, ...]
    current: Mapping[str, str] = field(default_factory=dict)
    current_peers: Mapping[str, str] = field(default_factory=dict)
    pins: tuple[Pair, ...] = ()
    forbids: tuple[Pair, ...] = ()
    rematch: frozenset[str] = frozenset()
    returning: Mapping[str, str] = field(default_factory=dict)
    established: Mapping[str, int] = field(default_factory=dict)
    unfit: frozenset[Pair] = frozenset()
    departed: Mapping[str, str] = field(default_factory=dict)
    departed_peers: Mapping[str, str] = field(default_factory=dict)
    since: Mapping[str, str] = field(default_factory=dict)

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
            for alias in person.other_keys():
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
        unfit: Iterable[Pair] = (),
    ) -> People:
        """Add the configuration's standing decisions to those that came with the people (``unfit``:
        which of ``forbids`` are "not a good fit" marks)."""
        return People(
            persons=self.persons,
            current=self.current,
            current_peers=self.current_peers,
            pins=(*self.pins, *(tuple(p) for p in pins)),  # type: ignore[arg-type]
            forbids=(*self.forbids, *(tuple(f) for f in forbids)),  # type: ignore[arg-type]
            rematch=self.rematch | frozenset(rematch),
            returning=self.returning,
            established=self.established,
            unfit=self.unfit | frozenset((str(a), str(b)) for a, b in unfit),
            departed=self.departed,
            departed_peers=self.departed_peers,
            since=self.since,
        )


# ---------------------------------------------------------------------------- typed values
#
# Profile fields such as ``mentorcapacity`` and ``yearofstudy`` are free text a person types
# (issue 10 point 5). ``read_number`` reads what is unambiguous and says how it read it:
#
# - ``"3"``, ``" 3 "``: a number (status ``number``);
# - ``"three"``: a number word that is the *whole* value, zero to twenty (status ``read``);
# - ``"Year 3"``, ``"3 mentees"``, ``"up to 3"``: exactly one whole number written in digits
#   and no number word anywhere in the text (status ``read``);
# - anything else is ``unreadable`` and counts as missing: two numbers (``"2-3"``, ``"2 or
#   3"``, ``"2.5"``), number words inside other text (``"Up to two"``, ``"two or three"``,
#   ``"Year three"``: a word's meaning depends on the words around it, and lmsync will not
#   guess), or no number at all (``"lots"``).
#
# ``read`` and ``unreadable`` values are both reported (person, field, value), so whoever
# typed them can fix them; only ``unreadable`` ones are treated as missing.

_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
NUMBER_WORDS: Mapping[str, int] = {word: n for n, word in enumerate(_WORDS)}
_WHOLE_INTEGER = re.compile(r"[+-]?\d+")
_NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")

NumberStatus = Literal["empty", "number", "read", "unreadable"]


@dataclass(frozen=True)
class TypedNumber:
    """A hand-typed number: ``value`` is None for ``empty`` and ``unreadable``."""

    text: str
    value: int | None
    status: NumberStatus


def read_number(text: str | None) -> TypedNumber:
    """Read a whole number from a hand-typed value; see the rules above (issue 10 point 5)."""
    raw = "" if text is None else str(text)
    stripped = plain_text(raw, " ").strip()  # "&#50;" is 2, a cleared HTML field "<p></p>" empty (round 66, 3 and 13)
    if not stripped:
        return TypedNumber(raw, None, "empty")
    if _WHOLE_INTEGER.fullmatch(stripped):
        return TypedNumber(raw, int(stripped), "number")
    words = normalise(stripped).split()
    if len(words) == 1 and words[0] in NUMBER_WORDS:
        return TypedNumber(raw, NUMBER_WORDS[words[0]], "read")
    numbers = _NUMBERS.findall(stripped)
    if len(numbers) == 1 and numbers[0].isdigit() and not any(w in NUMBER_WORDS for w in words):
        return TypedNumber(raw, int(numbers[0]), "read")
    return TypedNumber(raw, None, "unreadable")


LARGEST = 1_000_000  # a typed capacity or year above this is a typo (beyond the solver's int64: tester round 3, 9)


def out_of_range(value: int | None, least: int | None = None) -> str | None:
    """What makes a number read from a person's value unusable, None when nothing does.

    Above ``LARGEST`` (either sign) is a typo that the solver cannot hold; below ``least`` (a
    capacity under 0) means nothing. The CSV and the Moodle path share the bound (tester round 4, 4).
    """
    if value is None:
        return None
    if abs(value) > LARGEST:
        return f"is too large (at most {LARGEST:,})"
    if least is not None and value < least:
        return f"is below {least}"
    return None


# ---------------------------------------------------------------------------- spellings


def spelling_map(aliases: Mapping[str, str]) -> dict[str, str]:
    """``[matching] aliases`` as normalised spelling -> normalised value.

    ``{"Pediatrics": "Paediatrics", "Paeds": "Paediatrics"}`` makes all three one value.
    Raises ValueError for an empty spelling or value, and for a chain (a value that is itself
    mapped elsewhere), which would depend on the order rules are applied in.
    """
    out: dict[str, str] = {}
    for spelling, value in aliases.items():
        key, target = normalise(spelling), normalise(value)
        if not key or not target:
            raise ValueError(f"aliases: {spelling!r} = {value!r}: both sides need letters or digits")
        if key != target:
            out[key] = target
    for key, target in out.items():
        if target in out:
            raise ValueError(
                f"aliases: {key!r} -> {target!r} -> {out[target]!r}: map every spelling straight to the final value"
            )
    return out


def respell(value: str | None, spellings: Mapping[str, str]) -> str | None:
    """``value`` normalised, then replaced by its configured spelling when there is one."""
    if not value:
        return None
    token = normalise(plain_text(value))
    return spellings.get(token, token) or None


def respell_all(values: Iterable[str], spellings: Mapping[str, str]) -> frozenset[str]:
    return frozenset(v for v in (respell(value, spellings) for value in values) if v)


# ---------------------------------------------------------------------------- warnings about people


@dataclass(frozen=True)
class PersonWarning:
    """Something about one person that a coordinator (or a script) should act on.

    ``code`` is stable (``account_suspended``, ``account_state_unknown``, ``dual_role``,
    ``value_read``, ``value_unreadable``, ``year_implausible`` (``year_of_study``), ``department_unshared``); ``person`` is the id
    matching uses (the username on the Moodle path); ``moodle_id`` and ``username`` are set
    when the person came from Moodle; ``field`` / ``value`` name the profile field and
    what was typed there; ``suggestion`` is a nearest known value, when there is one.
    ``outcome`` says what a ``dual_role`` notice did with the person, for code to read rather
    than the message's words: ``held_with_mentor`` (kept with their circle's mentor, matched
    with no other), ``held_out`` (left out of matching), ``kept_as_mentor`` (their own circle
    kept, no new mentees; the three until an admin decides), ``counted_as_mentor`` or
    ``counted_as_mentee`` (``[matching] dual_role``); None on every other code.
    """

    code: str
    person: str
    message: str
    moodle_id: int | None = None
    username: str | None = None
    field: str | None = None
    value: str | None = None
    suggestion: str | None = None
    outcome: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Every field, ``message`` last (the items of a plan's ``warning_items``)."""
        item: dict[str, object] = asdict(self)
        item["message"] = item.pop("message")
        return item


def unshared_departments(people: People, field_name: str = "department") -> list[PersonWarning]:
    """Mentees whose department no mentor (or peer mentor) shares, each with the nearest known value.

    Nearest is by ``difflib`` similarity (cutoff 0.6) among the mentors' departments, so
    ``"pediatrics"`` suggests ``"paediatrics"``; a value with nothing close gets no
    suggestion (a department that has no mentor yet is not necessarily a typo).
    """
    import difflib

    known = sorted({p.department for p in people.persons if p.department and p.roles & MENTORING_ROLES})
    if not known:
        return []
    known_set = set(known)
    out: list[PersonWarning] = []
    for person in sorted(people.persons, key=lambda p: p.id):
        if not person.has_role("mentee") or not person.department or person.department in known_set:
            continue
        close = difflib.get_close_matches(person.department, known, n=1, cutoff=0.6)
        nearest = close[0] if close else None
        hint = f"; nearest known value {nearest!r} (map it with [matching] aliases)" if nearest else ""
        out.append(
            PersonWarning(
                code="department_unshared",
                person=person.id,
                moodle_id=person.moodle_id,
                username=person.id if person.moodle_id is not None else None,
                field=field_name,
                value=person.department,
                suggestion=nearest,
                message=f"{person.id}: no mentor shares department {person.department!r}{hint}",
            )
        )
    return out


def summarise(notices: Iterable[PersonWarning], per_code: int = 10) -> list[str]:
    """Warnings in words: the first ``per_code`` of each code, then how many more."""
    lines: list[str] = []
    counts: dict[str, int] = {}
    for notice in notices:
        counts[notice.code] = counts.get(notice.code, 0) + 1
        if counts[notice.code] <= per_code:
            lines.append(notice.message)
    for code, count in counts.items():
        if count > per_code:
            lines.append(f"... and {count - per_code} more {code} (all of them: --format json)")
    return lines
