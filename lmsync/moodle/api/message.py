"""Messages and calendar events: ``core_message_*``, ``core_calendar_*``.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lmsync.moodle.api._base import ApiBase, _ids, _local_error, _one_id, _parse_answers
from lmsync.moodle.models import (
    CalendarEvent,
    CalendarEventsResult,
    InstantMessage,
    MessageResult,
    MoodleWarning,
    NewCalendarEvent,
)


def _events_answered(answer: Any) -> int:
    """How many events an answer of core_calendar_create_calendar_events accounts for: each one sent comes
    back as an event or as a warning (trap 7); fewer, and PHP cut the request."""
    answer = answer if isinstance(answer, dict) else {}
    return len(answer.get("events") or []) + len(answer.get("warnings") or [])


class MessageApi(ApiBase):
    """Messages and calendar events."""

    # -- messages, calendar, roles -------------------------------------------------------------

    def send_instant_messages(
        self, messages: Sequence[InstantMessage | Mapping[str, Any]], *, per_request: int = 1
    ) -> list[MessageResult]:
        """core_message_send_instant_messages; one :class:`MessageResult` per message, in order.

        Refusals come back per message (``msgid`` -1, ``errormessage``). Non-idempotent and
        not transactional: one undeliverable message can fail a request AFTER earlier ones
        were delivered (trap 29), so by default each message goes in its own request.
        """
        fn = "core_message_send_instant_messages"
        answers = self._send(fn, "messages", InstantMessage, messages, max_items=per_request,
                             answered=lambda answer: len(answer or []))  # one per message: fewer, a cut request
        return _parse_answers(MessageResult, answers)

    def create_calendar_events(
        self, events: Sequence[NewCalendarEvent | Mapping[str, Any]]
    ) -> CalendarEventsResult:
        """core_calendar_create_calendar_events (non-idempotent). Permission problems come back as
        ``warnings`` with no event (trap 7); events have no idnumber: keep the returned ids."""
        created: list[CalendarEvent] = []
        warnings: list[MoodleWarning] = []
        for answer in self._send("core_calendar_create_calendar_events", "events", NewCalendarEvent, events,
                                 answered=_events_answered):
            result = CalendarEventsResult.model_validate(answer)
            created.extend(result.events)
            warnings.extend(result.warnings)
        return CalendarEventsResult(events=created, warnings=warnings)

    def get_calendar_events(
        self,
        *,
        eventids: Sequence[int] | None = None,
        courseids: Sequence[int] | None = None,
        groupids: Sequence[int] | None = None,
        categoryids: Sequence[int] | None = None,
        userevents: bool | None = None,
        siteevents: bool | None = None,
        timestart: int | None = None,
        timeend: int | None = None,
        ignorehidden: bool | None = None,
    ) -> CalendarEventsResult:
        """core_calendar_get_calendar_events: the events and the warnings, both kept.

        ``timestart``/``timeend`` are unix seconds; events IN PROGRESS at ``timestart`` come
        back too, not only those starting in the range (trap 45). Course and site events have
        ``groupid`` ``None``; names are escaped (trap 39). Without moodle/calendar:manageentries
        a non-enrolled integration user gets each course event as a ``nopermissions`` warning
        (``item`` = the event id as a string), HTTP 200.
        """
        fn = "core_calendar_get_calendar_events"
        events: dict[str, Any] = {}
        for key, ids in (
            ("eventids", eventids),
            ("courseids", courseids),
            ("groupids", groupids),
            ("categoryids", categoryids),
        ):
            if ids is not None:
                events[key] = _ids(fn, key, ids)
        options: dict[str, Any] = {}
        for key, flag in (("userevents", userevents), ("siteevents", siteevents)):
            if flag is not None:
                options[key] = bool(flag)
        for key, when in (("timestart", timestart), ("timeend", timeend)):
            if when is not None:
                options[key] = _one_id(fn, key, when)
        if ignorehidden is not None:
            options["ignorehidden"] = bool(ignorehidden)
        if timestart is not None and timeend is not None and timeend < timestart:
            raise _local_error(fn, f"timeend {timeend} is before timestart {timestart}")
        params: dict[str, Any] = {}
        if events:
            params["events"] = events
        if options:
            params["options"] = options
        return self._call(CalendarEventsResult, fn, params)
