"""Tester round 87b, 4: ``lmsync doctor`` said ``[FAIL] forum: 'Mentoring circles' is not in separate
groups mode (lmsync's welcome posts came back for all participants)`` and exited 2 when a teacher, not
lmsync's web-service user, had posted to all participants (groupid -1) a copy of lmsync's welcome, its
``<div id="lmsync-welcome-...">`` marker included. The forum was in separate groups mode: only a welcome
lmsync's own user posted (the token's user, ``core_webservice_get_site_info`` userid) coming back for all
participants tells that the forum dropped its group."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.ownership import WELCOME_ANCHOR
from lmsync.moodle.emulator.demo import DEMO_TOKEN
from lmsync.moodle.emulator.records import Discussion
from lmsync.moodle.emulator.state import Site


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in os.environ if n.startswith("LMSYNC_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lmsync.toml").write_text('[programme]\nname = "mentor-2026"\n')
    return tmp_path


def _public_copy_of_a_welcome(state: Path, author: str) -> int:
    """Post, in the emulator's saved site, a copy of one circle's welcome (marker and all) to all
    participants of "Mentoring circles", as the course's teacher or as lmsync's own user. Its author's id."""
    site = Site.load(state)
    forum = next(f for f in site.forums.values() if f.name == "Mentoring circles")
    assert forum.groupmode == 1  # separate groups
    welcome = next(d for d in site.discussions.values() if d.forumid == forum.id and WELCOME_ANCHOR in d.message)
    course = next(c for c in site.courses.values() if c.id == forum.courseid)
    teacher = next(uid for uid, e in course.enrolments.items() if e.role == "teacher")
    userid = site.tokens[DEMO_TOKEN].userid if author == "lmsync" else teacher
    did = site.next_id("discussion")
    site.discussions[did] = Discussion(id=did, forumid=forum.id, postid=did, groupid=-1, subject=welcome.subject,
                                       message=welcome.message, userid=userid, created=site.now())
    site.save(state)
    return userid


def test_round_87b_4_a_teachers_public_copy_of_a_welcome_is_not_a_forum_without_groups(home: Path) -> None:
    synced = CliRunner().invoke(main, ["sync"])
    assert synced.exit_code == 0, synced.output
    state = load_config(home / "lmsync.toml", environ={}).emulator_state_path()
    teacher = _public_copy_of_a_welcome(state, "teacher")
    assert teacher != Site.load(state).tokens[DEMO_TOKEN].userid
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "[FAIL]" not in result.output and "came back for all participants" not in result.output, result.output
    assert "forum: 'Mentoring circles' found" in result.output, result.output


def test_round_87b_4_lmsyncs_own_public_welcome_still_fails_the_forum(home: Path) -> None:
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0
    _public_copy_of_a_welcome(load_config(home / "lmsync.toml", environ={}).emulator_state_path(), "lmsync")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 2, result.output
    # next_id("discussion") is not the emulator's sequence ("discussions"): the copy takes discussion 1's id, so
    # lmsync's first welcome is public while later ones keep their groups: said as moved (tester round 103b, 4)
    said = " ".join(result.output.split())
    assert "[FAIL] forum: 'Mentoring circles': the forum is in separate groups mode" in said, result.output
    assert "has been moved to all participants in Moodle" in said, result.output
