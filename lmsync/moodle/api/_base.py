"""What every component's calls share: input checks, chunking by the request budget, paging."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar

from pydantic import BaseModel

from lmsync.log import get_logger
from lmsync.moodle.batching import chunk_by_budget, item_vars
from lmsync.moodle.encoding import count_vars
from lmsync.moodle.errors import InvalidParameter, MoodleError, RequestCut
from lmsync.moodle.models import MoodleInput
from lmsync.moodle.transport import Transport

M = TypeVar("M", bound=BaseModel)
I = TypeVar("I", bound=MoodleInput)  # noqa: E741

_log = get_logger("lmsync.moodle.api")

#: Core user fields core_enrol_get_enrolled_users accepts in ``userfields`` (trap 13:
#: custom profile field shortnames are refused with invaliduserfield).
CORE_USER_FIELDS = frozenset(
    {
        "id", "username", "fullname", "firstname", "lastname", "email", "address", "phone1", "phone2",
        "department", "institution", "interests", "firstaccess", "lastaccess", "lastcourseaccess", "auth",
        "suspended", "confirmed", "idnumber", "lang", "theme", "timezone", "mailformat", "trackforums",
        "description", "descriptionformat", "city", "country", "profileimageurlsmall", "profileimageurl",
        "customfields", "groups", "roles", "preferences", "enrolledcourses", "url", "calendartype",
        "middlename", "alternatename", "firstnamephonetic", "lastnamephonetic",
    }
)  # fmt: skip

USER_LOOKUP_FIELDS = ("id", "idnumber", "username", "email")
COURSE_LOOKUP_FIELDS = ("id", "ids", "shortname", "idnumber", "category", "sectionid")
#: mod_forum_get_forum_discussions sort orders (-1 = default; 0 is refused).
FORUM_SORTORDERS = frozenset({-1, *range(1, 13)})
#: mod_forum_get_discussion_posts sort keys and directions.
POST_SORTBY = ("id", "created", "modified")
SORT_DIRECTIONS = ("ASC", "DESC")

DEFAULT_PAGE_SIZE = 500


class Paging(TypedDict, total=False):
    """Moodle's ``page``/``perpage`` pair, as the paged reads take it (mod_feedback_get_responses_analysis,
    mod_feedback_get_non_respondents, mod_forum_get_forum_discussions): ``page`` counts from 0,
    ``perpage`` is rows per page. Absent or ``None``: not sent, Moodle's default (each function
    says what ``page=None`` means for it)."""

    page: int | None
    perpage: int | None


def _local_error(function: str, message: str) -> InvalidParameter:
    return InvalidParameter(
        f"{function}: {message}",
        function=function,
        errorcode="invalidparameter",
        local=True,
        hint="Fix the value; nothing was sent to Moodle.",
    )


def _ids(function: str, what: str, values: Iterable[Any]) -> list[int]:
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _local_error(function, f"{what} must be integers, got {value!r}")
        out.append(int(value))
    return out


def _one_id(function: str, what: str, value: Any) -> int:
    return _ids(function, what, [value])[0]


def _items(cls: type[I], values: Iterable[Any]) -> list[I]:
    out = []
    for index, value in enumerate(values):
        try:
            out.append(cls.coerce(value))
        except InvalidParameter as exc:
            exc.message = f"{exc.message} (item {index})"
            raise
    return out


def _parse_list(model: type[M], data: Any) -> list[M]:
    return [model.model_validate(row) for row in (data or [])]


def _parse_answers(model: type[M], answers: Iterable[Any]) -> list[M]:
    """The rows of every chunk's answer (each a list), in request order."""
    return [model.model_validate(row) for answer in answers for row in (answer or [])]


