"""Tester round 127, 3: a mistyped placeholder in ``[sync.welcome] message`` passed `doctor` ("no problems") and
crashed `plan`/`sync` with a KeyError traceback at the first new circle, which stopped every sync (`run`: "failed:
'mentor_name'", exit 1, the exit kept for transient problems). Format specs, conversions and attribute access
(``{mentor_fullname.__class__}``) posted Python's text to the forum. The message is now checked when the
configuration is read, as the subject is, and both take only plain ``{name}`` placeholders: exit 2 naming the key,
its line, the bad placeholder and the allowed ones; ``{{ }}`` stay literal braces."""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError
from tests.flows.conftest import run_in

ALLOWED = "placeholders: {group_name}, {mentor_fullname})"
BAD = [
    ("<p>Welcome to {mentor_name}'s circle</p>", "unknown or malformed placeholder 'mentor_name'"),
    ("a { b", "malformed placeholder: expected '}' before end of string"),
    ("a } b", "malformed placeholder: Single '}'"),
    ("<p>{}</p>", "positional placeholder {}"),
    ("<p>{0}</p>", "positional placeholder {0}"),
    ("<p>{mentor_fullname.__class__}</p>", "placeholder {mentor_fullname.__class__} has a format spec"),
    ("<p>{mentor_fullname!r}</p>", "placeholder {mentor_fullname!r} has a format spec"),
    ("<p>{group_name.__doc__}</p>", "placeholder {group_name.__doc__} has a format spec"),
    ("<p>{group_name[0]}</p>", "placeholder {group_name[0]} has a format spec"),
    ("<p>{mentor_fullname:>10}</p>", "placeholder {mentor_fullname:>10} has a format spec"),
]


@pytest.mark.parametrize(("message", "said"), BAD)
def test_a_bad_welcome_message_is_refused_when_the_file_is_read_tester_round_127_3(tmp_path: Any, message: str,
                                                                                     said: str) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n[sync.welcome]\nmessage = ' + _toml(message) + "\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    shown = str(refused.value)
    assert "sync.welcome.message (line 4)" in shown and said in shown and ALLOWED in shown


@pytest.mark.parametrize(("key", "variable"), [("message", "LMSYNC_SYNC_WELCOME_MESSAGE"),
                                               ("subject", "LMSYNC_SYNC_WELCOME_SUBJECT")])
@pytest.mark.parametrize(("template", "said"), BAD)
def test_a_bad_welcome_template_is_refused_from_the_environment_tester_round_127_3(
        tmp_path: Any, key: str, variable: str, template: str, said: str) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={variable: template})
    shown = str(refused.value)
    assert f"{variable} (sync.welcome.{key})" in shown and said in shown and ALLOWED in shown


@pytest.mark.parametrize("template", ["Circle {}", "Circle {mentor_fullname!r}", "Circle {mentor_fullname.__class__}",
                                      "Circle {mentor_fullname[0]}", "Circle {mentor_fullname:>40}"])
def test_the_group_name_template_takes_plain_placeholders_too_tester_round_127_3(tmp_path: Any, template: str) -> None:
    """``moodle_name_problem`` checks the group names as it checks the subject: the same rule."""
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\ngroup_name_template = ' + _toml(template) + "\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    assert "programme.group_name_template (line 3)" in str(refused.value)
    assert "placeholders: {mentor_fullname})" in str(refused.value)


def test_literal_braces_stay_in_the_welcome_tester_round_127_3(tmp_path: Any) -> None:
    from lmsync.domain.plan import _welcome
    from lmsync.domain.sync_state import PlanSettings

    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p"\n[sync.welcome]\nsubject = "{{Hi}} {mentor_fullname}"\n'
                    'message = "<p>{{agenda}} {group_name} & {mentor_fullname}</p>"\n')
    welcome = load_config(path, environ={}).sync.welcome
    settings = PlanSettings(programme="p", grouping_name="g", welcome_subject=welcome.subject,
                            welcome_message=welcome.message)
    circle: Any = type("Circle", (), {"mentor_name": "Ana <b>"})()
    assert _welcome(settings, "Circle: Ana", circle) == (
        "{Hi} Ana <b>", "<p>{agenda} Circle: Ana & Ana &lt;b&gt;</p>")


def test_doctor_plan_and_run_refuse_a_mistyped_welcome_message_tester_round_127_3(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0  # every circle has its welcome: the plan had no welcome to fill
    with (demo_home / "lmsync.toml").open("a") as toml:
        toml.write("[sync.welcome]\nmessage = \"<p>Welcome to {mentor_name}'s circle</p>\"\n")
    said = "lmsync.toml: sync.welcome.message (line 5): unknown or malformed placeholder 'mentor_name' (" + ALLOWED
    for command in ("doctor", "plan", "sync", "run"):
        result = run_in(demo_home, command)
        assert result.exit_code == 2, (command, result.output)  # an admin's fix, not a transient failure
        assert said in result.output and "Traceback" not in result.output, (command, result.output)


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
