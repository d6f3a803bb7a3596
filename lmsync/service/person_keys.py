"""How a person is named in a command or a configuration: a Moodle id, username, idnumber or email,
optionally with its field first (``id:66``, ``idnumber:A123``, ``username:s0002``, ``email:...``).

One parser for ``lmsync person``, ``pair show`` (``lmsync.service.privacy``) and ``[matching]`` pins,
forbids and rematch (``lmsync.service.match``). Pure and light: the CSV path of ``lmsync match``
imports it without the Moodle client or the store.
"""

from __future__ import annotations

#: The fields a key may name, in the order they are tried when it names none.
FIELDS = ("id", "idnumber", "username", "email")

#: The largest Moodle id: Moodle's ids are signed 64-bit integers (BIGINT), as SQLite's INTEGER is.
MAX_ID = 2**63 - 1


def split_key(who: str) -> tuple[str, tuple[str, ...]]:
    """The value ``who`` names and the fields to try: ``("66", ("id",))`` for ``id:66``,
    ``("s0002", FIELDS)`` for a key with no field before it."""
    text = who.strip()
    field, sep, rest = text.partition(":")
    if sep and field.lower() in FIELDS:
        return rest.strip(), (field.lower(),)
    return text, FIELDS


def moodle_id(value: str) -> int | None:
    """The Moodle id ``value`` is, or ``None`` when it cannot be one: a Moodle id is ASCII digits only
    (``'٥'`` and ``'５'`` are not 5, tester round 122b, 5), from 1 (no Moodle user has id 0, and the store's
    ``about_id`` 0 means "names no one": ``person erase 0`` deleted every such answer, tester round 123b, 1)
    to ``MAX_ID`` (a mistyped 20-digit student number is no id: it crashed the store's query, tester round
    122b, 4). A key that is not an id is looked up as a username, idnumber or email like any other; ``id:``
    before it is refused."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
