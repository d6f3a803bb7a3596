"""Tester round 94b, 2: two forums of the course share the configured name ("Mentoring circles" twice, normal
after a course rollover or an import). lmsync took the first: ``lmsync doctor`` said ``[ok] forum: 'Mentoring
circles' found (forum 3)`` and ``lmsync sync`` posted 20 welcome discussions there, exit 0, while two Feedback
activities of one name were refused, asking for the course-module id. Now plan and sync refuse before any write
(exit 2) and doctor fails its forum check, each naming the forums' course-module ids; ``[programme] forum``
takes a course-module id as ``[meetings] feedback`` does (``forum = "7"``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.records import Forum as ForumRecord
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.models import Forum
from tests.flows.conftest import run_in

NAME = "Mentoring circles"


def _second_forum(home: Path, name: str = NAME) -> tuple[Path, int, int]:
    """Add to the saved demo site a second separate-groups forum called ``name`` in the programme's course
    (a rolled-over copy): the saved site's path, the first forum's and the new forum's course-module ids."""
    state = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    site = Site.load(state)
    first = next(f for f in site.forums.values() if f.name == NAME)
    used = [f.cmid for f in site.forums.values()] + [a.cmid for a in site.assignments.values()]
    used += [f.cmid for f in site.feedbacks.values()]
    forum_id, cmid = max(site.forums) + 1, max(used) + 1
    site.forums[forum_id] = ForumRecord(forum_id, cmid, first.courseid, name, "general", "Rolled over.", 1)
    site.save(state)
    return state, first.cmid, cmid


def _lmsync_writes(state: Path) -> tuple[int, int]:
    """Discussions in any forum and groups carrying an lmsync idnumber, in the saved site."""
    site = Site.load(state)
    return len(site.discussions), len([g for g in site.groups.values() if g.idnumber.startswith("lmsync:")])


def test_tester_round_94b_2_plan_and_sync_refuse_two_forums_of_one_name(demo_home: Path) -> None:
    state, first, second = _second_forum(demo_home)
    before = _lmsync_writes(state)
    for command in ("plan", "sync"):
        result = run_in(demo_home, command)
        said = " ".join(result.output.split())
        assert result.exit_code == EXIT_ADMIN, result.output
        assert f"2 forums in the course are named '{NAME}'" in said, said
        assert f"course-module ids {first} and {second}" in said, said
        assert "[programme] forum" in said and f'forum = "{first}"' in said, said
    assert _lmsync_writes(state) == before  # no welcome posted, no circle made


def test_tester_round_94b_2_doctor_fails_the_forum_check_naming_both(demo_home: Path) -> None:
    _state, first, second = _second_forum(demo_home)
    result = run_in(demo_home, "doctor")
    said = " ".join(result.output.split())
    assert result.exit_code == EXIT_ADMIN, result.output
    assert f"[FAIL] forum: 2 forums in the course are named '{NAME}' (course-module ids {first} and {second})" in said
    assert "found (forum" not in said, said
    assert "set [programme] forum to the course-module id" in said, said


def test_tester_round_94b_2_a_course_module_id_picks_the_forum(demo_home: Path) -> None:
    state, _first, second = _second_forum(demo_home)
    path = demo_home / "lmsync.toml"
    path.write_text(path.read_text() + f'forum = "{second}"\n')
    synced = run_in(demo_home, "sync")
    assert synced.exit_code == 0, synced.output
    site = Site.load(state)
    chosen = next(f.id for f in site.forums.values() if f.cmid == second)
    posted = {d.forumid for d in site.discussions.values()}
    assert posted == {chosen}, posted
    doctor = run_in(demo_home, "doctor")
    assert f"forum: '{second}' found (forum {chosen})" in " ".join(doctor.output.split()), doctor.output


def _forum(forum_id: int, name: str) -> Any:
    return Forum.model_validate({"id": forum_id, "cmid": forum_id + 10, "course": 2, "name": name})


def test_tester_round_94b_2_names_match_as_moodle_returns_them() -> None:
    """``&`` comes back as ``&amp;`` through format_string (trap 39): both spellings are the configured name."""
    from lmsync.service.programme_forum import programme_forums

    forums = [_forum(1, "Mentors &amp; mentees"), _forum(2, "Mentors & mentees"), _forum(3, "Mentors")]
    assert [f.id for f in programme_forums(forums, "Mentors & mentees")] == [1, 2]
    assert [f.id for f in programme_forums(forums, " 13 ")] == [3]
