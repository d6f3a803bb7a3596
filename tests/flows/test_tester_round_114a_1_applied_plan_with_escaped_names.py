"""Tester round 114a, 1: a saved plan applied again says "already applied" even when a mentor's name has ``&`` or ``<``.

``lmsync emulator edit join x_and --role teacher --name 'Tom & Jerry'``, ``lmsync plan --out plan.json``, ``lmsync
apply plan.json`` twice: the second apply said "Moodle changed since the plan was made ... 137 of its 137 operations
are not what lmsync plans now", exit 2, while ``lmsync plan`` said "no changes". The circle's name was sent as
``Circle: Tom & Jerry`` and Moodle returns it through format_string (``Circle: Tom &amp; Jerry``, trap 39); the
"already applied" check compared the sent text. ``Tom <b>Bold</b>`` (sent as ``Tom < b>Bold< /b>``, read back as
``&lt; b&gt;``) failed the same way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.flows import test_tester_round_5 as round_5

env, run_cli = round_5.env, round_5.run_cli  # the demo site under a programme of its own, and the CLI on it
ALREADY = "already applied: Moodle already holds what p.json asks; nothing to do"


def words(result: Any) -> str:
    return " ".join(result.output.split())


def _moodle(env: Any) -> Any:
    s = round_5.site(env)
    return sorted((g.idnumber, g.name, sorted(g.members)) for g in s.groups.values()), len(s.discussions)


@pytest.mark.parametrize("name", ["Tom & Jerry", "Tom <b>Bold</b>"])
def test_a_plan_naming_a_mentor_with_an_escaped_name_applied_twice_says_already_applied(env: Any, name: str) -> None:
    joined = run_cli(env, "emulator", "edit", "join", "x_named", "--role", "teacher", "--name", name,
                     "--field", "mentorcapacity=3")
    assert joined.exit_code == 0, joined.output
    assert run_cli(env, "plan", "--out", "p.json").exit_code == 0
    mentor = next(u.id for u in round_5.site(env).users.values() if u.username == "x_named")
    created = [op for op in json.loads((env / "p.json").read_text())["operations"]
               if op["kind"] == "create_group" and op["idnumber"].endswith(f":mentor:{mentor}")]
    assert created and ("&" in created[0]["name"] or "<" in created[0]["name"]), created  # the name Moodle escapes
    first = run_cli(env, "apply", "p.json")
    assert first.exit_code == 0, first.output
    before = _moodle(env)
    again = run_cli(env, "apply", "p.json")
    said = words(again)
    assert again.exit_code == 0, said
    assert ALREADY in said, said
    assert "Moodle changed" not in said and "Refusing" not in said
    assert _moodle(env) == before  # nothing written
    assert "no changes" in words(run_cli(env, "plan"))  # as lmsync plan says
