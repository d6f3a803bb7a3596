"""Tester round 87a, 7a: while a mentor's account was suspended, the report said "92% share of mentees matched"
(54 of 59): the 5 missing were in his circle, held as it is, and the plan left no one unmatched. The report now
counts them as matched and says how many are in a circle held while its mentor is away."""

from __future__ import annotations

from datetime import date

from lmsync.service.report import report_job
from tests.flows.test_away_mentor_hold import _circle, _on
from tests.flows.test_away_mentor_hold import synced as synced  # noqa: F401  (fixture)


def test_round_87a_7a_the_mentees_of_a_held_circle_are_not_counted_unmatched(synced, monkeypatch):
    config, site, store, mentor = synced()
    before = dict(report_job(config, as_of=date(2026, 10, 1), site=site).summary.rows)
    members = _circle(site, mentor).members - {mentor}
    site.users[mentor].suspended = True  # the account: the circle is held as it is
    _on(monkeypatch, date(2026, 10, 2))
    after = dict(report_job(config, as_of=date(2026, 10, 2), site=site).summary.rows)
    assert after["pairs"] == before["pairs"] - len(members)  # in no pair while the mentor is away
    assert after["share of mentees matched"] == before["share of mentees matched"]
    assert after["of which in a circle held while its mentor is away"] == len(members)
    assert "of which in a circle held while its mentor is away" not in before
