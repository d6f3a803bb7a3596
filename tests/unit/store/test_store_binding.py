"""Issue 11, "one programme, one store, one site": read-only stores and the store's site binding."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from lmsync.cli import main
from lmsync.config import load_config
from lmsync.domain.meetings import Meeting
from lmsync.errors import EXIT_ADMIN, EXIT_INPUT, ConfigError
from lmsync.service import jobs
from lmsync.service.stores import check_binding, open_store, same_site
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from tests.unit.store.legacy import make_legacy_store

REAL = "https://moodle.school.example"


def config_for(tmp_path, store, *, url=None, course="MENTOR-2026", name="lmsync.toml"):
    path = tmp_path / name
    moodle = f'[moodle]\nurl = "{url}"\n' if url else ""
    path.write_text(f'{moodle}[programme]\ncourse = "{course}"\n[store]\npath = "{store}"\n')
    return path, load_config(path, environ={})


def test_issue_11_a_store_made_on_the_emulator_is_refused_under_a_real_site(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    store = tmp_path / "programme.db"
    _path, emulated = config_for(tmp_path, store)
    assert jobs.sync_job(emulated).converged  # the emulator's people now fill the store's journal

    real_path, real = config_for(tmp_path, store, url=REAL, name="real.toml")
    with pytest.raises(ConfigError) as info:
        open_store(real)
    message = str(info.value)
    assert "belongs to site emulator, course MENTOR-2026" in message
    assert f"names site {REAL}, course MENTOR-2026" in message
    assert "[store] path" in message and str(store) in message
    assert info.value.exit_code == EXIT_ADMIN
    # a site under a new address keeps its store (tester round 87b, 3: the fix read as "make a second store")
    hint = info.value.hint or ""
    assert f"UPDATE store_binding SET site = '{REAL}'" in hint
    assert hint.index("keep this store") < hint.index("only for another programme, point [store] path")

    # the same refusal at the command line, before any request to the real site
    result = CliRunner().invoke(main, ["--config", str(real_path), "queue", "list"])
    assert result.exit_code == EXIT_ADMIN and "belongs to site emulator" in result.output


def test_issue_11_another_course_on_the_same_site_is_refused(tmp_path):
    store_file = tmp_path / "p.db"
    _p, first = config_for(tmp_path, store_file, url=REAL, course="MENTOR-2026")
    store = open_store(first)
    MeetingRepository(store, "p").save([(Meeting(date(2026, 3, 2), 5, 9, 30, True, "csv"), "x")])  # it holds data
    store.close()
    _p, other = config_for(tmp_path, store_file, url=REAL, course="MENTOR-2027", name="other.toml")
    with pytest.raises(ConfigError, match="course MENTOR-2026; this configuration names site .*course MENTOR-2027"):
        open_store(other)


def test_retest_finding_2_a_store_bound_by_a_run_that_wrote_nothing_takes_the_corrected_site(tmp_path):
    """A first run against a mistyped URL bound the store to a site it never reached; correcting
    the URL was then refused. A store that holds no data is bound to the configured site instead."""
    store_file = tmp_path / "p.db"
    _p, typo = config_for(tmp_path, store_file, url="http://127.0.0.1:1", course="MENTOR-2026")
    open_store(typo).close()
    _p, fixed = config_for(tmp_path, store_file, url=REAL, course="MENTOR-2026", name="fixed.toml")
    with capture_logs() as events:
        store = open_store(fixed)
    bound = store.binding()
    store.close()
    assert bound is not None and bound.site == REAL
    assert [e["event"] for e in events].count("store.rebound") == 1


def test_issue_11_the_same_site_spelled_differently_is_still_that_site(tmp_path):
    store_file = tmp_path / "p.db"
    _p, first = config_for(tmp_path, store_file, url=REAL)
    open_store(first).close()
    _p, again = config_for(tmp_path, store_file, url="http://MOODLE.school.example/", name="again.toml")
    open_store(again).close()
    assert not same_site("emulator", REAL) and not same_site(REAL, "https://moodle.school.example/other")


def test_issue_11_an_older_store_adopts_the_first_site_it_is_used_with_and_says_so(tmp_path):
    store_file = tmp_path / "p.db"
    old = Store(store_file)  # a store from before bindings: data, no record
    MeetingRepository(old, "mentoring-2026").save([(Meeting(date(2026, 3, 2), 5, 9, 30, True, "csv"), "old")])
    old.close()
    _p, config = config_for(tmp_path, store_file, url=REAL)
    with capture_logs() as events:
        store = open_store(config)
    bound = store.binding()
    store.close()
    assert bound is not None and (bound.site, bound.course, bound.adopted) == (REAL, "MENTOR-2026", True)
    adopted = [e for e in events if e["event"] == "store.adopted"]
    assert adopted and adopted[0]["log_level"] == "warning" and adopted[0]["site"] == REAL


def test_issue_11_a_new_store_is_bound_on_first_use_not_adopted(tmp_path):
    _p, config = config_for(tmp_path, tmp_path / "new.db", url=REAL)
    with capture_logs() as events:
        store = open_store(config)
    bound = store.binding()
    store.close()
    assert bound is not None and not bound.adopted
    assert [e["event"] for e in events if e["event"].startswith("store.")] == ["store.bound"]


def test_issue_11_a_read_only_open_never_binds_but_still_refuses(tmp_path):
    store_file = tmp_path / "p.db"
    Store(store_file).close()
    _p, config = config_for(tmp_path, store_file, url=REAL)
    ro = open_store(config, read_only=True)
    assert ro.binding() is None  # a read does not record anything
    ro.close()
    store = open_store(config)  # the first write-capable use binds
    MeetingRepository(store, "p").save([(Meeting(date(2026, 3, 2), 5, 9, 30, True, "csv"), "x")])  # it holds data
    store.close()
    _p, other = config_for(tmp_path, store_file, name="emu.toml")
    with pytest.raises(ConfigError, match="belongs to site https://moodle.school.example"):
        open_store(other, read_only=True)


def test_issue_11_a_read_only_store_refuses_writes(store_target):
    Store(store_target).close()
    store = Store(store_target, read_only=True)
    with pytest.raises(DBAPIError, match="readonly|read-only"):
        MeetingRepository(store, "p").save([(Meeting(date(2026, 3, 2), 5, 9, 30, True, "csv"), "x")])
    with pytest.raises(DBAPIError, match="readonly|read-only"):
        store.bind("emulator", "C")
    store.close()
    assert Store(store_target, read_only=True).binding() is None


def test_issue_11_a_missing_store_is_read_as_empty_without_creating_a_file(tmp_path):
    store_file = tmp_path / "state" / "p.db"
    store = Store(store_file, read_only=True)
    assert MeetingRepository(store, "p").find() == [] and store.binding() is None
    store.close()
    assert not store_file.exists() and not store_file.parent.exists()


@pytest.mark.sqlite_only("an older SQLite file is read through an in-memory copy (mode=ro)")
def test_issue_11_an_older_schema_is_read_through_a_copy_and_the_file_is_left_alone(tmp_path):
    store_file = tmp_path / "p.db"
    old = make_legacy_store(store_file, upto=4)  # as an lmsync from before migration 005 left it
    old.execute(
        "INSERT INTO meetings (programme, meeting_date, mentor_id, mentee_id, source, minutes, attended,"
        " content_hash, created_at, updated_at) VALUES ('p', '2026-03-02', 5, 9, 'csv', 30, 1, 'h', 'x', 'x')"
    )
    old.close()
    before = store_file.read_bytes()
    ro = Store(store_file, read_only=True)
    assert len(MeetingRepository(ro, "p").find()) == 1 and ro.binding() is None
    ro.close()
    assert store_file.read_bytes() == before
    writable = Store(store_file)  # a writing run migrates it as before
    assert "store_binding" in writable.tables()
    writable.close()


def test_check_binding_returns_the_binding_in_force(tmp_path):
    _p, config = config_for(tmp_path, tmp_path / "p.db", url=REAL)
    store = Store(config.store_path())
    first = check_binding(store, config)
    assert first is not None and check_binding(store, config) == first
    store.close()


def test_round_3_finding_6_the_binding_and_its_log_line_hold_no_password_of_the_url(tmp_path):
    store_path = tmp_path / "programme.db"
    _path, config = config_for(tmp_path, store_path, url=REAL)  # load_config refuses a url with a password now:
    moodle = config.moodle.model_construct(**{**dict(config.moodle), "url": "https://admin:hunter2@moodle.school.example"})
    config = config.model_construct(**{**dict(config), "moodle": moodle})  # a Config made past its checks
    with capture_logs() as logs:
        store = open_store(config)
    try:
        assert store.binding().site == REAL
    finally:
        store.close()
    assert logs and "hunter2" not in repr(logs)
    assert same_site("https://admin:hunter2@moodle.school.example/", REAL)
    _path, plain = config_for(tmp_path, store_path, url=REAL, name="plain.toml")
    open_store(plain).close()  # the same site, written without the account


def test_round_12_6_an_unreachable_postgresql_store_is_exit_1_with_no_password_and_no_traceback():
    """Tester round 12, 6: a PostgreSQL store that was down gave a 143-line traceback (and doctor said
    all was well). It is a PartialFailure (exit 1: the next run may find it up), the URL without its
    password, the driver's reason and what to check; the programme lock says the same."""
    from lmsync.errors import PartialFailure
    from lmsync.store.locks import advisory_lock

    port = free_port()  # a port nothing listens on
    url = f"postgresql+psycopg://lmsync:PGSECRET99@127.0.0.1:{port}/lmsync?connect_timeout=5"
    with pytest.raises(PartialFailure, match="cannot be reached: .*refused") as info:
        Store(url)
    assert "PGSECRET99" not in str(info.value) and f"127.0.0.1:{port}/lmsync" in str(info.value)
    assert info.value.exit_code == 1 and "[store] url" in str(info.value.hint)
    with pytest.raises(PartialFailure, match="cannot be reached") as locked, advisory_lock(url, "p", wait=False):
        pass
    assert "PGSECRET99" not in str(locked.value)


