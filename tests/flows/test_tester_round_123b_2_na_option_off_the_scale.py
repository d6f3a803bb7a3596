"""Tester round 123b, 2: doctor's fix for a rated ``0####N/A`` option led an admin to score N/A as 0.

A school's check-in form offers ``0####N/A`` on each rated 1-5 question, and the instrument declares no ``na_values``:
doctor failed the item ("values 0-5, but the instrument declares the scale 1-5") and its only config fix was
``scale_min`` 0, after which 5, 4 and N/A scored 3.0, not 4.5. When the options off the scale read as not answered
(``feedback_choices.looks_not_answered``) and declaring them makes the item fit, doctor and the refused Feedback read
say ``[instruments.<name>] na_values = ["N/A"]`` (``lmsync.service.scale_na_fix``); an item off the scale otherwise
keeps the scale fix.
"""

from __future__ import annotations

import pytest

from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.doctor import run_doctor
from tests.flows.test_tester_round_122a_feedback_labels_and_na import (
    RATED,
    _api,
    _checkin,
    _config,
    _read,
    store,
)

__all__ = ["store"]  # the fixture, used by name

NA_FIRST = RATED.replace("r>>>>>", "r>>>>>0####N/A|")
DECLARE = 'declare the not-answered option: [instruments.checkin] na_values = ["N/A"]'


def _with_na(site, presentation: str = NA_FIRST) -> None:
    """Every rated item of the check-in form offers ``presentation`` (``0####N/A`` first)."""
    for item in _checkin(site).items:
        if item.typ == "multichoicerated":
            item.presentation = presentation


def _doctor_checks(site, cfg):
    return [c for c in run_doctor(_api(site), cfg).checks if c.name == "instrument checkin"]


@pytest.mark.parametrize("label", ["N/A", "NA", "n/a", "N.A.", "Not applicable", "not APPLICABLE", "(no answer)"])
def test_labels_that_read_as_not_answered(label: str) -> None:
    from lmsync.domain.feedback_choices import looks_not_answered

    assert looks_not_answered(label)


@pytest.mark.parametrize("label", ["Never", "Not at all", "None", "0", "Nah", "Strongly disagree", ""])
def test_labels_that_do_not(label: str) -> None:
    from lmsync.domain.feedback_choices import looks_not_answered

    assert not looks_not_answered(label)


def test_doctor_says_declare_na_values_not_scale_min(tmp_path) -> None:
    site = build_demo_site()
    _with_na(site)
    checks = _doctor_checks(site, _config(tmp_path, na=False))
    assert checks and {c.status for c in checks} == {"fail"}, checks
    for check in checks:
        assert "has values 0-5, but the instrument declares the scale 1-5" in check.detail
        assert check.fix is not None and check.fix.startswith(DECLARE), check.fix
        assert "set [instruments.checkin] scale_min/scale_max" not in check.fix
    # declared as said: doctor passes, the option is no answer
    assert [c.status for c in _doctor_checks(site, _config(tmp_path, na=True))] == ["ok"]


def test_the_refused_read_says_the_same(tmp_path, store) -> None:
    site = build_demo_site()
    _with_na(site)
    _reports, _warnings, failures, admin = _read(site, _config(tmp_path, na=False), store)
    said = " ".join(failures + admin)
    assert "has values 0-5" in said and DECLARE in said, said
    assert "scale_min/scale_max" not in said


def test_an_item_off_the_scale_otherwise_keeps_the_scale_fix(tmp_path) -> None:
    site = build_demo_site()
    _with_na(site, RATED.replace("r>>>>>", "r>>>>>0####Never|"))  # 0 is a value here, not "not answered"
    checks = _doctor_checks(site, _config(tmp_path, na=False))
    assert checks and {c.status for c in checks} == {"fail"}
    for check in checks:
        assert check.fix is not None and "scale_min/scale_max to the item's range" in check.fix
        assert "na_values" not in check.fix
    site = build_demo_site()
    _with_na(site, NA_FIRST.replace("5####Strongly agree", "6####Strongly agree"))  # N/A and a 6: N/A alone won't do
    checks = _doctor_checks(site, _config(tmp_path, na=False))
    assert checks and all(c.fix is not None and "na_values" not in c.fix for c in checks)


def test_a_declared_list_is_added_to(tmp_path) -> None:
    site = build_demo_site()
    _with_na(site, RATED.replace("r>>>>>", "r>>>>>-1####Not applicable|"))
    checks = _doctor_checks(site, _config(tmp_path, na=True))  # na_values = ["N/A"] already
    assert checks and all(c.fix is not None and c.fix.startswith(
        'declare the not-answered option: add "Not applicable" to [instruments.checkin] na_values') for c in checks)
