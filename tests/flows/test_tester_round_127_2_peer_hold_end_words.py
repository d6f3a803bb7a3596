"""Tester round 127, 2, on the built-in emulator: triads, a peer mentor unenrolled mid-year; when their circle's hold
ended its juniors were removed "also in Circle: Grace Haddad's circle, added by hand", in the plan and the run's sync
line ("from their mentor's circle"). lmsync had placed them there, and a triad junior is in two circles. The
peer-mentor cohort read only its members in the course, so the gone mentor's circle was taken for a faculty one, a
second faculty circle "added by hand" (``observe.Snapshot.peer_mentors_gone``). Now the removal says the hold's end, as
it does in pairs, and its near-peer mentor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lmsync.config import load_config
from lmsync.domain.match_result import MatchResult
from lmsync.domain.operations import RemoveMember
from lmsync.domain.people import People
from lmsync.domain.plan import Plan, mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.two_circles import CircleMentors, hand_added_reasons
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import programme_settings
from lmsync.service.desire import Desired
from lmsync.service.emulator_edit import course_of, unenrol
from lmsync.service.moodle import open_moodle
from lmsync.service.removal_words import removals_said
from lmsync.service.sync import run_sync
from lmsync.store.db import Store

PROGRAMME = "prog-t"  # the tester's: its match puts peer mentor s0004 in s0024's circle
HELD = "their circle was held until 2026-11-02 ([sync] away_mentor_hold_days)"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(programme_settings, "clock", lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                        + timedelta(hours=10))


def _removals_after_the_hold(tmp_path, monkeypatch, structure: str) -> tuple[list[RemoveMember], int]:
    """The removals from a gone mentor's circle planned the day after its hold ended, and that mentor: a peer mentor
    with two juniors in triads, a faculty mentor in pairs, as the tester's runs."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n'
                    f'[matching]\nstructure = "{structure}"\n')
    config = load_config(path, environ={})
    site, store = build_demo_site(), Store.memory()

    def sync(day: date, **kw):
        _on(monkeypatch, day)
        with open_moodle(config, site=site) as conn:
            return run_sync(conn.api, config, store, **kw)

    assert sync(date(2026, 10, 1)).converged
    peers = {u for c in site.cohorts.values() if c.idnumber == "peer-mentors-2026" for u in c.userids}
    circles = {m: g for g in site.groups.values() if (m := mentor_of_idnumber(PROGRAMME, g.idnumber))}
    # in triads, a circle whose juniors include a peer mentor: a mentor of their own circle is a junior too (as s0004)
    mentor = min(m for m, g in circles.items() if (m in peers) == (structure == "triads") and len(g.members) > 2
                 and (structure == "pairs" or g.members - {m} & peers))
    unenrol(site, course_of(site, config.programme.course), mentor)  # a peer mentor leaves mid-year
    assert any("held as it is" in w for w in sync(date(2026, 10, 20)).first_plan.warnings)
    plan = sync(date(2026, 11, 3), dry_run=True).first_plan
    group = mentor_group_idnumber(PROGRAMME, mentor)
    return [op for op in plan.operations if isinstance(op, RemoveMember) and op.group == group], mentor


def test_a_gone_peer_mentors_juniors_leave_with_the_holds_end_not_added_by_hand_tester_round_127_2(tmp_path, monkeypatch):
    removals, _ = _removals_after_the_hold(tmp_path, monkeypatch, "triads")
    assert len(removals) == 2, removals  # a peer mentor among them: not "a mentor of their own circle"
    for op in removals:
        assert "added by hand" not in op.reason, op.reason
        assert op.reason.startswith("left with no near-peer (their near-peer mentor is not active in the course "
                                    "(unenrolled, or enrolment suspended); " + HELD + "): "), op.reason


def test_in_pairs_a_gone_mentors_mentees_read_as_before_tester_round_127_2(tmp_path, monkeypatch):
    removals, _ = _removals_after_the_hold(tmp_path, monkeypatch, "pairs")
    assert removals
    for op in removals:
        assert op.reason in (f"re-matched: their mentor is not active in the course (unenrolled, or enrolment "
                             f"suspended); {HELD}", ), op.reason


def test_the_run_line_names_a_near_peer_mentors_circle_tester_round_127_2() -> None:
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[
        RemoveMember(group=mentor_group_idnumber(PROGRAMME, 24), user_id=5, reason="left with no near-peer (x); y")])
    nobody = Desired(circles=[], people=People(()), match=MatchResult("triads", [], [], 0.0, {}, []),
                     mentors=CircleMentors(peer=frozenset({24})))
    said = removals_said(plan, nobody, show_names=True)
    assert "from their near-peer mentor's circle, left with no near-peer (x)" in said, said


def test_a_hand_added_reason_names_a_circle_by_its_group_naturally_tester_round_127_2() -> None:
    from lmsync.domain.sync_state import DesiredCircle, ObservedGroup

    kept, gone = mentor_group_idnumber(PROGRAMME, 1), mentor_group_idnumber(PROGRAMME, 2)
    owned = {kept: ObservedGroup(id=1, idnumber=kept, name="Circle: Ada Lovelace", members=frozenset({1, 5})),
             gone: ObservedGroup(id=2, idnumber=gone, name="Circle: Grace Haddad", members=frozenset({2, 5}))}
    reasons = hand_added_reasons(PROGRAMME, owned, [DesiredCircle(1, "Ada Lovelace", frozenset({5}))], frozenset({1, 5}))
    assert reasons == {(gone, 5): "also in the circle 'Circle: Grace Haddad', added by hand; stays in Ada Lovelace's, "
                                  "where the plan keeps them"}, reasons
