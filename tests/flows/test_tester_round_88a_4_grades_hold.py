"""Tester round 88a, 4: while a mentor is away (account suspended, their circle held, their pairs ended in the
pairing history for the hold), a meeting imported dated during the hold was said "kept, but no grade counts
them", yet the grades computed during the hold counted it (s0015 4 -> 5, m0004 16 -> 17), and went back once the
mentor was restored. Grades take the current pairs as health does (``health_gone.circle_pairs``): the pairs of a
mentor away are not current during the hold, so no hold-dated meeting counts and no hold day is expected."""

from __future__ import annotations

from datetime import date

import pytest

from lmsync.domain.plan import mentor_group_idnumber
from lmsync.service import grades
from lmsync.service.emulator_edit import set_account_suspended
from lmsync.service.meetings import import_meetings
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory
from tests.flows.test_grades_flow import (
    AS_OF,
    PROGRAMME,
    Person,
    circles,
    make_config,
    mentors_of,
    site_with_circles,
    term,
)


@pytest.fixture
def config(tmp_path, monkeypatch):
    return make_config(tmp_path, monkeypatch)


HOLD_START = "2026-11-01T00:00:00.000+00:00"  # the sync that found the mentor away ended their pairs (pairs_followed)


def _values(config, site, store):
    with open_moodle(config, site=site) as conn:
        result = grades.make_grades_plan(conn.api, config, store, as_of=AS_OF, read_sources=False)
    return result, {(v.key, v.user_id): v.value for v in result.metrics.values}


def test_tester_round_88a_4_a_meeting_dated_in_the_hold_counts_in_no_grade(config, tmp_path):
    site = site_with_circles()
    store = Store(config.store_path())
    try:
        term(config, site, tmp_path, store)
        mentor = mentors_of(site)[-1]
        mentees = sorted(circles(site)[str(mentor)] - {mentor})
        idnumber = mentor_group_idnumber(PROGRAMME, mentor)
        set_account_suspended(site, mentor, True)
        PairingHistory(store, PROGRAMME).record("remove_member", [(idnumber, m) for m in mentees], at=HOLD_START)
        with open_moodle(config, site=site) as conn:
            grades.push_grades(conn.api, config, store, grades.make_grades_plan(conn.api, config, store,
                                                                                as_of=AS_OF).plan)
        _, before = _values(config, site, store)  # pushed during the hold: the import below must change no grade
        people = {p: before.get(("meetings", p)) for p in (mentor, *mentees)}
        assert all(n for n in people.values()), f"the hold dropped a grade to nothing: {people}"
        name = site.users
        path = tmp_path / "hold.csv"
        path.write_text("date,mentor,mentee,minutes,attended\n"
                        f"2026-11-10,{name[mentor].username},{name[mentees[0]].username},30,yes\n")
        people_rows = [Person(u.id, u.username, u.idnumber, u.email) for u in (site.users[i] for i in site.courses[2].enrolments)]
        assert import_meetings(config, path, people=people_rows, store=store, today=AS_OF).counts.added == 1
        result, after = _values(config, site, store)
        for person in (mentor, *mentees):
            for key in ("meetings", "attendance", "minutes"):
                assert after.get((key, person)) == before.get((key, person)), (key, person)
        rewritten = {uid for r in result.plan.requests for g in r.grades for uid in (g.user_id,)} & {mentor, *mentees}
        assert not rewritten
        assert after[("meetings", mentees[0])] == before[("meetings", mentees[0])] > 0
        with open_moodle(config, site=site) as conn:  # no meeting expected for the hold's days either
            at_start = grades.make_grades_plan(conn.api, config, store, as_of=date(2026, 11, 1), read_sources=False)
        for person in (mentor, *mentees):
            assert result.metrics.attendance[person].expected == at_start.metrics.attendance[person].expected, person
    finally:
        store.close()
