"""``lmsync doctor`` as a view: one row per check, the fix under each failure or warning."""

from __future__ import annotations

from lmsync.render.views import Column, Table
from lmsync.service.doctor import DoctorReport

MARKS = {"ok": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}
COLUMNS = (Column("name"), Column("status"), Column("detail"), Column("fix"))


def doctor_view(report: DoctorReport) -> Table:
    """``[FAIL] name: detail`` lines (``fix:`` under a failure or warning), then the verdict."""
    failures = sum(1 for c in report.checks if c.status == "fail")
    warnings = sum(1 for c in report.checks if c.status == "warn")
    return Table(
        "checks",
        COLUMNS,
        [
            {"name": c.name, "status": c.status, "detail": c.detail, "fix": c.fix, "mark": MARKS[c.status],
             "fixes": [c.fix] if c.fix and c.status in ("fail", "warn") else []}
            for c in report.checks
        ],
        line="[{mark}] {name}: {detail}",
        details="fixes",
        detail_line="       fix: {}",
        footer=(f"{failures} problem(s) found" if not report.healthy  # "all passed" under warnings (tester round 17, 10)
                else f"no problems; {warnings} warning(s) above" if warnings else "all checks passed"),
    )
