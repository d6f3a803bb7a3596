"""A new admin's tester on the words of the meeting reasons and of the first-run hold: a reason
says what "short" is compared with, names only what fell, and the hold's two numbers agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from lmsync.domain.health import PairHealth
from lmsync.service import export_withholding
from lmsync.service.health import Assessment, PairView
from tests.unit.health.test_rules import judge, meeting

#: The tester's pair: 90-80 minutes, then 40 and falling to 28, fortnightly, the latest 5 days ago.
MINUTES = (90, 85, 80, 40, 35, 30, 28)


def _series(minutes: tuple[int, ...], ratings: tuple[int, ...]) -> PairHealth:
    n = len(minutes)
    meetings = [meeting(5 + 14 * (n - 1 - i), m, rating=r) for i, (m, r) in enumerate(zip(minutes, ratings, strict=True))]
    return judge(*meetings, paired_days_ago=14 * n + 20)


def test_tester_finding_hi_bye_reason_says_compared_with_what():
    h = _series(MINUTES, (5, 5, 5, 3, 3, 3, 3))
    assert (h.status, h.codes) == ("at_risk", ("hi_bye",))  # the status is unchanged
    assert h.reasons[0].text == (
        "recent meetings on time but short (31 min on average, down from this pair's usual 82) "
        "and low-rated (at most 3.5 on average)"
    )
    # short against the floor only (no earlier meetings to compare with), and against both
    floor_only = judge(meeting(34, 10, rating=2), meeting(20, 12, rating=2), meeting(6, 11, rating=2), paired_days_ago=40)
    assert floor_only.codes == ("hi_bye",)
    assert "(11 min on average, under 15) and low-rated (at most 3.5 on average)" in floor_only.reasons[0].text
    earlier = [meeting(d, 50, rating=4) for d in (90, 76, 62)]
    both = judge(*earlier, meeting(48, 10, rating=2), meeting(34, 12, rating=2), meeting(20, 11, rating=2))
    assert both.codes == ("hi_bye",)
    assert "(11 min on average, under 15 and down from this pair's usual 50)" in both.reasons[0].text
    # an export to one side keeps the minutes and withholds the ratings, rating numbers included, and the
    # code, which says "low-rated" to whoever knows it (tester round 25, 2)
    # round 28, 2: and word for word as a well-rated pair of the same minutes reads
    well_rated = _series(MINUTES, (5,) * 7)
    same = next(r for r in well_rated.reasons if r.code == "meetings_shrinking")
    for side in ("mentor", "mentee"):
        ((code, text),) = export_withholding.withhold_other_side([["hi_bye", h.reasons[0].text]], side)
        assert "low-rated" not in text and "3.0" not in text
        assert (code, text) == ("meetings_shrinking", "recent meetings average 31 min, down from 82") == (same.code, same.text)
    assert h.reasons[0].blind is not None and (h.reasons[0].blind.code, h.reasons[0].blind.text) == (same.code, same.text)
    ((code, text),) = export_withholding.withhold_other_side([["hi_bye", floor_only.reasons[0].text]], "mentor")
    assert (code, text) == ("meetings_short", "recent meetings average 11 min (under 15)")


def test_tester_finding_declining_names_only_what_fell():
    steady_ratings = _series(MINUTES, (5,) * 7)
    (declining,) = [r for r in steady_ratings.reasons if r.code == "meetings_declining"]
    assert steady_ratings.status == "watch"  # unchanged
    assert declining.text == "meetings getting shorter over the last 7 (down about 60%)"
    # ratings fell, minutes did not: the trend and the shift test say "lower-rated" only
    trend = _series((45,) * 8, (5, 5, 5, 5, 3, 3, 2, 2))
    assert trend.codes == ("meetings_declining",)
    # by how much ratings fell is not said: ratings are withheld one by one (tester round 60, 4)
    assert trend.reasons[0].text == "meetings getting lower-rated over the last 8"
    step = _series((45,) * 11, (5,) * 8 + (2, 2, 2))
    assert (step.status, step.codes) == ("at_risk", ("meetings_declining",))
    assert step.reasons[0].text == "recent meetings much lower-rated than this pair's earlier 8"
    # a quarter of a minute less is not "shorter"
    noise = _series((45, 46, 44, 45, 47, 45, 44, 46, 44, 45, 46), (5, 5, 4, 5, 5, 4, 5, 5, 3, 3, 3))
    assert noise.reasons[0].text == "recent meetings lower-rated than this pair's earlier 8"
    # both fell: both named
    both = _series((55, 52, 50, 44, 40, 36, 34, 31), (5, 5, 4, 4, 4, 3, 3, 3))
    assert both.reasons[0].text == "recent meetings much shorter and lower-rated than this pair's earlier 5"
    # whose ratings fell is not said in a plain meetings_declining: an export to one side says neither
    for side in ("mentor", "mentee"):
        for text in (declining.text, trend.reasons[0].text):
            ((code, kept),) = export_withholding.withhold_other_side([["meetings_declining", text]], side)
            assert code == "meetings_declining" and "shorter" not in kept and "lower-rated" not in kept


def _view(i: int, status: str) -> PairView:
    day = date(2026, 12, 1)
    health = PairHealth(100, i, "ok", (), day, day - timedelta(days=3), 3, 100)
    return PairView(replace(health, status=status), "m", f"s{i}")


def test_tester_finding_first_run_hold_message_consistent(tmp_path):
    from lmsync.config import load_config
    from lmsync.service.nudge_holds import first_run_hold

    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\n')
    conf = load_config(path, environ={})
    views = [_view(i, "fading") for i in range(52)]
    held = first_run_hold(conf, Assessment(date(2026, 12, 1), views, {}, first_assessment=True, unpaired_here=52))
    assert held is not None
    assert "52 of 52 pairs sit in circles it never paired" in held
    assert "own history" not in held  # it never paired them: they are not judged from a history of its own
    assert "52 pair(s) are at risk or fading: of all 52 pairs, as this store judges them" in held
    assert "never paired from the programme's start" in held
    some = [_view(i, "fading" if i == 0 else "ok") for i in range(4)]
    one = first_run_hold(conf, Assessment(date(2026, 12, 1), some, {}, first_assessment=True, unpaired_here=3))
    assert one is not None and "3 of 4 pairs sit in circles" in one and "1 pair(s) are at risk or fading: of all 4 pairs" in one


def test_round_30_6_a_hi_bye_reason_gives_no_mean_rating() -> None:
    """README: the coordinator's view names the side, never a score; the hi-bye reason gave the pair's
    mean meeting rating ("2.0 on average") in health, queue list, pair show and the digest."""
    h = judge(meeting(34, 10, rating=2), meeting(20, 12, rating=2), meeting(6, 11, rating=2), paired_days_ago=40)
    (hi_bye,) = [r for r in h.reasons if r.code == "hi_bye"]
    assert "low-rated (at most 3.5 on average)" in hi_bye.text and "2.0" not in hi_bye.text
