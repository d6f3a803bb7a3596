"""Sync on a lived-in Moodle (issue 10 points 1, 2 and 10): formatted names, purified posts, a slow
database, and duplicates of lmsync's own objects, on the in-process emulator."""

from __future__ import annotations

import json
import time

import pytest

from lmsync.config import load_config
from lmsync.domain.plan import circle_pairs, grouping_idnumber, mentor_of_idnumber
from lmsync.errors import ConfigError
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Discussion, Group, Grouping
from lmsync.service.moodle import open_moodle
from lmsync.service.sync import make_plan, run_sync
from lmsync.store.db import Store
from lmsync.store.journal import Journal

PROGRAMME = "mentor-2026"
COURSE = 2
WRITES = {
    "core_group_create_groupings",
    "core_group_create_groups",
    "core_group_update_groups",
    "core_group_update_groupings",
    "core_group_assign_grouping",
    "core_group_unassign_grouping",
    "core_group_add_group_members",
    "core_group_delete_group_members",
    "core_group_delete_groups",
    "core_group_delete_groupings",
    "mod_forum_add_discussion",
}
CREATES = ("core_group_create_groupings", "core_group_create_groups", "core_group_assign_grouping",
           "mod_forum_add_discussion")
FORUM = "Mentors & mentees"
# The second series' names (shared/moodle README, traps 38-40): ampersands, quotes, bare < and >,
# a literal entity, a multilang span.
TEMPLATE = 'Circle & co: {mentor_fullname} "3 < 4 > 2"'
GROUPING = "Circles & friends 'O'Neil' <span lang=\"en\" class=\"multilang\">2026</span>"


def write_config(tmp_path, monkeypatch, extra=""):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(
        "[programme]\n"
        f'name = "{PROGRAMME}"\n'
        'peer_mentor_cohort = "peer-mentors-2026"\n'
        f"forum = {json.dumps(FORUM)}\n"
        f"group_name_template = {json.dumps(TEMPLATE)}\n"
        f"grouping_name = {json.dumps(GROUPING)}\n" + extra
    )
    return load_config(path, environ={})


@pytest.fixture
def config(tmp_path, monkeypatch):
    return write_config(tmp_path, monkeypatch)


def lived_in_site():
    """The demo site seeded with the second series' names: the programme forum called
    'Mentors & mentees', mentors named with '&', quotes and a '<' that opens a tag, and a foreign
    group whose stored name is a literal '&amp;' (reads back like '&')."""
    site = build_demo_site()
    forum = next(f for f in site.forums.values() if f.courseid == COURSE and f.name == "Mentoring circles")
    forum.name = FORUM
    mentors = sorted(uid for uid, u in site.users.items() if u.username.startswith("m"))
    site.users[mentors[0]].lastname = "O'Neil & Co"
    site.users[mentors[1]].lastname = '"Quoted" 3 > 2'
    site.users[mentors[2]].lastname = "<b>Bold</b>"  # Moodle would refuse a group name holding it
    gid = site.next_id("groups")
    site.groups[gid] = Group(id=gid, courseid=COURSE, name="Circle &amp; co: literal", idnumber="")
    return site


def sync(config, site, store, fault=None, **kw):
    with open_moodle(config, site=site, fault=fault) as conn:
        result = run_sync(conn.api, config, store, **kw)
        return result, conn.transport.stats


def writes(stats):
    return sum(n for f, n in stats.items() if f in WRITES)


def after_settle(config):
    return lambda: time.time() + config.sync.write_settle_seconds + 1


def lmsync_objects(site):
    """Counts that must be exactly one: groups per lmsync idnumber, lmsync groupings, links per
    group, and welcome discussions per circle (in the programme forum)."""
    groups = [g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber)]
    per_idnumber: dict[str, int] = {}
    for g in groups:
        per_idnumber[g.idnumber] = per_idnumber.get(g.idnumber, 0) + 1
    groupings = [g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME)]
    links = [groupings[0].groupids.count(g.id) for g in groups] if groupings else []
    welcomes = [sum(1 for d in site.discussions.values() if d.groupid == g.id) for g in groups]
    return {
        "circles": len(groups),
        "per_idnumber": set(per_idnumber.values()),
        "groupings": len(groupings),
        "links": set(links),
        "welcomes": set(welcomes),
        "members": {g.idnumber: frozenset(g.members) for g in groups},
    }


