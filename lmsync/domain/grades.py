"""Planning grade writes: metric values -> owned grade items -> the fewest safe requests.

Moodle 4.5's ``core_grades_update_grades`` is the only web-service way to create a grade
item, and it is forgiving in the wrong places (shared/moodle README, traps 19-25): it
grades unknown and unenrolled users, clamps grades above the maximum, drops feedback
text, accepts duplicate idnumbers, wants numeric idnumbers and PARAM_ALPHANUMEXT names,
and when a request is cut by ``max_input_vars`` it applies the first part and answers OK.
So this module decides everything *before* sending:

* ownership you can prove (issue 10, point 6): the itemnumbers ``[base, base + count)`` on the
  programme's activity are where lmsync puts its items, but another programme may hold items
  there too (even named ``lmsync_attendance``). An item is lmsync's only when **both** hold:
  its idnumber is the one derived from the programme and metric (``derived_idnumber``) and the
  store records that lmsync created it there (``ItemRecord``). Anything else in the range is
  ``taken``: never written, named in the plan with the way out ([grades] itemnumber_base).
  Items an earlier lmsync created (idnumber ``<year><itemnumber>`` or none) are adopted when
  the store's journal shows lmsync sent their details (``legacy_numbers``): the plan re-sends
  their details with the derived idnumber. New metrics take the lowest itemnumber nobody uses;
* two items at one itemnumber (a slow Moodle committing a timed-out create after its retry,
  issue 10 point 10) are drift, shown and never written: Moodle answers
  GRADE_UPDATE_MULTIPLE to any update there. A creation whose answer was lost and whose item
  is not visible yet is ``pending``: it is not sent again while it may still commit;
* names are made safe (``lmsync_selfefficacy-T3``);
* only grades that differ from the read-back are written; item details only when the item
  is new or its name, range, idnumber or visibility changed; an item is created with its
  first grade, not before;
* grades for people not actively enrolled and values outside the item's range are
  rejected here, listed in the plan, and never sent;
* requests are chunked by form-variable count (5 scalars + item details + 2 per grade),
  the item details always in an item's first request and before its grades.

Feedback comments go through an assignment (``mod_assign_save_grades``), planned by
``plan_assignment_grades`` with the same rules.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lmsync.domain.metrics import MetricSpec, MetricValue

ITEMNAME_PREFIX = "lmsync_"
UPDATE_GRADES_SCALARS = 5  # source, courseid, component, activityid, itemnumber
SAVE_GRADES_SCALARS = 2  # assignmentid, applytoall
SAVE_GRADE_VARS = 5  # userid, grade, attemptnumber, addattempt, workflowstate
COMMENT_VARS = 2  # plugindata[assignfeedbackcomments_editor][text|format]
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
        out["grademin"] = _number(self.grademin)
        out["grademax"] = _number(self.grademax)
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


@dataclass(frozen=True)
class TakenItem:
    """An item in lmsync's itemnumber range that lmsync cannot prove it created: never written."""

    itemnumber: int
    item_id: int | None
    itemname: str | None
    idnumber: str | None

    def describe(self) -> str:
        return (
            f"itemnumber {self.itemnumber} holds grade item {self.itemname or '(no name)'!r}"
            f" (id {self.item_id if self.item_id is not None else '?'}, idnumber {self.idnumber or 'none'})"
            " that lmsync cannot prove it created (no record in the store, or not lmsync's idnumber): left alone"
        )


@dataclass(frozen=True)
class DuplicateItems:
    """Two or more items at one itemnumber (issue 10, point 10): drift, never "in sync"."""

    itemnumber: int
    item_ids: tuple[int | None, ...]
    mine: bool  # one of them is the item lmsync recorded

    def describe(self) -> str:
        ids = ", ".join("?" if i is None else str(i) for i in self.item_ids)
        whose = "lmsync's item and a copy" if self.mine else "items"
        return (
            f"itemnumber {self.itemnumber}: {len(self.item_ids)} grade items ({whose}, ids {ids}); Moodle refuses "
            "to update either (GRADE_UPDATE_MULTIPLE), so nothing is written there until an admin deletes all "
            "but one in Gradebook setup"
        )


