"""The run-time half of typed keyword options (PEP 692 ``**options: Unpack[SomeTypedDict]``).

mypy checks such keywords; Python itself does not, so a misspelt one would be dropped silently
where an explicit parameter list raised ``TypeError``. :func:`check_keywords` keeps that
``TypeError`` for the calls that declare their options once as a ``TypedDict``
(``lmsync.moodle.errors.ErrorFields``, the reads' ``Paging`` and kin, the emulator's
``ServerOptions``).
"""

from __future__ import annotations

from collections.abc import Mapping


def check_keywords(owner: str, given: Mapping[str, object], known: frozenset[str]) -> None:
    """Raise ``TypeError`` naming ``owner`` when ``given`` holds a key outside ``known`` (pass
    the ``TypedDict``'s ``__optional_keys__``); nothing is sent or built before."""
    unknown = sorted(set(given) - known)
    if unknown:
        raise TypeError(f"{owner}() got an unexpected keyword argument {', '.join(map(repr, unknown))}")
