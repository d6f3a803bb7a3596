"""A mentor's capacity falls below their pairs (tester round 10, 4): the sync keeps the pairs that
meet, not the best fits on paper, and re-matches the others."""

from __future__ import annotations

from datetime import date

from lmsync.domain.meetings import Meeting
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository

PROGRAMME = "mentor-2026"


def test_round_10_4_the_pairs_that_meet_keep_their_mentor_when_capacity_falls(programme_config, sync_site):
    config, sync = programme_config, sync_site
    site, store = build_demo_site(), Store.memory()
    sync(config, site, store)
    circle = max((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)),
                 key=lambda g: (len(g.members), -g.id))
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    mentees = sorted(circle.members - {mentor})
    assert len(mentees) >= 3  # the probe can fail: a circle to shrink
    # the pairs that meet: the last two mentees (not the first ones a tie-break by id would keep)
    meeting = mentees[-2:]
    MeetingRepository(store, PROGRAMME).save(
        (Meeting(date(2026, 10, d), mentor, mentee, 45, True, "csv"), "test") for mentee in meeting for d in (5, 19)
    )
    site.users[mentor].customfields["mentorcapacity"] = "2"
    result = sync(config, site, store)
    assert sorted(circle.members - {mentor}) == meeting
    moved = {op.user_id for op in result.first_plan.by_kind("remove_member")}
    assert moved == set(mentees) - set(meeting)