def test_round_20_4_a_password_in_the_query_or_holding_a_bare_at_never_reaches_a_message():
    from lmsync.errors import ConfigError, PartialFailure

    port = free_port()  # a port nothing listens on
    in_query = f"postgresql+psycopg://lmsync@127.0.0.1:{port}/lmsync?password=QSECRET99&connect_timeout=5"
    with pytest.raises(PartialFailure, match="cannot be reached") as info:
        Store(in_query)
    assert "QSECRET99" not in str(info.value) and "password=<redacted>" in str(info.value)
    with pytest.raises(ConfigError, match="holds '@'") as bare:  # the rest of it was read as the host
        Store(f"postgresql+psycopg://lmsync:Pw@ATSECRET99@127.0.0.1:{port}/lmsync")
    assert "ATSECRET99" not in str(bare.value) and "%40" in str(bare.value.hint)


def test_round_20_2_a_store_that_answers_but_refuses_the_configuration_is_exit_2():
    from sqlalchemy.exc import OperationalError

    from lmsync.errors import ConfigError
    from lmsync.store.db import store_url
    from lmsync.store.unreachable import unreachable

    url = store_url("postgresql+psycopg://lmsync:RSECRET99@db.example/lmsync")
    assert url is not None
    refused = OperationalError("connect", {}, Exception('FATAL:  role "lmsync" does not exist RSECRET99'))
    error = unreachable(refused, url)
    assert isinstance(error, ConfigError) and error.exit_code == 2 and "RSECRET99" not in str(error)
    down = OperationalError("connect", {}, Exception("connection refused"))
    assert unreachable(down, url).exit_code == 1


