"""Tester round 106b, 5: the people of the circles (mentors and members together) first found away on one day,
more than 1 - [sync] min_source_fraction of those placed, are a broken read (``held_mentees.mass_away_people``)."""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.domain.held_mentees import mass_away_people

DAY = date(2026, 3, 2)


def _kept(users: range, day: date = DAY) -> dict[tuple[str, int], tuple[date, date]]:
    return {(f"lmsync:p:mentor:{user % 3}", user): (day, day + timedelta(days=13)) for user in users}


def test_more_than_the_share_on_one_day_is_found_with_its_mentors() -> None:
    found = mass_away_people({900: DAY, 901: DAY - timedelta(days=1)}, _kept(range(100, 136)), 72, 0.5)
    assert found is not None and found.day == DAY and found.found == 37
    assert found.mentors == {900} and len(found.members) == 36 and found.placed == 72


def test_the_share_itself_a_handful_or_spread_days_are_not() -> None:
    assert mass_away_people({}, _kept(range(100, 136)), 72, 0.5) is None  # 36 of 72: not more than half
    assert mass_away_people({}, _kept(range(100, 105)), 72, 0.5) is None
    spread = {**_kept(range(100, 120)), **_kept(range(200, 220), DAY - timedelta(days=2))}
    assert mass_away_people({}, spread, 72, 0.5) is None  # 40 away, but 20 on each of two days


def test_mentors_alone_or_the_guard_off_say_nothing() -> None:
    assert mass_away_people({m: DAY for m in range(40)}, {}, 72, 0.5) is None  # the mentors' own alarm says it
    assert mass_away_people({}, _kept(range(100, 160)), 72, 0.0) is None
    assert mass_away_people({}, _kept(range(100, 160)), 0, 0.5) is None
