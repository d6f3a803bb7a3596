"""Matching's warnings naming people as every view does: ``Name (username)`` (tester rounds 120c, 8; 121b, 6).

The domain's warnings name people by id (``s0002: existing pair with s0004 kept although ...``), beside plan
lines that say ``Samuel Haddad (s0002)``; the README's "People" promises name and username in every view, or
the username alone with ``[privacy] show_names = false`` (``match.person_labels``). ``named_warnings`` puts
the labels in the places these warnings name a person (the mentee first, then their mentor), keeping the rest
of each warning as the domain wrote it; a warning of no such form, or an id of nobody matched (a mentor who
left), is kept as it is. Pins and forbids keep the ids their ``[matching]`` entries are written with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from lmsync.domain.people import PersonWarning

#: The forms: ``a`` the person the warning is about (a mentee), ``b`` the mentor it names (``matching.match``,
#: ``unmatched.year_gap_kept``; the department notice of ``people.unshared_departments``); ``c``, ``d`` the
#: people a mutual pair's warning names again (``mutual_pairs.without_mutual_pairs``; tester round 121b, 6).
_FORMS = (
    re.compile(r"(?P<a>.+?): existing pair with (?P<b>.+?)(?= kept although | dropped \(| ended by re-matching: )"),
    re.compile(r"(?P<a>.+?): current mentor (?P<b>.+?)(?= takes part as a mentee now | is not among the mentors )"),
    re.compile(r"(?P<a>.+?): (?P<b>.+?)(?='s circle holds more mentees than their capacity; |'s room went to \[matching\] pins )"),
    re.compile(r"(?P<a>.+?)(?=: no mentor shares department )"),
    re.compile(r"(?P<a>\S+) and (?P<b>\S+) would have mentored each other: (?P<c>\S+) is not matched to (?P<d>\S+)$"),
    re.compile(r"(?P<a>\S+) and (?P<b>\S+)(?= mentor each other: both pairs are pinned )"),
)
#: ``mutual_pairs.loops``: ``a loop of mentors in the mentor circle: A mentors C, C mentors B, B mentors A (...)``,
#: each turn's two people named (tester round 121b, 6).
_LOOP = re.compile(r"(?P<head>a loop of mentors in the \S+ circle: )(?P<turns>.+?)(?P<tail> \(allowed: .*)$")


def named_warnings(warnings: Iterable[str], labels: Callable[[], Mapping[str, str]]) -> list[str]:
    """``warnings`` with each person they name by id named by ``labels()`` (id -> ``Name (id)``; called once, and
    only when a warning names someone, as it costs a pass over every person). Raises nothing."""
    out: list[str] = []
    known: Mapping[str, str] | None = None
    for warning in warnings:
        found = next((m for m in (form.match(warning) for form in _FORMS) if m), None)
        loop = _LOOP.match(warning) if found is None else None
        if found is not None:
            known = labels() if known is None else known
            warning = _relabelled(warning, found, known)
        elif loop is not None:
            known = labels() if known is None else known
            warning = _loop_named(loop, known)
        out.append(warning)
    return out


def _loop_named(found: re.Match[str], labels: Mapping[str, str]) -> str:
    """A loop's warning with both people of each turn (``A mentors C``) named by ``labels``."""
    turns = []
    for turn in found["turns"].split(", "):
        mentor, _, mentee = turn.partition(" mentors ")
        turns.append(f"{labels.get(mentor, mentor)} mentors {labels.get(mentee, mentee)}")
    return f"{found['head']}{', '.join(turns)}{found['tail']}"


def named_notices(notices: Iterable[PersonWarning], labels: Callable[[], Mapping[str, str]]) -> list[PersonWarning]:
    """``notices`` (``people.unshared_departments``: ``s0002: no mentor shares department ...``) with their messages
    naming people as ``named_warnings`` does; every other field kept (``person`` stays the id). Raises nothing."""
    notices = list(notices)
    said = named_warnings((n.message for n in notices), labels)
    return [n if n.message == message else replace(n, message=message) for n, message in zip(notices, said, strict=True)]


def _relabelled(warning: str, found: re.Match[str], labels: Mapping[str, str]) -> str:
    """``warning`` with its ``a``, ``b``, ``c`` and ``d`` groups replaced by their labels (an id not in ``labels``
    kept)."""
    parts, end = [], 0
    for group in ("a", "b", "c", "d"):
        if group not in found.groupdict():
            continue
        start, stop = found.span(group)
        parts += [warning[end:start], labels.get(found[group], found[group])]
        end = stop
    return "".join([*parts, warning[end:]])