def assert_one_of_each(site):
    state = lmsync_objects(site)
    assert state["circles"] > 0
    assert state["per_idnumber"] == {1}, "two groups carry one lmsync idnumber"
    assert state["groupings"] == 1, "lmsync's grouping exists twice (or not at all)"
    assert state["links"] == {1}, "a circle is linked twice (or not at all) into the grouping"
    assert state["welcomes"] == {1}, "a circle has no welcome, or more than one"
    return state


# ------------------------------------------------------------------------------------- point 1


def test_point_1_trap_39_names_with_entities_converge_and_the_second_sync_writes_nothing(config):
    site = lived_in_site()
    store = Store.memory()
    first, _ = sync(config, site, store)
    assert first.converged
    state = assert_one_of_each(site)
    stored = {g.name for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)}
    assert any("O'Neil & Co" in name and '"3 < 4 > 2"' in name for name in stored), stored
    assert any(g.name == GROUPING for g in site.groupings.values()), "the grouping name was not sent as written"

    second, stats = sync(config, site, store)
    assert second.converged and second.first_plan.empty
    assert writes(stats) == 0, {f: n for f, n in stats.items() if f in WRITES}
    assert lmsync_objects(site) == state


def test_point_1_trap_38_a_mentor_name_moodle_would_refuse_is_named_in_a_warning_not_a_failed_batch(config):
    site = lived_in_site()
    bold = next(uid for uid, u in site.users.items() if u.lastname == "<b>Bold</b>")
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config).plan
    assert any(f"<b>Bold</b> ({site.users[bold].username}) (Moodle id {bold})" in w and "trap 38" in w for w in plan.warnings), plan.warnings
    first, _ = sync(config, site, Store.memory())
    assert first.converged and not any(report.failed for report in first.reports)
    circle = next(g for g in site.groups.values() if g.idnumber == f"lmsync:{PROGRAMME}:mentor:{bold}")
    assert "< b>Bold< /b>" in circle.name


def test_point_1_trap_39_forum_configured_with_an_ampersand_is_found_and_gets_welcomes(config):
    site = lived_in_site()
    sync(config, site, Store.memory())
    forum = next(f for f in site.forums.values() if f.name == FORUM)
    assert {d.forumid for d in site.discussions.values()} == {forum.id}
    assert lmsync_objects(site)["welcomes"] == {1}


