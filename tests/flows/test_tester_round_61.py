"""A coordinator's weeks of the unattended cycle (tester round 61), on the emulator.

Each test is named after the finding it covers; the others have theirs beside the code they changed.
"""

from __future__ import annotations

import json
from typing import Any

from lmsync.config import load_config
from lmsync.moodle.emulator.demo import build_demo_site
from tests.flows.conftest import mentee_of, run_in

PROGRAMME = "mentor-2026"  # demo_home's


def test_finding_5_pair_show_says_a_circle_held_while_its_mentor_is_away_is_on_hold_not_ended(demo_home: Any) -> None:
    """tester round 61, 5: with m0012 unenrolled and their circle held (the plan said so), `pair show` said the
    pair "ended"; the coordinator went on importing their meetings as if it had. It says the pair is on hold."""
    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0012")
    assert "on hold" not in run_in(demo_home, "pair", "show", "m0012", mentee).output
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    assert run_in(demo_home, "sync").exit_code == 0  # records the absence; the circle is held
    shown = run_in(demo_home, "pair", "show", "m0012", mentee)
    assert shown.exit_code == 0, shown.output
    assert "(on hold: the mentor has been away since " in shown.output and "ended" not in shown.output, shown.output
    assert "their circle is held as it is until " in shown.output
    data = json.loads(run_in(demo_home, "pair", "show", "m0012", mentee, "--format", "json").output)
    assert set(data["on_hold"]) == {"mentor_away_since", "held_until"}


def test_finding_5_the_digest_tells_of_a_circle_held_and_of_its_hold_ending_once_each(tmp_path, monkeypatch) -> None:
    """tester round 61, 5: a mentor away for weeks, their circle held and then its mentees moved, reached no
    digest: the coordinator went on importing meetings with the old mentor. Each coordinator's next digest tells
    of the hold, once; and of its end, once."""
    from datetime import timedelta

    from lmsync.service.cycle import cycle_job
    from lmsync.service.emulator_edit import unenrol
    from tests.flows.test_cycle import AS_OF, at, setup

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    site = build_demo_site()
    config, cases = setup(tmp_path, site)
    coordinators = {u.id for u in site.users.values() if u.username in cases["coordinators"]}
    assert cycle_job(config, site=site, now=at(0), as_of=AS_OF).step("digest").state == "ok"
    busy = {m for m, _ in cases["two"]} | {cases["lapsed"][0]}
    away = next(m for m, _ in cases["healthy"] if m not in busy)
    course = next(c for c in site.courses.values() if away in c.enrolments)
    unenrol(site, course, away)

    from lmsync.service import away_mentors

    def digests(offset: int) -> list[str]:
        before = len(site.messages)
        # the sync dates an absence by the programme's today: the day this run stands for
        monkeypatch.setattr(away_mentors, "programme_today", lambda _config: AS_OF + timedelta(days=offset))
        cycle_job(config, site=site, now=at(offset), as_of=AS_OF + timedelta(days=offset))
        return [m["text"] for m in site.messages[before:] if m["useridto"] in coordinators]

    label = f"({site.users[away].username}): away since {AS_OF + timedelta(days=1)}"
    held = digests(1)
    assert len(held) == 2 and all("Circles held while their mentor is away (1;" in t and label in t for t in held), held
    assert not any("Circles held" in t for t in digests(2))  # told once
    ended = digests(1 + config.sync.away_mentor_hold_days)
    assert ended and all("Holds ended (1;" in t and label in t for t in ended), ended
    assert not any("Holds ended" in t for t in digests(2 + config.sync.away_mentor_hold_days))


