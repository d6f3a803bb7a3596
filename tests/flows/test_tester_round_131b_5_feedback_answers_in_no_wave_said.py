"""Tester round 131b, 5: survey answers read from a Feedback activity on a day outside every [waves] window were
stored without a word ("5 row(s) stored", exit 0), scored in no wave, so health still said the mentor had not
answered; `lmsync import surveys` says it of the same answers. The run's feedback line now says how many of the
responses it read fall in no wave, with the windows, as the import does."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from lmsync.moodle.emulator import records as R
from lmsync.moodle.emulator.state import Site
from tests.flows.test_new_admin_part2 import env, run_cli, seed  # noqa: F401  (env: the fixture)

CONFIG = """[meetings]
start = 2026-09-01
[waves]
programme_start = 2026-09-01
[waves.windows]
T0 = { offset_months = 0 }
T3 = { offset_months = 3 }
[instruments.relationship_satisfaction_mentor]
feedback = "Mentor survey"
feedback_items = { rs1 = "ms_1", rs2 = "ms_2", rs3 = "ms_3", rs4 = "ms_4", rs5 = "ms_5" }
"""


def _survey(site: Site, responses: list[tuple[str, str]]) -> None:
    """A mentor survey of five rated items, answered by (username, day): each answer the second option."""
    cmid = max([f.cmid for f in site.forums.values()] + [f.cmid for f in site.feedbacks.values()]
               + [a.cmid for a in site.assignments.values()]) + 1
    survey = R.Feedback(max(site.feedbacks) + 1, cmid, 2, "Mentor survey", "", 2, [])
    for n in range(1, 6):
        survey.items.append(R.FeedbackItem(900 + n, f"Statement {n}", f"ms_{n}", "multichoicerated",
                                           "r>>>>>5####Strongly agree|4####Agree|3####Neutral|2####Disagree|"
                                           "1####Strongly disagree", False, n))
    users = {u.username: uid for uid, u in site.users.items()}
    for number, (who, day) in enumerate(responses, start=1):
        when = calendar.timegm(datetime.date.fromisoformat(day).timetuple()) + 43200
        survey.completeds.append(R.FeedbackCompleted(9000 + number, users[who], when, {900 + n: "2" for n in range(1, 6)}))
    site.feedbacks[survey.id] = survey


def test_the_runs_feedback_line_says_responses_in_no_wave(env: Any) -> None:  # noqa: F811
    config, _site = seed(env, CONFIG)
    assert run_cli(env, "sync").exit_code == 0
    site = Site.load(config.emulator_state_path())
    _survey(site, [("m0004", "2026-10-15"), ("m0002", "2026-11-20")])  # between T0 and T3; inside T3
    site.save(config.emulator_state_path())
    ran = run_cli(env, "run")
    line = next(x for x in ran.output.splitlines() if x.startswith("feedback"))
    assert "10 row(s) stored" in line, line
    assert ("1 response(s) fall in no survey wave: outside every [waves] window (T0 2026-08-18 .. 2026-10-01, "
            "T3 2026-11-17 .. 2026-12-31); they are stored but count in no wave") in line, line
    again = run_cli(env, "run")  # nothing stored anew: not said again
    assert "no survey wave" not in next(x for x in again.output.splitlines() if x.startswith("feedback"))
