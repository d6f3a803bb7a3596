"""[health] and [nudges]: defaults, validation, and the thresholds they hand to the rules."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError
from lmsync.health_config import TEMPLATE_FIELDS, HealthConfig, NudgeTemplatesConfig


def write(tmp_path, text):
    path = tmp_path / "lmsync.toml"
    path.write_text(text)
    return path


def test_sections_load_from_the_file_and_reach_the_rules(tmp_path):
    path = write(
        tmp_path,
        "[meetings]\ncadence_days = 7\n[health]\ngrace_days = 10\nshort_minutes = 20\n"
        '[nudges]\ninterval_days = 21\n[nudges.templates]\ncheck_in = "Hi {firstname}, meet {other_firstname}?"\n',
    )
    config = load_config(path, environ={})
    t = config.health.thresholds(config.meetings.cadence_days)
    assert (t.cadence_days, t.grace_days, t.short_minutes) == (7, 10, 20)
    assert config.nudges.interval_days == 21
    assert config.nudges.templates.check_in == "Hi {firstname}, meet {other_firstname}?"


def test_environment_overrides_reach_the_sections(tmp_path):
    config = load_config(write(tmp_path, ""), environ={"LMSYNC_NUDGES_INTERVAL_DAYS": "30"})
    assert config.nudges.interval_days == 30


def test_unknown_keys_are_named(tmp_path):
    with pytest.raises(ConfigError, match="unknown key health.grace"):
        load_config(write(tmp_path, "[health]\ngrace = 3\n"), environ={})


@pytest.mark.parametrize(
    "template",
    [
        "Your mentee rated you {satisfaction}",
        "{firstname.__class__}",
        "{0}",
        "{}",
        "{firstname",
        "  ",
    ],
)
def test_templates_may_only_use_names_and_meeting_gaps(template):
    with pytest.raises(ValueError):
        NudgeTemplatesConfig(no_meeting=template)


def test_the_default_templates_render_with_every_allowed_field():
    values = {name: f"<{name}>" for name in TEMPLATE_FIELDS}
    for name, template in NudgeTemplatesConfig().model_dump().items():
        text = template.format(**values)
        assert "<other_firstname>" in text, name


def test_fading_must_be_later_than_at_risk():
    with pytest.raises(ValueError, match="fading_gap_factor"):
        HealthConfig(at_risk_gap_factor=3, fading_gap_factor=3)
