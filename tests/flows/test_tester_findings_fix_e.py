"""Tester findings 9, 10 and 13 (FIX-E): every writing command takes the programme lock; a site
that is not a Moodle web-service endpoint is a configuration error (exit 2); fatal log lines and
``show_names = false`` messages carry no full names."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import text as sql

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.health import PairHealth, Reason
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, EXIT_LOCKED, InputError
from lmsync.service.directory import read_roster_of, resolve_person
from lmsync.service.lock import programme_lock
from lmsync.service.moodle import newcomer_defaults
from lmsync.service.runtime import lock_path
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def programme(home):
    """The emulator's demo course, a mentor and a mentee, and one open queue item for them."""
    config = newcomer_defaults(load_config(None))
    roster = read_roster_of(config)
    mentor = next(u for u in roster.values() if u.roles & {"editingteacher", "teacher"} and u.email)
    mentee = next(u for u in roster.values() if "student" in u.roles and u.email and u.idnumber)
    store = Store(config.store_path())
    try:
        health = PairHealth(mentor.id, mentee.id, "fading", (Reason("no_meeting", "fading", "No meeting."),),
                            date(2026, 9, 1), None, 60)
        CoordinatorQueue(store, config.programme.name).offer(date(2026, 11, 1), health)
    finally:
        store.close()
    return config, mentor, mentee


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, through the store (so the PostgreSQL pass compares its schema too)."""
    store = Store(path, read_only=True)
    try:
        return {
            name: sorted((tuple(row) for row in store.rows(sql(f'SELECT * FROM "{name}"'))), key=repr)
            for name in sorted(store.tables())
        }
    finally:
        store.close()


def test_finding_9_writing_commands_exit_4_while_the_lock_is_held(programme, home):
    config, mentor, mentee = programme
    meetings = home / "meetings.csv"
    meetings.write_text(
        f"date,mentor,mentee,minutes,attended\n2026-10-05,{mentor.username},{mentee.username},40,yes\n"
    )
    surveys = home / "surveys.csv"
    surveys.write_text(run("import", "surveys", "--template").stdout)
    commands = [
        ("import", "meetings", str(meetings)),
        ("import", "surveys", str(surveys)),
        ("meetings", "add", "--date", "2026-10-05", "--mentor", mentor.username, "--mentee", mentee.username,
         "--minutes", "40"),
        ("queue", "ack", mentor.username, mentee.username, "--note", "called"),
        ("queue", "done", mentor.username, mentee.username, "--outcome", "rematched"),
    ]
    before = _dump(config.store_path())
    with programme_lock(lock_path(config)):
        for args in commands:
            result = run(*args)
            assert result.exit_code == EXIT_LOCKED, (args, result.output)
            assert "--wait" in result.stderr
    assert _dump(config.store_path()) == before
    assert run("queue", "ack", mentor.username, mentee.username).exit_code == 0  # the lock released: it writes


class _NotMoodle(BaseHTTPRequestHandler):
    """A web server with no Moodle behind the path: every request is a 404 HTML page."""

    def _answer(self) -> None:
        body = b"<html><body><h1>404 Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def not_moodle(home, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotMoodle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/wrong/path"
    (home / "lmsync.toml").write_text(
        f'[programme]\ncourse = "MENTOR-2026"\n\n[moodle]\nurl = "{url}"\ntimeout_seconds = 5\n'
    )
    monkeypatch.setenv("LMSYNC_TOKEN", "0123456789abcdef0123456789abcdef")
    yield url
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("args", [("plan",), ("sync",), ("run",), ("grades", "plan"), ("health",), ("doctor",),
                                  ("import", "meetings", "meetings.csv")])
def test_finding_10_a_site_that_is_not_moodle_is_a_configuration_error(not_moodle, home, args):
    (home / "meetings.csv").write_text("date,mentor,mentee,minutes,attended\n2026-10-05,t0001,s0006,40,yes\n")
    if args[0] in ("health", "import"):  # with no store, refused before Moodle is asked (tester rounds 79, 6; 94a, 4)
        Store(load_config(home / "lmsync.toml").store_path()).close()
    result = run(*args)
    assert result.exit_code == EXIT_ADMIN, result.output


def test_finding_13_a_failed_import_logs_no_full_names(programme, home):
    _config, mentor, mentee = programme
    csv = home / "meetings.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-05,{mentor.username},{mentee.username},40,yes\n")
    result = run("--log-format", "json", "import", "meetings", str(csv))
    assert result.exit_code == EXIT_INPUT, result.output
    fatal = [json.loads(line) for line in result.stderr.splitlines() if "lmsync.fatal" in line]
    assert len(fatal) == 1 and fatal[0]["error"] == "InputError" and fatal[0]["exit_code"] == EXIT_INPUT
    assert "meetings.csv: 1 problem on line(s) 2" in fatal[0]["message"]
    assert mentor.fullname not in result.stderr and mentee.fullname not in result.stderr
    console = run("import", "meetings", str(csv))  # a person at the terminal still reads who it was
    assert mentor.fullname in console.stderr


def test_finding_13_show_names_false_keeps_full_names_out_of_import_errors(programme, home):
    _config, mentor, mentee = programme
    (home / "lmsync.toml").write_text("[privacy]\nshow_names = false\n")
    csv = home / "meetings.csv"
    csv.write_text(f"date,mentor,mentee,minutes,attended\n2026-10-05,{mentor.username},{mentee.username},40,yes\n")
    result = run("import", "meetings", str(csv))
    assert result.exit_code == EXIT_INPUT and mentor.username in result.stderr
    assert mentor.fullname not in result.stderr and mentee.fullname not in result.stderr


def test_finding_13_an_ambiguous_person_is_named_by_username_with_show_names_false():
    roster = {
        3: SimpleNamespace(id=3, username="s0003", idnumber="S-9", email="a@example.org", fullname="Valentina Zhang"),
        9: SimpleNamespace(id=9, username="s0009", idnumber="3", email="b@example.org", fullname="Omar Haddad"),
    }
    with pytest.raises(InputError) as hidden:
        resolve_person(roster, "3", show_names=False)
    assert "s0003" in hidden.value.message and "s0009" in hidden.value.message
    assert "Valentina Zhang" not in hidden.value.message and "Omar Haddad" not in hidden.value.message
    assert hidden.value.summary is not None and "Zhang" not in hidden.value.summary and "3, 9" in hidden.value.summary
    with pytest.raises(InputError) as shown:
        resolve_person(roster, "3")
    assert "Valentina Zhang" in shown.value.message


def test_finding_13_pair_show_honours_show_names_in_its_resolver_errors(home, monkeypatch):
    roster = {
        3: SimpleNamespace(id=3, username="s0003", idnumber="S-9", email="a@example.org", fullname="Valentina Zhang"),
        9: SimpleNamespace(id=9, username="s0009", idnumber="3", email="b@example.org", fullname="Omar Haddad"),
    }
    monkeypatch.setattr("lmsync.cli.pair.read_roster_of", lambda _config: roster)
    (home / "lmsync.toml").write_text("[privacy]\nshow_names = false\n")
    result = run("pair", "show", "3")
    assert result.exit_code == EXIT_INPUT and "s0009" in result.stderr
    assert "Valentina Zhang" not in result.stderr and "Omar Haddad" not in result.stderr
    logged = run("--log-format", "json", "pair", "show", "3")
    fatal = json.loads(logged.stderr.strip().splitlines()[-1])
    assert fatal["event"] == "lmsync.fatal" and "Moodle ids 3, 9" in fatal["message"] and "s0009" not in fatal["message"]


def test_finding_13_pair_show_errors_log_ids_not_names_with_show_names_true(programme, home):
    """``[privacy] show_names = true`` puts names on the terminal, never in the JSON fatal line (tester finding)."""
    config, mentor, mentee = programme
    # not a pair: another student (the queue item makes mentor and mentee a known pair, finding 4)
    stranger = next(u for u in read_roster_of(config).values() if "student" in u.roles and u.id != mentee.id)
    (home / "lmsync.toml").write_text("[privacy]\nshow_names = true\n")
    console = run("pair", "show", mentor.username, mentor.username)
    assert console.exit_code == EXIT_INPUT and mentor.fullname in console.stderr
    for args in ((mentor.username, mentor.username), (stranger.username, mentor.username), ("nobody-at-all",)):
        logged = run("--log-format", "json", "pair", "show", *args)
        fatal = json.loads(logged.stderr.strip().splitlines()[-1])
        assert logged.exit_code == EXIT_INPUT and fatal["event"] == "lmsync.fatal"
        assert mentor.fullname not in logged.stderr and stranger.fullname not in logged.stderr
        assert "nobody-at-all" not in fatal["message"]
