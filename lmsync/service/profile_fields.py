"""A roster user's profile fields, name -> value, held as two tuples (issue 15, memory).

``core_enrol_get_enrolled_users`` gives each user their custom profile fields; lmsync keeps the
ones with a value for matching (department, interests, year, languages, capacity). A dict per
user was about 220 bytes with four fields, 12 MB at a 55,000-user sync. This mapping holds the
values in one tuple and the names in a tuple shared by every user with the same names (a course
has a few such sets), about 120 bytes, and reads a field by a scan of its few names. Names and
values are the strings given (``observe.roster_user`` interns them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

#: One names tuple per distinct set of names, shared by the users who have it (a handful per course).
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}


class ProfileFields(Mapping[str, str]):
    """A read-only mapping of profile field shortname -> value, in the order given.

    ``ProfileFields({"department": "Anatomy"})`` or ``ProfileFields([("department", "Anatomy")])``;
    as a dict built from the same pairs: a name given twice keeps its last value, in its first place.
    Equal to any mapping with the same items. Raises ``KeyError`` for a name it does not hold."""

    __slots__ = ("_names", "_values")

    def __init__(self, fields: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        items = dict(fields)
        names = tuple(items)
        self._names = _NAMES.setdefault(names, names)
        self._values = tuple(items.values())

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return repr(dict(self))
