"""Tester round 112b, 8: an instrument's Feedback answer lmsync cannot use was said as ``item hours is not usable``.

Free text where the instrument takes a number: the feedback line of ``lmsync run`` (and ``lmsync grades push``)
named the response, but neither the Feedback question (its label in Moodle) nor what was wrong with the answer nor
what the item takes, so the admin could not find and fix it. The answer itself stays out of the line, on the console
as in the log (README: "Logs carry counts and ids, not names or answers"; the daemon's console is its journal, and a
mentee's answer about their mentor is withheld from every view): the line now names the question by its label, the
instrument's item, the kind of value the answer is not, and what the item takes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lmsync.errors import EXIT_PARTIAL
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service.cycle import cycle_job
from tests.flows.conftest import demo_config

TODAY = datetime.now(UTC).date()
TYPED = "about three, maybe four"


def noon(day_offset: int) -> datetime:
    return datetime.combine(TODAY + timedelta(days=day_offset), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def test_round_112b_8_an_unusable_answer_names_its_question_and_what_it_takes(tmp_path, monkeypatch):
    # the check-in's "hours" item read from the Feedback question labelled "comments": a free-text question
    config = demo_config(tmp_path, monkeypatch, 'timezone = "Europe/London"\n',
                         '[instruments.checkin]\nitems = ["satisfaction", "hours"]\nscale_min = 1\nscale_max = 5\n'
                         'na_values = ["NA"]\nfeedback = "Relationship check-in"\n'
                         '[instruments.checkin.feedback_items]\nhours = "comments"\n')
    site = build_demo_site()
    checkin = next(f for f in site.feedbacks.values() if f.name == "Relationship check-in")
    comments = next(i.id for i in checkin.items if i.label == "comments")
    for response in checkin.completeds:
        response.values[comments] = ""  # no answer: nothing to say
    typed = checkin.completeds[0]
    typed.values[comments] = TYPED
    user = site.users[typed.userid]

    result = cycle_job(config, site=site, now=noon(0), as_of=TODAY, allow_mass_nudge=True, steps=("sync", "feedback"))
    said = result.step("feedback")
    assert (said.state, said.exit_code) == ("partial", EXIT_PARTIAL), said.summary
    assert (f"checkin, {user.firstname} {user.lastname} ({user.username})'s response (attempt {typed.id}): question "
            "labelled comments (item hours): the answer (not shown) is not a number; the item takes a whole number "
            "from 1 to 5, a declared N/A value (na) or no answer") in said.summary, said.summary
    assert "not usable" not in said.summary
    assert TYPED not in said.summary and TYPED not in said.logged  # the answer: neither on the console nor logged
    assert f"user #{typed.userid}'s response (attempt {typed.id}): question labelled comments" in said.logged
