"""Tester round 113, 4: `lmsync queue ack` on an item whose pair is on hold said "record what was done with `lmsync
queue done ...`", which then refused every outcome until they were back. It now says the pair is on hold, until
when, and that `queue done` takes its outcome once they are back."""

from __future__ import annotations

import re
from datetime import date

from tests.flows.test_tester_round_111a_1_acknowledged_item_of_an_ended_pair import _run
from tests.flows.test_tester_round_111a_1_acknowledged_item_of_an_ended_pair import acked as acked  # noqa: F401


def test_round_113_4_acknowledging_an_item_on_hold_says_so_not_to_record_an_outcome(acked, monkeypatch):  # noqa: F811
    _run(monkeypatch, date(2027, 2, 16), "health", hour=11)  # m0005 away: their circle's items on hold
    listing = _run(monkeypatch, date(2027, 2, 16), "queue", "list", hour=12)
    held = [line for line in listing.splitlines() if line.startswith("Camille Okafor (m0005) / ")
            and "(s0013)" not in line]
    mentee = re.search(r"/ [^(]*\((s\d+)\)", held[0]).group(1)  # type: ignore[union-attr]
    said = " ".join(_run(monkeypatch, date(2027, 2, 16), "queue", "ack", "m0005", mentee, hour=13).split())
    assert ("the pair is on hold (the mentor has been away since 2027-02-16; their circle is held as it is until "
            "2027-03-01") in said, said
    assert "`lmsync queue done` takes its outcome once they are back" in said, said
    assert "record what was done" not in said, said
    other = next(line for line in listing.splitlines() if "(m0005)" not in line and " / " in line)
    mentor, mentee = re.findall(r"\((\w+)\)", other)[:2]
    assert "record what was done with `lmsync queue done" in _run(monkeypatch, date(2027, 2, 16), "queue", "ack",
                                                                     mentor, mentee, hour=13)
