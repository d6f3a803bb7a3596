"""core_role: role assignment in the contexts the integration role may assign in."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import invalid_parameter, invalid_record
from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Alpha, Int, Multi, Struct
from lmsync.moodle.emulator.state import USER_CONTEXT_OFFSET


@ws(
    "core_role_assign_roles",
    {"assignments": Multi(item=Struct(fields={
        "roleid": Int(), "userid": Int(), "contextid": Int(optional=True), "contextlevel": Alpha(optional=True),
        "instanceid": Int(optional=True),
    }))},
    touches=("role_assignments",),
)
def assign_roles(call: Call, p: dict[str, Any]) -> None:
    site = call.site
    for item in p["assignments"]:
        if "contextid" in item:
            contextid = item["contextid"]
            level = "user" if contextid > USER_CONTEXT_OFFSET and contextid - USER_CONTEXT_OFFSET in site.users else "other"
        elif item.get("contextlevel") == "user":
            if item.get("instanceid") not in site.users:
                raise invalid_record("user")
            contextid, level = site.user_context(item["instanceid"]), "user"
        elif item.get("contextlevel") in ("course", "system", "coursecat", "module", "block"):
            contextid, level = -1, item["contextlevel"]
        else:
            raise invalid_parameter("Missing parameters: contextid or contextlevel/instanceid")
        call.require("moodle/role:assign")
        if level not in site.assignable_roles.get(item["roleid"], []):
            raise invalid_parameter(f"Can not assign roleid={item['roleid']} in contextid={contextid}")
        if item["userid"] not in site.users:
            raise invalid_record("user")
        row = {"roleid": item["roleid"], "userid": item["userid"], "contextid": contextid}
        if row not in site.role_assignments:
            site.role_assignments.append(row)
    return None
