"""core_calendar: creating and reading calendar events (warnings, not exceptions: traps 7, 45)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Bool, Int, Multi, Raw, Struct
from lmsync.moodle.text import format_string


@ws(
    "core_calendar_create_calendar_events",
    {"events": Multi(item=Struct(fields={
        "name": Raw(), "description": Raw(default=""), "format": Int(default=1), "courseid": Int(default=0),
        "groupid": Int(default=0), "repeats": Int(default=0), "eventtype": Raw(default="user"),
        "timestart": Int(default=0), "timeduration": Int(default=0), "visible": Int(default=1), "sequence": Int(default=1),
    }))},
    touches=("events",),
)
def create_calendar_events(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    events, warnings = [], []
    now = site.now()
    for event in p["events"]:
        kind = event["eventtype"]
        allowed = kind == "user" or call.has("moodle/calendar:manageentries")
        if kind in ("course", "group") and event["courseid"] not in site.courses:
            allowed = False
        if not allowed:  # a warning, not an exception (trap 7)
            warnings.append({"item": event["name"], "warningcode": "nopermissions",
                             "message": "you do not have permissions to create this event"})
            continue
        record = {
            "id": site.next_id("events"), "name": event["name"], "description": event["description"],
            "format": event["format"], "courseid": event["courseid"] if kind != "user" else 0,
            "groupid": event["groupid"] if kind == "group" else 0, "userid": call.userid, "modulename": "",
            "instance": 0, "eventtype": kind, "timestart": event["timestart"], "timeduration": event["timeduration"],
            "visible": event["visible"], "uuid": "", "sequence": event["sequence"], "timemodified": now,
            "subscriptionid": None,
        }
        site.events.append(record)
        events.append(record)
    return {"events": events, "warnings": warnings}


SITE_COURSE_ID = 1  # Moodle's SITEID: site events carry courseid 1


def _event_record(event: dict[str, Any]) -> dict[str, Any]:
    """An event as core_calendar_get_calendar_events returns it: 0/"" come back null, name escaped (trap 45)."""
    return {
        "id": event["id"], "name": format_string(event["name"]), "description": event.get("description", ""),
        "format": event.get("format", 1), "courseid": event.get("courseid", 0),
        "categoryid": event.get("categoryid") or None, "groupid": event.get("groupid") or None,
        "userid": event.get("userid", 0), "repeatid": event.get("repeatid") or None,
        "modulename": event.get("modulename") or None, "instance": event.get("instance") or None,
        "eventtype": event.get("eventtype", "user"), "timestart": event.get("timestart", 0),
        "timeduration": event.get("timeduration", 0), "visible": event.get("visible", 1),
        "sequence": event.get("sequence", 1), "timemodified": event.get("timemodified", 0),
        "subscriptionid": event.get("subscriptionid"),
    }


@ws(
    "core_calendar_get_calendar_events",
    {
        "events": Struct(fields={
            "eventids": Multi(item=Int(), default=list), "courseids": Multi(item=Int(), default=list),
            "groupids": Multi(item=Int(), default=list), "categoryids": Multi(item=Int(), default=list),
        }, default=dict),
        "options": Struct(fields={
            "userevents": Bool(default=True), "siteevents": Bool(default=True), "timestart": Int(default=0),
            "timeend": Int(default=0), "ignorehidden": Bool(default=True),
        }, default=dict),
    },
)
def get_calendar_events(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    """Events starting in ``[timestart, timeend]`` *and events in progress* at timestart (trap 45).

    Site events (courseid 1), course events (no group) of the asked courses, group events of the
    asked groups, the caller's user events. Without moodle/calendar:manageentries the
    non-enrolled integration user keeps the site events and every course event becomes a
    ``nopermissions`` warning whose ``item`` is the event id as a string; HTTP 200.
    """
    site = call.site
    events, options = p["events"], p["options"]
    hassystemcap = call.has("moodle/calendar:manageentries")
    warnings: list[dict[str, Any]] = []
    courses: list[int] = []
    for cid in events["courseids"]:
        if cid in site.courses and call.has("moodle/course:view"):
            courses.append(cid)
        else:
            warnings.append({"item": "course", "itemid": cid, "warningcode": "nopermissions",
                             "message": "No access rights in course context"})
    groups = list(events["groupids"])
    if not hassystemcap:
        mine = {g.id for g in site.groups.values() if call.userid in g.members}
        for gid in [g for g in groups if g not in mine]:
            warnings.append({"item": str(gid), "warningcode": "nopermissionstoaccessgroup",
                             "message": "you do not have permissions to access this group"})
        groups = [g for g in groups if g in mine]
    if options["siteevents"]:
        courses.append(SITE_COURSE_ID)
    start, end = options["timestart"], options["timeend"]
    enrolled = {c.id for c in site.courses.values() if call.userid in c.enrolments} | {SITE_COURSE_ID}
    out = []
    for event in sorted(site.events, key=lambda e: (e.get("timestart", 0), e["id"])):
        groupid, courseid = event.get("groupid") or 0, event.get("courseid") or 0
        if event.get("eventtype") == "user" or (not courseid and not groupid):
            wanted = options["userevents"] and event.get("userid") == call.userid
        elif groupid:
            wanted = groupid in groups
        else:
            wanted = courseid in courses
        if event["id"] in events["eventids"]:
            wanted = True
        begin, duration = event.get("timestart", 0), event.get("timeduration", 0)
        in_range = (not start or begin + duration >= start) and (not end or begin <= end)
        if options["ignorehidden"] and not event.get("visible", 1):
            in_range = False
        if not (wanted and in_range):
            continue
        visible = (
            hassystemcap or courseid == SITE_COURSE_ID or courseid in enrolled
            or event.get("userid") == call.userid or (groupid and groupid in groups)
        )
        if visible:
            out.append(_event_record(event))
        else:
            warnings.append({"item": str(event["id"]), "warningcode": "nopermissions",
                             "message": "you do not have permissions to view this event"})
    return {"events": out, "warnings": warnings}