@pytest.mark.parametrize(
    ("key", "lines"),
    [
        ("programme.group_name_template", "[programme]\ngroup_name_template = 'Circle <b>{mentor_fullname}</b>'"),
        ("programme.grouping_name", "[programme]\ngrouping_name = 'Circles x <3'"),
        ("sync.welcome.subject", "[sync.welcome]\nsubject = 'Welcome <i>{group_name}</i>'"),
    ],
)
def test_point_1_trap_38_a_name_moodle_would_refuse_fails_at_config_load_naming_the_key(tmp_path, key, lines):
    path = tmp_path / "lmsync.toml"
    path.write_text(lines + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    assert key in str(err.value)
    assert "opens a tag" in str(err.value)


def test_point_1_trap_38_multilang_spans_and_bare_angle_brackets_are_accepted_at_config_load(config):
    assert config.programme.grouping_name == GROUPING
    assert config.programme.group_name_template == TEMPLATE


# ------------------------------------------------------------------------------------- point 2


def test_trap_40_welcome_found_after_purifier_without_journal(config):
    site = lived_in_site()
    sync(config, site, Store.memory())
    assert lmsync_objects(site)["welcomes"] == {1}
    second, stats = sync(config, site, Store.memory(), takes_over=True)  # a fresh machine: the journal is gone
    assert second.converged and second.first_plan.empty, second.first_plan.counts()
    assert writes(stats) == 0
    assert_one_of_each(site)


def test_trap_40_welcomes_of_older_versions_whose_comment_the_purifier_removed_are_found_by_the_journal(config):
    site = lived_in_site()
    store = Store.memory()
    sync(config, site, store)
    # what older versions posted: the marker was an HTML comment, which the purifier removes
    for d in site.discussions.values():
        group = site.groups[d.groupid]
        d.message = f"<p>Welcome!</p><!-- {group.idnumber}:welcome -->"
        d.subject = "Welcome (old wording)"
    assert Journal(store, PROGRAMME).created("discussion"), "the journal should hold the discussion ids"
    again, stats = sync(config, site, store)
    assert again.first_plan.empty and writes(stats) == 0
    assert_one_of_each(site)


def test_trap_40_a_discussion_lmsync_cannot_prove_it_posted_is_never_counted(config):
    site = lived_in_site()
    sync(config, site, Store.memory())
    # a teacher copies lmsync's welcome (marker included) into another circle after lmsync's own is
    # deleted: without the journal, only lmsync's account counts as proof
    circle = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber))
    ours = next(d for d in site.discussions.values() if d.groupid == circle.id)
    del site.discussions[ours.id]
    mentor = mentor_of_idnumber(PROGRAMME, circle.idnumber)
    assert mentor is not None
    did = site.next_id("discussions")
    site.discussions[did] = Discussion(
        id=did, forumid=ours.forumid, postid=did, groupid=circle.id, subject=ours.subject,
        message=ours.message, userid=mentor, created=ours.created,
    )
    again, _ = sync(config, site, Store.memory(), takes_over=True)  # a store replacing a lost one (round 89b, 1)
    assert [op.group for op in again.first_plan.by_kind("post_welcome")] == [circle.idnumber]


def test_round_9_a_welcome_deleted_in_moodle_is_posted_again_and_the_plan_says_so(config):
    site = lived_in_site()
    store = Store.memory()
    sync(config, site, store)
    circle = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber))
    ours = next(d for d in site.discussions.values() if d.groupid == circle.id)
    del site.discussions[ours.id]
    again, _ = sync(config, site, store)
    assert [op.group for op in again.first_plan.by_kind("post_welcome")] == [circle.idnumber]
    assert [w for w in again.first_plan.warnings if "no longer in the forum" in w] == [
        f"circle {circle.idnumber}: the welcome lmsync posted (discussion {ours.id}) is no longer in the forum "
        "(deleted in Moodle); it is posted again"
    ]
    assert_one_of_each(site)
    quiet, _ = sync(config, site, store)
    assert quiet.first_plan.empty and not [w for w in quiet.first_plan.warnings if "no longer in the forum" in w]


def test_round_10_many_welcomes_deleted_in_moodle_make_one_warning(config):
    site = lived_in_site()
    store = Store.memory()
    sync(config, site, store)
    ours = [d for d in site.discussions.values() if mentor_of_idnumber(PROGRAMME, site.groups[d.groupid].idnumber)]
    for d in ours:
        del site.discussions[d.id]
    again, _ = sync(config, site, store)
    assert len(again.first_plan.by_kind("post_welcome")) == len(ours) > 1
    (line,) = [w for w in again.first_plan.warnings if "no longer in the forum" in w]
    assert line.startswith(f"{len(ours)} welcomes lmsync posted are no longer in the forum (deleted in Moodle; the first: circle ")


# ------------------------------------------------------------------------------------ point 10


def every(functions, kind, phase):
    def fault(function, when):
        return kind if function in functions and when == phase else None

    return fault


