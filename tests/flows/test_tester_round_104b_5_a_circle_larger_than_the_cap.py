"""Tester round 104b, 5: under ``[nudges] daily_cap`` a circle whose people to nudge (a mentor and their mentees)
outnumbered the whole cap went over two days, cut to the pairs that fitted: its mentor was messaged on both days,
and the first day's "left for tomorrow" counted the mentor's second message.

Such a circle now goes whole on a day that starts with it, over the cap, one message a person about all of their
pairs, and nobody else that day; the nudge's line and the run's counts say how many went over the cap."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from lmsync.cli.health import nudge_text
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import nudges
from lmsync.service.cycle import cycle_job
from lmsync.service.jobs import sync_job
from tests.flows.conftest import demo_config

TODAY = datetime.now(UTC).date()
AS_OF = TODAY + timedelta(days=60)  # every pair of the demo term without a first meeting: all at risk or fading
CAP = 3  # most of the demo's circles have a mentor and three mentees or more: they outnumber the cap
DAYS = 10  # inside [nudges] interval_days (14): nobody is nudged twice about a pair


def _synced(tmp_path, monkeypatch):
    config = demo_config(tmp_path, monkeypatch, more=f"[nudges]\ndaily_cap = {CAP}\n")
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    return config, site


def test_a_circle_larger_than_the_cap_goes_whole_and_its_mentor_is_messaged_once(tmp_path, monkeypatch):
    config, site = _synced(tmp_path, monkeypatch)
    before = len(site.messages)
    reports = [nudges.nudge_job(config, as_of=AS_OF + timedelta(days=d), site=site, allow_mass_nudge=True)
               for d in range(DAYS)]
    told = Counter(m["useridto"] for m in site.messages[before:])
    assert told and set(told.values()) == {1}, told  # nobody twice: before, a circle's mentor on two days
    first = next(r for r in reports if r.cap_over)  # a day that starts with a circle larger than the cap
    mentors = {g[0].recipient_id for g in first.messages if g[0].role == "mentor"}
    assert len(mentors) == 1  # one circle, whole: the mentor's message names every mentee told that day
    (mentor,) = [g for g in first.messages if g[0].role == "mentor"]
    assert {n.mentee_id for n in mentor} == {g[0].recipient_id for g in first.messages} - mentors
    sent = {n.recipient_id for g in first.messages for n in g}
    assert len(sent) == first.people("sent") > CAP and first.cap_over == len(sent) - CAP and first.cap_unused == 0
    assert first.capped == len({n.recipient_id for n in first.planned} - sent)  # people waiting, the mentor not among them
    assert (f"  {first.cap_over} of these message(s) over [nudges] daily_cap = {CAP}: the day's first people, linked "
            "by their pairs (a mentor and their mentees), are more than the whole cap and go together, one message "
            "each, and nobody else today") in nudge_text(first).splitlines()


def test_the_runs_nudge_step_says_how_many_went_over_the_cap(tmp_path, monkeypatch):
    config, site = _synced(tmp_path, monkeypatch)
    noon = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    steps = [cycle_job(config, site=site, now=noon + timedelta(days=d), as_of=AS_OF + timedelta(days=d),
                       allow_mass_nudge=True).step("nudges") for d in range(DAYS)]
    step = next(s for s in steps if s.counts["cap_over"])
    counts = step.counts
    assert counts["sent"] == counts["messages"] > CAP and counts["cap_over"] == counts["sent"] - CAP
    assert counts["cap_unused"] == 0 and counts["capped"] > 0
    assert (f"; {counts['cap_over']} of them over the daily cap (the day's first people, linked by their pairs, are "
            "more than it and go together)") in step.summary, step.summary


def test_a_second_nudge_the_same_day_sends_none_over_the_cap(tmp_path, monkeypatch):
    """Tester round 106a, 4: a second `lmsync nudge` on a day whose first send went over the cap sent nothing, yet
    said "N of these message(s) over [nudges] daily_cap": the first send's excess, as its own."""
    config, site = _synced(tmp_path, monkeypatch)
    for d in range(DAYS):
        day = AS_OF + timedelta(days=d)
        first = nudges.nudge_job(config, as_of=day, site=site, allow_mass_nudge=True)
        if first.cap_over:
            break
    else:
        raise AssertionError("no day went over the cap")
    again = nudges.nudge_job(config, as_of=day, site=site, allow_mass_nudge=True)
    assert again.people("sent") == 0 and again.cap_over == 0
    assert "over [nudges] daily_cap" not in nudge_text(again)