class ApiBase:
    """The transport, the request budget and the chunked sending every component's calls share."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    # -- helpers -----------------------------------------------------------------------

    @property
    def budget(self) -> int:
        return self.transport.budget

    def _call(
        self, model: type[M], function: str, params: Mapping[str, Any] | None = None, *, fail_fast: bool = False
    ) -> M:
        """One request to ``function``; its answer (an object) as ``model``, ``warnings`` kept.

        Moodle's exception bodies and transport failures raise as :meth:`Transport.call` says;
        an answer that does not fit ``model`` raises ``UnexpectedResponse`` (``MoodleApi``
        wraps every method). ``fail_fast``: one attempt, short timeouts (``Transport.call``).
        """
        return model.model_validate(self.transport.call(function, params, fail_fast=fail_fast))

    def _read_id(self, model: type[M], function: str, key: str, value: Any) -> M:
        """:meth:`_call` with the one parameter ``key``, an id (a real int, else a local
        ``InvalidParameter`` and nothing sent: trap 4)."""
        return self._call(model, function, {key: _one_id(function, key, value)})

    def _call_rows(self, model: type[M], function: str, params: Mapping[str, Any] | None = None) -> list[M]:
        """One request to ``function`` whose answer is a list: each row as ``model``
        (Moodle's ``null`` or ``[]``: no rows). Failures as in :meth:`_call`."""
        return _parse_list(model, self.transport.call(function, params))

    def _chunked(
        self,
        function: str,
        key: str,
        items: Sequence[Mapping[str, Any]] | Sequence[Any],
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        max_items: int | None = None,
        item_count: Callable[[Any], int] | None = None,
        answered: Callable[[Any], int] | None = None,
    ) -> list[Any]:
        """Send ``items`` as list ``key`` in as many requests as the budget needs.

        ``before``/``after`` are sent with every request, before/after the list. On a
        failure the exception's ``applied`` says how many items earlier requests applied.
        ``answered``: for a call Moodle answers one item per item sent (a create), how many items
        an answer lists; fewer than were sent raise :class:`RequestCut` (exit 2) before the next
        request: PHP cut the request (max_input_vars, tester round 92b, 1).
        """
        if not items:
            return []
        fixed = count_vars(dict(before or {})) + count_vars(dict(after or {}))
        try:
            chunks = chunk_by_budget(items, item_vars(key), self.budget, fixed, max_items=max_items)
        except ValueError as exc:
            raise _local_error(function, str(exc)) from None
        results = []
        applied = 0
        for number, chunk in enumerate(chunks, start=1):
            params: dict[str, Any] = {**(before or {}), key: list(chunk), **(after or {})}
            try:
                results.append(self.transport.call(function, params))
                if answered is not None and (got := answered(results[-1])) < len(chunk):
                    raise RequestCut.short_answer(function, sent=len(chunk), answered=got, budget=self.budget,
                                                  rows=[r for a in results for r in (a if isinstance(a, list) else [a])])
            except MoodleError as exc:
                if len(chunks) > 1 or isinstance(exc, RequestCut):
                    exc.applied = applied + (exc.answered if isinstance(exc, RequestCut) else 0)
                    _log.warning(
                        "moodle.chunk.failed",
                        function=function,
                        chunk=number,
                        chunks=len(chunks),
                        applied=applied,
                    )
                raise
            applied += item_count(chunk) if item_count else len(chunk)
        if len(chunks) > 1:
            _log.debug("moodle.chunked", function=function, items=len(items), requests=len(chunks))
        return results

    def _send_creates(self, function: str, key: str, model: type[I], values: Iterable[Any]) -> list[Any]:
        """:meth:`_send` for a create Moodle answers with one row per item sent: a shorter answer raises
        :class:`RequestCut` (PHP cut the request), never a shorter result."""
        return self._send(function, key, model, values, answered=lambda answer: len(answer or []))

    def _send(self, function: str, key: str, model: type[I], values: Iterable[Any], **chunking: Any) -> list[Any]:
        """Check every one of ``values`` as ``model`` (the bad one named ``(item n)``, nothing
        sent), then send them as list ``key`` through :meth:`_chunked`; returns its answers."""
        return self._chunked(function, key, [v.to_params() for v in _items(model, values)], **chunking)

    def _send_ids(self, function: str, key: str, ids: Iterable[Any]) -> list[Any]:
        """Send the id list ``key`` (real ints only, trap 4) through :meth:`_chunked`."""
        return self._chunked(function, key, _ids(function, key, ids))

    def _read_ids(
        self, model: type[M], function: str, key: str, ids: Iterable[Any] | None, extra: Mapping[str, Any] | None = None
    ) -> list[M]:
        """The ``model`` rows of a read keyed by the id list ``key`` (checked like :meth:`_send_ids`);
        ``ids`` None: the function is called with no parameters (Moodle then answers for all)."""
        if ids is None:
            return self._call_rows(model, function)
        return _parse_list(model, self._id_list_reads(function, key, _ids(function, key, ids), extra))

    def _id_list_reads(
        self, function: str, key: str, ids: Sequence[int], extra: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """Reads keyed by an id list, chunked like writes (a long list is a big form too)."""
        rows: list[Any] = []
        for answer in self._chunked(function, key, list(ids), after=extra):
            rows.extend(answer or [])
        return rows


def _pairs(values: Iterable[Any], first: str, second: str) -> list[Any]:
    """Let callers pass ``(a, b)`` tuples for two-id items."""
    out = []
    for value in values:
        if isinstance(value, tuple) and len(value) == 2:
            out.append({first: value[0], second: value[1]})
        else:
            out.append(value)
    return out