@dataclass(frozen=True)
class GradeWrite:
    user_id: int
    grade: float


@dataclass(frozen=True)
class Rejection:
    key: str
    user_id: int
    value: float
    reason: str


@dataclass(frozen=True)
class GradeRequest:
    """One ``core_grades_update_grades`` call; ``params`` keeps details before grades.

    ``creates``: the item does not exist yet (the store records the creation before it is
    sent); ``adopts``: an earlier lmsync's item gets its derived idnumber.
    """

    itemnumber: int
    itemdetails: Mapping[str, Any] | None
    grades: tuple[GradeWrite, ...]
    key: str | None = None
    creates: bool = False
    adopts: bool = False

    def var_count(self) -> int:
        return UPDATE_GRADES_SCALARS + len(self.itemdetails or {}) + 2 * len(self.grades)

    def params(
        self, *, course_id: int, component: str, activity_id: int, source: str = "lmsync"
    ) -> dict[str, Any]:
        """The call's parameters in send order; ``activity_id`` is the course-module id."""
        out: dict[str, Any] = {
            "source": source,
            "courseid": course_id,
            "component": component,
            "activityid": activity_id,
            "itemnumber": self.itemnumber,
        }
        if self.itemdetails:
            out["itemdetails"] = dict(self.itemdetails)
        if self.grades:
            out["grades"] = [{"studentid": g.user_id, "grade": _number(g.grade)} for g in self.grades]
        return out


