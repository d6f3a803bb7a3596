"""The role preset: the shape Moodle's preset importer validates, exactly plugin_config's capabilities."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lmsync.moodle_side.requirements import required_capabilities
from lmsync.moodle_side.role_preset import ELEMENT_ORDER, role_preset_xml, write_role_preset

# Moodle's role_schema.xml: <role> holds these optional children in this order; the allow*
# lists hold <shortname>s, contextlevels <level>s, permissions inherit/allow/prevent/prohibit.
ALLOW_LISTS = ("allowassign", "allowoverride", "allowswitch", "allowview")


def children(root: ET.Element, tag: str) -> list[ET.Element]:
    element = root.find(tag)
    assert element is not None, f"<{tag}> missing"
    return list(element)


def test_preset_parses_and_follows_the_schema_order():
    root = ET.fromstring(role_preset_xml().encode("utf-8"))
    assert root.tag == "role"
    tags = [child.tag for child in root]
    assert tags == [tag for tag in ELEMENT_ORDER if tag in tags]  # order kept, no stray element
    assert set(tags) == set(ELEMENT_ORDER)
    for tag in ALLOW_LISTS:
        assert all(item.tag == "shortname" for item in children(root, tag))
    assert all(item.tag == "level" for item in children(root, "contextlevels"))


def test_preset_lists_exactly_the_capabilities(service_json):
    root = ET.fromstring(role_preset_xml().encode("utf-8"))
    permissions = root.find("permissions")
    assert permissions is not None
    assert {child.tag for child in permissions} == {"allow"}  # no inherit/prevent/prohibit
    allowed = [child.text for child in permissions]
    assert len(allowed) == len(set(allowed)) == 24
    assert set(allowed) == {c.name for c in required_capabilities()} == set(service_json["capabilities"])


def test_preset_is_for_system_context_only():
    root = ET.fromstring(role_preset_xml().encode("utf-8"))
    assert [level.text for level in root.iter("level")] == ["system"]
    assert root.findtext("shortname") == "lmsync_ws"


def test_preset_may_assign_the_mentor_role_and_nothing_else():
    root = ET.fromstring(role_preset_xml().encode("utf-8"))
    assert [s.text for s in children(root, "allowassign")] == ["mentorofuser"]
    for tag in ("allowoverride", "allowswitch", "allowview"):
        assert children(root, tag) == []
    custom = ET.fromstring(role_preset_xml(["parentrole", "mentorofuser"]).encode("utf-8"))
    assert [s.text for s in children(custom, "allowassign")] == ["parentrole", "mentorofuser"]


def test_write_role_preset(tmp_path):
    out = write_role_preset(tmp_path / "lmsync_role.xml")
    assert out.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>')
