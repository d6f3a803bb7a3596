"""Tester round 106b, 3 and 6, on the built-in emulator: the run's nudges line after lost answers, and a site in
maintenance mode."""

from __future__ import annotations

import re

import pytest

from lmsync.errors import EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.emulator import protocol
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.exceptions import MOODLE_EXCEPTION, MoodleError
from lmsync.moodle.errors import exception_from_body
from lmsync.service.cycle import run_cycle
from lmsync.service.nudge_send import FUNCTION
from lmsync.service.runtime import session
from tests.flows.conftest import run_in
from tests.flows.test_cycle import AS_OF, NOON, setup, user_id

# --- 106b, 3 ----------------------------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The emulator's demo site, the state under ``tmp_path`` (as test_cycle's ``site_and_coordinators``)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return build_demo_site()


def answers_lost(function: str, when: str) -> str | None:
    """A proxy that forwards each message to Moodle, then answers 504: delivered, the answer lost."""
    return "timeout" if function == FUNCTION and when == "after" else None


def test_round_106b_3_the_runs_nudges_line_says_the_unknown_outcomes_and_the_messages_not_attempted(
        tmp_path, site):
    """With every message's answer lost after delivery, `lmsync run` said "nudges partial 0 message(s) sent about
    0 pair(s); 0 refused" while Moodle held the messages: a coordinator would message those people by hand."""
    config, cases = setup(tmp_path, site)
    coordinators = {user_id(site, c) for c in cases["coordinators"]}
    before = len(site.messages)
    with session(config, site=site, fault=answers_lost) as (conn, store):
        result = run_cycle(conn.api, config, store, site=conn.site if conn.emulated else site, now=NOON, as_of=AS_OF)
    step = result.step("nudges")
    reached = {m["useridto"] for m in site.messages[before:] if m["useridto"] not in coordinators}
    assert step.state == "partial" and step.exit_code == EXIT_PARTIAL, step.summary
    assert reached and step.counts["unknown"] == len(reached) and step.counts["sent"] == 0
    assert (f"; {len(reached)} with an unknown outcome (Moodle's answer was lost): they may have reached their people, "
            "and are not sent again") in step.summary, step.summary
    unsent = step.counts["not_attempted"]
    pair_nudges = len(result.outputs["nudges"].not_attempted)
    assert unsent > 0 and pair_nudges >= unsent
    assert (f"; {unsent} message(s) not attempted ({pair_nudges} pair nudge(s)): stopped after an unknown outcome; "
            "the next run sends them") in step.summary, step.summary
    assert "refused" not in step.summary, step.summary  # none was refused: "0 refused" read as the reason
    # the next run sends just those not attempted; nobody is messaged twice
    with session(config, site=site) as (conn, store):
        again = run_cycle(conn.api, config, store, site=conn.site if conn.emulated else site,
                          now=NOON.replace(hour=14), as_of=AS_OF)
    assert again.step("nudges").state == "ok" and again.step("nudges").counts["sent"] == unsent
    nudged = [m["useridto"] for m in site.messages[before:] if m["useridto"] not in coordinators]
    assert len(nudged) == len(set(nudged)) == len(reached) + unsent


# --- 106b, 6 ----------------------------------------------------------------------------------------------------

#: Moodle's answer to every web-service call while maintenance mode is on (webservice/lib.php, lang/en/admin.php)
MAINTENANCE = ("sitemaintenance", "The site is undergoing maintenance and is currently not available")


@pytest.fixture
def in_maintenance(monkeypatch):
    """The emulator's site in maintenance mode: every call answers Moodle's sitemaintenance exception."""

    def refuse(*_args, **_kw):
        raise MoodleError(MOODLE_EXCEPTION, *MAINTENANCE)

    monkeypatch.setattr(protocol, "_dispatch", refuse)


def fix_of(text: str) -> str:
    return " ".join(text.split("fix:", 1)[1].split()) if "fix:" in text else ""


def test_round_106b_6_moodles_maintenance_answer_says_so_and_that_the_next_run_retries():
    exc = exception_from_body("core_webservice_get_site_info", {
        "exception": "moodle_exception", "errorcode": MAINTENANCE[0], "message": MAINTENANCE[1]})
    assert exc.exit_code == 1 and exc.errorcode == "sitemaintenance"  # a run that meets it is partial: retried
    assert "maintenance mode" in (exc.hint or "") and "debugging" not in (exc.hint or ""), exc.hint
    assert "Site administration > Server > Maintenance mode" in (exc.hint or "")
    other = exception_from_body("f", {"exception": "moodle_exception", "errorcode": "nosuchcode", "message": "x"})
    assert "site debugging" in (other.hint or "")  # any other refusal keeps the general hint


def test_round_106b_6_doctor_and_run_on_a_site_in_maintenance_name_maintenance_mode(demo_home, in_maintenance):
    """Doctor said "fix: Moodle refused the call; site debugging (Developer level) adds the reason as debuginfo."."""
    doctor = run_in(demo_home, "doctor")
    assert doctor.exit_code != EXIT_OK
    line = next(ln for ln in doctor.output.splitlines() if "reachable" in ln)
    assert "[FAIL]" in line and "sitemaintenance" in doctor.output, doctor.output
    fix = fix_of(doctor.output.split(line, 1)[1])
    assert fix.startswith("the Moodle site is in maintenance mode and refused the call, so it changed nothing"), fix
    assert "Site administration > Server > Maintenance mode" in fix and "debugging" not in fix, fix
    run = run_in(demo_home, "run")
    assert run.exit_code == EXIT_PARTIAL, run.output  # the next run retries (exit 1, as before)
    said = " ".join(run.output.split())
    assert re.search(r"maintenance mode and refused the call, so it changed nothing: the next run retries", said), said
    assert "site debugging" not in said, said
