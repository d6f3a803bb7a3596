"""lmsync's grade items: safe names, derived idnumbers, what was observed and recorded, and
which items in the itemnumber range lmsync can prove are its own (issue 10, point 6).

See :mod:`lmsync.domain.grades` for the rules; this module holds the item half of them
(``classify_items``, ``allocate_items``), the request half stays there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.metrics import MetricSpec
from lmsync.visible import quoted

ITEMNAME_PREFIX = "lmsync_"
TOLERANCE = 1e-4  # Moodle stores grades as decimal(10,5)
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_itemname(key: str) -> str:
    """``lmsync_`` + the key with anything outside PARAM_ALPHANUMEXT turned into ``-``."""
    body = _UNSAFE.sub("-", key).strip("-")
    if not body:
        raise ValueError(f"metric key {key!r} has no letters or digits")
    return (ITEMNAME_PREFIX + body)[:100]


IDNUMBER_FLOOR = 7 * 10**15  # derived idnumbers are 16 digits starting with 7 ...
IDNUMBER_SPAN = 10**15  # ... well inside PHP's int (PARAM_INT, trap 21) and apart from <year><itemnumber>
IDNUMBER_ATTEMPTS = 10


def derived_idnumber(programme: str, key: str, attempt: int = 0) -> str:
    """The grade-item idnumber lmsync gives metric ``key`` of ``programme`` (issue 10, point 6).

    ``7`` followed by 15 digits: sha256 of ``lmsync:<programme>:<key>`` (plus ``#<attempt>``
    for attempt > 0) reduced modulo 10**15. The same on every machine, numeric only (Moodle
    takes PARAM_INT, trap 21). Collisions: another item in the course already holding the
    number (Moodle accepts duplicate idnumbers, trap 21) makes lmsync take the next attempt
    (up to ``IDNUMBER_ATTEMPTS``); the store records the number actually used, and ownership
    is checked against that record, so the attempt never needs to be guessed again.
    """
    text = f"lmsync:{programme}:{key}" + (f"#{attempt}" if attempt else "")
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")
    return str(IDNUMBER_FLOOR + digest % IDNUMBER_SPAN)


def numeric_idnumber(prefix: int, itemnumber: int, *, width: int) -> str:
    """``numeric_idnumber(2026, 1000, width=4) == "20261000"``: Moodle takes PARAM_INT only."""
    if prefix < 1 or itemnumber < 0:
        raise ValueError("idnumber prefix and itemnumber must be positive")
    value = f"{prefix}{itemnumber:0{width}d}"
    if int(value) >= 2**63:
        raise ValueError(f"idnumber {value} does not fit Moodle's integer")
    return value


@dataclass(frozen=True)
class GradeItemSpec:
    """A grade item as lmsync wants it on the programme's activity."""

    key: str
    itemnumber: int
    itemname: str
    idnumber: str | None
    grademin: float
    grademax: float
    hidden: bool

    def details(self) -> dict[str, Any]:
        """``itemdetails`` in the order they are sent (idnumber left out when unsafe)."""
        out: dict[str, Any] = {"itemname": self.itemname}
        if self.idnumber is not None:
            out["idnumber"] = self.idnumber
        out["grademin"] = moodle_number(self.grademin)
        out["grademax"] = moodle_number(self.grademax)
        out["hidden"] = 1 if self.hidden else 0
        return out


@dataclass(frozen=True)
class ObservedGradeItem:
    """An item in the owned range as read back (gradereport_user_get_grade_items).

    ``hidden`` is ``None`` when the read cannot tell; a hidden spec then resends its
    details, because a rating that should be hidden must not stay visible by doubt.
    """

    itemnumber: int
    itemname: str | None
    idnumber: str | None = None
    grademin: float = 0.0
    grademax: float = 100.0
    hidden: bool | None = None
    grades: Mapping[int, float | None] = field(default_factory=dict)
    id: int | None = None  # Moodle's grade item id: tells two items at one itemnumber apart
    # user id -> "overridden" or "locked": a teacher's grade in the gradebook, which Moodle keeps
    # whatever lmsync sends (tester round 9, 3): never written, so never a difference to resend
    teachers: Mapping[int, str] = field(default_factory=dict)
    # a teacher locked the whole item (the column): Moodle refuses every write to it (status 4), so none is planned
    # (``lmsync.domain.locked_items``; tester round 122a, 6)
    locked: bool = False