def test_round_20_4_redact_masks_a_query_password_and_a_password_holding_a_bare_at():
    from lmsync.secrets import redact

    assert redact("postgresql+psycopg://u:Pw@TAIL99@host/db") == "postgresql+psycopg://u:<redacted>@host/db"
    assert redact("postgresql://host/db?sslmode=require&password=Q99&x=1") == (
        "postgresql://host/db?sslmode=require&password=<redacted>&x=1")
    assert redact("write to me@example.org") == "write to me@example.org"  # no URL, nothing masked


def test_round_22_2_and_4_a_query_password_holding_at_a_bad_port_or_a_mistyped_option_is_exit_2_and_masked():
    from lmsync.errors import ConfigError

    with pytest.raises(ConfigError, match="holds '@'") as at:
        Store("postgresql+psycopg://lmsync@db.school.example:5432/lmsync?password=Tr0ub4dor@horse")
    assert "horse" not in str(at.value) and "Tr0ub4dor" not in str(at.value)
    with pytest.raises(ConfigError, match="not a database URL") as port:
        Store("postgresql+psycopg://lmsync:PSECRET9@127.0.0.1:notaport/lmsync")
    assert "PSECRET9" not in str(port.value)
    free = free_port()
    with pytest.raises(ConfigError, match="invalid connection option") as option:
        Store(f"postgresql+psycopg://lmsync:OSECRET9@127.0.0.1:{free}/lmsync?sslmod=require")
    assert option.value.exit_code == 2 and "OSECRET9" not in str(option.value)


