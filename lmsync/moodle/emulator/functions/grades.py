"""core_grades and gradereport_user: grade pushes, the user report, the grade item list."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import moodle_error
from lmsync.moodle.emulator.functions.registry import Call, php_number, ws
from lmsync.moodle.emulator.params import AlnumExt, Bool, Float, Int, Multi, Raw, Struct
from lmsync.moodle.emulator.state import Course, Grade, GradeItem, Site


def _course_total(site: Site, courseid: int) -> GradeItem:
    for item in site.grade_items.values():
        if item.courseid == courseid and item.itemtype == "course":
            return item
    item = GradeItem(id=site.next_id("grade_items"), courseid=courseid, itemtype="course", itemmodule=None,
                     iteminstance=courseid, itemnumber=None, cmid=None, itemname=None, idnumber=None)
    site.grade_items[item.id] = item
    return item


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@ws(
    "core_grades_update_grades",
    {
        "source": Raw(), "courseid": Int(), "component": Raw(), "activityid": Int(), "itemnumber": Int(),
        "grades": Multi(item=Struct(fields={"studentid": Int(), "grade": Float(), "str_feedback": Raw(optional=True)}), default=list),
        "itemdetails": Struct(fields={
            "itemname": AlnumExt(optional=True), "idnumber": Int(optional=True), "gradetype": Int(optional=True),
            "grademax": Float(optional=True), "grademin": Float(optional=True), "scaleid": Int(optional=True),
            "multfactor": Float(optional=True), "plusfactor": Float(optional=True), "deleted": Bool(optional=True),
            "hidden": Bool(optional=True),
        }, default=dict),
    },
    touches=("grade_items",),
)
def update_grades(call: Call, p: dict[str, Any]) -> int:
    site = call.site
    course = call.course(p["courseid"])
    found = site.course_module(p["activityid"])
    modname = p["component"][4:] if p["component"].startswith("mod_") else None
    if found is None or found[0] != modname or found[1].courseid != course.id:
        raise moodle_error("invalidcoursemodule", "Invalid course module ID")
    details = p["itemdetails"]
    call.require("moodle/grade:edit")
    if "hidden" in details:  # trap 21: hidden switches the check to moodle/grade:hide
        call.require("moodle/grade:hide")
    elif details:
        call.require("moodle/grade:manage")
    instance = found[1]
    _course_total(site, course.id)
    # grade_update looks the item up in PHP (no unique index): a push held by a slow database
    # creates a second item at the same itemnumber (issue 10 point 10)
    seen = next(
        (i for i in call.checks.grade_items.values()
         if i.courseid == course.id and i.itemtype == "mod" and i.itemmodule == modname
         and i.iteminstance == instance.id and i.itemnumber == p["itemnumber"]),
        None,
    )
    item = site.grade_items.get(seen.id) if seen is not None else None
    if item is not None and item.locked:
        return 4  # GRADE_UPDATE_ITEM_LOCKED, before the details are looked at (lib/gradelib.php grade_update)
    if item is None:
        item = GradeItem(id=site.next_id("grade_items"), courseid=course.id, itemtype="mod", itemmodule=modname,
                         iteminstance=instance.id, itemnumber=p["itemnumber"], cmid=instance.cmid, itemname=None, idnumber="")
        site.grade_items[item.id] = item
    if "itemname" in details:
        item.itemname = details["itemname"]
    if "idnumber" in details:  # duplicates are accepted (trap 21)
        item.idnumber = str(details["idnumber"])
    if "grademax" in details:
        item.grademax = details["grademax"]
    if "grademin" in details:
        item.grademin = details["grademin"]
    if "hidden" in details:
        item.hidden = details["hidden"]
    now = site.now()
    for grade in p["grades"]:  # unknown and non-enrolled users are graded too (trap 19); str_feedback dropped
        raw = grade["grade"]
        held = item.grades.get(grade["studentid"])
        if held is not None and held.locked:
            continue  # update_raw_grade leaves a locked grade alone
        if held is not None and held.overridden:  # the raw grade moves, the teacher's final grade stays
            held.rawgrade, held.timemodified = raw, now
            continue
        item.grades[grade["studentid"]] = Grade(rawgrade=raw, finalgrade=_clamp(raw, item.grademin, item.grademax), timemodified=now)
    return 0


def _fmt(value: float) -> str:
    return f"{value:.2f}"


@ws("gradereport_user_get_grade_items", {"courseid": Int(), "userid": Int(default=0), "groupid": Int(default=0)})
def get_grade_items(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    course = call.course(p["courseid"])
    call.require("gradereport/user:view")
    now = site.now()
    if p["userid"]:
        if p["userid"] != call.userid:
            call.require("moodle/grade:viewall")
        if p["userid"] not in course.enrolments:
            raise moodle_error("notenrolled", "User is not enrolled in this course")
        userids = [p["userid"]]
    else:
        call.require("moodle/grade:viewall")
        userids = [uid for uid, e in course.enrolments.items() if e.role == "student" and e.active(now)]
        if p["groupid"]:
            userids = [uid for uid in userids if call.in_group(p["groupid"], uid)]
        userids.sort(key=site.member_sort_key)
    items = [i for i in site.grade_items.values() if i.courseid == course.id and i.itemtype != "course"]
    items.sort(key=lambda i: (i.itemmodule != "assign", i.id))
    total_item = _course_total(site, course.id) if items else None
    usergrades = []
    for uid in userids:
        user = site.users.get(uid)
        rows = []
        graded = [i for i in items if uid in i.grades and i.grades[uid].finalgrade is not None]
        total_max = sum(i.grademax for i in graded)
        total_raw = sum(i.grades[uid].finalgrade or 0.0 for i in graded) if graded else None
        for item in items:
            grade = item.grades.get(uid)
            row = _grade_row(item, grade, course)
            if graded:  # the user report shows weights only to users with a grade in the course
                weight = round(item.grademax / total_max, 5) if item in graded and total_max else 0
                extra: dict[str, Any] = {"weightraw": weight, "weightformatted": f"{100 * weight:.2f} %"}
                if item not in graded:
                    extra["status"] = "novalue"
                row = _insert_after(row, "cmid", extra)
            rows.append(row)
        if total_item is not None:
            row = _grade_row(total_item, None, course)
            if total_raw is not None:
                row.update({"graderaw": php_number(total_raw), "gradedategraded": now, "gradeformatted": _fmt(total_raw),
                            "grademax": php_number(total_max), "rangeformatted": f"0&ndash;{php_number(total_max)}",
                            "percentageformatted": f"{100 * total_raw / total_max:.2f} %" if total_max else "-"})
            rows.append(row)
        usergrades.append({
            "courseid": course.id, "courseidnumber": course.idnumber, "userid": uid,
            "userfullname": user.fullname if user else "", "useridnumber": user.idnumber if user else "",
            "maxdepth": 2, "gradeitems": rows,
        })
    return {"usergrades": usergrades, "warnings": []}


def _insert_after(row: dict[str, Any], key: str, extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        out[k] = v
        if k == key:
            out.update(extra)
    return out


def _grade_row(item: GradeItem, grade: Grade | None, course: Course) -> dict[str, Any]:
    is_course = item.itemtype == "course"
    row: dict[str, Any] = {
        "id": item.id, "itemname": item.itemname, "itemtype": item.itemtype, "itemmodule": item.itemmodule,
        "iteminstance": item.iteminstance, "itemnumber": item.itemnumber,
        "idnumber": None if is_course else (item.idnumber or ""),
        "categoryid": None if is_course else 1, "outcomeid": None, "scaleid": None, "locked": item.locked,
    }
    if not is_course:
        row["cmid"] = item.cmid
    value = grade.finalgrade if grade else None
    row.update({
        "graderaw": php_number(value) if value is not None else None, "gradedatesubmitted": None,
        "gradedategraded": grade.timemodified if grade else None, "gradehiddenbydate": False,
        "gradeneedsupdate": False, "gradeishidden": item.hidden, "gradeislocked": bool(grade and grade.locked),
        "gradeisoverridden": bool(grade and grade.overridden), "gradeformatted": _fmt(value) if value is not None else "-",
        "grademin": php_number(item.grademin), "grademax": php_number(item.grademax),
        "rangeformatted": f"{php_number(item.grademin)}&ndash;{php_number(item.grademax)}",
        "percentageformatted": f"{100 * (value - item.grademin) / (item.grademax - item.grademin):.2f} %"
        if value is not None and item.grademax > item.grademin else "-",
        "feedback": (grade.feedback if grade else "") or "", "feedbackformat": 2,
    })
    return row


@ws("core_grades_get_gradeitems", {"courseid": Int()})
def get_gradeitems(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    course = call.course(p["courseid"])
    call.require("moodle/grade:viewall")
    items = [i for i in call.site.grade_items.values() if i.courseid == course.id and i.itemtype != "course"]
    items.sort(key=lambda i: (i.itemmodule == "assign", i.id))
    return {
        "gradeItems": [{"id": str(i.id), "itemname": i.itemname or "", "category": course.fullname} for i in items],
        "warnings": [],
    }
