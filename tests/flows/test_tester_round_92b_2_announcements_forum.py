"""Tester round 92b, 2: ``[programme] forum = "Announcements"``, the course's news forum. Doctor failed it for
want of mod/forum:startdiscussion, the plan warned that 20 welcomes would be refused, and the sync posted one
("to see") for all participants before it stopped, exit 2. Announcements forces subscription: in a real Moodle
that welcome is emailed to the whole course. lmsync now knows a news forum from its ``type``: it posts no
welcome there, the plan and the sync say why (exit 2, the circles made), and doctor fails the forum check
instead of a capability. The emulator, which let a news forum take a discussion with startdiscussion,
now asks for mod/forum:addnews there, as Moodle does."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lmsync.config import load_config
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.moodle.errors import MoodleError
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.jobs import sync_job
from tests.flows.conftest import demo_config, run_in
from tests.flows.test_doctor import doctor

ANNOUNCEMENTS = 'forum = "Announcements"\n'


def _news(site: Site) -> Any:
    return next(f for f in site.forums.values() if f.type == "news")


def _api(site: Site) -> MoodleApi:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    return MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))


def test_trap_news_forum_takes_a_discussion_only_with_mod_forum_addnews() -> None:
    """Moodle's add_discussion asks forum_user_can_post_discussion(), which for a news forum checks
    mod/forum:addnews (capability_manager::can_create_discussions likewise): the emulator let lmsync's
    startdiscussion post there, for all participants."""
    site = build_demo_site()
    forum = _news(site)
    assert forum.name == "Announcements" and forum.forcesubscribe == 1
    api = _api(site)
    assert "mod/forum:startdiscussion" in site.tokens[DEMO_TOKEN].capabilities
    assert not next(f for f in api.get_forums_by_courses([forum.courseid]) if f.id == forum.id).cancreatediscussions
    with pytest.raises(MoodleError) as refused:
        api.add_discussion(forum.id, "Welcome", "<p>hi</p>", groupid=-1)
    assert refused.value.errorcode == "cannotcreatediscussion"
    assert not [d for d in site.discussions.values() if d.forumid == forum.id]
    site.tokens[DEMO_TOKEN].capabilities.add("mod/forum:addnews")
    assert next(f for f in api.get_forums_by_courses([forum.courseid]) if f.id == forum.id).cancreatediscussions
    assert api.add_discussion(forum.id, "News", "<p>hi</p>", groupid=-1).discussionid


def test_round_92b_2_doctor_fails_the_announcements_forum_not_the_role(tmp_path: Any, monkeypatch: Any) -> None:
    config = demo_config(tmp_path, monkeypatch, ANNOUNCEMENTS)
    report = doctor(build_demo_site(), config)
    failed = {c.name: c for c in report.checks if c.status == "fail"}
    assert "mod/forum:startdiscussion" not in failed, failed["mod/forum:startdiscussion"].detail
    forum = failed["forum"]
    assert "'Announcements'" in forum.detail and "announcements forum" in forum.detail
    assert "emails each post there to all of them" in forum.detail
    assert "Separate groups" in (forum.fix or "") and "role preset" not in (forum.fix or "")
    skipped = next(c for c in report.checks if c.name == "mod/forum:startdiscussion")
    assert skipped.status == "skip" and "announcements forum" in skipped.detail


def test_round_92b_2_the_sync_posts_no_welcome_to_the_announcements_forum(tmp_path: Any, monkeypatch: Any) -> None:
    """No welcome is planned there, none is sent (not even one "to see"), the circles are made."""
    config = demo_config(tmp_path, monkeypatch, ANNOUNCEMENTS)
    site = build_demo_site()
    forum = _news(site)
    site.tokens[DEMO_TOKEN].capabilities.add("mod/forum:addnews")  # even a role that could post there
    result = sync_job(config, site=site)
    assert result.converged and result.forum_announcements and not result.forum_missing
    assert not result.first_plan.by_kind("post_welcome")
    assert not [d for d in site.discussions.values() if d.forumid == forum.id]
    assert any(g.idnumber.startswith("lmsync:mentor-2026:mentor:") and g.members for g in site.groups.values())
    (warning,) = [w for w in result.first_plan.warnings if "announcements forum" in w]
    assert "no circle gets a welcome discussion" in warning and "Separate groups" in warning
    assert not any("will be refused" in w for w in result.first_plan.warnings)


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_92b_2_sync_and_run_exit_2_naming_the_announcements_forum(demo_home: Any) -> None:
    path = demo_home / "lmsync.toml"
    path.write_text(path.read_text() + ANNOUNCEMENTS)
    state = load_config(path, environ={}).emulator_state_path()
    plan = run_in(demo_home, "plan")
    said = " ".join(plan.output.split())
    assert plan.exit_code == 0 and "is the course's announcements forum" in said, plan.output
    assert "will be refused" not in said and "post welcome" not in said
    synced = run_in(demo_home, "sync")
    said = " ".join(synced.output.split())
    assert synced.exit_code == EXIT_ADMIN, synced.output
    assert "the circles are in sync" in said and "'Announcements' is the course's announcements forum" in said
    site = Site.load(state)
    assert not [d for d in site.discussions.values() if d.forumid == _news(site).id]
    assert [g for g in site.groups.values() if g.idnumber.startswith("lmsync:")]
    ran = run_in(demo_home, "run")
    line = next(x for x in ran.output.splitlines() if x.startswith("sync"))
    assert ran.exit_code == EXIT_ADMIN and "admin" in line and "announcements forum" in line, ran.output
