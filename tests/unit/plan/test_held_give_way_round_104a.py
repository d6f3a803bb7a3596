"""Tester round 104a, 4 and 6: a held place gives way to a pin before an active mentee does, and is not held for a
pair kept apart. Pure rules (``held_give_way``)."""

from __future__ import annotations

from datetime import date

from lmsync.domain.held_give_way import KEPT_APART, apart, to_pins
from lmsync.domain.held_mentees import MemberHolds

DAYS = (date(2026, 10, 2), date(2026, 10, 15))
HOLDS = MemberHolds({("c10", 11): DAYS}, {}, {("c10", 11): 10})


def test_round_104a_4_only_the_places_a_pin_needs_beyond_the_free_ones_give_way():
    words = "their held place went to the pin of Dmitri Kim (s0001) ([matching] pins)"
    assert to_pins(HOLDS, {10: 3}, {10: 2}, {10: ["Dmitri Kim (s0001)"]}) == {("c10", 11): words}
    assert to_pins(HOLDS, {10: 4}, {10: 2}, {10: ["Dmitri Kim (s0001)"]}) == {}, "a free place takes the pin"
    assert to_pins(HOLDS, {10: 3}, {10: 3}, {10: ["Dmitri Kim (s0001)"]}) == {}, "full of active mentees: as without"
    assert to_pins(HOLDS, {10: 0}, {10: 0}, {10: ["Dmitri Kim (s0001)"]}) == {}, "capacity 0: the pin waits"
    assert to_pins(HOLDS, {10: 3}, {10: 2}, {}) == {}


def test_round_104a_6_a_pair_kept_apart_holds_no_place():
    assert apart(HOLDS, {(10, 11)}) == {("c10", 11): KEPT_APART}
    assert apart(HOLDS, {(10, 12)}) == {}
    gone = HOLDS.without(apart(HOLDS, {(10, 11)}))
    assert not gone.kept and gone.ended == {("c10", 11): KEPT_APART} and gone.away == {11}
