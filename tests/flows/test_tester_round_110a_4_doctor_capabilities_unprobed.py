"""Tester round 110a, 4: `lmsync doctor` on a configuration naming a course the site does not have printed seventeen
capability lines "[skip] ... cannot probe yet" and under them "[ok  ] capabilities: 17 capabilities probed with
harmless reads". The summary says how many were probed; none probed is not "ok"."""

from __future__ import annotations

import re
from typing import Any

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle_side import requirements

from .test_doctor import doctor

_PROBES = sum(1 for c in requirements.required_capabilities() if c.probe is not None)


def _said(report: Any) -> tuple[str, int, int]:
    """The capabilities summary's status, how many it says were probed, and how many it says could not be."""
    [line] = [c for c in report.checks if c.name == "capabilities"]
    match = re.fullmatch(r"(\d+) of (\d+) capabilities probed with harmless reads; the other (\d+) could not be "
                         r"probed yet \(above\)", line.detail)
    if match is None:
        return line.status, int(line.detail.split()[0]), 0
    return line.status, int(match[1]), int(match[3])


def _not_probed(report: Any) -> int:
    """The capability lines (``moodle/...``, ``mod/...``) doctor skipped: no read was made for them."""
    return sum(1 for c in report.checks if c.status == "skip" and "/" in c.name and c.name != "capabilities (write)")


def test_round_110a_4_capabilities_not_probed_are_not_said_probed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "oak-2027"\ncourse = "OAK-MENT-27"\n')
    report = doctor(build_demo_site(), load_config(path, environ={}))
    status, probed, other = _said(report)
    assert other == _not_probed(report) >= 10, [(c.name, c.status, c.detail) for c in report.checks]
    assert probed + other == _PROBES and status == ("ok" if probed else "skip")


def test_round_110a_4_a_site_whose_capabilities_answered_counts_only_those(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n')
    report = doctor(build_demo_site(), load_config(path, environ={}))
    status, probed, other = _said(report)
    assert status == "ok" and other == _not_probed(report) and probed == _PROBES - other
