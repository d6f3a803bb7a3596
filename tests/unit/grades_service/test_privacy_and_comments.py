"""Mentee ratings of mentors stay private in every derived metric; the last comment sent is kept."""

from datetime import date

from lmsync.domain.instruments import Instrument, Score, Wave, WaveScore
from lmsync.domain.metrics import survey_metric_specs, survey_metrics
from lmsync.store.db import Store
from lmsync.store.meetings import SentComments
from lmsync.store.surveys import erase_person

RATING = Instrument("rating", ("r1",), 1, 5, rates_mentor=True, track_change=True, grade_name="rating")
WAVES = (Wave("T0", date(2026, 9, 1), date(2026, 9, 30)), Wave("T3", date(2026, 11, 1), date(2026, 11, 30)))
PAIRS = [(66, 3), (66, 4), (66, 5)]


def scores():
    out = []
    for mentee, before, after in ((3, 2, 4), (4, 3, 3), (5, 4, 5)):
        out.append(WaveScore(mentee, "rating", "T0", date(2026, 9, 5), "csv", Score("rating", before, 1, 1)))
        out.append(WaveScore(mentee, "rating", "T3", date(2026, 11, 5), "csv", Score("rating", after, 1, 1)))
    return out


def test_change_in_a_mentee_rating_is_not_published_per_mentee_by_default():
    values = survey_metrics(scores(), {"rating": RATING}, PAIRS, WAVES, min_mentees=3)
    assert {v.key for v in values} == {"rating-received-T0", "rating-received-T3"}
    assert {v.user_id for v in values} == {66}
    specs = survey_metric_specs([RATING], WAVES)
    assert set(specs) == {"rating-received-T0", "rating-received-T3"}


def test_with_the_hidden_policy_the_change_is_hidden_too():
    specs = survey_metric_specs([RATING], WAVES, mentee_ratings="hidden")
    assert specs["rating-change-T3"].hidden and specs["rating-T3"].hidden
    # the mentor's mean of their mentees' ratings is hidden from them too, with either policy (tester round 94a, 1)
    assert specs["rating-received-T3"].hidden and survey_metric_specs([RATING], WAVES)["rating-received-T3"].hidden
    values = survey_metrics(
        scores(), {"rating": RATING}, PAIRS, WAVES, min_mentees=3, mentee_ratings="hidden"
    )
    change = {v.user_id: v.value for v in values if v.key == "rating-change-T3"}
    assert change == {3: 2.0, 4: 0.0, 5: 1.0}


def test_sent_comments_are_remembered_per_assignment_and_erased_with_the_person():
    store = Store.memory()
    comments = SentComments(store, "p-2026")
    comments.record(1, [(3, "<p>3 of 4 meetings</p>"), (4, "<p>1 of 4 meetings</p>")])
    comments.record(1, [(3, "<p>4 of 4 meetings</p>")])
    assert comments.get(1) == {3: "<p>4 of 4 meetings</p>", 4: "<p>1 of 4 meetings</p>"}
    assert comments.get(2) == {} and SentComments(store, "other").get(1) == {}
    assert erase_person(store, 3)["assign_comments"] == 1
    assert comments.get(1) == {4: "<p>1 of 4 meetings</p>"}
