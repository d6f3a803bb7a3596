"""A mentoring pair's identity: the two people, by Moodle user id.

The records of a pair (its history, its health, ...) start with these two fields; they take
them from ``PairKey`` rather than declaring them again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PairKey:
    """A mentoring pair: ``mentor_id`` and ``mentee_id`` are Moodle user ids."""

    mentor_id: int
    mentee_id: int
