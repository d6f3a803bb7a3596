"""Generate the lmsync web-service role as a Moodle role preset (XML).

Moodle's "Define roles > Add a new role" page accepts such a file ("Use role or archetype"
/ import from file) and pre-fills the role from it: the same format Moodle's own role
export writes (core_role_preset in admin/roles/classes/preset.php). Elements, in the order
Moodle's schema requires: shortname, name, description, archetype, contextlevels,
allowassign, allowoverride, allowswitch, allowview, permissions. Only ``<allow>`` entries
are written: on import every capability not listed stays "not set", so the role gets
exactly the capabilities in ``plugin_config/capabilities.json`` and nothing more.

``allowassign`` names the mentor-of-user role lmsync gives mentors
(core_role_assign_roles needs it listed); Moodle skips a name it does not know, so that
role should exist before the preset is imported.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from lmsync.moodle_side.requirements import required_capabilities, role_spec

ELEMENT_ORDER = (
    "shortname",
    "name",
    "description",
    "archetype",
    "contextlevels",
    "allowassign",
    "allowoverride",
    "allowswitch",
    "allowview",
    "permissions",
)


def role_preset_xml(allow_assign: Sequence[str] | None = None) -> str:
    """The preset as UTF-8 XML text; ``allow_assign`` overrides the roles it may assign."""
    spec = role_spec()
    assignable = list(spec.allowassign if allow_assign is None else allow_assign)
    root = ET.Element("role")
    ET.SubElement(root, "shortname").text = spec.shortname
    ET.SubElement(root, "name").text = spec.name
    ET.SubElement(root, "description").text = spec.description
    ET.SubElement(root, "archetype").text = spec.archetype
    levels = ET.SubElement(root, "contextlevels")
    for level in spec.contextlevels:
        ET.SubElement(levels, "level").text = level
    allows = {"allowassign": assignable, "allowoverride": [], "allowswitch": [], "allowview": []}
    for tag, shortnames in allows.items():
        element = ET.SubElement(root, tag)
        for shortname in shortnames:
            ET.SubElement(element, "shortname").text = shortname
    permissions = ET.SubElement(root, "permissions")
    for capability in sorted(c.name for c in required_capabilities()):
        ET.SubElement(permissions, "allow").text = capability
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write_role_preset(out: Path, allow_assign: Sequence[str] | None = None) -> Path:
    out.write_text(role_preset_xml(allow_assign), encoding="utf-8")
    return out
