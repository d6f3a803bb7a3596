"""Tester round 108b, 2: `lmsync health --as-of` took a day to come and judged every pair fading.

On a programme run 2027-01-04..03-08, `lmsync health --as-of 2027-06-01` said "60 pairs: 0 ok, 0 watch, 0 at risk,
60 fading", even for pairs that met on schedule (exit 0), while `lmsync report --as-of` refuses a day to come (exit
3). Health now refuses it in the same words (``service.as_of_day.refuse_after_today``, shared with the report), with
what its own view of that day would show; today and a day that has passed are views as before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from lmsync.service import programme_settings
from lmsync.store import db, pairings
from tests.flows.conftest import run_in

CONFIG = '[programme]\nname = "tq"\n[store]\npath = "st/tq.db"\n'


def _on(monkeypatch: Any, day: date) -> None:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(programme_settings, "clock", lambda: at)
    for module in (pairings, db):
        monkeypatch.setattr(module, "now_iso", lambda timespec="seconds": at.isoformat(timespec=timespec))


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_round_108b_2_health_refuses_a_day_to_come_as_report_does(cli_home: Any, monkeypatch: Any) -> None:
    (cli_home / "lmsync.toml").write_text(CONFIG)
    _on(monkeypatch, date(2027, 1, 4))
    assert run_in(cli_home, "sync").exit_code == 0
    _on(monkeypatch, date(2027, 3, 8))
    assert run_in(cli_home, "run", "--allow-mass-nudge").exit_code == 0
    before = (cli_home / "st" / "tq.db").read_bytes()
    for fmt in ("text", "json"):
        refused = run_in(cli_home, "health", "--as-of", "2027-06-01", "--format", fmt)
        said = _said(refused)
        assert refused.exit_code == 3, refused.output
        assert ("--as-of 2027-06-01 is after today (2027-03-08 in the programme's timezone): a health view of a day "
                "to come would judge every pair fading") in said, said
        assert "leave --as-of out for today's health view, or give a day that has passed" in said, said
        assert "Pair health on" not in said, said
    report = run_in(cli_home, "report", "--as-of", "2027-06-01", "--out", str(cli_home / "r.html"))
    assert report.exit_code == 3, report.output
    assert ("--as-of 2027-06-01 is after today (2027-03-08 in the programme's timezone): a report of a day to come "
            "would show the survey figures of waves that are still open") in _said(report), report.output
    assert "leave --as-of out for today's report, or give a day that has passed" in _said(report), report.output
    assert (cli_home / "st" / "tq.db").read_bytes() == before, "nothing written"
    for day in ("2027-03-08", "2027-02-01"):  # today and a day that has passed: views, as before
        viewed = run_in(cli_home, "health", "--as-of", day)
        assert viewed.exit_code == 0, viewed.output
        assert f"Pair health on {day}" in viewed.output, viewed.output
