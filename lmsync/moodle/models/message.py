"""Messages and calendar events: ``core_message_*``, ``core_calendar_*``.

Part of ``lmsync.moodle.models`` (see its docstring for the rules every model follows).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from lmsync.moodle.models._base import Int, MoodleInput, MoodleModel, Name, WithWarnings

# -- messages, calendar ------------------------------------------------------------------


class MessageResult(MoodleModel):
    """Per-message outcome: ``msgid`` -1 plus ``errormessage`` when refused (trap 7). Moodle's
    other keys (``text``, ``timecreated``, ``conversationid``, ``useridfrom``) are kept as
    extras, unread: lmsync needs only whether and which message was sent."""

    msgid: int
    clientmsgid: str | None = None
    errormessage: str | None = None

    @property
    def ok(self) -> bool:
        return self.msgid > 0


class CalendarEvent(MoodleModel):
    """A calendar event (created, or read with core_calendar_get_calendar_events).

    On read, ``groupid``, ``categoryid``, ``repeatid``, ``modulename`` and ``instance`` are
    ``None`` for course and site events (stored as 0), and ``name`` is escaped by
    format_string (traps 39, 45). Times are unix seconds.
    """

    id: int
    name: str = ""
    description: str = ""
    format: int = 1
    courseid: int = 0
    categoryid: int | None = None
    groupid: int | None = None
    userid: int = 0
    repeatid: int | None = None
    modulename: str | None = None
    instance: int | None = None
    eventtype: str = ""
    timestart: int = 0
    timeduration: int = 0
    visible: int = 1

    @property
    def timeend(self) -> int:
        return self.timestart + self.timeduration


class CalendarEventsResult(WithWarnings):
    """Events created or read. Permission problems come back as ``warnings`` (HTTP 200): on a
    create with no event (trap 7); on a read one per hidden event, ``item`` its id as a string,
    warningcode ``nopermissions`` (trap 45)."""

    events: list[CalendarEvent] = Field(default_factory=list)


class InstantMessage(MoodleInput):
    wsfunction: ClassVar[str] = "core_message_send_instant_messages"
    touserid: Int
    text: str
    textformat: Int = 1
    clientmsgid: str | None = None

    @field_validator("text")
    @classmethod
    def check_text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text must not be empty")
        return v


_EVENT_TYPES = {"user", "site", "course", "group", "category"}


class NewCalendarEvent(MoodleInput):
    wsfunction: ClassVar[str] = "core_calendar_create_calendar_events"
    name: Name
    description: str | None = None
    format: Int | None = None
    courseid: Int | None = None
    groupid: Int | None = None
    repeats: Int | None = None
    eventtype: str = "user"
    timestart: Int
    timeduration: Int | None = None
    visible: Int | None = None
    sequence: Int | None = None

    @model_validator(mode="after")
    def check_consistent(self) -> NewCalendarEvent:
        if self.eventtype not in _EVENT_TYPES:
            raise ValueError(f"eventtype must be one of {sorted(_EVENT_TYPES)} (got {self.eventtype!r})")
        if self.eventtype == "group" and not (self.groupid and self.groupid > 0):
            raise ValueError("a group event needs groupid > 0 (Moodle would store groupid 0, trap 17)")
        if self.eventtype in ("group", "course") and not self.courseid:
            raise ValueError(f"a {self.eventtype} event needs courseid")
        return self