@dataclass
class GradePlan:
    items: list[GradeItemSpec]
    requests: list[GradeRequest]
    rejected: list[Rejection]
    unchanged: int
    warnings: list[str]
    taken: list[TakenItem] = field(default_factory=list)
    duplicates: list[DuplicateItems] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # metric keys whose creation may still commit

    @property
    def in_sync(self) -> bool:
        """Nothing to write, no duplicate to repair, no creation still in flight."""
        return not self.requests and not self.duplicates and not self.held

    @property
    def grade_count(self) -> int:
        return sum(len(r.grades) for r in self.requests)

    @property
    def is_empty(self) -> bool:
        return not self.requests

    def summary(self) -> dict[str, int]:
        return {
            "items": len(self.items),
            "requests": len(self.requests),
            "grades": self.grade_count,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def _number(value: float) -> float | int:
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
) -> Ownership:
    """Sort the items in ``[base, base + count)`` into lmsync's, taken, duplicated and pending.

    An item is lmsync's when the store holds a record for its itemnumber whose idnumber it
    carries (and whose item id, once known, it has). An item an earlier lmsync created
    (``legacy_numbers``: the journal shows lmsync sent its details; idnumber
    ``<legacy_prefix><itemnumber>`` or none; named after one of ``keys``) is adopted.
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
    return out


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
        items.append(GradeItemSpec(key, number, name, idnumber, spec.grademin, spec.grademax, spec.hidden))
    for taken in ownership.taken:
        warnings.append(
            f"{taken.describe()}; lmsync uses other itemnumbers in {base}-{base + count - 1}. To keep clear of "
            "this programme's items, set [grades] itemnumber_base to a range nobody uses (e.g. "
            f"{_suggest_base(base, count)})"
        )
    return sorted(items, key=lambda i: i.itemnumber), warnings


def _suggest_base(base: int, count: int) -> int:
    step = max(1000, 10 ** len(str(count)))
    return (base // step + 1) * step


def _needs_details(item: GradeItemSpec, seen: ObservedGradeItem | None) -> bool:
    if seen is None:
        return True
    if seen.itemname != item.itemname:
        return True
    if abs(seen.grademax - item.grademax) > TOLERANCE or abs(seen.grademin - item.grademin) > TOLERANCE:
        return True
    if item.idnumber is not None and seen.idnumber != item.idnumber:
        return True
    if seen.hidden is None:
        return item.hidden
    return seen.hidden != item.hidden


def validate_value(
    value: float, spec: GradeItemSpec | MetricSpec, user_id: int, enrolled: Collection[int]
) -> str | None:
    """Why this grade must not be sent, or ``None`` when it may."""
    if user_id not in enrolled:
        return "not an active participant of the course"
    if not math.isfinite(value):
        return "not a number"
    if value > spec.grademax + TOLERANCE:
        return f"above the maximum {_number(spec.grademax)}"
    if value < spec.grademin - TOLERANCE:
        return f"below the minimum {_number(spec.grademin)}"
    return None


def plan_grades(
    values: Iterable[MetricValue],
    specs: Mapping[str, MetricSpec],
    observed: Iterable[ObservedGradeItem],
    enrolled: Collection[int],
    *,
    base: int,
    count: int,
    idnumber_prefix: int | None,
    budget: int = 2000,
    foreign_idnumbers: Collection[str] = (),
    programme: str = "",
    records: Iterable[ItemRecord] = (),
    legacy_numbers: Collection[int] = (),
) -> GradePlan:
    """The requests that bring lmsync's grade items to the desired values, nothing more.

    ``observed``: every item in the range on the programme's activity as read back (several
    at one itemnumber are kept apart). ``records``: the store's record of the items lmsync
    created; without one, no observed item is lmsync's. ``idnumber_prefix``: the earlier
    ``<year><itemnumber>`` scheme, recognised for adoption only. ``enrolled``: the users with
    an *active* enrolment (onlyactive=1). Grades already equal to the read-back are not sent;
    an item whose details and grades all match produces no request; taken, duplicated and
    pending itemnumbers produce none either.
    """
    observed_list = list(observed)
    records = list(records)
    ownership = classify_items(
        observed_list,
        records,
        specs.keys(),
        base=base,
        count=count,
        legacy_numbers=legacy_numbers,
        legacy_prefix=idnumber_prefix,
        programme=programme,
    )
    items, warnings = allocate_items(
        specs,
        ownership,
        records,
        programme=programme,
        base=base,
        count=count,
        foreign_idnumbers=foreign_idnumbers,
    )
    item_by_key = {i.key: i for i in items}
    wanted: dict[str, dict[int, float]] = {}
    rejected: list[Rejection] = []
    for v in values:
        item = item_by_key.get(v.key)
        if item is None:
            raise ValueError(f"metric {v.key!r} has no spec")
        problem = validate_value(v.value, item, v.user_id, enrolled)
        if problem:
            rejected.append(Rejection(v.key, v.user_id, v.value, problem))
            continue
        wanted.setdefault(v.key, {})[v.user_id] = v.value
    duplicated = {d.itemnumber for d in ownership.duplicates}
    warnings.extend(d.describe() for d in ownership.duplicates)
    held: list[str] = []
    requests: list[GradeRequest] = []
    unchanged = 0
    for item in items:
        if item.itemnumber in duplicated:
            continue
        if item.key in ownership.pending:
            held.append(item.key)
            warnings.append(
                f"{item.itemname}: the request creating itemnumber {item.itemnumber} got no answer and may still "
                "commit on Moodle; it is not sent again until it shows up or can no longer commit"
            )
            continue
        seen = ownership.mine.get(item.key)
        old = seen.grades if seen else {}
        writes = []
        for user_id, value in sorted(wanted.get(item.key, {}).items()):
            before = old.get(user_id)
            if before is not None and abs(before - value) <= TOLERANCE:
                unchanged += 1
                continue
            writes.append(GradeWrite(user_id, value))
        if seen is None and not writes:
            continue  # created with its first grade: an empty column only confuses teachers
        adopts = item.key in ownership.adopt
        details = item.details() if adopts or _needs_details(item, seen) else None
        chunks = chunk_grade_requests(item.itemnumber, details, writes, budget=budget)
        for n, chunk in enumerate(chunks):
            requests.append(
                GradeRequest(
                    chunk.itemnumber,
                    chunk.itemdetails,
                    chunk.grades,
                    key=item.key,
                    creates=seen is None and n == 0,
                    adopts=adopts and n == 0,
                )
            )
    return GradePlan(
        items, requests, rejected, unchanged, warnings, ownership.taken, ownership.duplicates, held
    )


def chunk_grade_requests(
    itemnumber: int, details: Mapping[str, Any] | None, writes: list[GradeWrite], *, budget: int
) -> list[GradeRequest]:
    """Split one item's writes so no request exceeds ``budget`` variables; details go first."""
    first_room = (budget - UPDATE_GRADES_SCALARS - len(details or {})) // 2
    room = (budget - UPDATE_GRADES_SCALARS) // 2
    if first_room < 1:
        raise ValueError(f"a variable budget of {budget} cannot hold one grade")
    requests: list[GradeRequest] = []
    if details is not None or writes:
        requests.append(GradeRequest(itemnumber, details, tuple(writes[:first_room])))
    rest = writes[first_room:]
    for start in range(0, len(rest), room):
        requests.append(GradeRequest(itemnumber, None, tuple(rest[start : start + room])))
    return requests