@dataclass(frozen=True)
class ItemRecord:
    """The store's record that lmsync created (or adopted) the item for ``key`` at ``itemnumber``.

    ``pending``: the creating request was sent, its item has not been seen since, and the
    caller judged that it may still commit (a lost answer on a slow Moodle): it is not sent
    again. ``item_id`` is Moodle's id once read back.
    """

    key: str
    itemnumber: int
    idnumber: str
    item_id: int | None = None
    pending: bool = False


def _shown_id(item_id: int | None) -> str:
    """A Moodle id in a message: the number, or ``?`` when it was never read back."""
    return "?" if item_id is None else str(item_id)


@dataclass(frozen=True)
class TakenItem:
    """An item in lmsync's itemnumber range that lmsync cannot prove it created: never written."""

    itemnumber: int
    item_id: int | None
    itemname: str | None
    idnumber: str | None

    def describe(self) -> str:
        return (
            f"itemnumber {self.itemnumber} holds grade item {quoted(self.itemname or '(no name)')}"
            f" (id {_shown_id(self.item_id)}, idnumber {self.idnumber or 'none'})"
            " that lmsync cannot prove it created (no record in the store, or not lmsync's idnumber): left alone"
        )


@dataclass(frozen=True)
class DuplicateItems:
    """Two or more items at one itemnumber (issue 10, point 10): drift, never "in sync"."""

    itemnumber: int
    item_ids: tuple[int | None, ...]
    mine: bool  # one of them is the item lmsync recorded

    def describe(self) -> str:
        ids = ", ".join(_shown_id(i) for i in self.item_ids)
        whose = "lmsync's item and a copy" if self.mine else "items"
        return (
            f"itemnumber {self.itemnumber}: {len(self.item_ids)} grade items ({whose}, ids {ids}); Moodle refuses "
            "to update either (GRADE_UPDATE_MULTIPLE), so nothing is written there until an admin deletes all "
            "but one in Gradebook setup"
        )


@dataclass(frozen=True)
class UnprovenItem:
    """A grade item carrying the idnumber lmsync derives for metric ``key`` that this store cannot
    prove it created (tester finding 1b: a second store on the same site). The metric is refused:
    that item is never written, and no second item is created beside it (Moodle would accept a
    second item with the same idnumber: shared/moodle README trap 21, recording
    ``core_grades_update_grades/duplicate-idnumber``). ``itemnumber`` is ``None`` when the item is
    outside lmsync's itemnumber range or on another activity."""

    key: str
    idnumber: str
    itemnumber: int | None
    item_id: int | None
    # the idnumber this store recorded for the item, when the item is the very one it created (same
    # Moodle id) and someone changed its idnumber (tester round 9, 4: a second column was created)
    recorded: str | None = None

    def describe_copy(self) -> str:
        """The item carries the idnumber of a metric whose own item this store holds: a copy."""
        return (
            f"itemnumber {self.itemnumber} holds a copy of lmsync's item for metric {self.key!r} (id "
            f"{_shown_id(self.item_id)}, same idnumber {self.idnumber}) that this store did "
            "not create (another store did): left alone; delete it in Gradebook setup"
        )

    def describe(self) -> str:
        if self.recorded is not None:
            return (
                f"metric {self.key!r} refused: its grade item at itemnumber {self.itemnumber} (id "
                f"{_shown_id(self.item_id)}), which this store created, now has the ID number "
                f"{self.idnumber or '(none)'} instead of {self.recorded} (changed in Moodle): it is neither written nor "
                f"created a second time. Fix: set its ID number back to {self.recorded} in Gradebook setup > Edit "
                "grade item"
            )
        where = (
            f"grade item at itemnumber {self.itemnumber} (id {_shown_id(self.item_id)})"
            if self.itemnumber is not None
            else "grade item outside [grades] itemnumber_base..itemnumber_count on the grades activity"
        )
        return (
            f"metric {self.key!r} refused: the {where} carries lmsync's idnumber {self.idnumber} for it, but this "
            "store has no record that it created that item (another store, or a lost one, did; or [grades] "
            "itemnumber_base or activity changed): it is neither written nor created a second time. Fix: run lmsync "
            "with the store that created it ([store] path) and the same [grades] settings; if that store is lost for "
            "good, delete the item in Gradebook setup (its grades go with it) and the next push creates it again"
            + (
                # fourth tester, finding 1b: a re-created mean over today's raters may differ from the deleted one
                "; but this item holds mentors' received means: a mean published again over today's raters can "
                "differ from the one the mentor saw and give a late rating away, so keep it unless none was shown"
                if "-received-" in self.key
                else ""
            )
        )


def moodle_number(value: float) -> float | int:
    """A grade as Moodle's decimal(10,5) stores it: an int when whole, else rounded to 5 places."""
    return int(value) if float(value).is_integer() else round(float(value), 5)


