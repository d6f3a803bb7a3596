"""``lmsync emulator edit``: rehearsing a term on the built-in emulator (tester round 10, 0)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lmsync.cli import main


def synced_faculty_pair(run, tmp_path):
    """After a sync of the built-in emulator: its configuration, saved site, a faculty mentor's
    circle, the mentor and one of their mentees (Moodle ids)."""
    from lmsync.config import load_config
    from lmsync.domain.plan import mentor_of_idnumber
    from lmsync.service.moodle import emulator_site, newcomer_defaults

    assert run("sync").exit_code == 0
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    site = emulator_site(config)
    circle = next(g for g in site.groups.values()
                  if (m := mentor_of_idnumber(config.programme.name, g.idnumber)) and site.users[m].username.startswith("m"))
    mentor = mentor_of_idnumber(config.programme.name, circle.idnumber)
    return config, site, circle, mentor, min(circle.members - {mentor})


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, ["--log-level", "warning", *args])

    return invoke


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_10_0_a_term_rehearsed_on_the_emulator(run):
    assert run("sync").exit_code == 0
    suspended = run("emulator", "edit", "suspend", "s0001")
    assert suspended.exit_code == 0 and "s0001: enrolment in MENTOR-2026 suspended" in suspended.output
    plan = run("plan").output  # their place is held, said in one line (tester round 103b, 1)
    assert "no changes" in plan and "kept: Dmitri Kim (s0001) suspended" in plan and "'s circle held until " in plan, plan
    assert "s0001: enrolment in MENTOR-2026 active again" in run("emulator", "edit", "restore", "s0001").output
    assert "no changes" in run("plan").output  # back with their mentor: nothing to do

    joined = run("emulator", "edit", "join", "m0100", "--role", "teacher", "--name", "Greg Newmentor",
                 "--field", "mentorcapacity=3")
    assert joined.exit_code == 0 and "m0100: new account" in joined.output
    matched = run("match", "--format", "json")
    assert json.loads(matched.stdout)["loads"]["m0100"] == 0, matched.output  # a mentor now, with room (pairs kept)

    assert run("emulator", "edit", "field", "s0002", "yearofstudy", "").exit_code == 0
    moved = run("emulator", "edit", "move", "s0003", "--out")
    assert moved.exit_code == 0 and "s0003: taken out of Circle: " in moved.output
    # tester round 59, 10: someone in no circle was "taken out of no circle"
    assert "s0003: in no circle; nothing changed" in run("emulator", "edit", "move", "s0003", "--out").output
    put_back = [line for line in run("plan").output.splitlines() if "(s0003)" in line]
    assert len(put_back) == 1 and "put back: taken out in Moodle, and the match still pairs them" in put_back[0]


def test_round_10_0_edit_names_what_it_cannot_find(run):
    nobody = run("emulator", "edit", "suspend", "nobody")
    assert nobody.exit_code == 3 and "'nobody' matches nobody on the emulated site" in nobody.output
    both = run("emulator", "edit", "move", "s0003")
    assert both.exit_code == 3 and "give --to MENTOR, or --out" in both.output
    no_circle = run("emulator", "edit", "move", "s0003", "--to", "s0004")
    assert no_circle.exit_code == 3 and "has no circle of mentoring-2026" in no_circle.output
    bad = run("emulator", "edit", "join", "m0101", "--field", "capacity")
    assert bad.exit_code == 3 and "is not NAME=VALUE" in bad.output


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_10_5_a_mentor_who_left_is_found_by_username_for_a_late_meeting_and_pair_show(run, tmp_path):
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    names = site.users[mentor].username, site.users[mentee].username
    first = run("meetings", "add", "--mentor", names[0], "--mentee", names[1], "--date", "2026-10-05", "--minutes", "40")
    assert first.exit_code == 0, first.output
    del site.courses[circle.courseid].enrolments[mentor]  # the mentor leaves the course; the account stays
    site.save(config.emulator_state_path())
    late = run("meetings", "add", "--mentor", names[0], "--mentee", names[1], "--date", "2026-10-19", "--minutes", "30")
    assert late.exit_code == 0, late.output  # was: "'m0012' matches nobody in the course"
    listed = run("meetings", "list", "--person", names[0])
    assert listed.exit_code == 0 and listed.output.count(names[0]) >= 2, listed.output
    shown = run("pair", "show", *names)
    assert shown.exit_code == 0, shown.output
    assert f"({names[0]})" in shown.output.splitlines()[0] and "user #" not in shown.output.splitlines()[0]


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_11_3_a_student_on_leave_is_not_erased_without_while_enrolled(run):
    assert run("sync").exit_code == 0
    assert run("emulator", "edit", "suspend", "s0008").exit_code == 0
    assert run("sync").exit_code == 0  # lmsync takes them out of their circle
    refused = run("person", "erase", "s0008", "--yes")
    assert refused.exit_code == 3, refused.output
    assert "(s0008) (enrolment suspended) is still enrolled in the programme course" in refused.output
    assert "--while-enrolled" in refused.output
    assert run("person", "export", "s0008").exit_code == 0  # nothing was erased


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_11_5_a_register_naming_a_student_on_leave_imports(run, tmp_path):
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    register = tmp_path / "register.csv"
    register.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-05,{site.users[mentor].username},"
                        f"{site.users[mentee].username},40,yes\n")
    assert run("import", "meetings", str(register)).exit_code == 0
    assert run("emulator", "edit", "suspend", site.users[mentee].username).exit_code == 0
    again = run("import", "meetings", str(register))
    assert again.exit_code == 0, again.output  # was: "mentee: 's0008' matches nobody in the course"


def test_round_24_3_an_edit_to_a_state_file_a_running_server_holds_is_refused_not_lost(run, tmp_path):
    """The server saves its whole site after every write: an edit made to its file meanwhile was
    overwritten by the next save without a word. Now the edit (and a reset, a second server, a
    command on the built-in emulator's own file) is refused while a server holds the file."""
    from lmsync.moodle.emulator import build_demo_site
    from lmsync.moodle.emulator.serving import serving

    state = tmp_path / "site.json"
    build_demo_site().save(state)
    before = state.read_bytes()
    with serving(state) as held:
        held.announce("http://127.0.0.1:8765")
        edit = run("emulator", "edit", "suspend", "s0001", "--state", str(state))
        assert edit.exit_code == 2, edit.output
        assert "held by a running `lmsync emulator serve` at http://127.0.0.1:8765" in edit.output
        assert "stop that server" in edit.output
        reset = run("emulator", "reset", "--state", str(state))
        assert reset.exit_code == 2 and "would overwrite this reset" in reset.output
        second = run("emulator", "serve", "--state", str(state), "--port", "0")
        assert second.exit_code == 2 and "already served by a running" in second.output
        assert state.read_bytes() == before  # nothing written while held
    edited = run("emulator", "edit", "suspend", "s0001", "--state", str(state))
    assert edited.exit_code == 0 and "s0001: enrolment in MENTOR-2026 suspended" in edited.output
    assert not (tmp_path / "site.json.serving").exists()  # a stopped server leaves nothing behind


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_24_3_a_command_on_the_built_in_emulator_refuses_while_a_server_serves_its_file(run, tmp_path):
    from lmsync.config import load_config
    from lmsync.moodle.emulator.serving import serving
    from lmsync.service.moodle import newcomer_defaults

    assert run("sync").exit_code == 0
    config = newcomer_defaults(load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")}))
    path = config.emulator_state_path()
    saved = path.read_bytes()
    with serving(path):
        result = run("emulator", "edit", "join", "m0100", "--role", "teacher")
        assert result.exit_code == 2 and "an address not yet announced" in result.output
        synced = run("sync")
        assert synced.exit_code == 2 and "would overwrite what this command changes" in synced.output
    assert path.read_bytes() == saved
    assert run("emulator", "edit", "join", "m0100", "--role", "teacher").exit_code == 0


def test_round_24_3_a_served_file_is_held_until_the_server_dies_even_by_kill_9(run, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    state = tmp_path / "served.json"
    server = subprocess.Popen(
        [sys.executable, "-c", "from lmsync.cli import main; main()", "emulator", "serve", "--state", str(state),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")},
    )
    try:
        first = server.stdout.readline() if server.stdout else ""
        assert first.startswith("Moodle emulator at http://127.0.0.1:"), first
        address = first.split()[3]
        edit = run("emulator", "edit", "suspend", "s0001", "--state", str(state))
        assert edit.exit_code == 2 and f"at {address} (pid {server.pid})" in edit.output
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    edited = run("emulator", "edit", "suspend", "s0001", "--state", str(state))
    assert edited.exit_code == 0, edited.output  # the kernel let go of the dead server's lock


def test_round_39_7_a_misspelt_profile_field_or_role_is_refused_with_the_near_one(run):
    """`edit field m0200 mentorcapcity 3` and `edit join m0201 --role teachr` were saved, exit 0: a rehearsal
    that silently did nothing (doctor later showed "teachr 1" in the course)."""
    field = run("emulator", "edit", "field", "m0001", "mentorcapcity", "3")
    assert field.exit_code != 0 and "no profile field 'mentorcapcity' (did you mean mentorcapacity?)" in field.output
    role = run("emulator", "edit", "join", "m0201", "--role", "teachr")
    assert role.exit_code != 0 and "no role 'teachr' (did you mean teacher?)" in role.output
    assert run("emulator", "edit", "field", "m0001", "mentorcapacity", "3").exit_code == 0
    assert run("emulator", "edit", "join", "m0201", "--role", "teacher").exit_code == 0


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_52_5_someone_unenrolled_can_be_enrolled_again(run, tmp_path):
    """`join s0008` said "username taken" and `restore s0008` "not enrolled": a return after leaving the
    course could not be rehearsed."""
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    who = site.users[mentee].username
    assert run("emulator", "edit", "unenrol", who).exit_code == 0
    again = run("emulator", "edit", "join", who, "--role", "student")
    assert again.exit_code == 0 and "enrolled again" in again.output
    from lmsync.service.moodle import emulator_site

    site = emulator_site(config)
    assert mentee in next(c for c in site.courses.values() if c.shortname == config.programme.course).enrolments
    assert sum(1 for u in site.users.values() if u.username == who) == 1, "a second account"
    twice = run("emulator", "edit", "join", who, "--role", "student")
    assert twice.exit_code != 0 and "already enrolled" in twice.output
    assert run("sync").exit_code == 0
    assert mentee in {m for g in emulator_site(config).groups.values() for m in g.members}, "not placed again"


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_52_7_pair_show_says_when_a_pair_ended(run, tmp_path):
    """`pair show` of a mentee unenrolled weeks ago ended at its last status, with no sign the pair had ended."""
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    who, by = site.users[mentee].username, site.users[mentor].username
    current = run("pair", "show", by, who)
    assert current.exit_code == 0 and "paired since " in current.output and "ended" not in current.output
    assert run("emulator", "edit", "unenrol", who).exit_code == 0
    assert run("sync").exit_code == 0
    shown = run("pair", "show", by, who)
    assert shown.exit_code == 0 and "(ended " in shown.output, shown.output
    as_json = json.loads(run("pair", "show", by, who, "--format", "json").output)
    (span,) = as_json["paired"]
    assert span["from"] and span["until"] and span["from"] <= span["until"]
    assert run("pair", "show", by, who, "--format", "csv").exit_code == 0


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_52_9_restore_of_an_active_enrolment_and_a_move_to_a_mentee_say_what_is_wrong(run, tmp_path):
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    who = site.users[mentee].username
    restore = run("emulator", "edit", "restore", who)
    assert restore.exit_code != 0 and "not suspended: nothing to restore" in restore.output
    assert run("emulator", "edit", "suspend", who).exit_code == 0
    twice = run("emulator", "edit", "suspend", who)
    assert twice.exit_code != 0 and "already suspended" in twice.output
    assert run("emulator", "edit", "restore", who).exit_code == 0
    other = next(u for u in sorted(circle.members - {mentor, mentee}))
    move = run("emulator", "edit", "move", who, "--to", site.users[other].username)
    assert move.exit_code != 0 and "has no circle" in move.output and "run `lmsync sync` first" not in move.output
    assert "name a mentor who has a circle" in move.output


@pytest.mark.sqlite_only("the built-in emulator's store is a SQLite file")
def test_round_54_6_edits_moodle_would_refuse_are_refused_with_the_way_on(run, tmp_path):
    """A move of someone unenrolled was accepted (Moodle adds only enrolled users to a group) and left a
    phantom pair; a move into one's own circle said "taken out of no circle"; restore of someone unenrolled
    did not point to join; join of an active enrolment pointed to restore."""
    config, site, circle, mentor, mentee = synced_faculty_pair(run, tmp_path)
    who, by = site.users[mentee].username, site.users[mentor].username
    same = run("emulator", "edit", "move", who, "--to", by)
    assert same.exit_code != 0 and "already in" in same.output
    joined = run("emulator", "edit", "join", who, "--role", "student")
    assert joined.exit_code != 0 and "already enrolled" in joined.output and "restore" not in joined.output
    assert run("emulator", "edit", "unenrol", who).exit_code == 0
    moved = run("emulator", "edit", "move", who, "--to", by)
    assert moved.exit_code != 0 and "Moodle cannot put them in a group" in moved.output
    restore = run("emulator", "edit", "restore", who)
    assert restore.exit_code != 0 and f"emulator edit join {who}" in restore.output
