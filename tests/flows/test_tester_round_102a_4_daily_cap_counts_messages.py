"""Tester round 102a, 4: under ``[nudges] daily_cap = 10`` a nudge said "6 message(s) to 6 people about 5 pair(s)"
and "34 message(s) left for tomorrow", read as a mentor's one message about five mentees taking five of the cap.

The cap counts messages, one a person however many pairs it covers, and so does "left for tomorrow"; a day sends
fewer than the cap when the next people, linked by their pairs (a pair's two people are told the same day), do not
fit in what is left. The nudge's line, its log and the run's counts now say so: ``cap_unused``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lmsync.cli.health import nudge_text
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.service import nudges
from lmsync.service.cycle import cycle_job
from lmsync.service.jobs import sync_job
from tests.flows.conftest import demo_config

TODAY = datetime.now(UTC).date()
AS_OF = TODAY + timedelta(days=60)  # every pair of the demo term without a first meeting: all at risk or fading
CAP = 10


def _synced(tmp_path, monkeypatch):
    config = demo_config(tmp_path, monkeypatch, more=f"[nudges]\ndaily_cap = {CAP}\n")
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    return config, site


def test_the_daily_cap_counts_messages_and_says_what_it_left_unused(tmp_path, monkeypatch):
    config, site = _synced(tmp_path, monkeypatch)
    before = len(site.messages)
    report = nudges.nudge_job(config, as_of=AS_OF, site=site, allow_mass_nudge=True)
    sent = site.messages[before:]
    people = {n.recipient_id for g in report.messages for n in g}
    # one Moodle message a person, however many pairs it covers: that is what the cap counts
    assert len(sent) == len(report.messages) == len(people) == report.people("sent") <= CAP
    assert any(len(g) > 1 for g in report.messages)  # a mentor's message about several mentees counts once
    waiting = {n.recipient_id for n in report.planned} - people
    assert report.capped == len(waiting) > 0  # "left for tomorrow": people (messages), not pair nudges
    assert report.cap_unused == CAP - len(sent) > 0 and report.daily_cap == CAP
    line = next(x for x in nudge_text(report).splitlines() if "left for tomorrow by [nudges]" in x)
    assert line == (f"  {report.capped} message(s) left for tomorrow by [nudges] daily_cap = {CAP} (one message a "
                    f"person, however many pairs it covers); {CAP - len(sent)} of the day's {CAP} unused: the next "
                    "people are linked by their pairs, whose two people are told the same day, and do not fit in them "
                    "together")


def test_the_runs_nudge_step_counts_the_unused_cap(tmp_path, monkeypatch):
    config, site = _synced(tmp_path, monkeypatch)
    noon = datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    step = cycle_job(config, site=site, now=noon, as_of=AS_OF, allow_mass_nudge=True).step("nudges")
    counts = step.counts
    assert counts["sent"] == counts["messages"] <= CAP and counts["capped"] > 0
    assert counts["cap_unused"] == CAP - counts["sent"] > 0
    assert (f"{counts['capped']} more message(s) left for tomorrow (daily cap, {counts['cap_unused']} of it unused: "
            "the next people, linked by their pairs, go together)") in step.summary, step.summary
