"""Tester round 51c, 5: the pairing history followed only lmsync's own writes. A mentee unenrolled or
taken out of a circle by hand stayed "paired" in it for good, so a later past day's report still counted
them. A sync (never ``plan`` or ``--dry-run``) now closes the rows of pairs Moodle no longer shows and
reopens those put back by hand."""

from __future__ import annotations

import pytest

from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.emulator_edit import course_of, move, unenrol
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import run_sync
from lmsync.store.db import Store
from lmsync.store.pairings import PairingHistory

PROGRAMME = "mentor-2026"


@pytest.fixture
def config(programme_config):
    return programme_config  # mentor-2026 on the demo course (tests/flows/conftest.py)


def _sync(config, site, store, **kw):
    with open_moodle(config, site=site) as conn:
        return run_sync(conn.api, config, store, **kw)


def _pairs(site):
    return {(m, u) for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber))
            for u in g.members if u != m}


def _rows(store):
    return [(p.mentor_id, p.mentee_id, p.left_at is None) for p in PairingHistory(store, PROGRAMME).history()]


def test_51c_5_a_mentee_unenrolled_in_moodle_leaves_the_pairing_history_at_the_next_sync(config):
    site, store = build_demo_site(), Store.memory()
    assert _sync(config, site, store).converged
    history = PairingHistory(store, PROGRAMME)
    assert set(history.open_pairs()) == _pairs(site)
    mentor, mentee = min(_pairs(site))
    unenrol(site, course_of(site, config.programme.course), mentee)

    before = _rows(store)
    _sync(config, site, store, dry_run=True)
    assert _rows(store) == before, "a dry run wrote the pairing history"

    assert _sync(config, site, store).converged
    assert (mentor, mentee) not in set(history.open_pairs())
    assert set(history.open_pairs()) == _pairs(site), "the history's open pairs are not what Moodle shows"
    closed = [p for p in history.history() if (p.mentor_id, p.mentee_id) == (mentor, mentee)]
    assert len(closed) == 1 and closed[0].left_at is not None and closed[0].left_at >= closed[0].joined_at
    # a second sync changes nothing more
    again = _rows(store)
    _sync(config, site, store)
    assert _rows(store) == again


def test_51c_5_a_mentee_moved_out_and_put_back_by_hand_is_closed_then_reopened(config):
    site, store = build_demo_site(), Store.memory()
    _sync(config, site, store)
    history = PairingHistory(store, PROGRAMME)
    mentor, mentee = min(_pairs(site))
    course = course_of(site, config.programme.course)
    move(site, course, PROGRAMME, mentee, None)  # out of every circle, by hand
    _sync(config, site, store, dry_run=True)
    assert (mentor, mentee) in set(history.open_pairs()), "a dry run closed a pair"
    with open_moodle(config, site=site) as conn:  # observe without applying: lmsync would place them again
        from lmsync.service.sync import follow_moodle_pairs, make_plan

        planned = make_plan(conn.api, config)
        assert follow_moodle_pairs(store, PROGRAMME, planned.snapshot, "t") == (1, 0)
    assert (mentor, mentee) not in set(history.open_pairs())
    move(site, course, PROGRAMME, mentee, mentor)  # put back by hand
    with open_moodle(config, site=site) as conn:
        planned = make_plan(conn.api, config)
        assert follow_moodle_pairs(store, PROGRAMME, planned.snapshot, "t") == (0, 1)
    assert (mentor, mentee) in set(history.open_pairs())
    rows = [p for p in history.history() if (p.mentor_id, p.mentee_id) == (mentor, mentee)]
    assert [p.left_at is None for p in rows] == [False, True]
    assert follow_moodle_pairs(store, PROGRAMME, planned.snapshot, "t") == (0, 0)  # nothing more to write


