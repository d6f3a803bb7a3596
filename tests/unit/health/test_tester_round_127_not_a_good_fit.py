"""Tester round 127, 1, 4 and 5: which pair a "not a good fit" survey answer marks, and how health says it.

1. An answer naming no one (every Moodle Feedback answer) dated on the day its respondent was re-matched counted
   against each new pair made that day: one answer about one mentor moved the mentee four times, then left them
   with no mentor. An answer counts only for a pair that existed when it was given.
4. A peer mentor's answer on a ``side = "mentee"`` form ("my mentor is not a good fit") marked their own junior's
   pair: anyone holding a circle was taken as answering as a mentor, whatever the instrument's side.
5. ``lmsync health`` marked a pair for good without a word, in text or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from lmsync.config import Config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.render.formats import render
from lmsync.render.health import health_view
from lmsync.service.health import Assessment, HealthReport
from lmsync.service.labels import People
from lmsync.service.not_a_good_fit import not_a_good_fit_answers
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository


@pytest.fixture
def store() -> Iterator[Store]:
    db = Store.memory()
    yield db
    db.close()


def _config(side: str = "both") -> Config:
    return Config.model_validate({
        "programme": {"name": "p"}, "health": {"not_a_good_fit_item": "checkin.fit"},
        "instruments": {"checkin": {"items": ["fit"], "scale_min": 0, "scale_max": 1, "side": side}},
    })


def _pair(store: Store, kind: str, mentor: int, mentee: int, at: str) -> None:
    PairingHistory(store, "p").record(kind, [(mentor_group_idnumber("p", mentor), mentee)], at=at)


def _answer(store: Store, who: int, day: date, about: int | None = None) -> None:
    SurveyRepository(store, "p").save([(SurveyAnswer(who, "checkin", day, "fit", "1", "csv", about_id=about), "t")])


def test_one_answer_naming_no_one_marks_only_the_pair_it_was_given_in_tester_round_127_1(store: Store) -> None:
    day = date(2020, 3, 2)
    _pair(store, "add_member", 66, 3, "2020-03-02T09:00:00.000+00:00")  # the mentee's first mentor, that morning
    _answer(store, 3, day)  # written to the store now: after the pair was made
    assert not_a_good_fit_answers(_config(), store, [(66, 3)], as_of=day) == [(66, 3)]
    # the next sync re-matches them the same day: the new pair never takes the answer, that day or later
    _pair(store, "remove_member", 66, 3, "2020-03-02T10:00:00.000+00:00")
    _pair(store, "add_member", 77, 3, "2020-03-02T10:00:00.000+00:00")
    assert not_a_good_fit_answers(_config(), store, [(77, 3)], as_of=day) == []
    assert not_a_good_fit_answers(_config(), store, [(77, 3)], as_of=date(2020, 3, 9)) == []
    _answer(store, 3, date(2020, 3, 3))  # given the next day: about mentor 77, the only one they had then
    assert not_a_good_fit_answers(_config(), store, [(77, 3)], as_of=date(2020, 3, 3)) == [(77, 3)]


def test_an_answer_written_before_the_pair_was_made_that_day_does_not_mark_it_tester_round_127_1(store: Store) -> None:
    _pair(store, "add_member", 66, 3, "2099-01-01T12:00:00.000+00:00")  # made after the answer below was stored
    _answer(store, 3, date(2099, 1, 1))
    assert not_a_good_fit_answers(_config(), store, [(66, 3)], as_of=date(2099, 1, 1)) == []


@pytest.mark.parametrize(
    ("side", "about", "marked"),
    [
        ("mentee", None, [(5, 6)]),  # "my mentor is not a good fit": her pair with her mentor 5
        ("mentor", None, [(6, 39)]),  # as the near-peer of her only junior 39
        ("both", None, []),  # on both sides: cannot tell which pair (as a mentor with several mentees)
        ("both", 5, [(5, 6)]),  # ... unless the answer names the other person
        ("both", 39, [(6, 39)]),
    ],
)
def test_an_answer_marks_the_pair_of_the_side_its_instrument_is_for_tester_round_127_4(
    store: Store, side: str, about: int | None, marked: list[tuple[int, int]]
) -> None:
    # 6 is a peer mentor (triads): a mentee in mentor 5's circle and the near-peer of 39
    _answer(store, 6, date(2026, 10, 10), about)
    assert not_a_good_fit_answers(_config(side), store, [(5, 6), (6, 39)], as_of=date(2026, 10, 10)) == marked


def test_health_names_the_pairs_it_marked_not_a_good_fit_in_text_and_json_tester_round_127_5() -> None:
    report = HealthReport(Assessment(date(2026, 10, 11), [], {}), {"ok": 0}, not_a_good_fit=[(1, 2)])
    text = render(health_view(report, People()), "text")
    assert "Marked not a good fit by a survey answer: " in text and "re-matched by the next sync" in text
    assert json.loads(render(health_view(report, People()), "json"))["not_a_good_fit"] == ["1-2"]
    quiet = HealthReport(Assessment(date(2026, 10, 11), [], {}), {"ok": 0})
    assert "not a good fit" not in render(health_view(quiet, People()), "text")
