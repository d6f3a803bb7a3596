"""Tester finding FIX-A: a mentee's rating of their mentor must not be readable from the
"aggregated" received mean by differencing two pushes (4 x 3.15 - 3 x 3.6 = 1.8)."""

from datetime import date

from lmsync.domain.instruments import Instrument, Score, Wave, WaveScore
from lmsync.domain.metrics import MetricValue, survey_metrics
from lmsync.domain.received_release import received_waves, release_received
from lmsync.store.db import Store
from lmsync.store.published_grades import PublishedGrades
from lmsync.store.surveys import erase_person

RATING = Instrument("rating", ("r1", "r2"), 1, 5, rates_mentor=True, grade_name="rating")
T3 = Wave("T3", date(2026, 11, 1), date(2026, 11, 30))
OPEN, CLOSED = date(2026, 11, 20), date(2026, 12, 1)
KEY = "rating-received-T3"
PAIRS = [(66, 3), (66, 4), (66, 5), (66, 6)]


def answer(mentee: int, total: float) -> WaveScore:
    return WaveScore(mentee, "rating", "T3", date(2026, 11, 5), "csv", Score("rating", total, 2, 2))


def published(store: Store, answers: list[WaveScore], as_of: date, *, min_mentees: int = 3):
    """What one push would publish (``compute_metrics``' steps), recording it as the push does."""
    repo = PublishedGrades(store, "p-2026")
    values = survey_metrics(answers, {"rating": RATING}, PAIRS, [T3], min_mentees=min_mentees)
    release = release_received(values, received_waves([RATING], [T3]), as_of=as_of, published=repo.values())
    repo.freeze((v.key, v.user_id, v.value) for v in release.values if v.key == KEY)
    return {v.user_id: v.value for v in release.values if v.key == KEY}, release


def test_fix_a_the_differencing_attack_fails_the_published_mean_never_changes():
    store = Store.memory()
    three = [answer(3, 3.6), answer(4, 3.6), answer(5, 3.6)]
    first, _ = published(store, three, CLOSED)
    assert first == {66: 3.6}
    fourth = [*three, answer(6, 1.8)]  # the tester's 4th mentee: 4 x 3.15 - 3 x 3.6 = 1.8
    again, release = published(store, fourth, CLOSED)
    assert again == {66: 3.6}  # not 3.15: nothing to subtract
    assert release.frozen == {KEY: 1} and release.changed == {KEY: 1}
    erase_person(store, 3)  # a rater's erasure does not move it either
    assert published(store, fourth[1:], CLOSED)[0] == {66: 3.6}


def test_fix_a_nothing_is_published_while_the_wave_is_open():
    store = Store.memory()
    answers = [answer(3, 4.0), answer(4, 4.0), answer(5, 4.0)]
    values, release = published(store, answers, OPEN)
    assert values == {} and release.waiting == {KEY: 1}
    assert PublishedGrades(store, "p-2026").values() == {}
    assert published(store, answers, T3.end)[0] == {}  # the last day of the window is still open
    values, _ = published(store, [*answers, answer(6, 1.0)], CLOSED)
    assert values == {66: 3.25}  # first published after the close, over every answer in


def test_fix_a_fewer_than_min_raters_publish_nothing_even_after_the_close():
    store = Store.memory()
    assert published(store, [answer(3, 5.0), answer(4, 1.0)], CLOSED)[0] == {}
    assert PublishedGrades(store, "p-2026").values() == {}
    assert published(store, [answer(3, 5.0), answer(4, 1.0)], CLOSED, min_mentees=2)[0] == {66: 3.0}


def test_fix_a_other_metrics_pass_and_a_frozen_value_is_never_overwritten():
    store = Store.memory()
    repo = PublishedGrades(store, "p-2026")
    assert repo.freeze([(KEY, 66, 3.6)]) == 1
    assert repo.freeze([(KEY, 66, 3.15), (KEY, 67, 2.0)]) == 1
    assert repo.values() == {(KEY, 66): 3.6, (KEY, 67): 2.0}
    other = MetricValue("attendance", 3, 50.0)
    release = release_received([other], received_waves([RATING], [T3]), as_of=OPEN, published={})
    assert release.values == [other]
    erase_person(store, 66)  # the mentor's own data goes with them
    assert repo.values() == {(KEY, 67): 2.0}
