"""How a person is named in a command or a configuration: a Moodle id, username, idnumber or email,
optionally with its field first (``id:66``, ``idnumber:A123``, ``username:s0002``, ``email:...``).

One parser for ``lmsync person``, ``pair show`` (``lmsync.service.privacy``) and ``[matching]`` pins,
forbids and rematch (``lmsync.service.match``). Pure and light: the CSV path of ``lmsync match``
imports it without the Moodle client or the store.
"""

from __future__ import annotations

#: The fields a key may name, in the order they are tried when it names none.
FIELDS = ("id", "idnumber", "username", "email")


def split_key(who: str) -> tuple[str, tuple[str, ...]]:
    """The value ``who`` names and the fields to try: ``("66", ("id",))`` for ``id:66``,
    ``("s0002", FIELDS)`` for a key with no field before it."""
    text = who.strip()
    field, sep, rest = text.partition(":")
    if sep and field.lower() in FIELDS:
        return rest.strip(), (field.lower(),)
    return text, FIELDS
