"""Tester round 83, 3: without a programme start, `lmsync doctor` said imports accept meetings of any past
date ("a mistyped 1999 date is stored"), while an import refused a date more than 365 days back."""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.config import Config
from lmsync.service.doctor_checks import programme_start_check
from lmsync.service.import_rules import MAX_AGE_WITHOUT_START, ImportRules


class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def add(self, name: str, state: str, text: str, hint: str | None = None) -> None:
        self.lines.append((name, state, text))


def test_the_doctor_says_the_import_rule_it_warns_about():
    report = Report()
    programme_start_check(Config(), report)
    [(name, state, text)] = report.lines
    assert (name, state) == ("programme start", "warn")
    assert f"the last {MAX_AGE_WITHOUT_START} days only" in text and "any past date" not in text
    today = date(2026, 12, 5)
    rules = ImportRules(today=today)
    old = today - timedelta(days=MAX_AGE_WITHOUT_START + 1)
    refused = rules.too_old(old, old.isoformat())
    assert refused is not None and f"more than {MAX_AGE_WITHOUT_START} days before today" in str(refused)
    assert rules.too_old(today - timedelta(days=MAX_AGE_WITHOUT_START), "") is None
