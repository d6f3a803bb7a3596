"""mod_feedback: items, responses, analysis and non-respondents (rated values, trap 43)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import invalid_parameter
from lmsync.moodle.emulator.functions.registry import Call, php_json, php_number, ws
from lmsync.moodle.emulator.params import Alpha, Int, Multi


def _feedback(call: Call, feedbackid: int) -> Any:
    return call.managed(call.site.feedbacks, feedbackid, "feedback", "mod/feedback:view")


def _item_record(feedback: Any, item: Any) -> dict[str, Any]:
    return {
        "id": item.id, "feedback": feedback.id, "template": 0, "name": item.name, "nameformat": 1,
        "label": item.label, "presentation": item.presentation, "presentationformat": 1, "typ": item.typ,
        "hasvalue": 1, "position": item.position, "required": item.required, "dependitem": 0,
        "dependvalue": "", "options": "h" if item.typ.startswith("multichoice") else "", "itemfiles": [],
        "itemnumber": item.position, "otherdata": None,
    }


def _choices(item: Any) -> list[tuple[str, str]]:
    """(value, label) pairs, in listed order, from a presentation ``r>>>>>1####Label|2####...``.

    The rated value is whatever precedes ``####`` (any order, 0-based, gaps: trap 43); a plain
    multichoice has no values, so its value is the 1-based position.
    """
    body = item.presentation.split(">>>>>", 1)[-1]
    out = []
    for index, part in enumerate(body.split("|"), start=1):
        value, _, label = part.partition("####")
        out.append((value, label) if label else (str(index), value))
    return out


def _shorten(text: str, limit: int = 30) -> str:
    """Moodle's shorten_text for item names: cut at a word boundary, add '...'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    space = cut.rfind(" ")
    return (cut[: space + 1] if space > 0 else cut) + "..."