def test_point_10_every_create_answered_after_the_timeout_leaves_one_of_each(config):
    site = lived_in_site()
    store = Store.memory()
    first, _ = sync(config, site, store, fault=every(CREATES, "timeout", "after"), max_rounds=40)
    second, _ = sync(config, site, store)
    assert second.converged
    assert_one_of_each(site)
    third, stats = sync(config, site, store)
    assert third.first_plan.empty and writes(stats) == 0


def test_point_10_late_commits_are_never_sent_again_within_the_settle_time(config):
    site = lived_in_site()
    site.late_after = 10_000  # the slow database holds the writes until the test lets them go
    store = Store.memory()
    sent: list[str] = []

    def late_creates(function, when):
        if when == "before" and function in CREATES:
            sent.append(function)
            return "late"
        return None

    first, _ = sync(config, site, store, fault=late_creates)
    assert not first.converged, "a run with writes in flight must end partial (exit 1)"
    assert first.final_plan is not None and first.final_plan.pending
    assert sent.count("core_group_create_groupings") == 1, "the grouping create was sent twice"
    again, _ = sync(config, site, store)  # cron, within the settle time: still nothing re-sent
    assert not again.converged
    assert sent.count("core_group_create_groupings") == 1
    assert site.commit_late() >= 1  # the database lets go
    settled, _ = sync(config, site, store, max_rounds=8)
    settled, _ = sync(config, site, store, max_rounds=8) if not settled.converged else (settled, None)
    assert settled.converged
    assert_one_of_each(site)
    final, stats = sync(config, site, store)
    assert final.first_plan.empty and writes(stats) == 0


def test_point_10_late_commits_that_land_during_the_run_are_seen_not_duplicated(config):
    site = lived_in_site()  # default: a held write commits a few requests later (re-observation)
    store = Store.memory()
    first, _ = sync(config, site, store, fault=every(CREATES, "late", "before"), max_rounds=40)
    result, _ = sync(config, site, store, max_rounds=8)
    if not result.converged:
        result, _ = sync(config, site, store, max_rounds=8)
    assert result.converged
    assert_one_of_each(site)


def test_point_10_a_create_resent_after_the_settle_time_that_doubles_is_repaired(config):
    site = lived_in_site()
    site.late_after = 10_000
    store = Store.memory()
    fired = []

    def late_once(function, when):
        if function == "core_group_create_groups" and when == "before" and not fired:
            fired.append(function)
            return "late"
        return None

    first, _ = sync(config, site, store, fault=late_once)
    assert not first.converged
    # the settle time passes and Moodle still shows nothing: the create is sent again, its twin
    # arrives, both commit (the real site's duplicates); the same run repairs them
    later, _ = sync(config, site, store, clock=after_settle(config), max_rounds=8)
    if not later.converged:
        later, _ = sync(config, site, store, clock=after_settle(config), max_rounds=8)
    assert later.converged
    assert_one_of_each(site)


# ---------------------------------------------------- point 10: duplicates of lmsync's own objects


