"""Feedback activities, items, responses and analyses: ``mod_feedback_*``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from lmsync.moodle.models._base import ActivityInstance, MoodleModel, WithWarnings, first

# -- feedback ----------------------------------------------------------------------------


class Feedback(ActivityInstance):
    """A Feedback activity. ``anonymous``: 1 = anonymous, 2 = NOT anonymous (trap 31)."""

    anonymous: int = 1
    multiple_submit: bool = False
    coursemodule: int = 0

    @property
    def is_anonymous(self) -> bool:
        return self.anonymous == 1


class FeedbacksResult(WithWarnings):
    feedbacks: list[Feedback] = Field(default_factory=list)


def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


class FeedbackItem(MoodleModel):
    """A Feedback item. A rated choice's values live only in ``presentation``
    (``r>>>>>5####Very satisfied|...``, trap 43); a ``null`` presentation reads as ``""``."""

    id: int
    feedback: int = 0
    name: str = ""
    label: str = ""
    presentation: Annotated[str, BeforeValidator(_none_as_empty)] = ""
    typ: str = ""
    hasvalue: int = 0
    position: int = 0
    required: bool = False
    itemnumber: int | None = None
    dependitem: int = 0

    def scale(self) -> dict[int, str]:
        """Values and labels of a multichoice item: ``r>>>>>1####Very dissatisfied|2####...``."""
        if not self.typ.startswith("multichoice"):
            return {}
        text = self.presentation.split(">>>>>", 1)[-1].split("<<<<<", 1)[0]
        out: dict[int, str] = {}
        for index, part in enumerate(text.split("|"), start=1):
            if "####" in part:
                value, label = part.split("####", 1)
                try:
                    out[int(value.strip())] = label.strip()
                    continue
                except ValueError:
                    pass
                out[index] = label.strip()
            else:
                out[index] = part.strip()
        return out

    def numeric_range(self) -> tuple[float, float] | None:
        """``(min, max)`` of a numeric item (presentation ``"0|240"``)."""
        if self.typ != "numeric" or "|" not in self.presentation:
            return None
        low, high = self.presentation.split("|", 1)
        try:
            return float(low), float(high)
        except ValueError:
            return None


class FeedbackItemsResult(WithWarnings):
    items: list[FeedbackItem] = Field(default_factory=list)


class FeedbackResponse(MoodleModel):
    """One answer: ``id`` is the ITEM id, ``rawval`` a string (trap 31), JSON null for an
    attempt made before the item existed (trap 43); a choice item's ``rawval`` is the
    option's 1-based position, not its value (trap 43)."""

    id: int
    name: str = ""
    printval: str = ""
    rawval: str | None = ""

    @property
    def number(self) -> float | None:
        if self.rawval is None:
            return None
        try:
            return float(self.rawval)
        except (TypeError, ValueError):
            return None


class FeedbackAttempt(MoodleModel):
    id: int
    courseid: int = 0
    userid: int
    timemodified: int = 0
    fullname: str = ""
    responses: list[FeedbackResponse] = Field(default_factory=list)

    def rawval(self, item_id: int) -> str | None:
        response = first(self.responses, lambda r: r.id == item_id)
        return None if response is None else response.rawval


class ResponsesAnalysis(WithWarnings):
    attempts: list[FeedbackAttempt] = Field(default_factory=list)
    totalattempts: int = 0
    anonattempts: list[Any] = Field(default_factory=list)
    totalanonattempts: int = 0


class ItemAnalysis(MoodleModel):
    item: FeedbackItem
    data: list[str] = Field(default_factory=list)

    def decoded(self) -> list[Any]:
        """``data`` with multichoice aggregates decoded a second time (JSON in JSON, trap 31)."""
        out: list[Any] = []
        for value in self.data:
            try:
                parsed = json.loads(value)
            except (TypeError, ValueError):
                parsed = value
            out.append(parsed if isinstance(parsed, dict) else value)
        return out


class FeedbackAnalysis(WithWarnings):
    completedcount: int = 0
    itemscount: int = 0
    itemsdata: list[ItemAnalysis] = Field(default_factory=list)


class NonRespondent(MoodleModel):
    courseid: int = 0
    userid: int
    fullname: str = ""
    started: bool = False


class NonRespondents(WithWarnings):
    users: list[NonRespondent] = Field(default_factory=list)
    total: int = 0
