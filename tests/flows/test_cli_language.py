"""Issue 11, "The CLI speaks one language": exit codes, global options, help, init, the
configuration reference, and people named and shown the same way by every command."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lmsync.cli import main, walk
from lmsync.config import load_config
from lmsync.config_reference import committed_path, reference_markdown, sections, undocumented_keys
from lmsync.domain.health import PairHealth, Reason
from lmsync.errors import EXIT_ADMIN, EXIT_CODES, EXIT_INPUT, EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL
from lmsync.service.directory import read_roster_of
from lmsync.service.moodle import newcomer_defaults
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


# --- exit codes ---------------------------------------------------------------------------------


def test_issue_11_exit_code_table_is_the_one_in_the_readme():
    assert list(EXIT_CODES) == [EXIT_OK, EXIT_PARTIAL, EXIT_ADMIN, EXIT_INPUT, EXIT_LOCKED] == [0, 1, 2, 3, 4]
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d) \| (.+?) \|$", section, flags=re.M))
    assert {int(code): text for code, text in rows.items()} == EXIT_CODES


def test_issue_11_exit_0_lmsync_alone_prints_help(home):
    result = run()
    assert result.exit_code == EXIT_OK
    assert result.stdout.startswith("Usage: ") and "Commands:" in result.stdout and "Examples:" in result.stdout
    group = run("queue")
    assert group.exit_code == EXIT_OK and "ack" in group.stdout and "list" in group.stdout


def test_issue_11_exit_1_partial_failure(home, monkeypatch):
    from lmsync.domain.plan import Plan
    from lmsync.service import jobs
    from lmsync.service.sync import SyncResult

    def not_converged(config, **kwargs):
        plan = Plan(programme=config.programme.name, course_id=2, fingerprint="x", operations=[])
        return SyncResult(run_id="r", first_plan=plan, final_plan=plan, rounds=3, converged=False)

    monkeypatch.setattr(jobs, "sync_job", not_converged)
    result = run("sync")
    assert result.exit_code == EXIT_PARTIAL and "did not converge" in result.stderr


def test_issue_11_exit_2_an_admin_must_act(home):
    (home / "lmsync.toml").write_text('[moodle]\ntokn_file = "/x"\n')
    result = run("doctor")
    assert result.exit_code == EXIT_ADMIN and "unknown key moodle.tokn_file" in result.stderr


def test_issue_11_exit_3_bad_input_file_and_bad_arguments(home):
    (home / "plan.json").write_text('{"x": 1}')
    assert run("apply", "plan.json").exit_code == EXIT_INPUT
    (home / "meetings.csv").write_text("date,mentor,mentee,minutes,attended\nnot a date,a,b,x,yes\n")
    Store(newcomer_defaults(load_config(None)).store_path()).close()  # an import into no store is refused (94a, 4)
    bad_file = run("import", "meetings", "meetings.csv")
    assert bad_file.exit_code == EXIT_INPUT and "meetings.csv" in bad_file.stderr
    assert run("doctor", "--no-such-option").exit_code == EXIT_INPUT
    assert run("queue", "ack", "a", "b", "c").exit_code == EXIT_INPUT


def test_issue_11_exit_4_another_run_holds_the_lock(home):
    from lmsync.service.jobs import lock_path
    from lmsync.service.lock import programme_lock

    config = newcomer_defaults(load_config(None))
    with programme_lock(lock_path(config)):
        result = run("sync")
    assert result.exit_code == EXIT_LOCKED and "--wait" in result.stderr


# --- global options -----------------------------------------------------------------------------


def test_issue_11_global_options_work_after_the_subcommand(home):
    (home / "other.toml").write_text('[programme]\nname = "has space"\n')
    before = run("--config", "other.toml", "doctor")
    after = run("doctor", "--config", "other.toml")
    assert before.exit_code == after.exit_code == EXIT_ADMIN
    assert "other.toml: programme.name" in after.stderr and after.stderr == before.stderr
    nested = run("queue", "list", "--config", "other.toml")
    assert nested.exit_code == EXIT_ADMIN and "other.toml" in nested.stderr


def test_issue_11_log_format_json_after_the_subcommand_logs_json(home):
    result = run("plan", "--log-format", "json", "--log-level", "debug")
    assert result.exit_code == EXIT_OK, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines and all("event" in json.loads(line) for line in lines)


def test_issue_11_log_level_takes_only_real_levels(home):
    result = run("doctor", "--log-level", "verbose")
    assert result.exit_code == EXIT_INPUT and "'verbose' is not one of" in result.stderr
    assert run("--log-level", "loud", "doctor").exit_code == EXIT_INPUT
    assert run("--log-level", "WARNING", "config", "reference").exit_code == EXIT_OK


@pytest.mark.parametrize("where", ["before", "after"])
def test_issue_11_a_fatal_error_is_one_json_line(home, where):
    options = ["--log-format", "json", "--config", "missing.toml"]
    args = [*options, "doctor"] if where == "before" else ["doctor", *options]
    result = run(*args)
    assert result.exit_code == EXIT_INPUT  # --config naming no file: a wrong argument (tester round 99b, 8c)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == ""
    record = json.loads(lines[0])
    assert record["level"] == "error" and record["exit_code"] == EXIT_INPUT
    assert record["error"] == "InputError" and "missing.toml" in record["message"]


def test_issue_11_a_usage_error_under_json_is_one_json_line(home):
    result = run("doctor", "--log-format", "json", "--log-level", "verbose")
    record = json.loads(result.stderr.strip())
    assert result.exit_code == EXIT_INPUT and record["exit_code"] == EXIT_INPUT and "verbose" in record["message"]


def test_issue_11_every_command_help_has_an_example_and_the_global_options():
    for path, command in walk(main):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        example = result.stdout.split("Examples:", 1)
        assert len(example) == 2, f"`lmsync {' '.join(path)} --help` has no example"
        assert "lmsync " + path[0] in example[1], path
        if not isinstance(command, click.Group):
            assert "--log-format" in result.stdout and "--config" in result.stdout, path


def test_issue_11_shell_completion_is_documented_and_works():
    assert "_LMSYNC_COMPLETE=bash_source lmsync" in README
    result = CliRunner().invoke(main, [], prog_name="lmsync", env={"_LMSYNC_COMPLETE": "bash_source"})
    assert result.exit_code == 0 and "_LMSYNC_COMPLETE" in result.stdout and "complete " in result.stdout


# --- init and the example configuration ----------------------------------------------------------


def test_issue_11_init_writes_a_commented_config_from_flags(home):
    result = run("init", "--url", "https://moodle.example.edu/", "--course", "MENT-27", "--token-file", "/etc/t",
                 "--name", "mentoring-2027")
    assert result.exit_code == EXIT_OK, result.output
    text = (home / "lmsync.toml").read_text()
    assert text.startswith("# lmsync configuration") and "# course shortname" in text
    config = load_config("lmsync.toml", environ={})
    assert config.moodle.url == "https://moodle.example.edu"
    assert (config.programme.course, config.programme.name) == ("MENT-27", "mentoring-2027")
    assert str(config.moodle.token_file) == "/etc/t"


def test_issue_11_init_refuses_to_overwrite_without_force(home):
    (home / "lmsync.toml").write_text("# mine\n")
    refused = run("init", "--course", "X")
    assert refused.exit_code == EXIT_INPUT and "--force" in refused.stderr
    assert (home / "lmsync.toml").read_text() == "# mine\n"
    assert run("init", "--course", "X", "--force").exit_code == EXIT_OK
    assert load_config("lmsync.toml", environ={}).programme.course == "X"


def test_issue_11_init_prompts_at_a_terminal(home, monkeypatch):
    import lmsync.cli.init as init

    monkeypatch.setattr(init, "_interactive", lambda: True)
    answers = "https://moodle.school.example\n/etc/lmsync/token\nmentoring-2030\nMENT-30\n\n"
    result = run("init", input=answers)
    assert result.exit_code == EXIT_OK, result.output
    config = load_config("lmsync.toml", environ={})
    assert config.moodle.url == "https://moodle.school.example" and config.programme.course == "MENT-30"
    assert config.programme.forum == "Mentoring circles"  # an empty answer keeps the default


def test_issue_11_init_refuses_a_value_the_config_would_refuse(home):
    result = run("init", "--name", "has space")
    assert result.exit_code == EXIT_INPUT and "programme.name" in result.stderr
    assert not (home / "lmsync.toml").exists() and list(home.iterdir()) == []


def test_issue_11_the_example_config_ships_in_the_package_and_loads():
    from lmsync.cli.init import example_text

    assert example_text() == (ROOT / "lmsync.example.toml").read_text(encoding="utf-8")
    load_config(ROOT / "lmsync" / "lmsync.example.toml", environ={})
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"*.toml"' in pyproject and '"*.md"' in pyproject  # package data: the example and the reference


# --- the configuration reference ------------------------------------------------------------------


def test_issue_11_every_configuration_key_has_a_description():
    assert undocumented_keys() == []


def test_issue_11_the_committed_configuration_reference_is_current():
    assert committed_path().read_text(encoding="utf-8") == reference_markdown(), (
        "lmsync/CONFIGURATION.md is stale: run `lmsync config reference --out lmsync/CONFIGURATION.md --force`"
    )
    assert "lmsync/CONFIGURATION.md" in README


def test_issue_11_the_reference_names_every_section_and_key():
    from lmsync.config import Config

    text = reference_markdown()
    for path, model in sections(Config):
        heading = f"## [{'.'.join(path)}]"
        assert heading in text
        body = text.split(heading, 1)[1].split("\n## ", 1)[0]
        for name, info in model.model_fields.items():
            if not info.exclude and "tables below" not in body:
                toml_name = info.alias or name
                assert f"| `{toml_name}` |" in body or f"[{'.'.join((*path, toml_name))}" in text, (path, name)


def test_issue_11_config_reference_command_prints_the_reference(home):
    result = run("config", "reference")
    assert result.exit_code == EXIT_OK and result.stdout == reference_markdown()


def test_issue_11_undocumented_key_is_caught():
    from pydantic import BaseModel, Field

    class Section(BaseModel):
        """A section."""

        documented: int = Field(1, description="says what it is")
        bare: int = 2

    class Root(BaseModel):
        part: Section = Section()

    assert undocumented_keys(Root) == ["part.bare"]


# --- the README -----------------------------------------------------------------------------------


def test_issue_11_readme_documents_every_section_and_keeps_its_first_lines_true():
    for section in ("[waves]", "[meetings]", "[instruments.", "[grades]", "[health]", "[nudges]", "[privacy]"):
        assert section in README, section
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "lmsync demo" in first_block and "python -m pytest -q" in first_block
    assert "demo" in main.commands


# --- people: one resolver, one way of showing them ----------------------------------------------------


@pytest.fixture
def programme(home):
    """The emulator's demo course: its config, a mentor and a mentee (RosterUser)."""
    config = newcomer_defaults(load_config(None))
    roster = read_roster_of(config)
    mentor = next(u for u in roster.values() if u.roles & {"editingteacher", "teacher"} and u.email)
    mentee = next(u for u in roster.values() if "student" in u.roles and u.email and u.idnumber)
    return config, mentor, mentee


