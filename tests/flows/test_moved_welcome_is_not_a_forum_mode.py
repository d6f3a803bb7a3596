"""Tester round 103b, 4: one welcome discussion an admin moved to "All participants" in a forum in separate groups
mode stopped every sync with "the forum is not in separate groups mode", and doctor failed its forum check with
the same words and fix (set Group mode). The refusal stays (a circle's welcome shown to everyone), but the sync
and doctor now say what is true: the forum keeps groups, that discussion of that circle was moved, and the fix is
to move it back or delete it (the next sync posts it again in its circle)."""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.state import Site
from tests.flows.conftest import run_in

PROGRAMME = "mentor-2026"


def _path(home: Any) -> Any:
    return load_config(home / "lmsync.toml", environ={}).emulator_state_path()


def test_a_welcome_moved_to_all_participants_is_said_as_moved(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    site = Site.load(_path(demo_home))
    welcome = min((d for d in site.discussions.values() if d.groupid > 0), key=lambda d: d.id)
    circle = site.groups[welcome.groupid]
    assert mentor_of_idnumber(PROGRAMME, circle.idnumber) is not None
    welcome.groupid = -1  # Moodle: edit the post, Group: All participants
    site.save(_path(demo_home))
    refused = run_in(demo_home, "sync")
    assert refused.exit_code == EXIT_ADMIN, refused.output
    out = " ".join(refused.output.split())
    assert "is not in separate groups mode" not in out, out
    assert "the forum is in separate groups mode" in out, out
    assert f"{welcome.id} (circle '{circle.name}') has been moved to all participants in Moodle" in out, out
    assert "set Group back to its circle's group (or delete the discussion" in out, out
    doctor = run_in(demo_home, "doctor")
    forum = " ".join(line for line in doctor.output.splitlines() if "forum:" in line)
    assert "[FAIL] forum" in forum and "is not in separate groups mode" not in forum, doctor.output
    assert "the forum is in separate groups mode" in forum and f"{welcome.id} (" in forum, doctor.output


def test_what_lmsyncs_own_discussions_say_of_the_forums_group_mode() -> None:
    from lmsync.domain.forum_mode import moved_by_hand
    from lmsync.domain.sync_state import ObservedDiscussion

    def seen(*groups: int) -> list[ObservedDiscussion]:
        return [ObservedDiscussion(i + 1, g, "s", "", 9) for i, g in enumerate(groups)]

    assert moved_by_hand(seen(-1, 5, 6), [1], 9) is True  # a later welcome kept its group
    assert moved_by_hand(seen(5, 6, -1), [3], 9) is None  # the newest: moved, or the group mode changed since
    assert moved_by_hand(seen(-1, -1), [1, 2], 9) is False  # none in a group: not in groups mode
    assert moved_by_hand(seen(-1, 5), [1], 8) is False  # only lmsync's account's discussions count
