"""The run's digest line after Moodle's answers were lost (a fault left beside tester round 106b, 3's fix of the
nudges line): it said "0 digest(s) sent, 0 already sent today; 1 refused" while Moodle held that digest, and said
nothing of the digest the sending stopped before. It says them apart, as the nudges line does."""

from __future__ import annotations

import pytest

from lmsync.errors import EXIT_PARTIAL
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.cycle import run_cycle
from lmsync.service.nudge_send import FUNCTION
from lmsync.service.runtime import session
from tests.flows.test_cycle import AS_OF, NOON, setup, user_id


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return build_demo_site()


def answers_lost(function: str, when: str) -> str | None:
    """A proxy that forwards each message to Moodle, then answers 504: delivered, the answer lost."""
    return "timeout" if function == FUNCTION and when == "after" else None


def test_the_runs_digest_line_says_lost_answers_and_digests_not_attempted_apart_from_refusals(tmp_path, site):
    config, cases = setup(tmp_path, site, "[moodle]\nmax_parallel = 1\n")  # one digest at a time: the second waits
    coordinators = {user_id(site, c) for c in cases["coordinators"]}
    before = len(site.messages)
    with session(config, site=site, fault=answers_lost) as (conn, store):
        result = run_cycle(conn.api, config, store, site=conn.site if conn.emulated else site, now=NOON, as_of=AS_OF)
    step = result.step("digest")
    reached = [m["useridto"] for m in site.messages[before:] if m["useridto"] in coordinators]
    assert step.state == "partial" and step.exit_code == EXIT_PARTIAL, step.summary
    assert len(reached) == 1 and (step.counts["unknown"], step.counts["not_attempted"], step.counts["failed"]) == (1, 1, 0)
    assert step.summary == ("0 digest(s) sent, 0 already sent today; 1 with an unknown outcome (Moodle's answer was "
                            "lost): they may have reached their people, and are not sent again; 1 digest(s) not "
                            "attempted: stopped after an unknown outcome; the next run sends them"), step.summary
    # the next run sends the one not attempted, and not the one Moodle may hold
    with session(config, site=site) as (conn, store):
        again = run_cycle(conn.api, config, store, site=conn.site if conn.emulated else site,
                          now=NOON.replace(hour=14), as_of=AS_OF)
    assert again.step("digest").state == "ok", again.step("digest").summary
    assert (again.step("digest").counts["sent"], again.step("digest").counts["already"]) == (1, 1)
    told = [m["useridto"] for m in site.messages[before:] if m["useridto"] in coordinators]
    assert sorted(told) == sorted(coordinators)