@ws("mod_feedback_get_feedbacks_by_courses", {"courseids": Multi(item=Int(), default=list)})
def get_feedbacks_by_courses(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    wanted = set(p["courseids"]) or set(call.site.courses)
    out = []
    for feedback in sorted(call.site.feedbacks.values(), key=lambda f: f.id):
        if feedback.courseid in wanted and call.has("moodle/course:view"):
            out.append({
                "id": feedback.id, "course": feedback.courseid, "name": feedback.name, "intro": feedback.intro,
                "introformat": 1, "lang": None, "anonymous": feedback.anonymous, "multiple_submit": False,
                "autonumbering": False, "page_after_submitformat": 0, "publish_stats": False,
                "completionsubmit": False, "coursemodule": feedback.cmid, "introfiles": [],
            })
    return {"feedbacks": out, "warnings": []}


@ws("mod_feedback_get_items", {"feedbackid": Int(), "courseid": Int(default=0)})
def get_items(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    feedback = _feedback(call, p["feedbackid"])
    return {"items": [_item_record(feedback, i) for i in feedback.items], "warnings": []}


@ws(
    "mod_feedback_get_responses_analysis",
    {"feedbackid": Int(), "groupid": Int(default=0), "page": Int(default=0), "perpage": Int(default=0), "courseid": Int(default=0)},
)
def get_responses_analysis(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    feedback = _feedback(call, p["feedbackid"])
    call.require("mod/feedback:viewreports")
    completeds = [c for c in feedback.completeds if not p["groupid"] or call.in_group(p["groupid"], c.userid)]
    completeds.sort(key=lambda c: site.member_sort_key(c.userid))
    total = len(completeds)
    if p["perpage"] > 0:
        completeds = completeds[p["page"] * p["perpage"] : (p["page"] + 1) * p["perpage"]]
    attempts = []
    for completed in completeds:
        user = site.users.get(completed.userid)
        responses = []
        for item in feedback.items:
            # stored and returned: the 1-based POSITION of the option (trap 43); null for an
            # attempt made before the item existed
            raw = completed.values.get(item.id)
            printval = raw or ""
            if item.typ in ("multichoicerated", "multichoice") and raw is not None:
                printval = _label_at(item, raw)
            name = _shorten(item.name)
            if item.typ == "numeric":
                name = f'{item.name}<span class="boundaries"> (...</span>'
            responses.append({"id": item.id, "name": f"({item.label}) {name}", "printval": printval, "rawval": raw})
        attempts.append({
            "id": completed.id, "courseid": 0, "userid": completed.userid, "timemodified": completed.timemodified,
            "fullname": user.fullname if user else "", "responses": responses,
        })
    return {"attempts": attempts, "totalattempts": total, "anonattempts": [], "totalanonattempts": 0, "warnings": []}


def _label_at(item: Any, position: str) -> str:
    """The label of the option at a 1-based ``position`` ("" when there is none)."""
    choices = _choices(item)
    index = int(position) - 1 if position.strip().isdigit() else -1
    return choices[index][1] if 0 <= index < len(choices) else ""


@ws("mod_feedback_get_analysis", {"feedbackid": Int(), "groupid": Int(default=0), "courseid": Int(default=0)})
def get_analysis(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    feedback = _feedback(call, p["feedbackid"])
    call.require("mod/feedback:viewreports")
    completeds = [c for c in feedback.completeds if not p["groupid"] or call.in_group(p["groupid"], c.userid)]
    total = len(completeds)
    itemsdata = []
    for item in feedback.items:
        answers = [c.values[item.id] for c in completeds if item.id in c.values]
        if item.typ == "multichoicerated":
            # per option in listed order: its RATED value, answers counted by position (trap 43);
            # shares of the item's own answers (attempts made before the item do not count)
            data = []
            for position, (value, label) in enumerate(_choices(item), start=1):
                count = sum(1 for a in answers if a == str(position))
                avg: float | int = php_number(float(value) * count / len(answers)) if count else 0
                quotient: float | int = php_number(count / len(answers)) if count else 0
                data.append(php_json({"answertext": label, "answercount": count, "avg": avg, "value": value, "quotient": quotient}))
        else:
            data = list(answers)
        itemsdata.append({"item": _item_record(feedback, item), "data": data})
    return {"completedcount": total, "itemscount": len(feedback.items), "itemsdata": itemsdata, "warnings": []}


@ws(
    "mod_feedback_get_non_respondents",
    {"feedbackid": Int(), "groupid": Int(default=0), "sort": Alpha(default="lastaccess"), "page": Int(default=0),
     "perpage": Int(default=0), "courseid": Int(default=0)},
)
def get_non_respondents(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    site = call.site
    if p["sort"] not in ("firstname", "lastname", "lastaccess"):
        raise invalid_parameter("Invalid sort param, must be firstname, lastname or lastaccess.")
    feedback = _feedback(call, p["feedbackid"])
    call.require("mod/feedback:viewreports")
    course = site.courses[feedback.courseid]
    answered = {c.userid for c in feedback.completeds}
    # students can complete feedback, whatever the state of their enrolment (trap 31)
    ids = [uid for uid, e in course.enrolments.items() if e.role == "student" and uid not in answered and uid in site.users]
    if p["groupid"]:
        ids = [uid for uid in ids if call.in_group(p["groupid"], uid)]

    def key(uid: int) -> tuple[Any, ...]:
        user = site.users[uid]
        if p["sort"] == "lastaccess":
            return (user.lastaccess, uid)
        return (getattr(user, p["sort"]), uid)

    ids.sort(key=key)
    perpage = p["perpage"] or 20  # FEEDBACK_DEFAULT_PAGE_COUNT: 0 is not "all" (trap 31)
    page = ids[p["page"] * perpage : (p["page"] + 1) * perpage]
    users = [{"courseid": 0, "userid": uid, "fullname": site.users[uid].fullname, "started": False} for uid in page]
    return {"users": users, "total": len(ids), "warnings": []}