def _queue_pair(config, mentor, mentee):
    store = Store(config.store_path())
    try:
        health = PairHealth(mentor.id, mentee.id, "fading", (Reason("no_meeting", "fading", "No meeting."),),
                            date(2026, 9, 1), None, 60)
        CoordinatorQueue(store, config.programme.name).offer(date(2026, 11, 1), health)
    finally:
        store.close()


def test_issue_11_queue_list_shows_names_and_usernames_never_a_pair_key(programme):
    config, mentor, mentee = programme
    _queue_pair(config, mentor, mentee)
    listed = run("queue", "list")
    assert listed.exit_code == 0, listed.output
    assert f"{mentor.fullname} ({mentor.username}) / {mentee.fullname} ({mentee.username})" in listed.stdout
    assert f"{mentor.id}-{mentee.id}" not in listed.stdout
    data = json.loads(run("queue", "list", "--format", "json").stdout)
    assert data[0]["mentee"] == {"id": mentee.id, "username": mentee.username, "name": mentee.fullname}


def test_issue_11_show_names_false_shows_usernames_only(programme):
    config, mentor, mentee = programme
    _queue_pair(config, mentor, mentee)
    (Path.cwd() / "lmsync.toml").write_text("[privacy]\nshow_names = false\n")
    listed = run("queue", "list")
    assert f"{mentor.username} / {mentee.username}" in listed.stdout
    assert mentor.fullname not in listed.stdout and mentee.fullname not in listed.stdout


