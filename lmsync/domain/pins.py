"""Which ``[matching]`` pins can hold, and how a pin that waits is said.

Part of matching (``lmsync.domain.matching``): a pin that names no mentor or no mentee, the
same person, a forbidden pair or a mentee pinned twice in one circle is the coordinator's to
correct, and every such pin is named at once (tester round 50, 13: only the first was, one
edit and re-run each). A pin to a mentor with no room left is none of these: the mentor set
their capacity to 0, or below their pins, in their own profile, and the pin waits for room
(tester round 50, 2 and second pass, 4: it stopped every sync of the programme).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from lmsync.domain.unmatched import CircleKind, Forbidden

#: One circle as pins see it: its kind and its mentors' capacities (mentor id -> places, 0: opted out).
PinCircle = tuple[CircleKind, Mapping[str, int]]


def pin_problems(mentee_ids: Collection[str], circles: Sequence[PinCircle], forbidden: Forbidden,
                 pins: Sequence[tuple[str, str]]) -> list[str]:
    """Every pin (``(mentee, mentor)`` by matching id) that cannot hold, in words, in the pins' order per
    check (empty: all can). Written the wrong way round, the likeliest typo, is named. A pin to a mentor
    whose capacity is 0 is not counted against their capacity: it waits (``pin_waits``)."""
    mentor_ids = {mentor for _, capacity in circles for mentor in capacity}
    problems: list[str] = []
    for mentee_id, mentor_id in pins:
        if mentor_id not in mentor_ids:
            # refused as every other pin that cannot hold (a warning cron never reads; tester round 40b, 7)
            backwards = " (a pin is [mentee, mentor]: written the wrong way round?)" if mentee_id in mentor_ids else ""
            problems.append(f"pin {mentee_id} -> {mentor_id}: {mentor_id} is not a mentor{backwards}")
    for kind, capacity in circles:
        label = "peer mentor" if kind == "peer" else "mentor"
        pinned: dict[str, str] = {}
        for mentee_id, mentor_id in pins:
            if mentor_id not in capacity:
                continue  # a pin for the other circle
            if mentee_id not in mentee_ids:
                problems.append(f"pin {mentee_id} -> {mentor_id}: {mentee_id} is not a mentee")
                continue
            if mentee_id in pinned:
                problems.append(f"{mentee_id} is pinned to two {label}s ({pinned[mentee_id]} and {mentor_id})")
            elif mentee_id == mentor_id:
                problems.append(f"pin {mentee_id} -> {mentor_id}: same person")
            elif (mentee_id, mentor_id) in forbidden:
                problems.append(f"pin {mentee_id} -> {mentor_id} contradicts a forbid")
            pinned.setdefault(mentee_id, mentor_id)
    return problems


def pin_waits(mentee_id: str, mentor_id: str, taken_by: Sequence[str] = ()) -> str:
    """A pin to a mentor with no room left, in words: capacity 0 (``taken_by`` empty), or every place
    taken by the pins listed before it (``taken_by``: their mentees, in the order [matching] pins lists
    them). It waits, the mentee is matched as any other meanwhile, and it applies again once the
    mentor has room (tester round 50, 2; second pass, 4: pins beyond a capacity the mentor lowered
    stopped every run of the programme)."""
    why = (f"{mentor_id}'s capacity ({len(taken_by)}) is taken by the pins listed before it ({', '.join(taken_by)})"
           if taken_by else f"{mentor_id} has opted out (capacity 0)")
    return (f"pin {mentee_id} -> {mentor_id} waits: {why}, so {mentee_id} is matched as any other mentee meanwhile; "
            f"the pin applies again once {mentor_id} has room (a capacity of {len(taken_by) + 1} or more; take it out "
            "of [matching] pins if it should not)")
