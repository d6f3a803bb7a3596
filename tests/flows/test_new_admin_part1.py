"""What a new admin found on a lived-in emulator site (part 1): one test per point, named after it."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import structlog
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.errors import ConfigError, InputError
from lmsync.moodle import transport as transport_module
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator import EMULATOR_URL, EmulatorAdapter
from lmsync.moodle.emulator.demo import DEMO_TOKEN, build_demo_site
from lmsync.moodle.errors import MoodleException, Timeout
from lmsync.moodle.text import GROUP_NAME_MAX, GROUPING_NAME_MAX, name_problem
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service import jobs
from lmsync.service import moodle as moodle_service
from lmsync.service.doctor import run_doctor
from lmsync.service.privacy import resolve
from lmsync.store.db import Store

M0001, S0001, S0002, S0005 = 66, 3, 4, 7
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("LMSYNC_TOKEN", raising=False)
    monkeypatch.setattr(moodle_service, "_announced", False)
    return tmp_path


def write_config(env: Any, extra: str = "") -> Any:
    path = env / "lmsync.toml"
    path.write_text('[programme]\nname = "mentor-2026"\npeer_mentor_cohort = "peer-mentors-2026"\n' + extra)
    return path


def api_for(site: Any) -> MoodleApi:
    session = requests.Session()
    session.mount(EMULATOR_URL, EmulatorAdapter(site))
    return MoodleApi(Transport(EMULATOR_URL, Token(DEMO_TOKEN), session=session, sleep=lambda _s: None))


def doctor(env: Any, extra: str = "", site: Any = None) -> Any:
    config = load_config(write_config(env, extra), environ={})
    return run_doctor(api_for(site or build_demo_site()), config)


def checks(report: Any, status: str) -> list[tuple[str, str, str | None]]:
    return [(c.name, c.detail, c.fix) for c in report.checks if c.status == status]


def run_cli(env: Any, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--log-level", "warning", "--config", str(env / "lmsync.toml"), *args],
                              input=input)


# --- 1. a misspelt role ----------------------------------------------------------------------


def test_point_1_doctor_fails_on_a_mentee_role_nobody_holds(env: Any) -> None:
    report = doctor(env, 'mentee_roles = ["studnet"]\n')
    failed = checks(report, "fail")
    assert [d for n, d, _f in failed if n == "programme mentee_roles"] == [
        "mentee_roles: no one in the course holds 'studnet' (roles held: student, teacher)"
    ]
    assert report.exit_code == 2


def test_point_1_doctor_passes_configured_roles_that_are_held(env: Any) -> None:
    report = doctor(env)  # default mentor_roles: editingteacher (held by nobody, standard) and teacher
    assert checks(report, "fail") == []
    assert any(n == "programme mentee_roles" and "student" in d for n, d, _f in checks(report, "ok"))


# --- 2. no programme start -------------------------------------------------------------------


def test_point_2_doctor_warns_without_a_programme_start(env: Any) -> None:
    warned = [(n, d) for n, d, _f in checks(doctor(env), "warn") if n == "programme start"]
    assert len(warned) == 1 and "the last 365 days only" in warned[0][1] and "attendance" in warned[0][1]
    started = doctor(env, "[waves]\nprogramme_start = 2026-09-01\n")
    assert not [n for n, _d, _f in checks(started, "warn") if n == "programme start"]


# --- 3. people by the field they name ------------------------------------------------------------


def roster_with_idnumber_66() -> dict[int, Any]:
    from lmsync.service.observe import find_course_id, read_roster

    site = build_demo_site()
    site.users[S0005].idnumber = "66"
    api = api_for(site)
    return read_roster(api, find_course_id(api, "MENTOR-2026"), 500)


def test_point_3_a_number_naming_two_people_by_two_fields_is_refused_listing_both() -> None:
    roster = roster_with_idnumber_66()
    with pytest.raises(InputError) as raised:
        resolve(roster, "66")
    message = raised.value.message
    assert message.startswith("'66' names two people: Moodle id 66 = m0001 (")
    assert f"idnumber 66 = s0005 ({roster[S0005].fullname})" in message
    assert message.endswith("say id:66 or idnumber:66")
    assert resolve(roster, "id:66") == M0001
    assert resolve(roster, "idnumber:66") == S0005
    assert resolve(roster, "USERNAME:s0002") == S0002 and resolve(roster, "email:S0002@example.org") == S0002
    assert resolve(roster, "id:9999") == 9999  # someone who left: the store may hold their rows
    with pytest.raises(InputError, match="matches nobody"):
        resolve(roster, "username:66")
    with pytest.raises(InputError, match=r"'id:abc': a Moodle id is a number"):  # not "matches nobody" (round 77b, 13)
        resolve(roster, "id:abc")


def test_point_3_a_key_shared_by_several_people_lists_who() -> None:
    roster = roster_with_idnumber_66()
    roster[S0002] = dataclasses.replace(roster[S0002], idnumber="s0001")  # RosterUser is slotted (issue 15)
    with pytest.raises(InputError) as raised:
        resolve(roster, "idnumber:s0001")
    message = raised.value.message
    assert "'s0001' matches several people" in message
    assert f"s0001 ({roster[S0001].fullname}), Moodle id {S0001}" in message
    assert f"s0002 ({roster[S0002].fullname}), Moodle id {S0002}" in message
    with pytest.raises(InputError) as no_names:
        resolve(roster, "idnumber:s0001", show_names=False)
    assert roster[S0001].fullname not in no_names.value.message


def test_point_3_person_export_refuses_an_ambiguous_number_and_erase_names_the_person(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.users[S0005].idnumber = "66"
    site.save(config.emulator_state_path())
    Store(config.store_path()).close()  # a store that holds nothing yet: with none, both are refused (round 77b, 2)
    refused = run_cli(env, "person", "export", "66")
    assert refused.exit_code == 3
    assert "say id:66 or idnumber:66" in refused.output
    exported = run_cli(env, "person", "export", "idnumber:66")
    assert exported.exit_code == 0, exported.output
    # the store holds nothing about them: said so, naming whom the key resolved to (tester rounds 8, 6 and 35, 4)
    them = site.users[S0005]
    assert f"this store holds nothing about {them.firstname} {them.lastname} (s0005) (Moodle id {S0005};" in exported.stdout
    user = site.users[S0001]
    declined = run_cli(env, "person", "erase", "s0001@EXAMPLE.org", "--while-enrolled", input="n\n")
    assert declined.exit_code == 0, declined.output
    assert f"about {user.firstname} {user.lastname} (s0001)" in declined.output
    assert "s0001@EXAMPLE.org" not in declined.output
    assert "nothing erased" in declined.output


# --- 4. names longer than Moodle's columns ---------------------------------------------------------


def test_point_4_name_problem_follows_moodles_column_lengths() -> None:
    assert GROUP_NAME_MAX == 254 and GROUPING_NAME_MAX == 255
    assert name_problem("x" * 254, GROUP_NAME_MAX) is None
    assert "at most 254 characters" in (name_problem("x" * 255, GROUP_NAME_MAX) or "")
    assert name_problem(" " + "x" * 254 + " ", GROUP_NAME_MAX) is None  # Moodle trims before storing
    assert "'<'" in (name_problem("a <b> c", 254) or "")


def test_point_4_templates_too_long_alone_are_refused_at_config_load(env: Any) -> None:
    long = "x" * 250
    with pytest.raises(ConfigError, match="at most 254 characters"):
        load_config(write_config(env, f'group_name_template = "{long} circle {{mentor_fullname}}"\n'), environ={})
    with pytest.raises(ConfigError, match="at most 255 characters"):
        load_config(write_config(env, f'grouping_name = "{long} grouping"\n'), environ={})
    with pytest.raises(ConfigError, match="at most 255 characters"):
        load_config(write_config(env, f'[sync.welcome]\nsubject = "{long} welcome {{group_name}}"\n'), environ={})
    assert load_config(write_config(env, f'group_name_template = "{long[:200]} {{mentor_fullname}}"\n'), environ={})


def test_point_4_the_emulator_refuses_over_long_names_like_moodles_database() -> None:
    site = build_demo_site()
    api = api_for(site)
    course = next(iter(site.courses))
    before = len(site.groups)
    with pytest.raises(MoodleException) as raised:
        api.transport.call("core_group_create_groups", {"groups": [
            {"courseid": course, "name": "fits", "description": ""},
            {"courseid": course, "name": "y" * 255, "description": ""},
        ]})
    assert raised.value.errorcode == "dmlwriteexception"
    assert len(site.groups) == before  # the whole call rolled back
    with pytest.raises(MoodleException, match="Error writing to database"):
        api.transport.call("core_group_create_groupings",
                           {"groupings": [{"courseid": course, "name": "g" * 256, "description": ""}]})
    # not the announcements forum: it refuses lmsync's role first, cannotcreatediscussion (tester round 92b, 2)
    forum = next(f for f in site.forums.values() if f.type != "news")
    with pytest.raises(MoodleException) as subject:
        api.transport.call("mod_forum_add_discussion", {"forumid": forum.id, "subject": "s" * 256, "message": "m"})
    assert subject.value.errorcode == "dmlwriteexception"


# --- 5. a forum name with a tag; names in plain quotes ---------------------------------------------


def test_point_5_a_forum_name_with_a_tag_is_refused_at_config_load(env: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write_config(env, "forum = '''Mentoring & \"Peer\" <Circles>'''\n"), environ={})
    assert "Moodle shows this forum's name without the tag, as 'Mentoring & \"Peer\"'" in str(raised.value)


def test_point_5_doctor_shows_names_in_plain_quotes(env: Any) -> None:
    report = doctor(env, "forum = \"Mentors' corner\"\n")
    (detail,) = [d for n, d, _f in checks(report, "fail") if n == "forum"]
    assert detail.startswith("no forum named 'Mentors' corner' in the course (the course has: 'Announcements', ")


# --- 6. hints that say what is wrong -------------------------------------------------------------


def test_point_6_a_token_file_that_is_a_directory_is_named(env: Any) -> None:
    folder = env / "secrets"
    folder.mkdir(mode=0o755)
    config = load_config(write_config(env, f'[moodle]\nurl = "https://m.example.edu"\ntoken_file = "{folder}"\n'),
                         environ={})
    with pytest.raises(ConfigError) as raised:
        config.load_token()
    assert "is a directory" in raised.value.message
    assert raised.value.hint and "chmod 600 " + str(folder) not in raised.value.hint
    assert "file holding the token" in raised.value.hint


def test_point_6_a_timeout_hint_names_the_real_key() -> None:
    from lmsync.config_sites import MoodleConfig

    assert "timeout_seconds" in MoodleConfig.model_fields
    hint = Timeout("x").hint or ""
    assert "[moodle] timeout_seconds" in hint and "moodle.timeout " not in hint


def doctor_at(env: Any, url: str) -> Any:
    config = load_config(write_config(env), environ={})
    api = MoodleApi(Transport(url, Token(SECRET), timeout=30, sleep=lambda _s: None))
    return run_doctor(api, config)


def test_point_6_a_closed_port_gives_the_checklist_without_urllib3_text(env: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = doctor_at(env, f"http://127.0.0.1:{port}")
    ((name, detail, fix),) = checks(report, "fail")
    assert name == "reachable" and "connection refused" in detail
    assert "Max retries" not in detail and "HTTPConnectionPool" not in detail and "Errno" not in detail
    for step in ("[moodle] url", "DNS", "proxy", "TLS", "firewall"):
        assert step in (fix or "")


def test_point_6_doctor_gives_a_hanging_site_five_seconds(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert transport_module.FAIL_FAST_READ_TIMEOUT == 5.0
    monkeypatch.setattr(transport_module, "FAIL_FAST_READ_TIMEOUT", 0.5)  # the same path, faster
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    try:
        started = time.monotonic()
        report = doctor_at(env, f"http://127.0.0.1:{server.getsockname()[1]}")
        elapsed = time.monotonic() - started
    finally:
        for conn in held:
            conn.close()
        server.close()
    ((name, detail, _fix),) = checks(report, "fail")
    assert name == "reachable" and "did not answer in time" in detail
    assert elapsed < 5


# --- 7. daemon interval ------------------------------------------------------------------------


def test_point_7_an_interval_over_31_days_is_refused() -> None:
    assert jobs.parse_interval("31d") == 31 * 86400
    for text in ("1e12d", "32d", "745h"):
        with pytest.raises(ValueError, match="over 31 days"):
            jobs.parse_interval(text)
    result = CliRunner().invoke(main, ["daemon", "--interval", "1e12d"])
    assert result.exit_code == 3 and "over 31 days" in result.output  # bad input (README: exit codes)


def test_point_7_the_daemon_logs_its_interval_at_start(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    stop = jobs.StopFlag(threading.Event())
    with structlog.testing.capture_logs() as logs:
        jobs.daemon_loop(config, 900, stop, run=lambda *_a, **_k: type("R", (), {"exit_code": 0})(), max_runs=1)
    assert {"event": "daemon.start", "interval_seconds": 900}.items() <= logs[0].items()


# --- 8. the emulator notice and summary ----------------------------------------------------------


def test_point_8_the_emulator_notice_is_a_json_event_under_json_logging(env: Any, monkeypatch: pytest.MonkeyPatch
                                                                       ) -> None:
    monkeypatch.chdir(env)
    result = CliRunner().invoke(main, ["--log-format", "json", "--log-level", "warning", "plan"])
    assert result.exit_code == 0, result.output
    notices = [json.loads(line) for line in result.stderr.splitlines() if "emulator" in line]
    assert len(notices) == 1
    assert notices[0]["event"] == "emulator.in_use" and notices[0]["reason"] == "no configuration file"


def test_point_8_sync_without_a_config_file_says_so_in_its_summary(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(env)
    result = CliRunner().invoke(main, ["--log-level", "warning", "sync"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].endswith("(built-in emulator: no configuration file)")


# --- 9. names in match and in the demo plan ------------------------------------------------------


def test_point_9_match_shows_name_and_username(env: Any) -> None:
    config = load_config(write_config(env), environ={})
    site = build_demo_site()
    site.save(config.emulator_state_path())
    user = site.users[S0001]
    label = f"{user.firstname} {user.lastname} (s0001)"
    assert label in run_cli(env, "match").stdout
    assert label in run_cli(env, "match", "--format", "csv").stdout
    write_config(env, "[privacy]\nshow_names = false\n")
    hidden = run_cli(env, "match").stdout
    assert "s0001" in hidden and f"{user.firstname} {user.lastname}" not in hidden


def test_point_9_the_demo_plan_names_people(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(env)
    result = CliRunner().invoke(main, ["--log-level", "warning", "demo"])
    assert result.exit_code == 0, result.output
    assert "user #" not in result.stdout
    assert re.search(r"\+ \w[^\n]* \(s\d{4}\) to \w[^\n]* \(\w+\)'s circle", result.stdout), "add member names the person"
    # and the matching's summary names both people of each pair shown (tester round 82, 7d: bare usernames)
    shown = re.findall(r"^  (.+) -> (.+) \(score [\d.]+\):", result.stdout, flags=re.M)
    assert shown and all(re.fullmatch(r".+ \(\w+\)", who) for pair in shown for who in pair), shown
    # the term's queue lives in its own store: the demo says how to see it (tester round 3, 13)
    found = re.search(r"see them: lmsync --config (\S+) queue list", result.stdout)
    assert found, result.stdout
    listed = CliRunner().invoke(main, ["--log-level", "warning", "--config", found.group(1), "queue", "list"])
    assert listed.exit_code == 0 and "open item(s)" in listed.stdout, listed.output
    # read with the term's own [waves]: no rescoring of its answers, said on every view (tester round 30, 8)
    assert "rescored_for_reading" not in listed.output
    pair = re.search(r"\((\w+)\) / [^(\n]*\((\w+)\)", listed.stdout)
    assert pair, listed.stdout
    shown = CliRunner().invoke(main, ["--config", found.group(1), "pair", "show", pair.group(1), pair.group(2)])
    assert shown.exit_code == 0 and "rescored_for_reading" not in shown.output, shown.output
    # the weekly judgements saw the meetings logged in Moodle's Feedback: no "no meeting since pairing" on a
    # day after an attended meeting of that pair (tester round 32, 1)
    from lmsync.config import load_config
    from lmsync.store.db import Store
    from lmsync.store.meetings import MeetingRepository
    from lmsync.store.snapshots import HealthSnapshots

    term = load_config(Path(found.group(1)), environ={})
    store = Store(term.store_path(), read_only=True)
    try:
        met = {}
        for m in MeetingRepository(store, term.programme.name).meetings():
            if m.attended:
                met.setdefault((m.mentor_id, m.mentee_id), []).append(m.date)
        wrong = [(r.day, r.mentor_id, r.mentee_id) for r in HealthSnapshots(store, term.programme.name).rows()
                 if any(code == "no_first_meeting" for code, _ in r.reasons)
                 and any(d <= r.day for d in met.get((r.mentor_id, r.mentee_id), []))]
    finally:
        store.close()
    assert wrong == []


# --- 10. config reference --out needs --force ---------------------------------------------------


def test_point_10_config_reference_refuses_to_overwrite_without_force(env: Any) -> None:
    out = env / "CONFIG.md"
    out.write_text("mine\n")
    refused = CliRunner().invoke(main, ["config", "reference", "--out", str(out)])
    assert refused.exit_code == 3 and "--force" in refused.output
    assert out.read_text() == "mine\n"
    forced = CliRunner().invoke(main, ["config", "reference", "--out", str(out), "--force"])
    assert forced.exit_code == 0 and out.read_text().startswith("#")


# --- 11. a token in quotes or as key=value --------------------------------------------------------


@pytest.mark.parametrize("text, named", [
    (f'"{SECRET}"\n', "wrapped in quotes"),
    (f"'{SECRET}'", "wrapped in quotes"),
    (f"token={SECRET}\n", "assignment (token=...)"),
    (f"LMSYNC_TOKEN = {SECRET}", "assignment (LMSYNC_TOKEN=...)"),
])
def test_point_11_a_token_in_quotes_or_as_an_assignment_is_named_locally(env: Any, text: str, named: str) -> None:
    token = env / "token"
    token.write_text(text)
    os.chmod(token, 0o600)
    config = load_config(write_config(env, f'[moodle]\nurl = "https://m.example.edu"\ntoken_file = "{token}"\n'),
                         environ={})
    with pytest.raises(ConfigError) as raised:
        config.load_token()
    assert named in str(raised.value)
    assert SECRET not in str(raised.value) and SECRET not in repr(raised.value)


def test_tester_finding_8_lmsync_run_after_the_demo_exits_0(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tester finding 8: ``lmsync demo`` then ``lmsync run`` ended in "grades partial ... 3 left for
    an admin" (exit 2): the demo's term, with a store of its own, had written grade items on the
    saved site. The term now runs on a copy; the saved site is what the programme's store made."""
    monkeypatch.chdir(env)
    demo = CliRunner().invoke(main, ["--log-level", "warning", "demo"])
    assert demo.exit_code == 0, demo.output
    run = CliRunner().invoke(main, ["--log-level", "warning", "run"])
    assert run.exit_code == 0, run.output
    assert "left for an admin" not in run.output