@pytest.mark.parametrize("how", ["username", "email", "idnumber", "id"])
def test_issue_11_queue_ack_takes_two_people_by_any_key(programme, how):
    config, mentor, mentee = programme
    _queue_pair(config, mentor, mentee)
    name = {"username": lambda u: u.username, "email": lambda u: u.email.upper(),
            "idnumber": lambda u: u.idnumber or u.username, "id": lambda u: str(u.id)}[how]
    result = run("queue", "ack", name(mentor), name(mentee), "--note", "called")
    assert result.exit_code == 0, result.output
    assert f"acknowledged {mentor.fullname} ({mentor.username}) / {mentee.fullname}" in result.stdout
    # listed until `queue done` records an outcome, no longer as open (the ack vanished it before)
    assert "0 open item(s), 1 acknowledged awaiting an outcome" in run("queue", "list").stdout


def test_issue_11_queue_ack_keeps_the_old_pair_key(programme):
    config, mentor, mentee = programme
    _queue_pair(config, mentor, mentee)
    assert run("queue", "ack", f"{mentor.id}-{mentee.id}").exit_code == 0
    again = run("queue", "ack", mentor.username, mentee.username)
    assert again.exit_code == EXIT_INPUT and "acknowledged on" in again.stderr  # a second ack says so (tester finding 12)