def test_51c_5_a_past_day_after_the_leaving_no_longer_counts_the_leaver_and_a_day_before_still_does():
    from datetime import date

    from lmsync.service.feedback_store import feedback_pairs_by_date

    store = Store.memory()
    history = PairingHistory(store, PROGRAMME)
    idnumber = f"lmsync:{PROGRAMME}:mentor:10"
    history.record("add_member", [(idnumber, 20), (idnumber, 21)], at="2026-03-02T09:00:00+00:00")
    # 21 is unenrolled; the next sync (10 March) sees only 20 in the circle
    assert history.follow_moodle({(10, 20)}, at="2026-03-10T09:00:00+00:00") == (1, 0)
    by_date = feedback_pairs_by_date(store, PROGRAMME, current=[(10, 20)])
    assert by_date.on(date(2026, 3, 5)) == {(10, 20), (10, 21)}
    assert by_date.on(date(2026, 4, 1)) == {(10, 20)}, "the leaver still counted weeks after leaving"
    assert not by_date.holds((10, 21), date(2026, 4, 1))
    # put back by hand on 1 May: paired again from that day, not in between
    assert history.follow_moodle({(10, 20), (10, 21)}, at="2026-05-01T09:00:00+00:00") == (0, 1)
    by_date = feedback_pairs_by_date(store, PROGRAMME, current=[(10, 20), (10, 21)])
    assert by_date.on(date(2026, 4, 1)) == {(10, 20)}
    assert by_date.on(date(2026, 5, 2)) == {(10, 20), (10, 21)}
    # a pair of a mentee the history never named (another store's circle?) is left to PairsByDate.appeared
    assert history.follow_moodle({(10, 20), (10, 21), (11, 30)}) == (0, 0)


def test_52_1_a_mentee_moved_by_hand_to_another_circle_is_paired_there_from_that_sync(config):
    """Tester round 52, 1: the new pair had no row, so its grades expected meetings from the programme's
    start, its meetings were refused, and after a break the mentee went back to the mentor they had been
    moved away from."""
    site, store = build_demo_site(), Store.memory()
    _sync(config, site, store)
    history = PairingHistory(store, PROGRAMME)
    old_mentor, mentee = min(_pairs(site))
    new_mentor = next(m for m, _ in sorted(_pairs(site)) if m != old_mentor)
    move(site, course_of(site, config.programme.course), PROGRAMME, mentee, new_mentor)
    with open_moodle(config, site=site) as conn:
        from lmsync.service.sync import follow_moodle_pairs, make_plan

        planned = make_plan(conn.api, config)
        assert follow_moodle_pairs(store, PROGRAMME, planned.snapshot, "t") == (1, 1)
    rows = [(p.mentor_id, p.left_at is None) for p in history.history() if p.mentee_id == mentee]
    assert rows == [(old_mentor, False), (new_mentor, True)]
    assert (new_mentor, mentee) in history.pairing_days()
    # whatever the next sync decides (here the pair is not allowed: it moves them back), the history follows
    assert _sync(config, site, store).converged
    assert set(history.open_pairs()) == _pairs(site)


def test_52_1b_after_a_break_a_mentee_moved_by_hand_goes_back_to_the_mentor_they_were_moved_to(config):
    from lmsync.domain.operations import AddMember, RemoveMember
    from lmsync.service.emulator_edit import set_suspended
    from lmsync.service.sync import make_plan

    config = config.model_copy(update={"sync": config.sync.model_copy(update={"away_mentor_hold_days": 0})})  # a break past the hold of their place (tester round 103b, 1)
    site, store = build_demo_site(), Store.memory()
    _sync(config, site, store)
    course = course_of(site, config.programme.course)
    old_mentor, mentee = min(_pairs(site))
    for new_mentor in sorted({m for m, _ in _pairs(site)} - {old_mentor}):  # a move the match keeps
        move(site, course, PROGRAMME, mentee, new_mentor)
        with open_moodle(config, site=site) as conn:
            ops = make_plan(conn.api, config).plan.operations
        if not any(isinstance(op, RemoveMember | AddMember) and op.user_id == mentee for op in ops):
            break
    else:
        pytest.fail("no hand move the match keeps")
    assert _sync(config, site, store).converged and (new_mentor, mentee) in _pairs(site)
    set_suspended(site, course, mentee, True)
    _sync(config, site, store)
    assert mentee not in {e for _, e in _pairs(site)}, "a suspended mentee stayed in a circle"
    set_suspended(site, course, mentee, False)
    assert _sync(config, site, store).converged
    assert (new_mentor, mentee) in _pairs(site), "back with the mentor they were moved away from"
