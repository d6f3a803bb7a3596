"""core_course: courses by field, the record Moodle 4.5 returns per course."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import invalid_parameter
from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Alpha, Raw
from lmsync.moodle.emulator.state import Course, Site


def _course_record(site: Site, course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "fullname": course.fullname,
        "displayname": course.fullname,
        "shortname": course.shortname,
        "courseimage": f"{site.siteurl}/pluginfile.php/{course.id}/course/generated/course.svg",
        "categoryid": course.category,
        "categoryname": "Category 1",
        "sortorder": 10000 + course.id,
        "summary": course.summary,
        "summaryformat": 1,
        "summaryfiles": [],
        "overviewfiles": [],
        "showactivitydates": False,
        "showcompletionconditions": True,
        "contacts": [],
        "enrollmentmethods": ["manual"],
        "format": course.format,
        "showgrades": 1,
        "newsitems": 1,
        "startdate": course.startdate,
        "enddate": course.enddate,
        "maxbytes": 0,
        "showreports": 0,
        "visible": 1,
        "groupmode": course.groupmode,
        "groupmodeforce": 0,
        "defaultgroupingid": 0,
        "enablecompletion": 0,
        "completionnotify": 0,
        "lang": "",
        "theme": "",
        "marker": 0,
        "filters": [
            {"filter": f, "localstate": 0, "inheritedstate": 1}
            for f in ("displayh5p", "activitynames", "mathjaxloader", "emoticon", "urltolink", "mediaplugin")
        ],
        "courseformatoptions": [
            {"name": "hiddensections", "value": 1},
            {"name": "coursedisplay", "value": 0},
            {"name": "indentation", "value": "1"},
        ],
    }


@ws("core_course_get_courses_by_field", {"field": Alpha(default=""), "value": Raw(default="")})
def get_courses_by_field(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    fieldname, value = p["field"], p["value"]
    if fieldname not in ("", "id", "ids", "shortname", "idnumber", "category", "sectionid"):
        raise invalid_parameter("Invalid field name")
    courses = sorted(call.site.courses.values(), key=lambda c: c.id)

    def as_int(text: str) -> int:
        return int(text) if text.strip().lstrip("-").isdigit() else 0

    if fieldname == "id":
        courses = [c for c in courses if c.id == as_int(value)]
    elif fieldname == "ids":
        wanted = {as_int(v) for v in value.split(",")}
        courses = [c for c in courses if c.id in wanted]
    elif fieldname == "shortname":
        courses = [c for c in courses if c.shortname == value]
    elif fieldname == "idnumber":
        courses = [c for c in courses if c.idnumber == value]
    elif fieldname == "category":
        courses = [c for c in courses if c.category == as_int(value)]
    elif fieldname == "sectionid":
        courses = []
    out = [_course_record(call.site, c) for c in courses] if call.has("moodle/course:view") else []
    return {"courses": out, "warnings": []}
