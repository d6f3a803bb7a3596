"""Issue 12 "Names and sizes" for the emulator: one module per Moodle component plus a registry,
no import cycle, no module over 500 lines, and the registry still lists every function."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from lmsync.moodle.emulator.functions import REGISTRY

EMULATOR = Path(__file__).resolve().parents[3] / "lmsync" / "moodle" / "emulator"
RECORDINGS = Path(__file__).resolve().parents[2] / "contract" / "recordings"
PACKAGE = "lmsync.moodle.emulator"

# The Moodle component of a function (its name's prefix) -> the module that must hold it.
COMPONENT_MODULE = {
    "core_webservice_": "webservice",
    "core_course_": "course",
    "core_enrol_": "enrol",
    "core_user_": "enrol",
    "core_cohort_": "cohort",
    "core_group_": "group",
    "mod_forum_": "forum",
    "mod_feedback_": "feedback",
    "core_grades_": "grades",
    "gradereport_user_": "grades",
    "mod_assign_": "assign",
    "core_message_": "message",
    "core_calendar_": "calendar",
    "core_role_": "role",
    "core_courseformat_": "courseformat",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(EMULATOR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _imports(path: Path) -> set[str]:
    """Every emulator module ``path`` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)  # "from pkg import module"
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(PACKAGE))
    return found


def test_issue_12_registry_lists_every_function_of_the_service() -> None:
    service = json.loads((RECORDINGS / "service.json").read_text(encoding="utf-8"))["functions"]
    missing = [name for name in service if name not in REGISTRY]
    assert missing == []
    for name, spec in REGISTRY.items():
        assert spec.name == name and callable(spec.handler)


def test_issue_12_each_function_lives_in_its_components_module() -> None:
    for name, spec in REGISTRY.items():
        prefix = next(p for p in COMPONENT_MODULE if name.startswith(p))
        assert spec.handler.__module__ == f"{PACKAGE}.functions.{COMPONENT_MODULE[prefix]}", name


def test_issue_12_functions_register_component_by_component_in_the_packages_order() -> None:
    """get_site_info lists a service's functions in registration order: the split keeps it, one
    component after another in the order ``functions/__init__`` imports them (an import sorter
    reordering them would reorder get_site_info's answer)."""
    order = ["webservice", "course", "enrol", "cohort", "group", "forum", "feedback", "grades", "assign",
             "message", "calendar", "role", "courseformat"]
    modules = [spec.handler.__module__.rsplit(".", 1)[1] for spec in REGISTRY.values()]
    assert [order.index(m) for m in modules] == sorted(order.index(m) for m in modules)
    assert list(dict.fromkeys(modules)) == order
    assert list(REGISTRY)[:4] == ["core_webservice_get_site_info", "core_course_get_courses_by_field",
                                  "core_enrol_get_enrolled_users", "core_user_get_users_by_field"]


def test_issue_12_no_import_cycle_inside_the_emulator() -> None:
    modules = {_module_name(p): p for p in EMULATOR.rglob("*.py")}
    graph = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(graph[here])
        return False

    # a package importing its own modules is how it is assembled; any other loop is a cycle
    cycles = [
        (a, b) for a, deps in graph.items() for b in deps
        if not a.startswith(b + ".") and not b.startswith(a + ".") and reaches(b, a)
    ]
    assert cycles == []


def test_issue_12_no_emulator_module_over_500_lines() -> None:
    sizes = {str(p.relative_to(EMULATOR)): len(p.read_text(encoding="utf-8").splitlines()) for p in EMULATOR.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 500} == {}
