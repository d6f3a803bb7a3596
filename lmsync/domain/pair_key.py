"""A mentoring pair's identity: the two people, by Moodle user id.

The records of a pair (its history, its health, ...) start with these two fields; they take
them from ``PairKey`` rather than declaring them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PairKey:
    """A mentoring pair: ``mentor_id`` and ``mentee_id`` are Moodle user ids."""

    mentor_id: int
    mentee_id: int


def pair_maps(pairs: Iterable[tuple[int, int]]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(mentees of each mentor, mentors of each mentee) from (mentor, mentee) pairs."""
    mentees_of: dict[int, set[int]] = defaultdict(set)
    mentors_of: dict[int, set[int]] = defaultdict(set)
    for mentor, mentee in pairs:
        mentees_of[mentor].add(mentee)
        mentors_of[mentee].add(mentor)
    return mentees_of, mentors_of
