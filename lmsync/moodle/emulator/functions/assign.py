"""mod_assign: assignments, saving and reading assignment grades (over-max dropped, trap 20)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Alpha, Bool, Float, Int, Multi, Raw, Struct
from lmsync.moodle.emulator.state import AssignGrade, Grade


@ws(
    "mod_assign_get_assignments",
    {"courseids": Multi(item=Int(), default=list), "capabilities": Multi(item=Raw(), default=list),
     "includenotenrolledcourses": Bool(default=False)},
)
def get_assignments(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    courses_out, warnings = [], []
    wanted = p["courseids"] or sorted(c.id for c in site.courses.values() if call.userid in c.enrolments)
    for cid in wanted:
        course = site.courses.get(cid)
        enrolled = course is not None and call.userid in course.enrolments
        if course is None or not (enrolled or (p["includenotenrolledcourses"] and call.has("moodle/course:view"))):
            warnings.append({"item": "course", "itemid": cid, "warningcode": "2",
                             "message": "User is not enrolled or does not have requested capability"})
            continue
        assignments = []
        for a in sorted(site.assignments.values(), key=lambda a: a.id):
            if a.courseid != cid:
                continue
            if not call.has("mod/assign:view"):  # get_assignments: require_capability caught, a warning per module
                warnings.append({"item": "module", "itemid": a.cmid, "warningcode": "1",
                                 "message": "No access rights in module context"})
                continue
            assignments.append({
                "id": a.id, "cmid": a.cmid, "course": cid, "name": a.name, "nosubmissions": 1, "submissiondrafts": 1,
                "sendnotifications": 0, "sendlatenotifications": 0, "sendstudentnotifications": 1, "duedate": 0,
                "allowsubmissionsfromdate": 0, "grade": a.grade, "timemodified": a.timemodified,
                "completionsubmit": 0, "cutoffdate": 0, "gradingduedate": 0, "teamsubmission": 0,
                "requireallteammemberssubmit": 0, "teamsubmissiongroupingid": 0, "blindmarking": 0, "hidegrader": 0,
                "revealidentities": 0, "attemptreopenmethod": "untilpass", "maxattempts": 1, "markingworkflow": 0,
                "markingallocation": 0, "markinganonymous": 0, "requiresubmissionstatement": 0,
                "preventsubmissionnotingroup": 0,
                "configs": [
                    {"plugin": "comments", "subtype": "assignsubmission", "name": "enabled", "value": "0"},
                    {"plugin": "comments", "subtype": "assignfeedback", "name": "enabled", "value": "1"},
                    {"plugin": "comments", "subtype": "assignfeedback", "name": "commentinline", "value": "0"},
                ],
                "intro": a.intro, "introformat": 1, "introfiles": [], "introattachments": [], "timelimit": 0,
                "submissionattachments": 0,
            })
        courses_out.append({"id": cid, "fullname": course.fullname, "shortname": course.shortname,
                            "timemodified": course.timemodified, "assignments": assignments})
    return {"courses": courses_out, "warnings": warnings}


@ws(
    "mod_assign_save_grades",
    {
        "assignmentid": Int(), "applytoall": Bool(),
        "grades": Multi(item=Struct(fields={
            "userid": Int(), "grade": Float(), "attemptnumber": Int(), "addattempt": Bool(), "workflowstate": Alpha(),
            "plugindata": Struct(fields={
                "assignfeedbackcomments_editor": Struct(fields={"text": Raw(), "format": Int()}, optional=True),
                "files_filemanager": Int(optional=True),
            }, optional=True),
            "advancedgradingdata": Struct(fields={}, optional=True),
        })),
    },
    touches=("assignments", "grade_items"),
)
def save_grades(call: Call, p: dict[str, Any]) -> None:
    site = call.site
    assign = call.managed(site.assignments, p["assignmentid"], "assign", "mod/assign:grade")
    now = site.now()
    item = next((i for i in site.grade_items.values() if i.itemmodule == "assign" and i.iteminstance == assign.id), None)
    for entry in p["grades"]:
        uid = entry["userid"]
        value = entry["grade"]
        dropped = value > assign.grade or value < 0  # trap 20: over-max is silently dropped
        existing = assign.grades.get(uid)
        record = existing or AssignGrade(id=site.next_id("assign_grades"), userid=uid, grade=-1, grader=-1,
                                         timecreated=now, timemodified=now)
        if not dropped:  # a dropped grade leaves the row as it was (update_grade returns before writing it): a new
            # one as get_user_grade made it (-1, grader -1), an existing one with its grade and grader
            record.grade, record.grader, record.timemodified = value, call.userid, now
        comment = entry.get("plugindata", {}).get("assignfeedbackcomments_editor")
        if comment is not None:
            record.comment = comment["text"]
            record.commentformat = comment["format"]
        assign.grades[uid] = record
        if item is not None and not dropped:
            item.grades[uid] = Grade(rawgrade=value, finalgrade=value, timemodified=now, feedback=record.comment or "")
    return None


@ws("mod_assign_get_grades", {"assignmentids": Multi(item=Int()), "since": Int(default=0)})
def get_grades(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    out, warnings = [], []
    for aid in p["assignmentids"]:
        assign = site.assignments.get(aid)
        if assign is not None and not call.has("mod/assign:grade"):
            # mod/assign/externallib.php get_grades: require_capability caught, warning '1' (not '3')
            warnings.append({"item": "assignment", "itemid": aid, "warningcode": "1",
                             "message": "No access rights in module context"})
            continue
        grades = [g for g in (assign.grades.values() if assign else []) if g.timemodified >= p["since"]]
        if assign is None or not grades:
            warnings.append({"item": "assignment", "itemid": aid, "warningcode": "3", "message": "No grades found"})
            continue
        out.append({"assignmentid": aid, "grades": [
            {"id": g.id, "userid": g.userid, "attemptnumber": 0, "timecreated": g.timecreated,
             "timemodified": g.timemodified, "grader": g.grader,
             "grade": "" if g.grade is None else f"{g.grade:.5f}"}  # (string)$rd->grade: NULL is ""
            for g in sorted(grades, key=lambda g: g.id)
        ]})
    return {"assignments": out, "warnings": warnings}