def test_tester_finding_12_queue_ack_takes_the_mentee_first_as_queue_done_does(programme):
    config, mentor, mentee = programme
    _queue_pair(config, mentor, mentee)
    result = run("queue", "ack", mentee.username, mentor.username)
    assert result.exit_code == 0, result.output
    assert f"acknowledged {mentor.fullname} ({mentor.username}) / {mentee.fullname}" in result.stdout

def test_issue_11_queue_ack_names_an_unknown_person(programme):
    _config, mentor, _mentee = programme
    result = run("queue", "ack", mentor.username, "nobody@nowhere.example")
    assert result.exit_code == EXIT_INPUT and "nobody@nowhere.example" in result.stderr


def test_issue_11_meetings_add_and_list_name_people_any_way(programme):
    config, _mentor, _mentee = programme
    assert run("sync").exit_code == 0  # a pair of a circle: meetings add refuses two people never paired (FIX-C 1)
    pair = json.loads(run("match", "--format", "json").stdout)["assignments"][0]
    roster = read_roster_of(config)
    mentor, mentee = (next(u for u in roster.values() if u.username == pair[side]) for side in ("mentor", "mentee"))
    added = run("meetings", "add", "--date", "2026-10-05", "--mentor", mentor.email.upper(),
                "--mentee", str(mentee.id), "--minutes", "40")
    assert added.exit_code == 0, added.output
    assert f"mentor {mentor.fullname} ({mentor.username}), mentee {mentee.fullname} ({mentee.username})" in added.stdout
    listed = run("meetings", "list", "--person", mentee.idnumber)
    assert listed.exit_code == 0 and "1 meeting(s)" in listed.stdout
    assert f"{mentee.fullname} ({mentee.username})" in listed.stdout
    row = listed.stdout.splitlines()[1]
    assert not re.search(rf"(?<![#\w]){mentee.id}(?!\w)", row)  # no bare id


def test_issue_11_plan_shows_people_by_name(home):
    result = run("plan")
    assert result.exit_code == 0
    added = [line for line in result.stdout.splitlines() if line.endswith("'s circle") and "Welcome" not in line]
    assert added and all(re.match(r"\s+\+ .+ \([^)]+\) to .+ \([^)]+\)'s circle", line) for line in added)
    assert not any("user " in line for line in added)


def test_issue_11_people_template_reads_back(home):
    from lmsync.service.people_csv import load_people_csv

    result = run("match", "--people-template")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and lines[0].startswith("id,role,")
    from lmsync.service.people_csv import FIELDS

    assert lines[0].split(",") == list(FIELDS)  # every column --people reads (tester round 4, 18: current_peer)
    (home / "people.csv").write_text(result.stdout)
    people = load_people_csv(home / "people.csv", load_config(None))
    assert [p.id for p in people.persons] == [line.split(",")[0] for line in lines[1:]]
    matched = run("match", "--people", str(home / "people.csv"), "--format", "json")
    assert matched.exit_code == 0, matched.output
    assert [(m["mentee"], m["mentor"]) for m in json.loads(matched.stdout)["assignments"]] == [("s0006", "t0001")]


def test_issue_11_sync_output_shows_people_by_name(home):
    result = run("sync")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.endswith("'s circle") and "Welcome" not in line]
    assert added and not any("user " in line for line in added)


def test_issue_11_nudge_names_both_people(programme, monkeypatch):
    from lmsync.service import nudges

    _config, mentor, mentee = programme
    planned = nudges.PlannedNudge(
        mentor_id=mentor.id, mentee_id=mentee.id, recipient_id=mentee.id, recipient_username=mentee.username,
        role="mentee", kind="no_meeting", status="fading", text="Hello",
    )
    report = nudges.NudgeReport(
        as_of=date(2026, 11, 1), dry_run=True, run_id="r", planned=[planned], messages=[[planned]]
    )
    monkeypatch.setattr(nudges, "nudge_job", lambda config, **kwargs: report)
    result = run("nudge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        f"to {mentee.fullname} ({mentee.username}), mentee of {mentor.fullname} ({mentor.username})"
        in result.stdout
    )
    assert f"{mentor.id}-{mentee.id}" not in result.stdout


