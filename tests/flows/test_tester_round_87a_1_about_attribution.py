"""Tester round 87a, 1: a mentee's answer naming the mentor it is about counts for that mentor only.

A mentee moved from OLD's circle to NEW's, then answered the relationship-satisfaction survey about OLD
(the CSV's ``about``), dated after the move. The grades merged every answer of a respondent into one
score before attributing it, so ``about`` was lost and the answer went to the mentor of its day: NEW's
``received`` mean (over one real rater of NEW's) was published as 3.0, below the privacy minimum, while
``lmsync pair show`` said "withheld: only 1 of the mentor's mentees answered".
"""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_group_idnumber
from lmsync.service import grades
from lmsync.service.meetings import import_surveys
from lmsync.service.moodle import open_moodle
from lmsync.service.pair_history import pair_history
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from tests.flows.test_grades_flow import Person, circles, mentors_of, owned_items, site_with_circles

PROGRAMME = "mentor-2026"
MOVED_ON = "2026-11-03T09:10:00.000+00:00"  # inside T1, before the answers
ANSWERED = "2026-11-05"
T1_CLOSED = date(2026, 11, 25)
RECEIVED = "lmsync_satisfaction-mentee-received-T1"
CONFIG = """
[programme]
name = "mentor-2026"
[waves]
programme_start = 2026-09-01
[waves.windows]
T1 = { start = 2026-11-01, end = 2026-11-21 }
[instruments.relationship_satisfaction_mentee]
[grades]
min_mentees_for_mentor_rating = 2
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(CONFIG)
    return load_config(path, environ={})


def rows(who: str, values: tuple[int, ...], about: str) -> list[str]:
    return [f"{who},{ANSWERED},relationship_satisfaction_mentee,rs{i},{v},{about}" for i, v in enumerate(values, 1)]


def test_round_87a_1_an_answer_about_the_old_mentor_never_counts_for_the_new_one(config, tmp_path):
    site = site_with_circles()
    store = Store.memory()
    old, new = mentors_of(site)[:2]
    moved, stayed_old = sorted(circles(site)[str(old)] - {old})[:2]
    stayed_new = sorted(circles(site)[str(new)] - {new})[0]
    history = PairingHistory(store, PROGRAMME)
    history.record("add_member", [(g.idnumber, m) for g in site.groups.values() for m in g.members],
                   at="2026-09-01T09:00:00.000+00:00")
    # the mentee moved by hand into NEW's circle, as the sync that saw it records it
    old_group, new_group = (next(g for g in site.groups.values() if g.idnumber == mentor_group_idnumber(PROGRAMME, m))
                            for m in (old, new))
    old_group.members.discard(moved)
    new_group.members.add(moved)
    history.record("remove_member", [(old_group.idnumber, moved)], at=MOVED_ON)
    history.record("add_member", [(new_group.idnumber, moved)], at=MOVED_ON)
    name = {uid: site.users[uid].username for uid in (old, new, moved, stayed_old, stayed_new)}
    path = tmp_path / "s.csv"
    path.write_text("\n".join([
        "respondent,date,instrument,item,value,about",
        *rows(name[moved], (1, 1, 1, 5, 1), name[old]),  # about OLD, their mentor before the move: a 1
        *rows(name[stayed_new], (5, 5, 5, 1, 5), name[new]),  # NEW's own mentee: a 5
        *rows(name[stayed_old], (3, 3, 3, 3, 3), name[old]),  # OLD's other mentee: a 3
    ]) + "\n")
    people = [Person(u.id, u.username, u.idnumber, u.email) for u in (site.users[i] for i in site.courses[2].enrolments)]
    import_surveys(config, path, people=people, store=store, today=date(2026, 11, 10))
    with open_moodle(config, site=site) as conn:
        planned = grades.make_grades_plan(conn.api, config, store, as_of=T1_CLOSED)
        grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    received = {i.itemname: i for i in owned_items(site).values()}[RECEIVED]
    # NEW was rated by one mentee only: withheld (before the fix: 3.0, the mean of 5 and the 1 about OLD)
    assert new not in received.grades, received.grades[new].finalgrade
    # the answer about OLD counts for OLD, with OLD's other mentee's: (1 + 3) / 2
    assert received.grades[old].finalgrade == pytest.approx(2.0)
    # and pair show says the same of both mentors
    shown_new = [s for s in pair_history(config, (new, stayed_new), store=store).scores if s.side == "mentee"]
    assert [(s.over, s.withheld) for s in shown_new] == [(1, True)]
    shown_old = [s for s in pair_history(config, (old, stayed_old), store=store).scores if s.side == "mentee"]
    assert [(s.over, s.score) for s in shown_old] == [(2, 2.0)]
