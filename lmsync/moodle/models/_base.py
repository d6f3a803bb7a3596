"""Bases of every model: tolerant answers (``MoodleModel``) and strict requests (``MoodleInput``).

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from lmsync.moodle.errors import InvalidParameter
from lmsync.moodle.text import param_text_problem

# ---------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------


class MoodleModel(BaseModel):
    """Base of every answer model: lax numbers, unknown keys kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


class MoodleWarning(MoodleModel):
    """One entry of a ``warnings`` list (HTTP 200, no exception: trap 7)."""

    item: str | None = None
    itemid: int | None = None
    warningcode: str = ""
    message: str = ""


class WithWarnings(MoodleModel):
    warnings: list[MoodleWarning] = Field(default_factory=list)


class Described(MoodleModel):
    """An id, a name and a formatted description: the head Moodle's groups, groupings and cohorts
    share (``description`` with its ``descriptionformat``, Moodle's ``external_format_value``; 1 = HTML)."""

    id: int
    name: str = ""
    description: str = ""
    descriptionformat: int = 1


class ActivityInstance(MoodleModel):
    """The columns every activity module's instance has (Moodle's
    ``helper_for_get_mods_by_courses::standard_coursemodule_elements_returns``): ``id`` is the
    instance, ``course`` its course id, ``intro`` the description shown on its page."""

    id: int
    course: int
    name: str = ""
    intro: str = ""


_Entry = TypeVar("_Entry")


def first(entries: Iterable[_Entry], wanted: Callable[[_Entry], bool]) -> _Entry | None:
    """The first of ``entries`` that ``wanted`` accepts, ``None`` when none does.

    Moodle lists keyed entries (custom profile fields, a Feedback attempt's responses, an
    assignment's configs) where a mapping would do; this finds one by its key."""
    return next((entry for entry in entries if wanted(entry)), None)


# ---------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------

_ALNUMEXT = re.compile(r"^[A-Za-z0-9_-]+$")


def _moodle_int(value: Any) -> Any:
    """Accept real ints only: ``" 7"`` or ``"02"`` make Moodle answer a bare invalidparameter (trap 4)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {type(value).__name__} {value!r}")
    return int(value)


Int = Annotated[int, BeforeValidator(_moodle_int)]


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "value"
        msg = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def _clean_name(value: str, what: str = "name") -> str:
    if not value or not value.strip():
        raise ValueError(f"{what} must not be empty")
    if value != value.strip():
        # Moodle checks duplicates on the untrimmed name, then trims: "Name " becomes a second "Name" (trap 22).
        raise ValueError(f"{what} has leading/trailing whitespace ({value!r})")
    problem = param_text_problem(value)
    if problem:
        # PARAM_TEXT: refused with a reason-less invalidparameter that fails the whole batch (trap 38).
        raise ValueError(f"{what} {value!r}: {problem}")
    return value


def _check_visibility(v: int | None) -> int | None:
    if v is not None and v not in (0, 1, 2, 3):
        raise ValueError(f"visibility must be 0, 1, 2 or 3 (got {v})")
    return v


def _check_idnumber(v: str | None) -> str | None:
    if v is not None and v != v.strip():
        raise ValueError(f"idnumber has leading/trailing whitespace ({v!r})")
    return v


def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"grade must be a number, got {v!r}")
    return v


#: A group, grouping or event name: not blank, untrimmed, PARAM_TEXT-clean (traps 22, 38).
Name = Annotated[str, AfterValidator(_clean_name)]
#: A group's visibility, 0-3, or not sent.
Visibility = Annotated[Int | None, AfterValidator(_check_visibility)]
#: An idnumber with no outer white space (Moodle stores it as given; a trimmed twin differs).
Idnumber = Annotated[str, AfterValidator(_check_idnumber)]
#: A grade: a real int or float, never a bool or a numeric string.
Grade = Annotated[float, BeforeValidator(_number)]


class MoodleInput(BaseModel):
    """Base of request models: strict, raises InvalidParameter with the real reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    wsfunction: ClassVar[str] = ""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidParameter(
                f"{self.wsfunction or type(self).__name__}: {_explain(exc)}",
                function=self.wsfunction or None,
                errorcode="invalidparameter",
                local=True,
                hint="Fix the value; nothing was sent to Moodle.",
            ) from None

    @classmethod
    def coerce(cls, value: Any) -> Any:
        """Accept an instance or a mapping of its fields."""
        if isinstance(value, cls):
            return value
        if isinstance(value, BaseModel):
            value = value.model_dump()
        if not isinstance(value, dict):
            try:
                value = dict(value)
            except (TypeError, ValueError):
                raise InvalidParameter(
                    f"{cls.wsfunction}: expected {cls.__name__} or a mapping, got {type(value).__name__}",
                    function=cls.wsfunction or None,
                    errorcode="invalidparameter",
                    local=True,
                ) from None
        return cls(**value)

    def to_params(self) -> dict[str, Any]:
        """The item as Moodle's form wants it (``None`` = not sent)."""
        return self.model_dump(exclude_none=True)
