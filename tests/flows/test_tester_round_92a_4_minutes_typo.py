"""Tester round 92a, 4: ``lmsync meetings add --minutes 900`` (a typo for 90) was stored without a word, and every
``lmsync run`` after it ended its grades step "2 not sent, outside their grade item's range", exit 2, an admin's
problem, until the coordinator found and corrected the meeting. ``[meetings] max_minutes`` (the mean-minutes grade
item's maximum) is known when the meeting is typed: the add refuses it there, and stores nothing."""

from __future__ import annotations

from typing import Any

from lmsync.config import load_config
from lmsync.errors import EXIT_INPUT
from lmsync.service.programme_settings import programme_today
from tests.flows.conftest import mentee_of, run_in


def test_a_meeting_longer_than_max_minutes_is_refused_by_meetings_add(demo_home: Any) -> None:
    assert run_in(demo_home, "sync").exit_code == 0
    mentee = mentee_of(demo_home, "m0001")
    today = programme_today(load_config(demo_home / "lmsync.toml", environ={})).isoformat()
    typo = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", "m0001", "--mentee", mentee,
                  "--minutes", "900")
    assert typo.exit_code == EXIT_INPUT, typo.output
    assert "--minutes: 900 is longer than [meetings] max_minutes (240)" in typo.output
    assert "nothing was stored" in typo.output and "raise max_minutes in lmsync.toml" in typo.output
    listed = run_in(demo_home, "meetings", "list")
    assert listed.exit_code == 0 and mentee not in listed.output, listed.output  # nothing stored

    at_the_maximum = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", "m0001", "--mentee", mentee,
                            "--minutes", "240")
    assert at_the_maximum.exit_code == 0 and at_the_maximum.output.startswith("added:"), at_the_maximum.output

    toml = demo_home / "lmsync.toml"  # real long meetings: the maximum raised first, then they are stored
    toml.write_text(toml.read_text() + "\n[meetings]\nmax_minutes = 960\n")
    other = mentee_of(demo_home, "m0002")
    long_day = run_in(demo_home, "meetings", "add", "--date", today, "--mentor", "m0002", "--mentee", other,
                      "--minutes", "900")
    assert long_day.exit_code == 0, long_day.output
