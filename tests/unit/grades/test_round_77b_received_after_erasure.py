"""Tester round 77b, 1 and 2: a received mean and an erasure.

2. A mentor's erasure took this store's record of their published means; a late answer and the mentor back
   as a teacher then made ``grades push`` overwrite the gradebook's 3.75 with 3.15, while the plan said
   "published value frozen". A mean lmsync's own item shows is never changed, record or not.
1. A first mean over answers that changed after an erasure (one mentee erased) gave the erased mentee's
   rating away beside what ``pair show`` showed before: it is held, as ``pair show`` withholds it.
"""

from datetime import UTC, date, datetime

from lmsync.domain.grades import ItemRecord, ObservedGradeItem, derived_idnumber, plan_grades, safe_itemname
from lmsync.domain.instruments import SurveyAnswer
from lmsync.domain.metrics import MetricSpec, MetricValue
from lmsync.domain.received_guard import hold_shown_received
from lmsync.service import programme_settings
from lmsync.service.grade_metrics import compute_metrics, received_notes
from lmsync.service.meetings import rescore_surveys, settings
from lmsync.service.rater_checkpoints import count_before_erasure, record_before_erasure
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository, erase_person

PROGRAMME = "mentor-2026"
KEY = "satisfaction-mentee-received-T0"
MENTOR, OTHER = 69, 70


def own_item(grades):
    return ObservedGradeItem(1003, safe_itemname(KEY), derived_idnumber(PROGRAMME, KEY), 1, 5, False, grades, 77)


def test_round_77b_2_a_mean_lmsyncs_own_item_shows_is_never_overwritten_without_the_stores_record():
    values = [MetricValue(KEY, MENTOR, 3.15), MetricValue(KEY, OTHER, 4.0), MetricValue("attendance", MENTOR, 80.0)]
    kept, held = hold_shown_received(values, {(KEY, MENTOR), (KEY, OTHER)}, {KEY: own_item({MENTOR: 3.75})})
    assert kept == values[1:] and held == {KEY: 1}
    # the same value, or one the store published (not first), is not held
    assert hold_shown_received(values, {(KEY, MENTOR)}, {KEY: own_item({MENTOR: 3.15})})[0] == values
    assert hold_shown_received(values, set(), {KEY: own_item({MENTOR: 3.75})})[0] == values

    item = own_item({MENTOR: 3.75})
    specs = {KEY: MetricSpec(KEY, 1, 5), "attendance": MetricSpec("attendance", 0, 100)}
    record = ItemRecord(KEY, item.itemnumber, item.idnumber or "", item.id)
    plan = plan_grades(values, specs, [item], {MENTOR, OTHER}, base=1000, count=100, idnumber_prefix=None,
                       programme=PROGRAMME, records=[record], first_received={(KEY, MENTOR), (KEY, OTHER)})
    sent = {(r.key, g.user_id): g.grade for r in plan.requests for g in r.grades}
    assert (KEY, MENTOR) not in sent and sent[(KEY, OTHER)] == 4.0
    assert any(w.startswith(f"{KEY}: held for 1 mentor(s): the gradebook already shows a published mean")
               for w in plan.warnings), plan.warnings


def test_round_77b_1_a_first_mean_over_answers_an_erasure_changed_is_held(tmp_path, monkeypatch):
    from lmsync.config import load_config

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime(2026, 12, 4, 12, tzinfo=UTC))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\n[waves]\nprogramme_start = 2026-09-01\n'
                    "[waves.windows]\nT0 = { start = 2026-09-01, end = 2026-09-22 }\n")
    config = load_config(path, environ={})
    s = settings(config)
    store = Store(tmp_path / "p.db")
    mentees = {MENTOR: (1, 2, 3, 4), OTHER: (5, 6, 7)}
    PairingHistory(store, PROGRAMME).record(
        "add_member", [(f"lmsync:{PROGRAMME}:mentor:{m}", e) for m, es in mentees.items() for e in es],
        at="2026-09-01T08:00:00+00:00")
    SurveyRepository(store, PROGRAMME).save(
        (SurveyAnswer(e, "relationship_satisfaction_mentee", date(2026, 9, 10), f"rs{i}", "1" if e == 4 else "4", "csv"),
         "test") for es in mentees.values() for e in es for i in range(1, 6))
    rescore_surveys(store, s)
    pairs = [(m, e) for m, es in mentees.items() for e in es]

    def means():
        metrics = compute_metrics(store, s, pairs, as_of=date(2026, 12, 4))
        return {v.user_id: v.value for v in metrics.values if v.key == KEY}, received_notes(metrics)

    assert means()[0] == {MENTOR: 3.15, OTHER: 3.6}  # never pushed: nothing published yet (rs4 is reversed)
    day = date(2026, 12, 4)
    counts = count_before_erasure(store, s, programme_settings.programme_zone(config), day, erasing=4)
    erase_person(store, 4, on=day)
    record_before_erasure(store, PROGRAMME, counts, day)
    rescore_surveys(store, s)
    values, notes = means()
    assert values == {OTHER: 3.6}  # not 3.6 over three: 4 x 3.15 - 3 x 3.6 = 1.8, the erased mentee's rating
    assert f"{KEY}: held for 1 mentor(s): who answered about them changed after an erasure" in " ".join(notes)
    store.close()
