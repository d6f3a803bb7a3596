"""The names lmsync gives its circles and its grouping in the course, and what it says when another group or
grouping holds one (planned by :func:`lmsync.domain.plan.plan_sync`).

Moodle refuses a second group or grouping of one name in a course with a reason-less ``invalidparameter``
(trap 4; ``core_group_create_groups`` / ``update_groups`` compare the name untrimmed, the emulator likewise),
so a NEW circle, or one lmsync must rename back, whose name is taken takes a `` (2)``, `` (3)``... suffix. An
EXISTING circle keeps the name it has: a group lmsync did not make that copies it (a teacher's, or one Moodle
on MySQL took for the same in other letter cases) is said in a warning, never dodged by renaming lmsync's own
circle, which its members would see (tester round 105a, 9b: "Circle: Ifeoma Nguyen" became "... (2)"). A
circle that took a suffix because another group held its name is said with that group, and gets its plain name
back once no group holds it (tester round 107a, 8: it stayed "(2)" for good, the holder never named).
Pure: names come in as Moodle shows them (``PlanSettings.displayed``, trap 39).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lmsync.domain.ownership import grouping_idnumber, mentor_group_idnumber, mentor_of_idnumber
from lmsync.domain.seen_names import quoted_seen
from lmsync.domain.sync_state import DesiredCircle, Observation, ObservedGroup, PlanSettings
from lmsync.visible import quoted


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (0: no limit), ending in ``...`` when cut."""
    text = text.strip()
    if not limit or len(text) <= limit:
        return text
    return text[: max(1, limit - 3)].rstrip() + "..."


def with_suffix(base: str, n: int, limit: int) -> str:
    """``base (n)``, the base shortened when the whole would pass Moodle's column (``limit``, 0: none)."""
    suffix = f" ({n})"
    if limit and len(base) + len(suffix) > limit:
        base = shorten(base, limit - len(suffix))
    return base + suffix


def suffix_of(name: str) -> int | None:
    """``n`` of a name ending in `` (n)``, else None."""
    if name.endswith(")") and " (" in name:
        _head, _, tail = name.rpartition(" (")
        if tail[:-1].isdigit():
            return int(tail[:-1])
    return None


def unique_names(
    circles: Iterable[DesiredCircle],
    settings: PlanSettings,
    observation: Observation,
    owned: Mapping[str, ObservedGroup],
    base_names: Mapping[str, str],
    warnings: list[str],
) -> dict[str, str]:
    """Group names (as sent) per circle idnumber: an existing circle named as lmsync named it (its base name,
    with the suffix it already has) keeps that name, whoever else holds it; the others avoid the names of
    every group in the course, lmsync's kept ones first, with a numeric suffix. ``owned``: the programme's
    circles by ID number (``plan.owned_groups``); ``base_names``: circle ID number -> the name from the
    template. A kept circle with a suffix gets its base name back when no other group holds it (compared
    letter case aside: Moodle on MySQL would refuse it), so it never stays "(2)" for a name since freed, and
    never flaps: a circle named as the base is kept whoever copies it later (tester round 107a, 8). Appends to
    ``warnings`` one line per kept circle whose name a group lmsync did not make also holds, and one per existing
    circle renamed with a suffix because a group that is no circle holds its base name, naming that group.
    Raises nothing. Clashes are judged on the displayed form, stripped: at worst a suffix too many.
    """
    shown = settings.displayed
    circles = sorted(circles, key=lambda c: c.mentor_id)
    owned_ids = {g.id for g in observation.groups if mentor_of_idnumber(settings.programme, g.idnumber) is not None}
    foreign = [g for g in observation.groups if g.id not in owned_ids]
    names: dict[str, str] = {}
    for circle in circles:  # kept first, so no new circle takes a name an existing one has (round 105a, 9b)
        idnumber = mentor_group_idnumber(settings.programme, circle.mentor_id)
        current, base = owned.get(idnumber), base_names[idnumber]
        if current is not None:
            suffix = suffix_of(current.name)
            kept = base if suffix is None else f"{base} ({suffix})"
            if shown(kept) == current.name:
                names[idnumber] = kept
    held = ({shown(name).strip().casefold() for name in names.values()}  # every group's name, lmsync's kept too
            | {g.name.strip().casefold() for g in observation.groups})
    for idnumber, name in sorted(names.items()):  # a suffix whose base name is free again (tester round 107a, 8)
        base = base_names[idnumber]
        if name != base and shown(base).strip().casefold() not in held:
            names[idnumber] = base
            held.add(shown(base).strip().casefold())
    taken = {g.name.strip() for g in foreign} | {shown(name).strip() for name in names.values()}
    for circle in circles:
        idnumber = mentor_group_idnumber(settings.programme, circle.mentor_id)
        if idnumber in names:
            warnings.extend(_copied(owned[idnumber], idnumber, foreign))
            continue
        base = base_names[idnumber]
        name, n = base, 2
        while shown(name).strip() in taken:
            name, n = with_suffix(base, n, settings.group_name_max), n + 1
        taken.add(shown(name).strip())
        names[idnumber] = name
        if idnumber in owned:  # a circle renamed back, with a suffix (a new one's is said where it is made)
            warnings.extend(_suffixed(idnumber, name, base, shown(base).strip(), foreign))
    return names


