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


# --- tester findings (a new admin, issue 12 round): values that loaded and then misbehaved ----------


@pytest.mark.parametrize("hours", ["21:00-08:00-01:00", "00:00-23:59+05:00", "21-08", "2100-0800", "08:00-08:00"])
def test_tester_finding_quiet_hours_with_an_offset_or_no_span_are_refused_at_load(tmp_path, hours):
    # an offset-aware time loaded, then crashed the nudges and digest steps at send time
    with pytest.raises(ConfigError, match="nudges.quiet_hours"):
        load_config(write(tmp_path, f'[nudges]\nquiet_hours = "{hours}"\n'), environ={})


def test_tester_finding_plain_quiet_hours_still_load(tmp_path):
    config = load_config(write(tmp_path, '[nudges]\nquiet_hours = "9:30-17:00"\n'), environ={})
    assert config.nudges.quiet_hours == "9:30-17:00"


@pytest.mark.parametrize("days", ["[-30, 0]", "[28, 14]", "[14, 14]"])
def test_tester_finding_queue_due_days_must_be_positive_and_rise(tmp_path, days):
    # [-30, 0] made an item due before it opened, escalating at once
    with pytest.raises(ConfigError, match="queue_due_days"):
        load_config(write(tmp_path, f"[health]\nqueue_due_days = {days}\n"), environ={})


@pytest.mark.parametrize(
    ("section", "line"),
    [
        ("nudges", "first_run_max_share = true"),  # was read as 1.0: the share guard off
        ("health", "grace_days = true"),
        ("health", 'weight_watch = "20"'),
        ("nudges", 'interval_days = "14"'),
        ("health", "grace_days = 2.5"),
        ("health", "queue_due_days = [14, true]"),
    ],
)
def test_tester_finding_a_number_must_be_written_as_one(tmp_path, section, line):
    key = line.split(" =")[0]
    with pytest.raises(ConfigError, match=f"{section}.{key}"):
        load_config(write(tmp_path, f"[{section}]\n{line}\n"), environ={})


def test_an_integer_is_still_a_decimal(tmp_path):
    config = load_config(write(tmp_path, "[health]\nsatisfaction_sd = 1\n[nudges]\nfirst_run_max_share = 1\n"), environ={})
    assert (config.health.satisfaction_sd, config.nudges.first_run_max_share) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("rci_watch = 5", "rci_watch must be below rci_at_risk"),
        ("shift_watch = 9", "shift_watch must be below shift_at_risk"),
        ("missed_watch = 9", "missed_watch must not exceed recent_meetings"),
        ("shift_min_baseline = 20", "shift_min_baseline must not exceed shift_baseline"),
    ],
)
def test_tester_finding_a_watch_level_past_its_alarm_is_refused(tmp_path, lines, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, f"[health]\n{lines}\n"), environ={})


@pytest.mark.parametrize("pattern", ["|", ".*", "(?i)exam|"])
def test_tester_finding_an_exam_pattern_matching_every_event_is_refused(tmp_path, pattern):
    with pytest.raises(ConfigError, match="matches every event name"):
        load_config(write(tmp_path, f"[nudges]\nexam_pattern = '{pattern}'\n"), environ={})


@pytest.mark.parametrize(
    "line",
    [
        'satisfaction_instruments = ["nonexistent"]',
        'self_efficacy_instruments = ["gse"]',
        'need_met_instrument = "check_in"',
    ],
)
def test_tester_finding_an_unknown_health_instrument_fails_at_load_not_after_the_sync(tmp_path, line):
    # it was found by the health step, after the sync step had written to Moodle
    with pytest.raises(ConfigError, match="unknown instrument"):
        load_config(write(tmp_path, f"[health]\n{line}\n"), environ={})


@pytest.mark.parametrize("line", ['coordinators = [""]', 'coordinators = ["ann", " bob"]', 'escalate_to = "carol "'])
def test_tester_finding_a_blank_or_padded_coordinator_username_is_refused(tmp_path, line):
    # [""] failed only at the digest step, after the sync
    with pytest.raises(ConfigError, match="health.(coordinators|escalate_to)"):
        load_config(write(tmp_path, f"[health]\n{line}\n"), environ={})


def test_tester_finding_a_rule_broken_by_an_environment_variable_names_it(tmp_path):
    with pytest.raises(ConfigError, match="with environment LMSYNC_HEALTH_FADING_SCORE: health: .*fading_score"):
        load_config(write(tmp_path, ""), environ={"LMSYNC_HEALTH_FADING_SCORE": "70"})


def test_round_3_finding_11_a_coordinator_named_twice_is_one_coordinator(tmp_path):
    # two digests to one person on one day were refused by the store (UNIQUE) and failed the digest step
    path = write(tmp_path, '[health]\ncoordinators = ["m0010", "M0010", "m0011", "m0010"]\nescalate_to = "M0012"\n')
    config = load_config(path, environ={})
    assert config.health.coordinators == ["m0010", "m0011"]
    assert config.health.escalate_to == "m0012"
