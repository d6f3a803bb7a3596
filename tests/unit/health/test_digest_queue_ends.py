"""Tester round 118b, 3: the digest part on a coordinator's queue items an erasure removed (``digest_queue_ends``).

Told once, to the coordinator who followed them (their owner, or whom they escalated to), after their last digest sent
(the erasure's journal mark at or after that digest's entry); never sent one, those of today and yesterday. One line
per day of an erasure, counts only: how many, how many of them acknowledged, never whose."""

from __future__ import annotations

from datetime import date

from lmsync.service.digest_erasures import ErasuresTold
from lmsync.service.digest_hold_ends import HoldEndsTold
from lmsync.service.digest_queue_ends import HEAD, QueueEndsTold
from lmsync.store.hold_ends import HoldEnd
from lmsync.store.queue_ends import QueueEnd

TODAY = date(2027, 2, 13)
OLD, RECENT, LATER = QueueEnd(date(2027, 1, 2), 1, 0, 10), QueueEnd(date(2027, 2, 12), 1, 1, 40), QueueEnd(
    date(2027, 2, 12), 2, 1, 41)


def test_round_118b_3_each_coordinator_is_told_of_their_items_removed_after_their_last_digest_only() -> None:
    told = QueueEndsTold({"a": [OLD, RECENT, LATER], "c": [OLD, RECENT]}, {1: 40, 2: 42, 3: 5}, TODAY)
    assert told.ends_for("a", 1) == [RECENT, LATER]  # their last digest's entry is the erasure's mark: sent before it
    assert told.ends_for("A ", 1) == [RECENT, LATER]  # a username as the configuration spells it
    assert told.ends_for("a", 2) == [] and told.text("a", 2) == ""  # sent after both
    assert told.ends_for("c", 4) == [RECENT]  # never sent one: today's and yesterday's only
    assert told.ends_for("b", 1) == [] and told.items("b", 1) == 0 and told.text("b", 1) == ""  # followed none
    assert told.items("a", 1) == 3


def test_round_118b_3_the_words_count_by_day_and_name_no_one() -> None:
    told = QueueEndsTold({"a": [OLD, RECENT, LATER]}, {1: 5}, TODAY)
    text = told.text("a", 1)
    assert text.startswith(f"\n\n{HEAD} (4; `lmsync person erase` took them"), text
    assert "lmsync keeps nothing about them" in text
    assert text.splitlines()[3:] == [
        "- 1 queue item you were following (open) was removed by an erasure on 2027-01-02",
        "- 3 queue items you were following (2 acknowledged, 1 open) were removed by an erasure on 2027-02-12",
    ]
    one = QueueEndsTold({"a": [RECENT]}, {1: 5}, TODAY).text("a", 1)
    assert one.endswith("\n- 1 queue item you were following (acknowledged) was removed by an erasure on 2027-02-12")


def test_round_118b_3_the_digests_erasure_parts_come_together_with_their_counts() -> None:
    holds = HoldEndsTold([HoldEnd(date(2027, 2, 12), 6, 40)], {1: 40}, frozenset({"a"}), TODAY)
    told = ErasuresTold(holds, QueueEndsTold({"a": [RECENT, LATER]}, {1: 40}, TODAY))
    assert told.counts("a", 1) == (1, 3)
    text = told.text("a", 1)
    assert text == holds.text("a", 1) + told.items.text("a", 1) and text.index("Holds ended") < text.index(HEAD)
    assert told.counts("z", 9) == (0, 0) and told.text("z", 9) == ""