def test_point_10_seeded_duplicates_are_shown_in_the_plan_and_repaired_and_foreign_groups_stay(config):
    site = lived_in_site()
    store = Store.memory()
    sync(config, site, store)
    expected = lmsync_objects(site)["members"]
    circles = sorted(
        (g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id
    )
    grouping = next(g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME))
    # two groups with one idnumber (the copy holds part of the circle), a second grouping, a doubled link
    copy_id = site.next_id("groups")
    original = circles[0]
    mentee = min(original.members - {mentor_of_idnumber(PROGRAMME, original.idnumber)})
    original.members.discard(mentee)
    site.groups[copy_id] = Group(id=copy_id, courseid=COURSE, name=original.name + " ", idnumber=original.idnumber,
                                 members={mentee})
    extra_grouping = site.next_id("groupings")
    site.groupings[extra_grouping] = Grouping(id=extra_grouping, courseid=COURSE, name=grouping.name + " ",
                                              idnumber=grouping.idnumber, groupids=[copy_id])
    grouping.groupids.append(circles[1].id)
    foreign = {gid: (g.name, g.idnumber, set(g.members)) for gid, g in site.groups.items() if not g.idnumber}

    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    assert [(op.group_id) for op in plan.by_kind("delete_duplicate_group")] == [copy_id]
    assert [op.grouping_id for op in plan.by_kind("delete_duplicate_grouping")] == [extra_grouping]
    assert [op.group for op in plan.by_kind("unassign_grouping")] == [circles[1].idnumber]
    assert all(op.destructive for op in plan.operations if op.kind.startswith(("delete", "unassign")))
    assert any(op.user_id == mentee and op.group == original.idnumber for op in plan.by_kind("add_member"))
    assert not plan.empty

    repaired, _ = sync(config, site, store)  # no --allow-delete: only lmsync's own duplicates go
    assert repaired.converged
    state = assert_one_of_each(site)
    assert state["members"] == expected, "a member was lost in the repair"
    assert copy_id not in site.groups and extra_grouping not in site.groupings
    assert original.id in site.groups, "the oldest copy must stay"
    after = {gid: (g.name, g.idnumber, set(g.members)) for gid, g in site.groups.items() if not g.idnumber}
    assert after == foreign
    again, stats = sync(config, site, store)
    assert again.first_plan.empty and writes(stats) == 0


def test_tester_round_4_finding_3_names_go_into_the_welcome_post_as_text_not_html(config):
    """A mentor named ``<script>alert("x")</script>`` / ``O'Neil & Co`` / ``<b>Bold</b>`` went into
    the welcome post's HTML as markup (tester round 4, 3); the name is text there now, and a
    re-sync still finds the welcome (by its marker) and writes nothing."""
    site = lived_in_site()
    mentor = sorted(uid for uid, u in site.users.items() if u.username.startswith("m"))[3]
    site.users[mentor].firstname = '<script>alert("x")</script>'
    store = Store.memory()
    first, _ = sync(config, site, store)
    assert first.converged
    posts = {d.groupid: d.message for d in site.discussions.values()}
    texts = [posts[g.id] for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)]
    assert texts and not any("<script>" in t or "<b>Bold" in t for t in texts)
    assert any("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in t for t in texts)
    assert any("O&#x27;Neil &amp; Co" in t for t in texts)
    second, stats = sync(config, site, store)
    assert second.first_plan.empty and writes(stats) == 0
    assert_one_of_each(site)


def test_tester_round_5_finding_8_names_go_into_the_group_description_as_text_and_a_resync_writes_nothing(config):
    """A mentor named ``<b>Bo</b> & "Q" <script>x</script>`` went into the group's HTML description
    (descriptionformat 1) as markup (tester round 5, 8); it is text there now, and a re-sync writes nothing."""
    site = lived_in_site()
    mentor = sorted(uid for uid, u in site.users.items() if u.username.startswith("m"))[3]
    site.users[mentor].firstname, site.users[mentor].lastname = "<b>Bo</b> &", '"Q" <script>x</script>'
    store = Store.memory()
    assert sync(config, site, store)[0].converged
    descriptions = [g.description for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)]
    assert descriptions and not any("<script>" in d or "<b>" in d for d in descriptions)
    assert "Mentoring circle of &lt;b&gt;Bo&lt;/b&gt; &amp; &quot;Q&quot; &lt;script&gt;x&lt;/script&gt;" in " ".join(descriptions)
    assert any("O&#x27;Neil &amp; Co" in d for d in descriptions)
    again, stats = sync(config, site, store)
    assert again.first_plan.empty and writes(stats) == 0


def test_tester_round_5_finding_8_circles_described_unescaped_by_an_older_version_converge(config):
    """Circles whose description an older version wrote unescaped converge (tester round 5, 8): at most
    one update, then nothing; their names, read back formatted (trap 39), are not renamed."""
    site = lived_in_site()
    store = Store.memory()
    assert sync(config, site, store)[0].converged
    for group in site.groups.values():
        mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
        if mentor:
            group.description = f"Mentoring circle of {site.users[mentor].fullname} (managed by lmsync)"
    first, stats = sync(config, site, store)
    assert first.converged and stats.get("core_group_update_groups", 0) <= 1
    again, stats = sync(config, site, store)
    assert again.first_plan.empty and writes(stats) == 0


