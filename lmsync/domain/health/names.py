"""How a nudge names the people it is about (tester round 83, 2).

A mentor with two mentees called Pedro was told that "your recent mentoring meetings with
Pedro" did not happen and, in the next paragraph, that they "have been short": two people,
one name. Among the people one message names (besides the person it greets), a first name
that repeats is told apart with the surname's initial ("Pedro M.", "Pedro T."), and where
that still repeats, by the full name. A first name that does not repeat stays as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonName:
    """A person's names as Moodle gives them; ``full`` is the display name, a fallback
    when there is no ``last``."""

    first: str
    last: str = ""
    full: str = ""

    @property
    def initialled(self) -> str:
        """First name and surname initial ("Pedro M."); the full name without a surname."""
        last = self.last.strip()
        return f"{self.first} {last[:1]}." if last else self.whole

    @property
    def whole(self) -> str:
        """First name and surname, else the display name, else the first name."""
        last = self.last.strip()
        return f"{self.first} {last}" if last else (self.full.strip() or self.first)


def told_apart(names: Mapping[int, PersonName]) -> dict[int, str]:
    """What one message calls each of the people it names (tester round 83, 2): the first name,
    unless another of ``names`` has the same one (case and spacing aside); then the first name
    and surname initial ("Pedro M."), unless that too repeats among them; then the full name."""
    said = {uid: name.first for uid, name in names.items()}
    for level in (lambda n: n.initialled, lambda n: n.whole):
        said = _retold(said, names, level)
    return said


def _retold(said: dict[int, str], names: Mapping[int, PersonName], level: Callable[[PersonName], str]) -> dict[int, str]:
    """``said``, with everyone whose label repeats relabelled by ``level``."""
    by_label: defaultdict[str, list[int]] = defaultdict(list)
    for uid, label in said.items():
        by_label[" ".join(label.split()).casefold()].append(uid)
    clashing = {uid for uids in by_label.values() if len(uids) > 1 for uid in uids}
    return {uid: level(names[uid]) if uid in clashing else label for uid, label in said.items()}
