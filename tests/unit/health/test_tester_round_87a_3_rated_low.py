"""Tester round 87a, 3 (misleading): health called a pair "ok, 100" while its mentee rated every meeting 1/5.

Each side's ratings were judged only against that side's own earlier ones (a shift and a trend): once the
low ratings were the baseline, nothing flagged a pair whose meetings stayed rated at the bottom, and the
coordinator, who never sees a mentee's ratings, had no other sign. A level rule now reads each side's last
ratings (``[health] rated_low``): ``meetings_rated_low_<side>``, that side's own answers (never the other's).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from lmsync.domain.health import (
    PairEvidence,
    PairHealth,
    Thresholds,
    answered_by,
    assess,
    seen_by,
    shared_view,
)
from lmsync.domain.meetings import Meeting, RatedBy
from lmsync.health_config import HealthConfig

START = date(2026, 1, 5)
MENTOR, MENTEE = 66, 3
T = Thresholds()


def _pair(ratings: list[tuple[int | None, RatedBy | None]], minutes: list[int] | None = None) -> PairHealth:
    """One pair meeting fortnightly for 45 minutes (or ``minutes``), judged the day after its last meeting."""
    meetings = tuple(
        Meeting(START + timedelta(days=7 + 14 * i), MENTOR, MENTEE, minutes[i] if minutes else 45, True, "feedback",
                rating, rated_by=side)
        for i, (rating, side) in enumerate(ratings)
    )
    return assess(PairEvidence(MENTOR, MENTEE, START, meetings), T, as_of=meetings[-1].date + timedelta(days=1))


def _by(side: RatedBy, ratings: list[int]) -> list[tuple[int | None, RatedBy | None]]:
    return [(r, side) for r in ratings]


FINDING = [5, 5, 5, 5, 2, 1, 1, 1]


def test_the_finding_a_pair_whose_mentee_keeps_rating_every_meeting_1_is_no_longer_ok():
    later = _pair(_by("mentee", [*FINDING, 1, 1, 1, 1, 1]))  # the low ratings are the baseline now
    assert later.status == "at_risk", (later.status, later.codes)
    assert later.codes == ("meetings_rated_low_mentee",)
    assert later.score < 100


def test_while_the_ratings_fall_the_level_and_the_fall_are_one_reason_not_two():
    """Both read the mentee's ratings of the same meetings (one channel, one phenomenon): the level says it."""
    health = _pair(_by("mentee", FINDING))
    assert health.codes == ("meetings_rated_low_mentee",)
    assert health.status == "at_risk"
    assert {r.channel for r in health.reasons} == {"meetings"}


def test_a_pair_rated_4_to_5_throughout_by_both_sides_stays_ok():
    ratings = [(4 + i % 2, "mentee" if i % 3 else "mentor") for i in range(14)]
    health = _pair(ratings)  # type: ignore[arg-type]
    assert (health.status, health.score, health.codes) == ("ok", 100, ())


def test_low_ratings_from_the_mentor_side_only_give_the_mentor_code():
    ratings: list[tuple[int | None, RatedBy | None]] = []
    for i in range(12):
        ratings.append((2 if i % 2 else 1, "mentor"))
        ratings.append((5 if i % 2 else 4, "mentee"))
    health = _pair(ratings)
    assert "meetings_rated_low_mentor" in health.codes
    assert "meetings_rated_low_mentee" not in health.codes
    assert answered_by("meetings_rated_low_mentor") == "mentor"


def test_the_mentors_view_and_the_shared_report_never_hold_the_mentees_low_ratings():
    health = _pair(_by("mentee", [*FINDING, 1, 1, 1, 1, 1]))
    assert answered_by("meetings_rated_low_mentee") == "mentee"
    mentor_view = seen_by(health, "mentor", T)
    assert "meetings_rated_low_mentee" not in mentor_view.codes
    assert mentor_view.status == "ok"  # so the mentor is not nudged on his mentee's verdict
    assert seen_by(health, "mentee", T).codes == ("meetings_rated_low_mentee",)
    assert shared_view(health.reasons, T) == "ok"
    assert health.shared_status == "ok"


def test_the_reason_never_shows_the_ratings():
    """A pair's mean is a rating: two pairs rated all 1 and all 2 read the same words."""
    ones = _pair(_by("mentee", [1] * 6))
    twos = _pair(_by("mentee", [2] * 6))
    assert ones.codes == twos.codes == ("meetings_rated_low_mentee",)
    assert [r.text for r in ones.reasons] == [r.text for r in twos.reasons]
    assert "mentee" in ones.reasons[0].text


def test_a_side_needs_three_ratings_of_its_own_before_its_level_is_judged():
    assert _pair(_by("mentee", [1, 1])).codes == ()
    two_of_the_mentee = [(1, "mentee"), (5, "mentor"), (1, "mentee"), (4, "mentor"), (5, "mentor")]
    assert _pair(two_of_the_mentee).codes == ()  # type: ignore[arg-type]
    assert "meetings_rated_low_mentee" in _pair(_by("mentee", [1, 1, 1])).codes


def test_short_meetings_rated_at_the_bottom_keep_the_level_beside_hi_bye():
    """hi_bye's "low-rated" (at most 3.5 on average, whoever rated) named no side and hid a mentee rating every short
    meeting 1 (tester round 114b, 4): the level stays beside it, one channel, so no ``several_signals``; the mentor
    sees neither the level nor the ratings half of hi_bye, only the short meetings."""
    minutes = [45] * 6 + [10] * 3
    health = _pair(_by("mentee", [4, 5, 4, 5, 4, 4, 1, 1, 1]), minutes)
    assert health.codes == ("hi_bye", "meetings_rated_low_mentee")
    assert health.status == "at_risk" and {r.channel for r in health.reasons} == {"meetings"}
    mentor_view = seen_by(health, "mentor", T)
    assert mentor_view.codes == ("meetings_short",) and mentor_view.status == "at_risk"
    assert health.shared_status is None  # what both know (the short meetings) says at risk as well
    mild = _pair(_by("mentee", [4, 5, 4, 5, 4, 4, 3, 3, 3]), minutes)  # low-rated for hi_bye, not at the bottom
    assert mild.codes == ("hi_bye",)


def test_rated_low_is_a_health_key_on_the_1_to_5_scale():
    assert HealthConfig().rated_low == T.rated_low == 2.0
    assert HealthConfig(rated_low=1.5).thresholds(14).rated_low == 1.5
    with pytest.raises(ValidationError):
        HealthConfig(rated_low=0.5)
    with pytest.raises(ValidationError):
        HealthConfig(rated_low=True)
