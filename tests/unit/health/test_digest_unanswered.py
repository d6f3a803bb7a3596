"""Tester round 85b, 10: once a survey wave closed, every line of a coordinator's digest repeated "no satisfaction
survey answer from the mentee side (T3); ... mentor side (T3)" beside the reason that mattered."""

from __future__ import annotations

from datetime import date

from lmsync.domain.health import PairHealth, Reason
from lmsync.service.digest import digest_text

DAY = date(2027, 2, 1)
T3_MENTEE = Reason("survey_unanswered_mentee", "watch", "no satisfaction survey answer from the mentee side (T3)")
T3_MENTOR = Reason("survey_unanswered_mentor", "watch", "no satisfaction survey answer from the mentor side (T3)")


def pair(mentee: int, *reasons: Reason) -> PairHealth:
    return PairHealth(66, mentee, "fading", reasons, date(2026, 9, 1), date(2026, 12, 1), 61)  # type: ignore[arg-type]


def test_round_85b_10_unanswered_waves_are_said_once_under_the_pairs_with_another_reason() -> None:
    no_meeting = Reason("no_meeting", "fading", "no meeting for 40 days")
    text = digest_text("p", DAY, [pair(3, no_meeting, T3_MENTEE, T3_MENTOR), pair(4, no_meeting, T3_MENTEE),
                                  pair(5, T3_MENTEE)], [], lambda uid: f"user #{uid}", "ann")
    lines = text.splitlines()
    assert "- fading: user #66 / user #3: no meeting for 40 days" in lines
    assert "- fading: user #66 / user #4: no meeting for 40 days" in lines
    # a pair with no other reason keeps its own: its line would say nothing otherwise
    assert "- fading: user #66 / user #5: no satisfaction survey answer from the mentee side (T3)" in lines
    assert ("  also, among the pairs above: no satisfaction survey answer from the mentee side (T3) (2 pairs); "
            "no satisfaction survey answer from the mentor side (T3) (1 pair)") in lines
    assert text.count("(T3)") == 3