def free_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_round_27_8_a_store_url_is_shown_with_every_password_as_redacted_as_everywhere() -> None:
    from sqlalchemy.engine import make_url

    from lmsync.store.unreachable import shown_url

    shown = shown_url(make_url("postgresql+psycopg://u:S3cret@db:5432/x?sslmode=require&password=Q9"))
    assert shown == "postgresql+psycopg://u:<redacted>@db:5432/x?password=<redacted>&sslmode=require"


def test_round_31_3_a_read_of_a_store_bound_by_a_run_that_wrote_nothing_goes_on_as_the_next_write_would(tmp_path):
    """After a first run with a mistyped course wrote nothing, `lmsync plan` refused the store (and told the
    admin to make a second one) while `lmsync sync` took it over. A read now goes on, and binds nothing."""
    store_file = tmp_path / "p.db"
    _p, typo = config_for(tmp_path, store_file, url=REAL, course="MENTOR-2062")
    open_store(typo).close()
    _p, fixed = config_for(tmp_path, store_file, url=REAL, course="MENTOR-2026", name="fixed.toml")
    reader = open_store(fixed, read_only=True)
    try:
        assert reader.binding() is not None and reader.binding().course == "MENTOR-2062"  # nothing rebound by a read
    finally:
        reader.close()
    writer = open_store(fixed)
    try:
        assert writer.binding().course == "MENTOR-2026"
    finally:
        writer.close()


@pytest.mark.sqlite_only("a store file that does not exist: PostgreSQL has no file to miss")
def test_a_coordinators_view_of_a_mistyped_store_path_warns_that_nothing_is_stored_there(tmp_path, monkeypatch):
    """`[store] path` with a typo read as an empty programme: "the coordinator queue is empty", exit 0, no word
    of the store. The previews say the file is absent (and still create nothing); a plan before the first sync,
    when no store is normal, does not. The views of what a store holds refuse (tester round 77, 6)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    store_file = tmp_path / "typo" / "p.db"
    path, _config = config_for(tmp_path, store_file)

    def absent(*args):
        result = CliRunner().invoke(main, ["--config", str(path), "--log-format", "json", *args])
        assert result.exit_code == 0, result.output
        return [e for e in map(json.loads, result.stderr.splitlines()) if e["event"] == "store.absent"]

    for view in (["health", "--as-of", "2026-12-01"], ["nudge", "--dry-run"], ["grades", "plan"]):  # grades: round 82a, 10
        events = absent(*view)
        assert [e["path"] for e in events] == [str(store_file)], view
        assert "check [store] path" in events[0]["hint"]
    assert not store_file.exists() and not store_file.parent.exists()  # a read still writes nothing
    assert absent("plan") == []
    # queue ack and done can only be refused there: they are, before the store is opened (which made an empty
    # store, after which the views no longer warned: tester round 38, 1)
    for acting in (["queue", "ack", "m0001", "s0008"], ["queue", "done", "m0001", "s0008", "--outcome", "met"],
                   ["queue", "list"], ["meetings", "list"]):
        refused = CliRunner().invoke(main, ["--config", str(path), *acting])
        assert refused.exit_code == EXIT_INPUT, refused.output
        assert f"there is no store at {store_file}" in " ".join(refused.output.split())
        assert not store_file.exists() and not store_file.parent.exists()
