"""Moodle Feedback choice items: positions, values and scales (traps 31, 43).

What a ``multichoice``/``multichoicerated`` item's ``presentation`` holds, and the bounds of a
``numeric`` item, read once here so no consumer ever sees a raw presentation string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


class FeedbackPresentationError(ValueError):
    """A choice item's ``presentation`` or an answer's position that cannot be read."""


@dataclass(frozen=True)
class FeedbackChoice:
    """One option of a Feedback choice item.

    ``position`` is 1-based, in the order the options are listed: it is what Moodle stores
    and returns as the answer's ``rawval`` (trap 43). ``value`` is what the answer *means*:
    the rated value of a ``multichoicerated`` option (``5`` in ``5####Very satisfied``), or
    the option's text for a plain ``multichoice`` item. ``label`` is the text shown.
    """

    position: int
    value: str
    label: str


@dataclass(frozen=True)
class FeedbackOptions:
    """The options of one Feedback choice item, as ``parse_feedback_presentation`` reads them.

    ``subtype``: ``r`` radio, ``d`` drop-down, ``c`` check boxes (several answers at once).
    """

    typ: str
    subtype: str
    choices: tuple[FeedbackChoice, ...]

    @property
    def rated(self) -> bool:
        return self.typ == "multichoicerated"

    def value_at(self, rawval: str | None, na_values: Iterable[str] = ()) -> str | None:
        """The value of the option(s) an answer chose; ``None`` when nothing was chosen.

        ``rawval`` is ``None`` (JSON null: the attempt was made before the item existed,
        trap 43), ``""`` or ``"0"`` ("not selected") for no answer, a 1-based position
        (``"1"``) otherwise, or positions joined by ``|`` for check boxes (their values
        are joined the same way). A position with no option (the item was edited after the
        answer) raises ``FeedbackPresentationError``.

        A rated option whose label or value is one of ``na_values`` (compared trimmed, in any
        case) is no answer: ``0####N/A`` chosen is ``None``, not the rated value ``0``, as
        ``numeric_values`` leaves it out of the item's scale (tester round 122a, 3: doctor
        passed such an item, and its answer was read as 0, outside the scale).
        """
        if rawval is None:
            return None
        text = str(rawval).strip()
        if text in ("", "0"):
            return None
        skip = {v.strip().lower() for v in na_values} if self.rated else set()
        values = []
        for part in text.split("|"):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= len(self.choices):
                raise FeedbackPresentationError(
                    f"answer position {part!r} is not one of the item's {len(self.choices)} options"
                )
            choice = self.choices[int(part) - 1]
            if choice.value.strip().lower() in skip or choice.label.strip().lower() in skip:
                continue
            values.append(choice.value)
        return "|".join(values) if values else None

    def numeric_values(self, na_values: Iterable[str] = ()) -> list[float]:
        """The options' values as numbers, declared N/A labels or values left out.

        Raises ``FeedbackPresentationError`` naming the first option that is not a number.
        """
        skip = {v.strip().lower() for v in na_values}
        out = []
        for choice in self.choices:
            if choice.value.strip().lower() in skip or choice.label.strip().lower() in skip:
                continue
            try:
                out.append(float(choice.value))
            except ValueError:
                raise FeedbackPresentationError(
                    f"option {choice.position} {choice.label!r} has no numeric value"
                ) from None
        return out


_CHOICE_TYPES = ("multichoice", "multichoicerated")


def parse_feedback_presentation(typ: str, presentation: str) -> FeedbackOptions | None:
    """Read a Feedback choice item's ``presentation``; ``None`` for items that are not choices.

    Moodle's format (mod/feedback/item/multichoice*/lib.php): ``<subtype>>>>>><options>``,
    then ``<<<<<1`` when the options are laid out horizontally (not for drop-downs);
    options are separated by ``|``. A ``multichoicerated`` option is ``<value>####<label>``
    (a line without ``####`` is worth 0, as Moodle's ``intval`` makes it); a ``multichoice``
    option is its label, which is also its value. Examples from the recordings::

        r>>>>>1####Very dissatisfied|2####Dissatisfied|...|5####Very satisfied
        r>>>>>5####Very satisfied|4####Satisfied|...|1####Very dissatisfied   (best first)

    Positions are 1-based in the listed order, whatever the values are (best first, 0-based,
    gaps, negative); ``FeedbackOptions.value_at`` turns an answer's position into its value.
    Raises ``FeedbackPresentationError`` for a choice item without options or a rated value
    that is not a whole number.
    """
    if typ not in _CHOICE_TYPES:
        return None
    subtype, sep, body = presentation.partition(">>>>>")
    if not sep:
        subtype, body = "r", presentation
    subtype = subtype.strip() or "r"
    if subtype != "d":
        body = body.split("<<<<<", 1)[0]
    lines = body.split("|")
    if not body.strip():
        raise FeedbackPresentationError(f"{typ} item has no options in its presentation")
    choices = []
    for position, line in enumerate(lines, start=1):
        if typ == "multichoicerated":
            raw_value, has_value, label = line.partition("####")
            if not has_value:
                raw_value, label = "0", line
            value = raw_value.strip()
            if not re.fullmatch(r"-?\d+", value):
                raise FeedbackPresentationError(f"option {position} {line!r} has no whole-number value")
            choices.append(FeedbackChoice(position, str(int(value)), label.strip()))
        else:
            choices.append(FeedbackChoice(position, line.strip(), line.strip()))
    return FeedbackOptions(typ, subtype, tuple(choices))


#: Option labels that read as "not answered", compared in any case with spaces, dots and brackets left out.
_NOT_ANSWERED = frozenset({"na", "n/a", "notapplicable", "noanswer", "notanswered", "doesnotapply", "notrelevant"})


def looks_not_answered(label: str) -> bool:
    """Whether an option's label reads as a not-answered value (``N/A``, ``NA``, ``n/a``, ``N.A.``, ``Not
    applicable``, ``(no answer)``, any case): doctor then suggests declaring it in ``na_values`` rather than
    widening the scale to its value, which would count it as a score (tester round 123b, 2)."""
    return re.sub(r"[\s.()\[\]_-]+", "", label.lower()) in _NOT_ANSWERED


def numeric_item_range(typ: str, presentation: str) -> tuple[float, float] | None:
    """``(min, max)`` of a Feedback ``numeric`` item (presentation ``"0|240"``); ``None`` if open."""
    if typ != "numeric":
        return None
    low, _, high = presentation.partition("|")
    try:
        return float(low), float(high)
    except ValueError:
        return None