# --- the assignment: a grade with a comment ---------------------------------------------------


@dataclass(frozen=True)
class AssignGrade:
    user_id: int
    grade: float
    comment: str | None = None


@dataclass(frozen=True)
class AssignRequest:
    """One ``mod_assign_save_grades`` call (``attemptnumber`` -1, no new attempt, no workflow)."""

    grades: tuple[AssignGrade, ...]

    def var_count(self) -> int:
        per = sum(SAVE_GRADE_VARS + (COMMENT_VARS if g.comment is not None else 0) for g in self.grades)
        return SAVE_GRADES_SCALARS + per

    def params(self, *, assignment_id: int) -> dict[str, Any]:
        grades = []
        for g in self.grades:
            entry: dict[str, Any] = {
                "userid": g.user_id,
                "grade": _number(g.grade),
                "attemptnumber": -1,
                "addattempt": 0,
                "workflowstate": "",
            }
            if g.comment is not None:
                entry["plugindata"] = {"assignfeedbackcomments_editor": {"text": g.comment, "format": 1}}
            grades.append(entry)
        return {"assignmentid": assignment_id, "applytoall": 0, "grades": grades}


@dataclass
class AssignPlan:
    requests: list[AssignRequest]
    rejected: list[Rejection]
    unchanged: int

    @property
    def grade_count(self) -> int:
        return sum(len(r.grades) for r in self.requests)


def plan_assignment_grades(
    desired: Iterable[AssignGrade],
    observed: Mapping[int, float | None],
    sent_comments: Mapping[int, str],
    enrolled: Collection[int],
    *,
    grademax: float,
    budget: int = 2000,
) -> AssignPlan:
    """Grades + comments for the configured assignment, only where something changed.

    mod_assign_get_grades returns grades but not comments, so the comment last sent
    (``sent_comments``, kept by the caller) is what a new comment is compared with.
    Grades above ``grademax`` would be stored as "no grade" by Moodle: rejected here.
    """
    bound = MetricSpec("assignment", 0, grademax)
    rejected: list[Rejection] = []
    writes: list[AssignGrade] = []
    unchanged = 0
    for g in sorted(desired, key=lambda g: g.user_id):
        problem = validate_value(g.grade, bound, g.user_id, enrolled)
        if problem:
            rejected.append(Rejection("assignment", g.user_id, g.grade, problem))
            continue
        before = observed.get(g.user_id)
        same_grade = before is not None and abs(before - g.grade) <= TOLERANCE
        same_comment = g.comment is None or sent_comments.get(g.user_id) == g.comment
        if same_grade and same_comment:
            unchanged += 1
            continue
        writes.append(g)
    requests: list[AssignRequest] = []
    current: list[AssignGrade] = []
    used = SAVE_GRADES_SCALARS
    for g in writes:
        cost = SAVE_GRADE_VARS + (COMMENT_VARS if g.comment is not None else 0)
        if SAVE_GRADES_SCALARS + cost > budget:
            raise ValueError(f"a variable budget of {budget} cannot hold one grade")
        if current and used + cost > budget:
            requests.append(AssignRequest(tuple(current)))
            current, used = [], SAVE_GRADES_SCALARS
        current.append(g)
        used += cost
    if current:
        requests.append(AssignRequest(tuple(current)))
    return AssignPlan(requests, rejected, unchanged)
