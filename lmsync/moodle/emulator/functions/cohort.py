"""core_cohort: cohorts, cohort search, cohort members (moodle/cohort:view)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import invalid_parameter, invalid_record
from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Alpha, Int, Multi, Raw, Struct


def _cohort_record(cohort: Any) -> dict[str, Any]:
    return {
        "id": cohort.id, "name": cohort.name, "idnumber": cohort.idnumber, "description": cohort.description,
        "descriptionformat": 1, "visible": True, "theme": "", "customfields": [],
    }


@ws("core_cohort_get_cohorts", {"cohortids": Multi(item=Int(), default=list)})
def get_cohorts(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    call.require("moodle/cohort:view")
    cohorts = call.site.cohorts
    ids = p["cohortids"] or sorted(cohorts)
    return [_cohort_record(cohorts[i]) for i in ids if i in cohorts]


@ws(
    "core_cohort_search_cohorts",
    {
        "query": Raw(),
        "context": Struct(fields={"contextid": Int(default=0), "contextlevel": Alpha(default=""), "instanceid": Int(default=0)}),
        "includes": Alpha(default="parents"),
        "limitfrom": Int(default=0),
        "limitnum": Int(default=25),
    },
)
def search_cohorts(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    if p["includes"] not in ("self", "parents", "all"):
        raise invalid_parameter("Invalid parameter value for includes")
    call.require("moodle/cohort:view")
    query = p["query"].lower()
    matches = [c for c in call.site.cohorts.values() if query in c.name.lower() or query in c.idnumber.lower()]
    matches.sort(key=lambda c: (c.name, c.id))
    limitnum = p["limitnum"] or len(matches)
    return {"cohorts": [_cohort_record(c) for c in matches[p["limitfrom"] : p["limitfrom"] + limitnum]]}


@ws("core_cohort_get_cohort_members", {"cohortids": Multi(item=Int())})
def get_cohort_members(call: Call, p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for cid in p["cohortids"]:
        cohort = call.site.cohorts.get(cid)
        if cohort is None:
            raise invalid_record("cohort")
        call.require("moodle/cohort:view")
        out.append({"cohortid": cid, "userids": list(cohort.userids)})
    return out