def test_round_63_1_a_run_whose_sync_plan_is_refused_acts_on_nothing_else(demo_home: Any, monkeypatch) -> None:
    """tester round 63, 1: with [programme] name mistyped, the sync was refused ("would put ... people into circles
    of programme ...") but health stored snapshots of the wrong programme and the report was overwritten with an
    empty one. Every step after a refused sync is skipped, saying why."""
    import shutil

    from lmsync.store.db import Store
    from lmsync.store.snapshots import HealthSnapshots

    report = demo_home / "out" / "report.html"
    report.parent.mkdir()  # no run makes it (tester round 77, 3)
    monkeypatch.setenv("LMSYNC_REPORT_PATH", str(report))
    monkeypatch.setenv("LMSYNC_STORE_PATH", str(demo_home / "shared.db"))  # one store for both names, as the tester's
    first = run_in(demo_home, "run", "--allow-mass-nudge")
    assert report.exists(), first.output
    written = report.read_bytes()
    config = load_config(demo_home / "lmsync.toml")  # with the environment's store
    monkeypatch.setenv("LMSYNC_PROGRAMME_NAME", "mentor-2026b")
    wrong = load_config(demo_home / "lmsync.toml")
    shutil.copy(config.emulator_state_path(), wrong.emulator_state_path())  # the same site, the wrong name
    result = run_in(demo_home, "run")
    assert result.exit_code == 2, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and line.split()[0] in
             ("sync", "feedback", "grades", "health", "nudges", "digest", "report")}
    assert "failed" in lines["sync"], result.output
    for step in ("feedback", "grades", "health", "nudges", "digest", "report"):
        assert "skipped: the sync's plan was refused (an admin acts first)" in lines[step], result.output
    assert report.read_bytes() == written
    store = Store(wrong.store_path())
    try:
        assert HealthSnapshots(store, "mentor-2026b").first_seen() == {}
        assert HealthSnapshots(store, PROGRAMME).first_seen()  # the right programme's, from the first run
    finally:
        store.close()


def test_round_63_6_pair_show_of_a_mentee_with_two_pairs_names_a_mentor_who_left(demo_home: Any, monkeypatch) -> None:
    """tester round 63, 6: `pair show MENTEE` of a mentee with two pairs listed the mentor who had left as
    "user #74 (not in the course)" while `pair show MENTOR MENTEE` named him: named from the account now."""
    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0012")
    assert run_in(demo_home, "emulator", "edit", "unenrol", "m0012").exit_code == 0
    monkeypatch.setenv("LMSYNC_SYNC_AWAY_MENTOR_HOLD_DAYS", "0")  # re-matched at once: a second pair
    assert run_in(demo_home, "sync").exit_code == 0
    shown = run_in(demo_home, "pair", "show", mentee)
    assert shown.exit_code == 3 and "has 2 pairs in the store" in shown.output, shown.output
    assert "(m0012) / " in shown.output and "user #" not in shown.output, shown.output


def test_round_65_7_the_emulator_keeps_a_new_username_in_lower_case_as_moodle_does(demo_home: Any) -> None:
    """tester round 65, 7: `emulator edit join coordA` kept the capital, and [health] coordinators = ["coordA"] was
    looked up as "coorda" and found by nobody; Moodle keeps usernames in lower case."""
    joined = run_in(demo_home, "emulator", "edit", "join", "coordA", "--role", "teacher")
    assert joined.exit_code == 0 and joined.output.startswith("coorda: new account"), joined.output
    from lmsync.moodle.emulator.state import Site

    site = Site.load(load_config(demo_home / "lmsync.toml", environ={}).emulator_state_path())
    assert "coorda" in {u.username for u in site.users.values()}
    again = run_in(demo_home, "emulator", "edit", "join", "CoordA", "--role", "teacher")
    assert again.exit_code == 3 and "coorda is already enrolled" in again.output


def test_round_67_7_emulator_serve_stopped_by_sigterm_takes_its_serving_marker_away(tmp_path) -> None:
    """tester round 67, 7: `emulator serve --state FILE` stopped by SIGTERM left FILE.serving behind (Ctrl-C did not)."""
    import os
    import signal
    import subprocess
    import sys

    state = tmp_path / "site.json"
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    server = subprocess.Popen([sys.executable, "-m", "lmsync", "emulator", "serve", "--port", "0", "--state", str(state)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert "Moodle emulator at http://" in first, first
        marker = state.with_name(state.name + ".serving")
        assert marker.exists()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert not marker.exists()
    finally:
        if server.poll() is None:
            server.kill()
