"""Circles of another lmsync programme in the same course (tester finding 4).

lmsync's idnumbers name the programme (``lmsync:<programme>:mentor:<id>``), so a programme whose
``[programme] name`` was changed no longer recognises its own circles: it would create a second
grouping, a second circle per mentor ("Circle: X (2)"), put everyone in two circles and post a
second welcome in each. Two programmes may share a course on purpose, but then their people
differ; so a plan that would put people who are in another programme's circles into this one's is
refused before any write, unless ``[sync] other_programmes`` names that programme (last year's
circles, still in the course: tester round 24, 2) and this store never wrote for it (one it wrote for is
this programme renamed: tester round 118a, 1), or ``[sync] allow_other_programmes`` says any
programme may share people (which also lets a renamed programme through).

Pure: it reads the observation and the planned operations only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from lmsync.domain.operations import AddMember, _Op
from lmsync.domain.ownership import circle_programme
from lmsync.domain.sync_state import Observation, ObservedGroup, PlanSettings, UnsafePlan

SETTING = "allow_other_programmes"

#: How the refusal begins: ``lmsync doctor`` tells it from the plan's other refusals by it (tester round 95b, 7).
REFUSAL = "Refusing this plan: the course holds circles lmsync made for another programme"

#: How a rename's words begin (``renamed_words``): ``lmsync health``, ``nudge`` and ``grades`` tell a refused rename
#: from the plan's other refusals of another programme by it (tester round 118a, 5).
RENAMED = "This store made the circles of programme"


def other_programme_circles(observation: Observation, programme: str) -> dict[str, list[ObservedGroup]]:
    """The circles lmsync made for programmes other than ``programme``, by programme name."""
    found: dict[str, list[ObservedGroup]] = defaultdict(list)
    for group in observation.groups:
        other = circle_programme(group.idnumber)
        if other is not None and other != programme:
            found[other].append(group)
    return dict(found)


def guard_other_programmes(observation: Observation, ops: Sequence[_Op], settings: PlanSettings) -> None:
    """Refuse a plan that puts members of another lmsync programme's circles into this programme's.

    Only people count: another programme's circles whose people this plan leaves alone (two
    programmes with different people in one course) pass. A programme named in
    ``settings.other_programmes`` passes, unless this store wrote for it (``settings.written_programmes``): then
    it is this programme renamed, still refused (tester round 118a, 1). Raises :class:`UnsafePlan` naming each
    other programme, how many of its circles and people overlap, and the fixes.
    """
    if settings.allow_other_programmes:
        return
    guard_case_renamed(observation, settings)
    added = {op.user_id for op in ops if isinstance(op, AddMember)}
    if not added:
        return
    overlaps: list[tuple[int, str, str]] = []
    for other, circles in other_programme_circles(observation, settings.programme).items():
        # named in [sync] other_programmes (round 24, 2), unless it is this store's own: a rename (118a, 1)
        if other in settings.other_programmes and other not in settings.written_programmes:
            continue
        people: set[int] = set().union(*(g.members for g in circles))
        shared = people & added
        if not shared:
            continue
        touched = sum(1 for g in circles if g.members & shared)
        overlaps.append(
            (
                len(shared),
                other,
                f"{len(shared)} of the {len(people)} people in the {len(circles)} circles of programme "
                f"'{other}' (members of {touched} of them)",
            )
        )
    if not overlaps:
        return
    overlaps.sort(key=lambda o: (-o[0], o[1]))
    message = (f"{REFUSAL}, and this plan "
               f"would put {'; and '.join(text for _n, _o, text in overlaps)} into circles of programme "
               f"'{settings.programme}' as well: they would be in two circles, each with its own welcome discussion.")
    renamed = [other for _n, other, _t in overlaps if other in settings.written_programmes]
    if renamed:
        raise UnsafePlan(message + " " + renamed_words(renamed, settings), hint=renamed_hint(renamed, settings))
    names = " or ".join(f"'{other}'" for _n, other, _t in overlaps)
    raise UnsafePlan(
        message,
        hint=(  # the rename advice last and qualified: followed for a live programme it takes over its circles
            f"only if {names} is another programme (last year's, say), not this one under an earlier name, name it "
            f"in this programme's configuration: "
            f"[sync] other_programmes = [{', '.join(json.dumps(o) for _n, o, _t in overlaps)}] "
            f"(any other programme is still refused), or set [sync] {SETTING} = true "
            f"for every programme (each programme's own file says it); if this programme was renamed and "
            f"{names} runs no more, set [programme] name back to {names}"
        ),
    )


def guard_case_renamed(observation: Observation, settings: PlanSettings) -> None:
    """Refuse a plan whose ``[programme] name`` differs only in letter case from a programme this store wrote for
    (``settings.written_programmes``) whose circles are in the course: a rename, whatever the plan adds (tester round
    121b, 2). Moodle on MySQL compares ID numbers without regard to case, so the new name's circles collide with the
    old ones': no member was added (the guard above saw no one), and the sync made a second, empty grouping, then
    stopped on a wrong fix, while health named every mentee without a mentor. Raises :class:`UnsafePlan` with the
    rename's words and one fix: the old name back."""
    folded = settings.programme.casefold()
    renamed = sorted(other for other, circles in other_programme_circles(observation, settings.programme).items()
                     if other.casefold() == folded and other in settings.written_programmes and circles)
    if not renamed:
        return
    circles = sum(len(g) for o, g in other_programme_circles(observation, settings.programme).items() if o in renamed)
    names = " or ".join(f"'{other}'" for other in renamed)
    raise UnsafePlan(
        f"{REFUSAL}, {names}, whose name differs from '{settings.programme}' only in letter case: Moodle on MySQL "
        f"compares ID numbers without regard to case, so this plan's grouping and circles would clash with its "
        f"{circles} circles (a second, empty grouping; circles it cannot make; every mentee without a mentor). "
        + renamed_words(renamed, settings),
        hint=(f"set [programme] name back to {names} (letter case included): this store's programme keeps its "
              "circles, records and welcome discussions; a name that differs only in letter case cannot be a "
              "second programme in this course"),
    )


def renamed_words(renamed: Sequence[str], settings: PlanSettings) -> str:
    """Why a programme this store wrote for is refused: it is this programme under an earlier name (118a, 1)."""
    names = " or ".join(f"'{other}'" for other in renamed)
    named = [other for other in renamed if other in settings.other_programmes]
    listed = (f" [sync] other_programmes names {' and '.join(repr(o) for o in named)}, but that lets through only "
              "another programme's circles, never this store's own" if named else "")
    return (f"{RENAMED} {names} (its journal holds that programme's writes), so "
            f"this is that programme with [programme] name changed to '{settings.programme}', not a second "
            f"programme.{listed}{'.' if listed else ''}")


def renamed_hint(renamed: Sequence[str], settings: PlanSettings) -> str:
    """The fixes of a rename: the old name back first; a store of its own only for a second programme (118a, 1)."""
    names = " or ".join(f"'{other}'" for other in renamed)
    return (f"set [programme] name back to {names}: this store's programme keeps its circles, records and welcome "
            f"discussions; only if '{settings.programme}' is really a second programme beside {names} in this course, "
            f"give it a store of its own ([store] path: one programme, one store) and name {names} in its [sync] "
            f"other_programmes, or set [sync] {SETTING} = true (which lets a renamed programme through as well)")
