"""Tester round 103b, 8: a circle's group deleted in Moodle while a sync runs, before its welcome is posted.

Moodle 4.5 takes the welcome (``mod_forum_add_discussion`` with the deleted group's id) for lmsync's role, which holds
moodle/site:accessallgroups: forum_user_can_post_discussion (mod/forum/lib.php) returns true before it looks at the
group, and the discussion is stored with the dead groupid (see tests/unit/emulator/test_deleted_group.py). The sync
that posted it cannot know; the next one sees the group gone, says so, makes the circle again and posts its welcome
in the new group. Without accessallgroups Moodle refuses (cannotcreatediscussion): nothing is recorded as posted.
"""

from __future__ import annotations

from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Group, Site
from lmsync.moodle.errors import MissingCapability
from lmsync.service.runtime import session
from lmsync.service.sync import run_sync
from lmsync.store.journal import Journal

P = "mentor-2026"


@pytest.fixture
def config(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{P}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    return load_config(path, environ={})


def _deleting_a_circle_at_the_first_welcome(site: Site, gone: list[Group], *, accessallgroups: bool = True) -> Any:
    """A fault hook that deletes the newest lmsync circle in Moodle (as core_group_delete_groups does) just before
    the first welcome arrives; without ``accessallgroups`` the role also loses moodle/site:accessallgroups."""

    def hook(function: str, phase: str) -> None:
        if function != "mod_forum_add_discussion" or phase != "before" or gone:
            return None
        group = max((g for g in site.groups.values() if g.idnumber.startswith(f"lmsync:{P}:")), key=lambda g: g.id)
        gone.append(group)
        del site.groups[group.id]
        for grouping in site.groupings.values():
            if group.id in grouping.groupids:
                grouping.groupids.remove(group.id)
        site.invalidate_group_cache(group.courseid)
        if not accessallgroups:
            for token in site.tokens.values():
                token.capabilities.discard("moodle/site:accessallgroups")
        return None

    return hook


def test_round_103b_8_a_welcome_into_a_circle_deleted_mid_run_is_taken_by_moodle_and_the_next_sync_makes_it_again(
    config: Any,
) -> None:
    site = build_demo_site()
    gone: list[Group] = []
    with session(config, site=site, fault=_deleting_a_circle_at_the_first_welcome(site, gone)) as (conn, store):
        first = run_sync(conn.api, config, store)
    (group,) = gone
    orphan = [d for d in site.discussions.values() if d.groupid == group.id]
    assert len(orphan) == 1, "Moodle took the welcome into the deleted group, as it does for accessallgroups"
    assert first.converged and first.written["post_welcome"] == first.written["create_group"]

    with session(config, site=site) as (conn, store):
        second = run_sync(conn.api, config, store)
    said = " ".join(second.first_plan.warnings)
    assert f"[{group.idnumber}]: the group lmsync made for it (Moodle id {group.id}) is no longer in the course " \
           "(deleted in Moodle); it is made again" in said, said
    (again,) = [g for g in site.groups.values() if g.idnumber == group.idnumber]
    assert again.id != group.id and again.members == group.members
    assert [d.groupid for d in site.discussions.values() if d.groupid == again.id] == [again.id]  # a new welcome
    assert second.converged and second.written["post_welcome"] == 1


def test_round_103b_8_a_welcome_moodle_refuses_is_not_recorded_as_posted(config: Any) -> None:
    site = build_demo_site()
    gone: list[Group] = []
    hook = _deleting_a_circle_at_the_first_welcome(site, gone, accessallgroups=False)
    with pytest.raises(MissingCapability) as refused, session(config, site=site, fault=hook) as (conn, store):
        run_sync(conn.api, config, store)
    assert "cannotcreatediscussion" not in str(refused.value) and "accessallgroups" in (refused.value.hint or "")
    assert not site.discussions
    with session(config, site=site, read_only=True) as (_conn, store):
        assert Journal(store, P).created("discussion") == {}, "no welcome recorded as made"
