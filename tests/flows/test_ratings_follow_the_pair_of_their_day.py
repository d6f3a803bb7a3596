"""A mentee's rating belongs to the mentor they had on the day they gave it.

Grades attribute a mentee's satisfaction answer by the pairs of its date (tester round 6, 4);
``pair show`` and the report's mentor-qualities table attributed it by the pairs of today, so
after a re-match the new mentor's mean took in a rating of the old mentor.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.service.meetings import rescore_surveys, settings
from lmsync.service.pair_history import pair_history
from lmsync.service.report import gather
from lmsync.store import schema
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from lmsync.store.surveys import SurveyRepository
from tests.unit.report.synthetic import AS_OF, QUALITIES, STAMP, config_for, roster_and_pairs

PROGRAMME = "p"
OLD, NEW = 20, 10  # mentors
MOVED, STAYED = 4, 1  # mentees: MOVED was OLD's until 1 March, then NEW's; STAYED was always NEW's


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(
        f'[programme]\nname = "{PROGRAMME}"\n[grades]\nmin_mentees_for_mentor_rating = 2\n'
        "[waves.windows]\nT0 = { start = 2026-01-01, end = 2026-06-30 }\n"
    )
    return load_config(path, environ={})


def circle(mentor: int) -> str:
    return f"lmsync:{PROGRAMME}:mentor:{mentor}"


def answers(mentee: int, day: date, value: str) -> list[SurveyAnswer]:
    return [SurveyAnswer(mentee, "relationship_satisfaction_mentee", day, f"rs{i}", value, "csv") for i in range(1, 6)]


@pytest.fixture
def rematched(config):
    store = Store(config.store_path())
    try:
        history = PairingHistory(store, PROGRAMME)
        history.record("add_member", [(circle(OLD), MOVED), (circle(NEW), STAYED)], at="2026-01-05T08:00:00+00:00")
        history.record("remove_member", [(circle(OLD), MOVED)], at="2026-03-01T08:00:00+00:00")
        history.record("add_member", [(circle(NEW), MOVED)], at="2026-03-01T08:00:00+00:00")
        # MOVED rated OLD in February (a 1); STAYED rated NEW in February (a 5)
        SurveyRepository(store, PROGRAMME).save(
            (a, "test") for a in answers(MOVED, date(2026, 2, 10), "1") + answers(STAYED, date(2026, 2, 12), "5")
        )
        assert rescore_surveys(store, settings(config)) == 2
    finally:
        store.close()


def test_pair_show_leaves_a_rating_of_the_old_mentor_out_of_the_new_mentors_mean(config, rematched):
    new = [s for s in pair_history(config, (NEW, MOVED)).scores if s.side == "mentee"]
    # before the fix the mean over "2 mentees" (5 and OLD's 1) was shown as NEW's; MOVED's T0 answer was about
    # OLD, so NEW's pair with MOVED has no T0 line at all (tester round 61, 4)
    assert new == []


def test_round_61_4_an_answer_given_with_another_mentor_is_no_line_of_an_ended_pair(config, rematched):
    """Tester round 61, 4: pair show of a pair that had ended showed the mentor's T1 mean (withheld, "only 2 of
    the mentor's mentees answered") for an answer the mentee gave about their next mentor. MOVED answered in
    February, with OLD: a line of OLD's pair; with NEW since 1 March, after a March answer NEW's pair has it."""
    old = [s for s in pair_history(config, (OLD, MOVED)).scores if s.side == "mentee"]
    assert [s.wave for s in old] == ["T0"]
    assert [s for s in pair_history(config, (NEW, MOVED)).scores if s.side == "mentee"] == []  # not with NEW then
    store = Store(config.store_path())
    try:
        SurveyRepository(store, PROGRAMME).save((a, "test") for a in answers(MOVED, date(2026, 3, 20), "4"))
        assert rescore_surveys(store, settings(config)) >= 1
    finally:
        store.close()
    assert [s.wave for s in pair_history(config, (NEW, MOVED)).scores if s.side == "mentee"] == ["T0"]


def test_pair_show_counts_an_answer_naming_its_mentor_whatever_its_day(config):
    store = Store(config.store_path())
    try:
        history = PairingHistory(store, PROGRAMME)
        history.record("add_member", [(circle(NEW), MOVED), (circle(NEW), STAYED)], at="2026-03-01T08:00:00+00:00")
        named = [SurveyAnswer(MOVED, "relationship_satisfaction_mentee", date(2026, 2, 10), f"rs{i}", "4", "csv",
                              about_id=NEW) for i in range(1, 6)]
        SurveyRepository(store, PROGRAMME).save((a, "test") for a in named + answers(STAYED, date(2026, 3, 12), "2"))
        assert rescore_surveys(store, settings(config)) == 2
    finally:
        store.close()
    new = [s for s in pair_history(config, (NEW, MOVED)).scores if s.side == "mentee"]
    assert [(s.over, s.score) for s in new] == [(2, 3.0)]


def test_report_credits_a_mentor_qualities_answer_to_the_mentor_of_its_day():
    """Per closed wave (tester round 122b, 2): three mentees rated mentor 2 early in T3, then moved to mentor 1
    before T3's middle day. Credited by today's pairs, mentor 1 got their ratings of mentor 2 (a row over 4
    mentees); by the pairs of the answer's day they rate mentor 2, who did not have them on T3's middle and last
    day (the closed wave's group), so they count for no one."""
    store = Store.memory()
    config = config_for(":memory:", 120)
    t3 = config.waves.windows["T3"]
    roster, pairs = roster_and_pairs(12)  # mentors 1-3, four mentees each
    moved_on = t3.start + timedelta(days=4)  # before T3's middle day
    moved = [e for m, e in pairs if m == 1][:3]  # were mentor 2's until ``moved_on``
    history = PairingHistory(store, config.programme.name)
    start = f"{AS_OF - timedelta(days=100)}T08:00:00+00:00"
    history.record("add_member", [(f"lmsync:{config.programme.name}:mentor:{m if e not in moved else 2}", e)
                                  for m, e in pairs], at=start)
    history.record("remove_member", [(f"lmsync:{config.programme.name}:mentor:2", e) for e in moved], at=f"{moved_on}T08:00:00+00:00")
    history.record("add_member", [(f"lmsync:{config.programme.name}:mentor:1", e) for e in moved], at=f"{moved_on}T08:00:00+00:00")
    answered = {e: (t3.start + timedelta(days=1) if e in moved else t3.end - timedelta(days=2)) for _m, e in pairs}
    store.write(schema.survey_answers.insert(), [
        dict(programme=config.programme.name, respondent_id=e, instrument="mentor_qualities", answer_date=day.isoformat(),
             item=item, value="4", source="csv", origin="test", created_at=STAMP, updated_at=STAMP, about_id=0)
        for e, day in answered.items() for item in QUALITIES
    ])
    data = gather(config, store, as_of=AS_OF, roster=roster, pairs=pairs)
    raters = {(row[0], row[1]): row[2] for row in data.mentor_qualities.rows}
    # mentor 1: one rater of its own (under the minimum of 3, no row); credited by today's pairs it showed 4
    assert raters == {("T3", "t0002"): 4, ("T3", "t0003"): 4}


def test_round_51c_2_mentor_qualities_answered_in_a_wave_still_open_wait_for_its_last_day():
    """The mentor-qualities tables moved with each answer of an open wave ("m0004, 3 mentees, 4", then
    "4 mentees, 3.25": that answer was 1). They now wait for the wave's last day, as the other figures do."""
    store = Store.memory()
    config = config_for(":memory:", 120)  # T6 ends on AS_OF
    roster, pairs = roster_and_pairs(12)
    answered = {e: AS_OF - timedelta(days=5) for _m, e in pairs}  # inside T6
    store.write(schema.survey_answers.insert(), [
        dict(programme=config.programme.name, respondent_id=e, instrument="mentor_qualities", answer_date=day.isoformat(),
             item=item, value="4", source="csv", origin="test", created_at=STAMP, updated_at=STAMP, about_id=0)
        for e, day in answered.items() for item in QUALITIES
    ])
    during = gather(config, store, as_of=AS_OF - timedelta(days=2), roster=roster, pairs=pairs)
    assert during.mentor_qualities.rows == () and during.qualities.rows == ()
    closed = gather(config, store, as_of=AS_OF, roster=roster, pairs=pairs)
    assert {row[:3:2] for row in closed.mentor_qualities.rows} == {("T6", 4)} and closed.qualities.rows


def test_round_63_2_and_3_a_closed_waves_response_counts_the_people_paired_by_its_middle_day(config):
    """Tester round 63, 2: a mentee paired four days before a wave closed was counted as not answering it, while
    health does not ask them (their pair began after the wave's middle day); 3: the evaluation's "from" rate was
    over the later wave's people (48 of 53), the response table's over the base wave's (48 of 52)."""
    from lmsync.service.report import gather

    late, moved_in = 5, 6  # paired 2026-06-25 (T0 runs 2026-01-01 to 06-30: its middle is 03-31)
    store = Store(config.store_path())
    try:
        history = PairingHistory(store, PROGRAMME)
        history.record("add_member", [(circle(NEW), e) for e in (1, 2, 3, 4)], at="2026-01-05T08:00:00+00:00")
        history.record("add_member", [(circle(NEW), late)], at="2026-06-25T08:00:00+00:00")
        gse = [SurveyAnswer(e, "general_self_efficacy", date(2026, 6, 1), f"gse{i}", "3", "csv")
               for e in (1, 2, 3, 4) for i in range(1, 11)]
        SurveyRepository(store, PROGRAMME).save((a, "test") for a in gse)
        assert rescore_surveys(store, settings(config)) == 4
        roster = {u: type("U", (), {"id": u, "username": f"u{u}", "roles": frozenset({"student"}), "fullname": ""})()
                  for u in (NEW, 1, 2, 3, 4, late, moved_in)}
        data = gather(config, store, as_of=date(2026, 7, 15), roster=roster,
                      pairs=[(NEW, e) for e in (1, 2, 3, 4, late)])
    finally:
        store.close()
    assert [row for row in data.response.rows if row[0] == "T0" and row[1] == "mentees"] == [("T0", "mentees", 4, 4, 1.0)]
