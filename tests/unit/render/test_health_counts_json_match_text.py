"""``lmsync health --format json``'s ``counts`` are the text's: a pair a coordinator ended
(``queue done --outcome closed``) is counted once, as ``ended``, not under its last status."""

from __future__ import annotations

import json
from datetime import date

from lmsync.domain.health import PairHealth, Reason, count_statuses
from lmsync.render.formats import render
from lmsync.render.health import health_view
from lmsync.service.health import Assessment, HealthReport, PairView
from lmsync.service.labels import People

DAY = date(2026, 12, 2)


def _pair(mentor: int, mentee: int, status: str) -> PairView:
    reasons = (Reason("no_meeting", status, "no meeting for 60 days"),) if status != "ok" else ()
    return PairView(PairHealth(mentor, mentee, status, reasons, date(2026, 9, 1), date(2026, 10, 1), 62),
                    f"m{mentor}", f"s{mentee}")


def _report() -> HealthReport:
    pairs = [_pair(1, 10, "ok"), _pair(1, 11, "fading"), _pair(2, 12, "fading"), _pair(2, 13, "watch"),
             _pair(3, 14, "ok")]
    assessment = Assessment(DAY, pairs, {})
    # two pairs ended by a coordinator: one last judged fading, one ok
    return HealthReport(assessment, count_statuses(assessment.healths), ended=frozenset({(1, 11), (3, 14)}))


def test_health_json_counts_the_pairs_a_coordinator_ended_as_ended_as_the_text_does() -> None:
    report = _report()
    view = health_view(report, People())
    counts = json.loads(render(view, "json"))["counts"]
    assert counts == {"ok": 1, "watch": 1, "at_risk": 0, "fading": 1, "closed": 0, "ended": 2}
    head = render(view, "text").splitlines()[0]
    assert head == ("Pair health on 2026-12-02: 5 pairs: 1 ok, 1 watch, 0 at risk, 1 fading, 0 closed (need met), "
                    "2 ended by a coordinator.")
    # every pair counted exactly once, in both
    assert sum(counts.values()) == len(report.assessment.pairs)


def test_health_json_counts_without_an_ended_pair_keep_their_keys() -> None:
    report = _report()
    report.ended = frozenset()
    counts = json.loads(render(health_view(report, People()), "json"))["counts"]
    assert counts == {"ok": 2, "watch": 1, "at_risk": 0, "fading": 2, "closed": 0}
