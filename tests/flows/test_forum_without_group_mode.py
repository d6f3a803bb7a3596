"""Trap 17 (a groupid in a no-groups forum is dropped to -1), tester round 9, 2: with ``[programme]
forum`` naming a forum without group mode, every welcome lmsync posted came back for all
participants, in no circle, so each later sync posted every circle's welcome again."""

from __future__ import annotations

import pytest

from lmsync.config import load_config
from lmsync.errors import PlanError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.jobs import sync_job
from tests.flows.test_doctor import doctor


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\nforum = "Programme notices"\n')
    return load_config(path, environ={})


def test_trap_17_welcomes_made_public_by_a_forum_without_group_mode_stop_the_next_sync(config):
    """Tester round 17, 2: the first sync posted every circle's welcome to all participants; it now
    posts one, reads it back, and stops (exit 2) before the others."""
    site = build_demo_site()
    forum = next(f for f in site.forums.values() if f.name == "Programme notices")
    assert forum.groupmode == 0  # the demo's announcements-style forum
    with pytest.raises(PlanError) as first:
        sync_job(config, site=site)
    assert "1 of lmsync's welcome discussion(s)" in str(first.value) and "Separate groups" in (first.value.hint or "")
    public = [d for d in site.discussions.values() if d.forumid == forum.id]
    assert len(public) == 1 and public[0].groupid == -1  # one welcome public, not every circle's
    assert any(g.idnumber.startswith("lmsync:") and g.members for g in site.groups.values())  # the circles were made

    (detail,) = [c.detail for c in doctor(site, config).checks if c.name == "forum" and c.status == "fail"]
    assert "is not in separate groups mode" in detail  # doctor sees it too, from the welcomes' marker

    with pytest.raises(PlanError) as refused:
        sync_job(config, site=site)
    assert f"{len(public)} of lmsync's welcome discussion(s)" in str(refused.value)
    assert "Separate groups" in (refused.value.hint or "")
    assert len([d for d in site.discussions.values() if d.forumid == forum.id]) == len(public)  # nothing posted again

    forum.groupmode = 1  # the admin's fix: separate groups, and the public post deleted
    for d in public:
        del site.discussions[d.id]
    assert sync_job(config, site=site).converged
    posted = [d for d in site.discussions.values() if d.forumid == forum.id]
    circles = [g for g in site.groups.values() if g.idnumber.startswith("lmsync:mentor-2026:mentor:")]
    assert len(posted) == len(circles) > 1 and all(d.groupid > 0 for d in posted)
