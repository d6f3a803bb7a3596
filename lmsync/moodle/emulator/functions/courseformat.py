"""core_courseformat: quick module creation (only mod_subsection supports it in 4.5, trap 35)."""

from __future__ import annotations

from typing import Any

from lmsync.moodle.emulator.exceptions import moodle_error
from lmsync.moodle.emulator.functions.registry import Call, ws
from lmsync.moodle.emulator.params import Int, Plugin


@ws("core_courseformat_create_module",
    {"courseid": Int(), "modname": Plugin(), "targetsectionnum": Int(), "targetcmid": Int(default=0)})
def create_module(call: Call, p: dict[str, Any]) -> None:
    call.course(p["courseid"])
    if p["modname"] != "subsection":  # trap 35: only mod_subsection supports quick creation in 4.5
        message = f"Module {p['modname']} does not support quick creation"
        raise moodle_error(message, f"error/{message}")
    call.require("moodle/course:manageactivities")
    call.require("moodle/course:update")
    raise moodle_error("notimplemented", "The emulator does not create subsections")