def test_round_27_8_init_says_at_once_that_the_token_file_it_names_would_be_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    token = tmp_path / "token"
    token.write_text("0123456789abcdef0123456789abcdef\n")
    token.chmod(0o644)
    args = ["init", "--no-input", "--url", "https://moodle.example.edu", "--token-file", str(token)]
    result = CliRunner().invoke(main, [*args, "--out", "a.toml"])
    assert result.exit_code == 0 and "is open to its group and every user (mode 644)" in result.stderr
    assert f"chmod 600 {token}" in result.stderr and "every run refuses it until then" in result.stderr
    token.chmod(0o600)
    quiet = CliRunner().invoke(main, [*args, "--out", "b.toml"])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_round_39_3_an_unreachable_moodle_is_said_in_a_few_words_as_doctor_says_it(home, tmp_path):
    """A wrong URL ended `plan` with urllib3's text: "(ConnectionError: HTTPConnectionPool(host=...): Max retries
    exceeded ... [Errno 111] Connection refused')))"; doctor said "connection refused (nothing listens on that port)"."""
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nothing listens there
    token = tmp_path / "token"
    token.write_text("a" * 32)
    token.chmod(0o600)
    config = tmp_path / "lmsync.toml"
    config.write_text(f'[moodle]\nurl = "http://127.0.0.1:{port}"\ntoken_file = "{token}"\nretry_deadline_seconds = 0\n'
                      '[programme]\nname = "p"\n')
    result = run("--config", str(config), "plan")
    assert result.exit_code != 0
    assert f"cannot reach http://127.0.0.1:{port}: connection refused (nothing listens on that port)" in result.output
    assert "HTTPConnectionPool" not in result.output and "Max retries" not in result.output
    assert "fix: Check the Moodle URL" in result.output


def test_round_43_6_init_writes_the_file_that_config_names(home):
    """``lmsync --config mine.toml init`` wrote lmsync.toml; ``doctor`` then read mine.toml and sent the
    admin back to ``lmsync init``."""
    assert run("--config", "mine.toml", "init", "--no-input").exit_code == EXIT_OK
    assert (home / "mine.toml").exists() and not (home / "lmsync.toml").exists()
    assert run("--config", "mine.toml", "init", "--no-input", "--out", "other.toml").exit_code == EXIT_OK
    assert (home / "other.toml").exists()  # --out still wins


def test_round_43_7_init_refuses_an_empty_flag_and_asks_a_bad_answer_again(home, monkeypatch):
    """``--course ""`` silently wrote the example's course; at the prompt a blank course or an address
    without http:// failed only after all five questions, naming a line of a file never written."""
    import lmsync.cli.init as init

    refused = run("init", "--no-input", "--course", "")
    assert refused.exit_code == EXIT_INPUT and "--course: programme.course: cannot be empty" in refused.stderr
    assert not (home / "lmsync.toml").exists()
    monkeypatch.setattr(init, "_interactive", lambda: True)
    answers = "not a url\nhttps://moodle.school.example\n\nhas space\nmentoring-2030\nMENT-30\n\n"
    result = run("init", input=answers)
    assert result.exit_code == EXIT_OK, result.output
    assert "'not a url' is not a web address" in result.output
    assert "letters, digits, - and _ only" in result.output
    config = load_config("lmsync.toml", environ={})
    assert config.moodle.url == "https://moodle.school.example" and config.programme.course == "MENT-30"
    assert config.programme.name == "mentoring-2030"


def test_round_44_6_init_s_next_step_names_the_file_it_wrote_and_the_environment_it_will_not_see(home, monkeypatch):
    """``init --out real.toml`` said "next: lmsync doctor", which checks ./lmsync.toml; and with
    LMSYNC_PROGRAMME_NAME set it reported the file's programme, not the one every command would use."""
    wrote = run("init", "--no-input", "--out", "real.toml")
    assert wrote.exit_code == EXIT_OK and "next: lmsync --config real.toml doctor" in wrote.stdout
    assert "next: lmsync doctor" in run("init", "--no-input", "--force").stdout  # the default file: nothing to add
    # --config given to init alone does not carry over to the next command; a path is quoted (round 45, 3 and 4)
    assert "next: lmsync --config new.toml doctor" in run("init", "--no-input", "--config", "new.toml").stdout
    (home / "my dir").mkdir()
    assert "next: lmsync --config 'my dir/x.toml' doctor" in run("init", "--no-input", "--out", "my dir/x.toml").stdout
    monkeypatch.setenv("LMSYNC_PROGRAMME_NAME", "envprog")
    noted = run("init", "--no-input", "--out", "e.toml")
    assert "note: the environment sets LMSYNC_PROGRAMME_NAME: every command takes those over" in noted.stderr