def test_round_17_1_a_hand_made_grouping_with_lmsyncs_grouping_name_gets_a_suffix_not_a_failed_sync(config):
    """Tester round 17, 1: a grouping someone made by hand under lmsync's grouping name (no idnumber)
    made Moodle refuse lmsync's create with invalidparameter in every round: no sync ever converged."""
    site = lived_in_site()
    name = config.programme.grouping_name or f"Mentoring circles ({PROGRAMME})"
    gid = site.next_id("groupings")
    site.groupings[gid] = Grouping(gid, COURSE, name, "", "made by hand")
    store = Store.memory()
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    assert any("that lmsync did not make is in the course" in w and f'"{name} (2)"' in w for w in plan.warnings)
    result, _ = sync(config, site, store)
    assert result.converged, result
    ours = [g for g in site.groupings.values() if g.idnumber == grouping_idnumber(PROGRAMME)]
    assert [g.name for g in ours] == [f"{name} (2)"]
    assert site.groupings[gid].name == name and site.groupings[gid].description == "made by hand"
    assert_one_of_each(site)
    again, stats = sync(config, site, store)
    assert again.converged and writes(stats) == 0  # the suffixed name is kept, never renamed back


def test_round_17_3_a_teacher_added_to_a_circle_by_hand_is_left_there_not_removed_as_re_matched(config):
    """Tester round 17, 3: a teaching assistant added to a circle by hand was planned out of it as
    "re-matched", though lmsync never matched nor placed them. A member lmsync did not place who holds
    no mentor or mentee role now stays, and the plan says so; a mentee lmsync placed still moves."""
    from lmsync.moodle.emulator.records import Enrolment, User

    site = lived_in_site()
    store = Store.memory()
    assert sync(config, site, store)[0].converged
    ta = site.next_id("users")
    site.users[ta] = User(ta, "ta0001", "Teaching", "Assistant", "ta0001@example.org")
    site.courses[COURSE].enrolments[ta] = Enrolment(role="manager")
    circle = next(g for g in site.groups.values() if g.courseid == COURSE and mentor_of_idnumber(PROGRAMME, g.idnumber))
    circle.members.add(ta)
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    assert not [op for op in plan.operations if getattr(op, "user_id", None) == ta]
    assert any("1 member(s) of lmsync's circles hold no mentor or mentee role" in w for w in plan.warnings)
    again, stats = sync(config, site, store)
    assert again.converged and writes(stats) == 0 and ta in circle.members
    # and never a mentee: not judged, nudged or graded as one (tester round 18, 2)
    from lmsync.service import health
    from lmsync.service.observe import observe

    with open_moodle(config, site=site) as conn:
        snapshot = observe(conn.api, config)
    pairs, _skipped = health.circle_pairs(PROGRAMME, snapshot)
    assert pairs and all(ta not in pair for pair in pairs)
    assert all(ta not in pair for pair in circle_pairs(PROGRAMME, snapshot.observation.groups,
                                                        snapshot.observation.outsiders))


def test_round_18_5_a_mentor_added_by_hand_to_a_colleagues_circle_is_removed_saying_so(config):
    site = lived_in_site()
    store = Store.memory()
    assert sync(config, site, store)[0].converged
    circles = sorted((g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber)), key=lambda g: g.id)
    colleague = mentor_of_idnumber(PROGRAMME, circles[1].idnumber)
    circles[0].members.add(colleague)
    with open_moodle(config, site=site) as conn:
        plan = make_plan(conn.api, config, journal=Journal(store, PROGRAMME)).plan
    (removal,) = [op for op in plan.by_kind("remove_member") if op.user_id == colleague]
    assert removal.reason == "a mentor of their own circle, never matched into this one (added by hand)"