@dataclass
class Ownership:
    """What lmsync may write in its itemnumber range, as proven by idnumber and store record."""

    mine: dict[str, ObservedGradeItem] = field(default_factory=dict)  # metric key -> its item
    adopt: set[str] = field(default_factory=set)  # keys of an earlier lmsync's items, to re-idnumber
    taken: list[TakenItem] = field(default_factory=list)
    duplicates: list[DuplicateItems] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)  # key -> itemnumber of a creation in flight
    blocked: set[int] = field(default_factory=set)  # itemnumbers nobody may reuse
    unproven: dict[str, UnprovenItem] = field(default_factory=dict)  # key -> an item with its idnumber, not ours
    copies: list[UnprovenItem] = field(default_factory=list)  # items with the idnumber of a metric we hold


def classify_items(
    observed: Iterable[ObservedGradeItem],
    records: Iterable[ItemRecord],
    keys: Collection[str],
    *,
    base: int,
    count: int,
    legacy_numbers: Collection[int] = (),
    legacy_prefix: int | None = None,
    programme: str = "",
    foreign_idnumbers: Collection[str] = (),
) -> Ownership:
    """Sort the items in ``[base, base + count)`` into lmsync's, taken, duplicated and pending.

    An item is lmsync's when the store holds a record for its itemnumber whose idnumber it
    carries (and whose item id, once known, it has). An item an earlier lmsync created
    (``legacy_numbers``: the journal shows lmsync sent its details; idnumber
    ``<legacy_prefix><itemnumber>`` or none; named after one of ``keys``) is adopted.
    A metric of ``keys`` that has no item of its own but whose derived idnumber another item
    carries (in the range, or among ``foreign_idnumbers``: every other item of the course) is
    ``unproven`` (tester finding 1b): lmsync touches only what it can prove it created.
    """
    span = range(base, base + count)
    by_number: dict[int, list[ObservedGradeItem]] = {}
    for item in observed:
        if item.itemnumber in span:
            by_number.setdefault(item.itemnumber, []).append(item)
    record_at = {r.itemnumber: r for r in records}
    names = {safe_itemname(k): k for k in keys}
    width = len(str(base + count - 1))
    out = Ownership()
    for number, items in sorted(by_number.items()):
        out.blocked.add(number)
        record = record_at.get(number)
        if len(items) > 1:
            mine = record is not None and any(i.idnumber == record.idnumber for i in items)
            ids = tuple(sorted((i.id for i in items), key=lambda i: -1 if i is None else i))
            out.duplicates.append(DuplicateItems(number, ids, mine))
            if mine and record is not None:
                out.pending.pop(record.key, None)
                out.mine.pop(record.key, None)
            continue
        (item,) = items
        if record is not None and item.idnumber == record.idnumber and record.item_id in (None, item.id):
            out.mine[record.key] = item
            continue
        if record is not None and record.item_id is not None and record.item_id == item.id:
            # the item this store created, its idnumber changed by hand: refused, not created again
            out.unproven[record.key] = UnprovenItem(record.key, item.idnumber or "", number, item.id, record.idnumber)
            continue
        legacy_ids = {None, ""} | (
            {numeric_idnumber(legacy_prefix, number, width=width)} if legacy_prefix else set()
        )
        key = names.get(item.itemname or "")
        if key is not None:  # an adoption whose answer was lost may have landed already
            legacy_ids |= {derived_idnumber(programme, key, n) for n in range(IDNUMBER_ATTEMPTS)}
        if record is None and number in legacy_numbers and item.idnumber in legacy_ids and key is not None:
            out.mine[key] = item
            out.adopt.add(key)
            continue
        out.taken.append(TakenItem(number, item.id, item.itemname, item.idnumber))
    for record in records:
        if record.itemnumber in span and record.itemnumber not in by_number:
            out.blocked.add(record.itemnumber)
            if record.pending:
                out.pending[record.key] = record.itemnumber
    _find_unproven(out, by_number, record_at, keys, programme=programme, foreign_idnumbers=foreign_idnumbers)
    return out


