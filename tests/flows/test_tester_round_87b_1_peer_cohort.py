"""Tester round 87b, 1 (data harm): the peer-mentor cohort emptied in Moodle (a rebuild), or
``[programme] peer_mentor_cohort`` taken out of lmsync.toml, made the next sync (exit 0) take the peer
mentors' mentees out of their circles and re-match them (the peer mentors "take part as a mentee now").
The mass-removal guard did not fire: the mentees were moved, not unplaced. Putting the cohort or the
line back undid nothing. Such a plan is now refused before any write, naming the cause and the fix;
one peer mentor leaving the cohort is refused as a mentor who lost the mentor role (tester round 105a, 8).
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"
COHORT = "peer-mentors-2026"
ONLY_PROGRAMME = '[programme]\nname = "mentor-2026"\n'


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def _circles(home: Any) -> dict[str, frozenset[int]]:
    site = Site.load(_path(home))
    return {g.idnumber: frozenset(g.members) for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)}


def _peer_circles(home: Any) -> dict[str, frozenset[int]]:
    """lmsync's circles whose mentor is in the peer-mentor cohort, with mentees besides the mentor."""
    site = Site.load(_path(home))
    peers = set(next(c for c in site.cohorts.values() if c.idnumber == COHORT).userids)
    return {idnumber: members for idnumber, members in _circles(home).items()
            if mentor_of_idnumber(PROGRAMME, idnumber) in peers and members - {mentor_of_idnumber(PROGRAMME, idnumber)}}


def _set_cohort(home: Any, keep: Any) -> None:
    """Keep only the members ``keep(uid)`` of the peer-mentor cohort, in the saved emulator site."""
    site = Site.load(_path(home))
    cohort = next(c for c in site.cohorts.values() if c.idnumber == COHORT)
    cohort.userids = [uid for uid in cohort.userids if keep(uid)]
    site.save(_path(home))


def _empty_cohort(home: Any) -> None:
    _set_cohort(home, lambda uid: False)


def _drop_setting(home: Any) -> None:
    (home / "lmsync.toml").write_text(ONLY_PROGRAMME)


@pytest.mark.parametrize(("lose", "cause"), [
    (_empty_cohort, f"the peer-mentor cohort '{COHORT}' has no members in this course"),
    # unset, the store cannot tell a peer mentor's circle from a mentor's who lost the role (tester round 103b, 3)
    (_drop_setting, "(or, for peer circles, is no longer in [programme] peer_mentor_cohort, which is not set)"),
])
def test_losing_the_whole_peer_cohort_is_refused_before_any_write(demo_home: Any, lose: Any, cause: str) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    peer_circles = _peer_circles(demo_home)
    assert len(peer_circles) >= 2  # the demo's peer mentors mentor juniors
    before = _circles(demo_home)
    lose(demo_home)
    for args in (("sync",), ("plan",), ("run",)):
        refused = run_in(demo_home, *args)
        assert refused.exit_code == EXIT_ADMIN, (args, refused.output)
        said = " ".join(refused.output.split())
        assert cause in said, (args, refused.output)
        assert f"{len(peer_circles)} circle" in said, refused.output
        assert "LMSYNC_SYNC_MIN_SOURCE_FRACTION=0" in refused.output
        assert _circles(demo_home) == before  # nothing written
    matched = run_in(demo_home, "match")  # a read: the same cause, as a warning
    assert matched.exit_code == 0, matched.output
    said = " ".join(matched.output.split())
    assert cause in said and "lmsync sync refuses" in said, matched.output


def test_the_cohort_restored_keeps_every_pair(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    before = _circles(demo_home)
    members = set(next(c for c in Site.load(_path(demo_home)).cohorts.values() if c.idnumber == COHORT).userids)
    _empty_cohort(demo_home)
    assert run_in(demo_home, "sync").exit_code == EXIT_ADMIN
    site = Site.load(_path(demo_home))
    next(c for c in site.cohorts.values() if c.idnumber == COHORT).userids = sorted(members)
    site.save(_path(demo_home))
    assert run_in(demo_home, "sync").exit_code == 0
    assert _circles(demo_home) == before


def test_one_peer_mentor_leaving_the_cohort_is_refused_as_a_lost_mentor_role_then_applied_with_the_override(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One peer mentor out of the cohort others stay in: the store cannot tell their circle from a teacher's
    made a student, so it is refused as a lost mentor role, naming them, as with the cohort unset (tester round
    105a, 8; it was re-matched at once before); the override applies it."""
    assert run_in(demo_home, "sync").exit_code == 0
    peer_circles = _peer_circles(demo_home)
    leaving_circle = sorted(peer_circles)[0]
    leaver = mentor_of_idnumber(PROGRAMME, leaving_circle)
    their_mentees = peer_circles[leaving_circle] - {leaver}
    _set_cohort(demo_home, lambda uid: uid != leaver)
    before = _circles(demo_home)
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    user = Site.load(_path(demo_home)).users[leaver]
    said = " ".join(refused.output.split())
    assert (f"no longer has a mentor role ([programme] mentor_roles: editingteacher, teacher) and is not in the "
            f"peer-mentor cohort '{COHORT}': {user.firstname} {user.lastname} ({user.username}) (now student)") in said
    assert f"put them back in the peer-mentor cohort '{COHORT}'" in said, said
    assert _circles(demo_home) == before
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
    done = run_in(demo_home, "sync")
    assert done.exit_code == 0, done.output
    after = _circles(demo_home)
    assert not (after[leaving_circle] & their_mentees)  # re-matched, as before
    assert all(after[idnumber] == members for idnumber, members in peer_circles.items() if idnumber != leaving_circle)


def test_ending_peer_mentoring_on_purpose_goes_through_with_the_override(
    demo_home: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    peer_circles = _peer_circles(demo_home)
    _drop_setting(demo_home)
    monkeypatch.setenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION", "0")
    done = run_in(demo_home, "sync")
    assert done.exit_code == 0, done.output
    after = _circles(demo_home)
    assert all(not (after[i] - {mentor_of_idnumber(PROGRAMME, i)}) & m for i, m in peer_circles.items())
    monkeypatch.delenv("LMSYNC_SYNC_MIN_SOURCE_FRACTION")
    again = run_in(demo_home, "sync")  # once done, the next runs are ordinary
    assert again.exit_code == 0, again.output


def test_a_cohort_rebuilt_without_any_of_the_peer_mentors_is_refused(demo_home: Any) -> None:
    """The cohort refilled with someone else only: every peer circle lost at once, though it has a member."""
    assert run_in(demo_home, "sync").exit_code == 0
    before = _circles(demo_home)
    site = Site.load(_path(demo_home))
    newcomer = min(uid for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)
                   for uid in g.members - {mentor_of_idnumber(PROGRAMME, g.idnumber)})
    next(c for c in site.cohorts.values() if c.idnumber == COHORT).userids = [newcomer]
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    assert f"none of the peer mentors of lmsync's circles is in the peer-mentor cohort '{COHORT}'" in refused.output
    assert _circles(demo_home) == before
