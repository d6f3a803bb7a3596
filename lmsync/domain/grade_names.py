"""Grade item names another item of the course already has (tester round 108b, 1).

Moodle accepts two grade items with one name (``grade_item`` checks no name for uniqueness; the
recordings show it does not even check idnumbers: shared/moodle README trap 21), and the gradebook
then shows two columns with one name. lmsync proves an item is its own by the store's record of
its itemnumber, idnumber and Moodle id (:func:`lmsync.domain.grade_items.classify_items`), never by
its name, so the name is free to differ from ``lmsync_<key>``. Names are compared as the gradebook shows them:
``grade_item::get_name`` passes the name through ``format_string`` (tags stripped), and a column heading in
other letter case is the same to a reader, so ``LMSYNC_Attendance`` holds ``lmsync_attendance`` too (tester
round 111b, 8: lmsync made a second, nearly identical column beside it). As for circles (a suffix on a name
clash with a foreign group), an item lmsync is about to create, or whose name it sets back, takes
the first free ``<name>-N`` (N = 2, 3, ...: PARAM_ALPHANUMEXT) when an item lmsync cannot prove is
its own holds the plain name; an item lmsync made under the plain name keeps it (a warning names
the other item); a suffixed item takes the plain name back once no other item holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace

from lmsync.domain.grade_items import GradeItemSpec, ObservedGradeItem, Ownership
from lmsync.visible import quoted

#: every name-clash warning holds this (the run's grades line repeats them: tester round 108b, 1)
NAME_CLASH = "lmsync never touches it"


def clash_warnings(warnings: Iterable[str]) -> list[str]:
    """The name-clash warnings among a grades plan's ``warnings`` (each holds ``NAME_CLASH``), in order: what the run's
    grades line and a push of a saved plan repeat (tester rounds 108b, 1 and 114a, 5: a saved plan's push said none)."""
    return [w for w in warnings if NAME_CLASH in w]
MAX_NAME = 100


def _as_is(name: str) -> str:
    return name


def shown_key(name: str, shown: Callable[[str], str] = _as_is) -> str:
    """``name`` as two gradebook column headings are told apart: ``shown(name)`` (the caller passes Moodle's
    ``format_string``, which strips tags, as ``grade_item::get_name`` shows a name), surrounding white space and
    letter case aside: ``shown_key("LMSYNC_Attendance ") == "lmsync_attendance"`` (tester round 111b, 8)."""
    return shown(name).strip().casefold()


def _ids(ids: Collection[int | None]) -> str:
    shown = sorted("?" if i is None else str(i) for i in ids)
    return f"id{'s' if len(shown) > 1 else ''} {', '.join(shown)}"


def _suffixed(plain: str, n: int) -> str:
    tail = f"-{n}"
    return plain[: MAX_NAME - len(tail)] + tail


def _is_suffixed(name: str | None, plain: str) -> bool:
    """Whether ``name`` is ``plain`` with a suffix lmsync gives (``-2``, ``-3``, ...)."""
    if not name:
        return False
    return any(name == _suffixed(plain, n) for n in range(2, 100))


def name_clashes(
    items: Iterable[GradeItemSpec],
    mine: Mapping[str, ObservedGradeItem],
    others: Mapping[str, Collection[int | None]],
    shown: Callable[[str], str] = _as_is,
) -> tuple[list[GradeItemSpec], dict[str, str]]:
    """``items`` with the names they get beside ``others``, and a warning per metric key whose
    plain name another item holds.

    ``mine``: metric key -> lmsync's own item as read (none when it is still to be created).
    ``others``: item name -> Moodle ids (``None`` when unknown) of the course's grade items lmsync
    cannot prove are its own. Moodle compares no grade item names; two names clash when the gradebook
    shows them alike (:func:`shown_key` with ``shown``, Moodle's ``format_string`` for the caller: letter case
    and tags aside; tester round 111b, 8). Raises nothing.
    Source: tester round 108b, 1.
    """
    specs = list(items)

    def key(name: str) -> str:
        return shown_key(name, shown)

    held: dict[str, tuple[set[str], set[int | None]]] = {}
    for other, ids in others.items():
        names, all_ids = held.setdefault(key(other), (set(), set()))
        names.add(other)
        all_ids.update(ids)
    plain_names = {key(i.itemname) for i in specs}
    given: set[str] = set()
    out: list[GradeItemSpec] = []
    notes: dict[str, str] = {}

    def free(name: str) -> bool:
        return key(name) not in held and key(name) not in given and key(name) not in plain_names

    for item in specs:
        plain = item.itemname
        seen = mine.get(item.key)
        holder_names, holders = held.get(key(plain), (set(), set()))
        if not holders:
            given.add(key(plain))
            out.append(item)
            continue
        where = f"itemnumber {item.itemnumber}"
        alike = [] if plain in holder_names else sorted(holder_names)
        # the other item's name, when only letter case or markup tells it apart (tester round 111b, 8)
        its_name = "the same name" if not alike else (
            f"the name {', '.join(quoted(n) for n in alike)}, the same column heading but for letter case, spaces around "
            "it or markup")
        if seen is not None and seen.itemname == plain:
            given.add(key(plain))
            out.append(item)
            notes[item.key] = (
                f"{plain}: lmsync's grade item ({where}, id {seen.id if seen.id is not None else '?'}) and a grade item "
                f"lmsync did not make ({_ids(holders)}: a teacher's or another tool's; {NAME_CLASH}) have "
                f"{its_name}, so the gradebook shows two columns with one name; lmsync keeps its item's name, as its "
                "grades were published under it: rename the other item in Gradebook setup > Edit grade item"
            )
            continue
        current = seen.itemname if seen is not None else None
        if current is not None and _is_suffixed(current, plain) and free(current):
            name = current
        else:
            name = next(candidate for candidate in (_suffixed(plain, n) for n in range(2, 10_000)) if free(candidate))
        given.add(key(name))
        out.append(replace(item, itemname=name))
        made = "is named" if seen is not None else "is created as"
        has = "has this name" if not alike else f"has {its_name}"
        notes[item.key] = (
            f"{plain}: a grade item lmsync did not make ({_ids(holders)}: a teacher's or another tool's; {NAME_CLASH}) "
            f"{has}, so lmsync's item ({where}) {made} {name}, not a second column of that name; it "
            f"takes the name {plain} once no other item has it (rename the other item in Gradebook setup "
            "> Edit grade item)"
        )
    return out, notes


def other_names(
    ownership: Ownership, foreign: Mapping[str, Collection[int | None]]
) -> dict[str, set[int | None]]:
    """Item name -> Moodle ids of the grade items lmsync cannot prove are its own: ``foreign`` (every item off
    lmsync's itemnumber range or activity, as read) and the taken items in the range, but not an item carrying
    lmsync's idnumber for a metric (a copy, or another store's item: warned about apart, ``UnprovenItem``)."""
    claimed = {(u.itemnumber, u.idnumber) for u in [*ownership.unproven.values(), *ownership.copies]}
    out: dict[str, set[int | None]] = {name: set(ids) for name, ids in foreign.items()}
    for taken in ownership.taken:
        if taken.itemname and (taken.itemnumber, taken.idnumber) not in claimed:
            out.setdefault(taken.itemname, set()).add(taken.item_id)
    return out