def _find_unproven(
    out: Ownership,
    by_number: Mapping[int, list[ObservedGradeItem]],
    record_at: Mapping[int, ItemRecord],
    keys: Collection[str],
    *,
    programme: str,
    foreign_idnumbers: Collection[str],
) -> None:
    """Fill ``out.unproven``: each metric without an item of its own whose derived idnumber (any
    attempt) an item this store cannot prove carries (``classify_items``; tester finding 1b)."""
    derived = {derived_idnumber(programme, k, n): k for k in keys for n in range(IDNUMBER_ATTEMPTS)}
    mine_ids = {id(item) for item in out.mine.values()}
    settled = set(out.mine) | {
        record_at[d.itemnumber].key for d in out.duplicates if d.mine and d.itemnumber in record_at
    }
    claims: list[UnprovenItem] = [
        UnprovenItem(derived[item.idnumber], item.idnumber, number, item.id)
        for number, items in sorted(by_number.items())
        for item in items
        if id(item) not in mine_ids and item.idnumber in derived
    ]
    claims += [UnprovenItem(derived[i], i, None, None) for i in sorted(foreign_idnumbers) if i in derived]
    for claim in claims:
        if claim.key in settled:
            out.copies.append(claim)
        else:
            out.unproven.setdefault(claim.key, claim)


def allocate_items(
    specs: Mapping[str, MetricSpec],
    ownership: Ownership,
    records: Iterable[ItemRecord],
    *,
    programme: str,
    base: int,
    count: int,
    foreign_idnumbers: Collection[str] = (),
) -> tuple[list[GradeItemSpec], list[str]]:
    """Give each metric an itemnumber and its derived idnumber; keep the ones it already has.

    A metric keeps its recorded itemnumber (re-created there if its item vanished and the
    number is still free); a new one takes the lowest number no item, record or creation in
    flight uses. ``foreign_idnumbers`` are the idnumbers of every other grade item in the
    course: a derived idnumber already among them moves to the next attempt.
    Raises ``ValueError`` when the range is full or two metrics derive one idnumber.
    """
    record_of = {r.key: r for r in records}
    observed_numbers = {i.itemnumber for i in ownership.mine.values()} | {t.itemnumber for t in ownership.taken}
    observed_numbers |= {d.itemnumber for d in ownership.duplicates}
    used = set(ownership.blocked)
    free = (n for n in range(base, base + count) if n not in used)
    warnings: list[str] = []
    items: list[GradeItemSpec] = []
    seen_ids: dict[str, str] = {}
    taken_ids = set(foreign_idnumbers)
    for key in sorted(specs):
        if key in ownership.unproven:
            continue  # refused: neither written nor created beside the item carrying its idnumber
        spec = specs[key]
        name = safe_itemname(key)
        record = record_of.get(key)
        mine = ownership.mine.get(key)
        duplicated = {d.itemnumber for d in ownership.duplicates if d.mine}
        if mine is not None:
            number = mine.itemnumber
        elif record is not None and record.itemnumber in duplicated:
            number = record.itemnumber  # stays there, unwritten, until the copies are resolved
        elif record is not None and (record.itemnumber not in observed_numbers) and base <= record.itemnumber < base + count:
            number = record.itemnumber
        else:
            found = next(free, None)
            if found is None:
                raise ValueError(
                    f"no free itemnumber left in {base}-{base + count - 1} for {name}: widen [grades] itemnumber_count"
                    " or move [grades] itemnumber_base to a free range"
                )
            number = found
        idnumber: str | None = None
        if record is not None and key not in ownership.adopt and (mine is not None or number == record.itemnumber):
            idnumber = record.idnumber
        else:
            idnumber = next(
                (
                    d
                    for d in (derived_idnumber(programme, key, n) for n in range(IDNUMBER_ATTEMPTS))
                    if d not in taken_ids and d not in seen_ids
                ),
                None,
            )
            if idnumber is None:
                raise ValueError(f"{name}: every derived idnumber is used by another grade item")
        if idnumber in seen_ids:
            raise ValueError(f"metrics {seen_ids[idnumber]!r} and {key!r} derive the same idnumber {idnumber}")
        seen_ids[idnumber] = key
        grademin, grademax = float(spec.grademin), float(spec.grademax)  # a saved plan writes them as floats
        items.append(GradeItemSpec(key, number, name, idnumber, grademin, grademax, spec.hidden))
    claimed = {(u.itemnumber, u.idnumber) for u in [*ownership.unproven.values(), *ownership.copies]}
    for taken in ownership.taken:
        if (taken.itemnumber, taken.idnumber) in claimed:
            continue  # lmsync's idnumber on it: the refusal says why and what to do instead
        warnings.append(
            f"{taken.describe()}; lmsync uses other itemnumbers in {base}-{base + count - 1}. To keep clear of "
            "this programme's items, set [grades] itemnumber_base to a range nobody uses (e.g. "
            f"{_suggest_base(base, count)})"
        )
    return sorted(items, key=lambda i: i.itemnumber), warnings


def _suggest_base(base: int, count: int) -> int:
    step = max(1000, int(10 ** len(str(count))))
    return (base // step + 1) * step
