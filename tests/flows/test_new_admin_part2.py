"""What a new admin found on a lived-in emulator site (part 2: data safety in sync, imports, grades,
pins): one test per point, named after it, run through the command line on the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.people import People, Person
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.state import Site
from lmsync.service import moodle as moodle_service
from lmsync.service.match import _Lookup, _rematch_ids

BASE = '[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n'


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    return tmp_path


def write_config(env: Any, extra: str = "", base: str = BASE) -> Any:
    path = env / "lmsync.toml"
    path.write_text(base + extra)
    return path


def seed(env: Any, extra: str = "") -> tuple[Any, Site]:
    config = load_config(write_config(env, extra), environ={})
    site = build_demo_site()
    site.save(config.emulator_state_path())
    return config, site


def run_cli(env: Any, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args],
                              input=input)


def circles(config: Any) -> dict[str, frozenset[int]]:
    site = Site.load(config.emulator_state_path())
    return {g.idnumber: frozenset(g.members) for g in site.groups.values()
            if g.idnumber.startswith("lmsync:")}


# --- 1. a misspelt mentee role must not empty every circle -------------------------------------------


def test_point_1_a_misspelt_mentee_role_is_refused_by_plan_and_sync_changes_nothing(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _site = seed(env)
    first = run_cli(env, "sync")
    assert first.exit_code == 0, first.output
    before = circles(config)
    assert len(before) == 20 and sum(len(m) for m in before.values()) > 50
    monkeypatch.setenv("LMSYNC_PROGRAMME_MENTEE_ROLES", '["studnet"]')
    planned = run_cli(env, "plan")
    assert planned.exit_code == EXIT_ADMIN, planned.output
    assert "in no circle at all" in planned.output and "mentee_roles" in planned.output
    assert "min_source_fraction" in planned.output
    for args in (("sync",), ("sync", "--allow-delete")):
        refused = run_cli(env, *args)
        assert refused.exit_code == EXIT_ADMIN, refused.output
        assert circles(config) == before
    deleting = run_cli(env, "sync", "--allow-delete")
    assert "delete 20 of lmsync's 20 circles" in deleting.output


# --- 4. a changed grouping_name renames lmsync's grouping ----------------------------------------------


def test_point_4_changing_grouping_name_after_the_first_sync_renames_the_grouping(env: Any) -> None:
    config, _site = seed(env, 'grouping_name = "Mentoring circles"\n')
    assert run_cli(env, "sync").exit_code == 0
    write_config(env, 'grouping_name = "Circles & friends 2026/27"\n')
    planned = run_cli(env, "plan")
    assert planned.exit_code == 0, planned.output
    assert "rename grouping: 1" in planned.output and "'Circles & friends 2026/27'" in planned.output
    synced = run_cli(env, "sync")
    assert synced.exit_code == 0, synced.output
    site = Site.load(config.emulator_state_path())
    (grouping,) = [g for g in site.groupings.values() if g.idnumber == "lmsync:mentor-2026"]
    assert grouping.name == "Circles & friends 2026/27" and grouping.description == "Managed by lmsync"
    assert "no changes" in run_cli(env, "plan").output


# --- 5. `grades plan` is a read -------------------------------------------------------------------------


def test_point_5_grades_plan_on_a_fresh_setup_creates_no_store_lock_or_binding(env: Any) -> None:
    config, _site = seed(env)
    state = config.store_path().parent
    before = sorted(p.name for p in state.iterdir()) if state.exists() else []
    planned = run_cli(env, "grades", "plan")
    assert planned.exit_code == 0, planned.output
    assert not config.store_path().exists()
    after = sorted(p.name for p in state.iterdir()) if state.exists() else []
    assert after == before, "grades plan left files behind (store, lock)"


def test_point_5_the_cycle_reads_feedback_once_and_grades_plan_never(env: Any, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    from lmsync.service import grades
    from lmsync.service.cycle import cycle_job

    config, site = seed(env)
    reads: list[int] = []
    original = grades.read_feedback_sources

    def counting(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(grades, "read_feedback_sources", counting)
    cycle_job(config, site=site)
    assert len(reads) == 1, "the cycle read the Feedback answers more than once"
    reads.clear()
    grades.plan_job(config, site=site)
    assert reads == []


# --- 7. pairs marked "not a good fit" are forbidden by plan and sync too -------------------------------


def synced_with_a_pair_marked_not_a_good_fit(env: Any, source: str) -> tuple[Any, Site, Any, int, int]:
    """Seed and sync the demo programme, then mark one circle's (mentor, mentee) not a good fit
    in the store as ``source`` would; returns (config, site after the sync, group, mentor, mentee)."""
    from datetime import date

    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.store.db import Store
    from lmsync.store.health import PairForbids

    config, _site = seed(env)
    assert run_cli(env, "sync").exit_code == 0
    site = Site.load(config.emulator_state_path())
    group = next(g for g in site.groups.values() if mentor_of_idnumber("mentor-2026", g.idnumber) is not None
                 and len(g.members) > 1)
    mentor = mentor_of_idnumber("mentor-2026", group.idnumber)
    assert mentor is not None
    mentee = min(group.members - {mentor})
    store = Store(config.store_path())
    PairForbids(store, "mentor-2026").mark((mentor, mentee), source=source, on=date(2026, 10, 1))
    store.close()
    return config, site, group, mentor, mentee


def test_point_7_plan_and_sync_apply_stored_not_a_good_fit_pairs_as_forbids(env: Any) -> None:
    config, site, group, mentor, mentee = synced_with_a_pair_marked_not_a_good_fit(env, "survey")
    planned = run_cli(env, "plan")
    assert planned.exit_code == 0, planned.output
    assert f"({site.users[mentee].username}) from " in planned.output
    assert f"({site.users[mentor].username})'s circle" in planned.output
    assert run_cli(env, "sync").exit_code == 0
    after = Site.load(config.emulator_state_path())
    assert mentee not in after.groups[group.id].members
    assert any(mentee in g.members for g in after.groups.values() if g.idnumber.startswith("lmsync:"))


# --- 9. over-long generated names are shortened with a warning, never sent to fail ----------------------


def test_point_9_an_over_long_group_name_and_welcome_subject_are_shortened_with_a_warning(env: Any) -> None:
    from lmsync.moodle.text import DISCUSSION_SUBJECT_MAX, GROUP_NAME_MAX

    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    mentor = min(uid for uid, u in site.users.items() if u.username == "m0001")
    site.users[mentor].lastname = "Vandersteen-" + "x" * 240  # Moodle's lastname column holds 100, a plugin more
    site.save(config.emulator_state_path())
    planned = run_cli(env, "plan")
    assert planned.exit_code == 0, planned.output
    assert f"Moodle holds at most {GROUP_NAME_MAX}" in planned.output
    assert f"longer than the {DISCUSSION_SUBJECT_MAX} characters" in planned.output
    synced = run_cli(env, "sync")
    assert synced.exit_code == 0, synced.output
    after = Site.load(config.emulator_state_path())
    (circle,) = [g for g in after.groups.values() if g.idnumber == f"lmsync:mentor-2026:mentor:{mentor}"]
    assert len(circle.name) <= GROUP_NAME_MAX and circle.name.endswith("...")
    (welcome,) = [d for d in after.discussions.values() if d.groupid == circle.id]
    assert len(welcome.subject) <= DISCUSSION_SUBJECT_MAX
    assert "no changes" in run_cli(env, "plan").output


# --- 8. `queue list` on a store an older lmsync left at revision 0002 ---------------------------------


@pytest.mark.sqlite_only("an older SQLite file is read through an in-memory copy (PostgreSQL refuses)")
def test_point_8_queue_list_reads_a_store_not_yet_migrated_to_0003_without_migrating_it(env: Any) -> None:
    import sqlite3

    from alembic import command
    from sqlalchemy import create_engine

    from lmsync.store.migrate import _config

    config, _site = seed(env)
    assert run_cli(env, "sync").exit_code == 0
    engine = create_engine(f"sqlite:///{config.store_path()}")
    with engine.begin() as conn:
        alembic = _config()
        alembic.attributes["connection"] = conn
        command.downgrade(alembic, "0002")
    engine.dispose()
    listed = run_cli(env, "queue", "list")
    assert listed.exit_code == 0, listed.output
    assert "queue is empty" in listed.output
    raw = sqlite3.connect(config.store_path())
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]  # a read migrates nothing
    raw.close()


# --- 6. pins: who they name, and why one cannot be honoured ---------------------------------------------


def pinned_site(env: Any, pins: str) -> tuple[Any, Site, dict[str, int]]:
    config, site = seed(env, "[matching]\n" + pins)
    ids = {u.username: uid for uid, u in site.users.items()}
    site.users[ids["s0008"]].suspended = True  # trap 41: an account suspended, enrolment active
    site.users[ids["m0002"]].customfields["mentorcapacity"] = "Up to two"
    site.save(config.emulator_state_path())
    return config, site, ids


def test_rounds_44_3_and_46_2_a_pin_to_a_suspended_account_waits_for_it_with_a_warning(env: Any) -> None:
    """A pin naming a suspended account was a configuration error (exit 2): every sync of the programme,
    cron's too, stopped until the configuration was edited, for a student whose account was suspended for
    a week. The person is known, so it is no typo: the pin is left out of the match, said, and holds again
    when the account is active. A forbid likewise; a key naming nobody is still refused."""
    config, site, ids = pinned_site(env, 'pins = [["s0008", "m0001"]]\nforbids = [["s0008", "m0003"]]\n')
    for args in (("match",), ("plan",), ("sync",)):
        result = run_cli(env, *args)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "pin s0008 -> m0001 waits: s0008's account is suspended in Moodle, so it is left out of this match" in text
        assert "forbid s0008 -> m0003 waits: s0008's account is suspended" in text
        assert "nobody has the id" not in text
    site = Site.load(config.emulator_state_path())
    site.users[ids["s0008"]].suspended = False
    site.save(config.emulator_state_path())
    back = run_cli(env, "match", "--format", "csv")
    assert back.exit_code == 0 and "waits" not in back.output
    row = next(line for line in back.stdout.splitlines() if line.split(",")[0].endswith("(s0008)"))
    assert "m0001" in row and "pinned" in row, row
    write_config(env, '[matching]\npins = [["s0O08", "m0001"]]\n')
    assert run_cli(env, "plan").exit_code == EXIT_ADMIN  # a typo is no suspension


def test_point_6_a_pin_or_forbid_naming_nobody_is_a_configuration_error_naming_it(env: Any) -> None:
    pinned_site(env, 'pins = [["s0001", "m0001"]]\nforbids = [["s0002", "mx999"]]\n')
    result = run_cli(env, "plan")
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "forbid s0002 -> mx999: nobody in the programme or on the Moodle site has the username, idnumber, email or id 'mx999'" in (
        result.output
    )


def test_point_6_a_pin_by_email_is_resolved(env: Any) -> None:
    _config, site, ids = pinned_site(env, "")
    email = site.users[ids["m0003"]].email
    write_config(env, f'[matching]\npins = [["s0001", "{email.upper()}"]]\n')
    result = run_cli(env, "match", "--format", "csv")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "s0001" in line.split(",")[0])
    assert "m0003" in row and "pinned" in row, row


def test_point_6_a_pin_to_a_mentor_with_an_unreadable_capacity_says_so(env: Any) -> None:
    """Refused (exit 2) until tester round 50 (second pass, 4): the mentor's own profile stopped every
    run of the programme. The pin waits, said, as one to a mentor who opted out, and `lmsync run`'s
    sync line counts it."""
    pinned_site(env, 'pins = [["s0001", "m0002"]]\n')
    result = run_cli(env, "match")
    assert result.exit_code == 0, result.output
    assert ("pin s0001 -> m0002 waits: m0002's capacity is unreadable: 'Up to two' (type one number in their "
            "profile), so it is left out of this match; it holds again when their capacity reads as one number"
            ) in " ".join(result.output.split())
    assert "opted out" not in result.output
    ran = run_cli(env, "run")
    assert "1 [matching] entry waiting (`lmsync plan` says why)" in ran.output, ran.output


def test_point_6_a_pin_naming_someone_who_is_not_a_mentor_is_refused(env: Any) -> None:
    # Warned (exit 0) until tester round 40b, 7: refused as every other pin that cannot hold.
    pinned_site(env, 'pins = [["s0001", "s0002"]]\n')
    result = run_cli(env, "match")
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "pin s0001 -> s0002: s0002 is not a mentor" in result.output
    assert "wrong way round" not in result.output
    pinned_site(env, 'pins = [["m0003", "s0001"]]\n')
    reversed_pin = run_cli(env, "match")
    assert reversed_pin.exit_code == EXIT_ADMIN, reversed_pin.output
    assert "pin m0003 -> s0001: s0001 is not a mentor (a pin is [mentee, mentor]: written the wrong way round?)" in reversed_pin.output


def test_round_47_2_a_pin_forbid_or_rematch_naming_someone_whose_enrolment_is_suspended_waits(env: Any) -> None:
    """Round 37, 5 said "nobody active in the programme" of a mentor on leave and exited 2; round 47, 2: so
    did a forbid and a rematch, so one person's leave stopped the nightly sync for everyone, and the fix
    offered (take it out) lost a forbid for their return. Their account exists on the site, so it is no typo:
    the entry waits, said, and holds again when they are back."""
    config, _site, _ids = pinned_site(env, 'pins = [["s0001", "m0003"]]\nforbids = [["s0004", "m0005"]]\n'
                                           'rematch = ["m0005"]\n')
    for who in ("m0003", "m0005"):
        assert run_cli(env, "emulator", "edit", "suspend", who).exit_code == 0
    for args in (("plan",), ("match",)):
        result = run_cli(env, *args)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        for entry, who in (("pin s0001 -> m0003", "m0003"), ("forbid s0004 -> m0005", "m0005"), ("rematch m0005", "m0005")):
            assert f"{entry} waits: {who} is not active in the course (enrolment suspended, or they left it)" in text, text
    assert run_cli(env, "sync").exit_code == 0  # a report reads the store a sync makes (tester round 77, 6)
    report = run_cli(env, "report", "--out", str(env / "report.html"))  # the report matches too (round 49)
    assert report.exit_code == 0, report.output
    write_config(env, '[matching]\npins = [["s0001", "m0O03"]]\n')
    typo = run_cli(env, "plan")
    assert typo.exit_code == EXIT_ADMIN and "nobody in the programme or on the Moodle site" in " ".join(typo.output.split())


def test_round_43_2_a_rematch_entry_naming_nobody_is_refused_and_one_by_email_or_any_case_is_read(env: Any) -> None:
    """``rematch = ["s0O01"]`` (a typo) planned "no changes", exit 0: the coordinator believed a
    re-match was asked for. Entries are now read as pins read theirs, and one naming nobody is refused."""
    config, site, ids = pinned_site(env, 'rematch = ["s0O01"]\n')
    result = run_cli(env, "plan")
    assert result.exit_code == EXIT_ADMIN, result.output
    assert "rematch 's0O01': nobody in the programme or on the Moodle site has that username" in " ".join(result.output.split())
    suspended = pinned_site(env, 'rematch = ["s0008"]\n')
    assert suspended and "s0008's account is suspended" in run_cli(env, "plan").output
    config, site, ids = pinned_site(env, f'rematch = ["{site.users[ids["s0001"]].email.upper()}", "S0002", "*"]\n')
    read = run_cli(env, "match")
    assert read.exit_code == 0, read.output
    people = People((Person("s0001", "mentee", aliases=frozenset({"ann@example.org"})), Person("m1", "mentor", capacity=1)))
    assert _rematch_ids(_Lookup.of(people, ()), ["ANN@example.org", "S0001", "*"], None) == ["s0001", "s0001", "*"]


def test_round_43_8_match_on_a_csv_says_a_configured_pin_names_nobody_in_the_file(env: Any, tmp_path: Path) -> None:
    """A configuration pinning Moodle users made ``match --people`` fail with advice about suspended
    enrolments, the CSV unmentioned."""
    seed(env, '[matching]\npins = [["s0100", "m0101"]]\n')
    people = tmp_path / "what-if.csv"
    people.write_text("id,role,capacity,department\nm1,mentor,2,x\ns1,mentee,,x\n", encoding="utf-8")
    result = run_cli(env, "match", "--people", str(people))
    assert result.exit_code == EXIT_ADMIN, result.output
    message = " ".join(result.output.split())
    assert f"pin s0100 -> m0101: 's0100' is not an id in {people}" in message
    assert "with --people, the configuration's [matching] pins, forbids and rematch name ids of the file" in message
    assert "suspended" not in message


def test_round_44_4_a_pin_names_people_with_their_kind_first_or_by_bare_moodle_id(env: Any) -> None:
    """``idnumber:s0002``, ``username:...``, ``email:...`` (as other commands take them) and a bare Moodle
    id were refused with advice about a suspension that did not exist."""
    config, site, ids = pinned_site(env, "")
    email = site.users[ids["s0003"]].email
    pinned_site(env, f'pins = [["idnumber:s0001", "username:m0001"], ["email:{email.upper()}", "{ids["m0003"]}"]]\n')
    result = run_cli(env, "match", "--format", "json")
    assert result.exit_code == 0, result.output
    pairs = {(row["mentee"], row["mentor"], row["origin"]) for row in json.loads(result.stdout)["assignments"]}
    assert ("s0001", "m0001", "pinned") in pairs and ("s0003", "m0003", "pinned") in pairs


def test_round_45_1_a_bare_number_that_is_one_person_s_username_and_another_s_moodle_id_is_refused() -> None:
    from lmsync.errors import ConfigError
    from lmsync.service.match import _find

    people = People((Person("82", "mentee", aliases=frozenset({"id:90"})), Person("s9004", "mentee", aliases=frozenset({"id:82"}))))
    resolve = people.resolver()
    lowered = {k.lower(): v for k, v in resolve.items()}
    with pytest.raises(ConfigError, match="'82' names two people: the username 82 and Moodle id 82 \\(s9004\\)"):
        _find(resolve, lowered, "82")
    assert _find(resolve, lowered, "username:82") == "82" and _find(resolve, lowered, "id:82") == "s9004"
    assert _find(resolve, lowered, "90") == "82"  # a bare Moodle id no username has


def test_round_45_7_the_plan_says_a_pin_moved_a_mentee_and_whom_its_pin_displaced(env: Any) -> None:
    """`plan` labelled both moves "(re-matched)", while `lmsync match` said "pinned by the coordinator: moved
    from m0011" and "displaced by the pin of s0001": the admin approving the plan could not tell a pin's
    moves from a re-match. m0012 is full, so pinning s0001 there displaces one of m0012's mentees."""
    seed(env)
    assert run_cli(env, "sync").exit_code == 0
    write_config(env, '[matching]\npins = [["s0001", "m0012"]]\n')
    result = run_cli(env, "plan")
    assert result.exit_code == 0, result.output
    removals = [line.strip() for line in result.output.splitlines() if line.strip().startswith("!")]
    assert any("(s0001) from" in line and line.endswith("(moved to another mentor by [matching] pins)")
               for line in removals), removals
    assert any(line.endswith("(re-matched: displaced by the pin of s0001)") for line in removals), removals
    assert not any(line.endswith("(re-matched)") for line in removals), removals