def _suffixed(idnumber: str, name: str, base: str, shown: str, foreign: Iterable[ObservedGroup]) -> list[str]:
    """The warning of a circle named ``name`` (a suffix) because groups that are no circle hold its ``base`` name
    (``shown``: as Moodle shows it), naming them by name and Moodle id ([] when none does: another circle of the
    same name holds it). Source: tester round 107a, 8."""
    holders = [g for g in foreign if g.name.strip() == shown]
    if name == base or not holders:
        return []
    who = ", ".join(f"{quoted_seen(g.name)} (Moodle id {g.id})" for g in holders)
    return [f"circle [{idnumber}] is named {quoted(name)}: the name {quoted(base)} is held by group {who}, which is "
            f"not one of lmsync's circles and is left as it is; once that group is renamed in Moodle, the next sync "
            f"names the circle {quoted(base)}"]


def _copied(circle: ObservedGroup, idnumber: str, foreign: Iterable[ObservedGroup]) -> list[str]:
    """The warning of the groups lmsync did not make whose name is ``circle``'s ([] when none)."""
    copies = [g for g in foreign if g.name.strip() == circle.name.strip()]
    if not copies:
        return []
    ids = ", ".join(str(g.id) for g in copies)
    return [f"circle {quoted_seen(circle.name)} [{idnumber}]: {len(copies)} group(s) lmsync did not make have the same "
            f"name (Moodle id {ids}); lmsync keeps its circle's name, which its members know it by, and leaves "
            "the other group as it is: rename the other one in Moodle (Groups > Edit group settings) so that "
            "nobody mistakes one for the other"]


def grouping_name(settings: PlanSettings, observation: Observation, warnings: list[str]) -> str:
    """lmsync's grouping name: ``[programme] grouping_name``, or ``name (2)``, ``(3)``... while a grouping
    lmsync did not make holds it (Moodle refuses a second grouping of one name with a reason-less
    ``invalidparameter``, as it does groups, trap 4: tester round 17, 1, every sync failed for good).
    Compared case-blind and as raw and displayed alike: at worst a suffix too many. A suffixed name
    already in use is kept while the plain one is still taken; the clash is said in ``warnings``, with
    what to do when that grouping is lmsync's own whose ID number was changed and this store cannot
    prove it made it (``renumbered_grouping``; tester round 105a, 4). The configured name, no warning, while a grouping
    lmsync cannot prove is its own holds its ID number (``grouping_proof``): no grouping is planned then, and the
    warning named a "(2)" that was never made (tester round 118a, 2)."""
    base = settings.grouping_name.strip()
    if observation.grouping_id is None and observation.grouping_held:  # none is planned, so none is named (118a, 2)
        return base
    taken = {form.strip().casefold() for name in observation.other_grouping_names
             for form in (name, settings.displayed(name))}
    if base.casefold() not in taken:
        return base
    current = (observation.grouping_name or "").strip()
    if suffix_of(current) is not None and current.rpartition(" (")[0] == base and current.casefold() not in taken:
        return current
    name, n = base, 2
    while name.casefold() in taken:
        name, n = with_suffix(base, n, 0), n + 1
    hint = "" if observation.grouping_id is not None else (
        " (this store has no record of making that one; if lmsync made it and its ID number was changed in Moodle, "
        f"set its ID number back to {grouping_idnumber(settings.programme)} in Moodle before the next sync)")
    warnings.append(f'a grouping named "{base}" that lmsync did not make is in the course: lmsync\'s is named "{name}"{hint}')
    return name
