"""Tester round 110a, 6: health's "Needing attention" said "last meeting never" of a pair whose only meeting
was logged as missed: a meeting was recorded, none held. The line now says when the pair last met."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairHealth, Reason, count_statuses
from lmsync.render.formats import render
from lmsync.render.health import health_view
from lmsync.service.health import Assessment, HealthReport, PairView
from lmsync.service.labels import People

DAY = date(2026, 12, 2)


def _pair(mentee: int, last: date | None) -> PairView:
    reasons = (Reason("no_first_meeting", "fading", "no meeting since pairing 92 days ago"),)
    return PairView(PairHealth(1, mentee, "fading", reasons, date(2026, 9, 1), last, 92), "m1", f"s{mentee}")


def test_a_pair_that_never_met_reads_never_met_and_one_that_met_reads_when() -> None:
    assessment = Assessment(DAY, [_pair(10, None), _pair(11, date(2026, 10, 1))], {})
    text = render(health_view(HealthReport(assessment, count_statuses(assessment.healths)), People()), "text")
    lines = [line for line in text.splitlines() if line.startswith("  fading")]
    assert len(lines) == 2
    assert lines[0].endswith("never met") and lines[1].endswith("last met 2026-10-01")
    assert "last meeting never" not in text
