"""Tester round 130b, 1: one value per person (the gradebook) takes the latest complete sitting of
the wave, whether or not its rows name whom they are ``about``.

A self-efficacy export that fills ``about`` with the mentee's mentor on every row (many do) lost
every later sitting to an earlier ``about``-less one: the gradebook got 30 for a mentee whose
latest complete sitting, two days later, scored 10, and nothing said so."""

from datetime import date

from lmsync.domain.instruments import Score, WaveScore, per_respondent

MENTEE, MENTOR, OTHER = 8, 66, 67


def _score(day: int, total: float | None, about: int | None, name: str = "general_self_efficacy") -> WaveScore:
    return WaveScore(MENTEE, name, "T3", date(2026, 11, day), "csv", Score(name, total, 10, 10), about)


def _one(*scores: WaveScore) -> WaveScore:
    (only,) = per_respondent(scores)
    return only


def test_a_later_complete_sitting_with_about_counts_over_an_earlier_general_one() -> None:
    assert _one(_score(20, 30.0, None), _score(22, 10.0, MENTOR)).score.total == 10.0


def test_a_later_general_sitting_counts_over_earlier_ones_about_a_relationship() -> None:
    got = _one(_score(20, 30.0, MENTOR), _score(21, 20.0, OTHER), _score(22, 10.0, None))
    assert (got.score.total, got.date) == (10.0, date(2026, 11, 22))


def test_merged_relationships_count_by_their_latest_complete_sitting() -> None:
    # the mean of the complete ones (30 and 20), as before: their latest complete sitting is later
    got = _one(_score(20, 40.0, None), _score(21, 30.0, MENTOR), _score(23, 20.0, OTHER))
    assert got.score.total == 25.0


def test_a_complete_sitting_counts_over_a_later_incomplete_one() -> None:
    assert _one(_score(20, 30.0, None), _score(22, None, MENTOR)).score.total == 30.0
    assert _one(_score(20, None, None), _score(18, 10.0, MENTOR)).score.total == 10.0


def test_on_one_day_the_general_sitting_counts_as_before() -> None:
    assert _one(_score(20, 30.0, None), _score(20, 10.0, MENTOR)).score.total == 30.0
