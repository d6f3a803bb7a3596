"""`lmsync doctor` counts each coordinator username once (tester round 116, 5: with `coordinators = ["m0011",
"m0012"]` and `escalate_to = "m0012"` it said "3 coordinator username(s) found in Moodle" for two people)."""

from pathlib import Path
from types import SimpleNamespace

from lmsync.config import load_config
from lmsync.service import doctor_checks
from lmsync.service.doctor import DoctorReport


def test_round_116_5_an_escalation_coordinator_also_listed_is_counted_once(tmp_path: Path) -> None:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{tmp_path / "s.db"}"\n'
                    '[health]\ncoordinators = ["c1", "c2"]\nescalate_to = "c2"\n')
    config = load_config(path, environ={})
    users = [SimpleNamespace(username="c1", id=11, suspended=0), SimpleNamespace(username="c2", id=12, suspended=0)]
    report = DoctorReport()
    doctor_checks.coordinators_check(SimpleNamespace(get_users_by_field=lambda _field, _names: users), config, report)
    (check,) = report.checks
    assert (check.status, check.detail) == ("ok", "2 coordinator username(s) found in Moodle"), check
