"""Tester round 39, 2: a refused token's fix ended "(... says which one it read; tester round 36)", a
developers' cross-reference in a message shown to an admin. Such references belong in comments and
docstrings; the configuration's descriptions have theirs taken out for the reference page
(``config_reference._TRACKER``). No other string in lmsync may carry one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import lmsync

TRACKER = re.compile(r"tester (round|finding)|\bround \d+, \d+", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _descriptions(tree: ast.AST) -> set[int]:
    """String parts of ``description=...`` keyword values (pydantic fields): stripped for the reference."""
    return {id(n) for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "description"
            for n in ast.walk(node.value)}


def test_round_39_2_no_message_carries_a_developers_tracker_reference() -> None:
    root = Path(lmsync.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree) | _descriptions(tree)
        found += [f"{path.relative_to(root)}:{node.lineno}: {node.value[:80]!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                  and TRACKER.search(node.value) and path.name != "config_reference.py"]
    assert found == []
