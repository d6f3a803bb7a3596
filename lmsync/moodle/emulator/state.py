"""The emulated Moodle site: plain data, JSON round-trippable, indexed for thousands of users.

Only what the lmsync web-service functions read or write is modelled. Every collection is a
dict keyed by Moodle id, so lookups stay O(1) at 2,000+ users and 200+ groups; group members
are sets (sorted by last name only when read, as Moodle does). ``transaction`` gives each call
Moodle's all-or-nothing behaviour by snapshotting the collections a write touches; id counters
are deliberately *outside* the snapshot, because Moodle's sequences burn the ids of rolled-back
rows too (groups 12 and 13 on the recording site).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from lmsync.errors import InputError
from lmsync.moodle.emulator.records import (
    COURSE_CONTEXT_OFFSET,
    PROFILE_FIELDS,
    ROLE_IDS,
    USER_CONTEXT_OFFSET,
    AssignGrade,
    Assignment,
    Cohort,
    Course,
    Discussion,
    Enrolment,
    Feedback,
    FeedbackCompleted,
    FeedbackItem,
    Forum,
    Grade,
    GradeItem,
    Group,
    Grouping,
    Post,
    TokenInfo,
    User,
)

_COLLECTIONS: dict[str, type] = {
    "users": User,
    "courses": Course,
    "cohorts": Cohort,
    "groups": Group,
    "groupings": Grouping,
    "forums": Forum,
    "discussions": Discussion,
    "posts": Post,
    "feedbacks": Feedback,
    "assignments": Assignment,
    "grade_items": GradeItem,
}

#: The site's own settings (the scalar fields of :class:`Site`), saved and loaded as they are.
_SETTINGS = ("sitename", "siteurl", "release", "version", "web_services_enabled", "debug", "max_input_vars")


def _load_dc(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a dataclass from JSON, restoring int dict keys, sets and nested dataclasses."""
    kwargs: dict[str, Any] = {}
    names = {f.name for f in fields(cls)}
    for key, value in data.items():
        if key not in names:
            continue
        if cls is Course and key == "enrolments":
            value = {int(k): Enrolment(**v) for k, v in value.items()}
        elif cls is Group and key == "members":
            value = set(value)
        elif cls is Feedback and key == "items":
            value = [FeedbackItem(**v) for v in value]
        elif cls is Feedback and key == "completeds":
            value = [
                FeedbackCompleted(id=c["id"], userid=c["userid"], timemodified=c["timemodified"],
                                  values={int(k): v for k, v in c["values"].items()})
                for c in value
            ]
        elif cls is Assignment and key == "grades":
            value = {int(k): AssignGrade(**v) for k, v in value.items()}
        elif cls is GradeItem and key == "grades":
            value = {int(k): Grade(**v) for k, v in value.items()}
        kwargs[key] = value
    return cls(**kwargs)


def _dump(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


@dataclass
class Site:
    """One Moodle site. Mutate only through the web-service handlers (or seeding code)."""

    sitename: str = "Test Medical School"
    siteurl: str = "http://emulator.lmsync.invalid"
    release: str = "4.5.6 (Build: 20250811)"
    version: str = "2024100706"
    web_services_enabled: bool = True
    debug: bool = False
    max_input_vars: int = 5000
    users: dict[int, User] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    cohorts: dict[int, Cohort] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    groupings: dict[int, Grouping] = field(default_factory=dict)
    forums: dict[int, Forum] = field(default_factory=dict)
    discussions: dict[int, Discussion] = field(default_factory=dict)
    posts: dict[int, Post] = field(default_factory=dict)
    feedbacks: dict[int, Feedback] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    grade_items: dict[int, GradeItem] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    role_assignments: list[dict[str, int]] = field(default_factory=list)  # {roleid, userid, contextid}
    # roles the integration role may assign, and at which context levels ("user", "course", ...)
    assignable_roles: dict[int, list[str]] = field(default_factory=lambda: {11: ["user"]})
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # Moodle's per-course group cache keeps rows of a rolled-back batch (trap 27): course id ->
    # {"groups": [...], "groupings": [...]} as they would be listed, until a group write in the course.
    group_cache_phantoms: dict[int, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    # Slow-Moodle faults (faults.py, kind "late"): writes checked at arrival, committed later.
    # A held write commits when its twin arrives, on :meth:`commit_late`, or at the arrival of
    # the ``late_after``-th request after it. Not saved with the state (a restart loses them).
    late_after: int = field(default=3, compare=False)
    held_writes: list[Any] = field(default_factory=list, repr=False, compare=False)
    _index: dict[str, dict[str, int]] | None = field(default=None, repr=False, compare=False)
    _index_size: int = field(default=-1, repr=False, compare=False)

    # ---- time and ids -------------------------------------------------------------------
    @staticmethod
    def now() -> int:
        return int(time.time())

    def next_id(self, kind: str) -> int:
        """Next id of ``kind``; never reused, never rolled back (like a database sequence)."""
        current = self.counters.get(kind)
        if current is None:
            existing: dict[int, Any] | list[Any] = getattr(self, kind, {}) if kind in _COLLECTIONS else {}
            current = max(existing, default=0) if isinstance(existing, dict) else 0
        self.counters[kind] = current + 1
        return current + 1

    # ---- indexes ------------------------------------------------------------------------
    def _indexes(self) -> dict[str, dict[str, int]]:
        """Lookups by username/idnumber/email, rebuilt when the user table changed size.

        Users are only created by seeding code (no web-service function here creates them), so a
        size check plus :meth:`invalidate_indexes` after edits is enough.
        """
        if self._index is None or self._index_size != len(self.users):
            index: dict[str, dict[str, int]] = {"username": {}, "idnumber": {}, "email": {}}
            for user in sorted(self.users.values(), key=lambda u: u.id):
                index["username"][user.username] = user.id
                if user.idnumber:
                    index["idnumber"].setdefault(user.idnumber, user.id)
                index["email"].setdefault(user.email, user.id)
            self._index = index
            self._index_size = len(self.users)
        return self._index

    def invalidate_indexes(self) -> None:
        self._index = None

    def user_by(self, fieldname: str, value: str) -> User | None:
        uid = self._indexes()[fieldname].get(value)
        return self.users.get(uid) if uid is not None else None

    def member_sort_key(self, userid: int) -> tuple[str, str, int]:
        user = self.users.get(userid)
        return (user.lastname, user.firstname, userid) if user else ("", "", userid)

    def groups_of_course(self, courseid: int) -> list[Group]:
        return [g for g in self.groups.values() if g.courseid == courseid]

    def user_context(self, userid: int) -> int:
        return userid + USER_CONTEXT_OFFSET

    def course_module(self, cmid: int) -> tuple[str, Any] | None:
        for forum in self.forums.values():
            if forum.cmid == cmid:
                return "forum", forum
        for assign in self.assignments.values():
            if assign.cmid == cmid:
                return "assign", assign
        for feedback in self.feedbacks.values():
            if feedback.cmid == cmid:
                return "feedback", feedback
        return None

    # ---- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self, touches: tuple[str, ...]) -> Iterator[None]:
        """All-or-nothing for one call: on an exception the touched collections are restored.

        An exception whose ``commit`` attribute is true (applied, then failed) keeps the changes.
        """
        snapshot = {name: copy.deepcopy(getattr(self, name)) for name in touches}
        try:
            yield
        except Exception as exc:
            if not getattr(exc, "commit", False):
                for name, value in snapshot.items():
                    setattr(self, name, value)
                after = getattr(exc, "after_rollback", None)
                if after is not None:
                    after()
            raise

    def snapshot(self, touches: tuple[str, ...]) -> Site:
        """A view of the site whose ``touches`` collections are frozen copies of now.

        Moodle checks uniqueness (names, idnumbers, grouping links, grade items) in PHP before it
        inserts, with no unique index behind the checks; a write held by a slow database is
        checked against the state at its arrival (issue 10 point 10, faults kind "late").
        """
        frozen = {name: copy.deepcopy(getattr(self, name)) for name in touches}
        return replace(self, held_writes=[], **frozen)

    def commit_late(self) -> int:
        """Commit every held "late" write now, in arrival order; returns how many were held.

        Each held write commits itself (``HeldWrite.commit`` in :mod:`.protocol`, which owns the
        dispatch), so the state needs nothing from the protocol side.
        """
        with self.lock:
            writes = list(self.held_writes)
            for write in writes:
                write.commit(self)
            return len(writes)

    def add_course_role(self, courseid: int, userid: int, role: str) -> None:
        """Seed a second role for an enrolled user (``role_assign`` in the course, trap 42)."""
        enrolment = self.courses[courseid].enrolments[userid]
        if role != enrolment.role and role not in enrolment.other_roles:
            enrolment.other_roles.append(role)

    def invalidate_group_cache(self, courseid: int) -> None:
        self.group_cache_phantoms.pop(courseid, None)

    # ---- (de)serialisation --------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: getattr(self, key) for key in _SETTINGS}
        for name in _COLLECTIONS:
            out[name] = {str(k): _dump(asdict(v)) for k, v in getattr(self, name).items()}
        out["messages"] = self.messages
        out["events"] = self.events
        out["role_assignments"] = self.role_assignments
        out["assignable_roles"] = {str(k): v for k, v in self.assignable_roles.items()}
        out["tokens"] = {
            token: {
                "userid": info.userid,
                "service_functions": sorted(info.service_functions),
                "capabilities": sorted(info.capabilities),
                "suspended": info.suspended,
            }
            for token, info in self.tokens.items()
        }
        out["counters"] = dict(self.counters)
        out["group_cache_phantoms"] = {str(k): v for k, v in self.group_cache_phantoms.items()}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Site:
        site = cls()
        for key in _SETTINGS:
            if key in data:
                setattr(site, key, data[key])
        for name, klass in _COLLECTIONS.items():
            setattr(site, name, {int(k): _load_dc(klass, v) for k, v in data.get(name, {}).items()})
        site.messages = list(data.get("messages", []))
        site.events = list(data.get("events", []))
        site.role_assignments = list(data.get("role_assignments", []))
        if "assignable_roles" in data:
            site.assignable_roles = {int(k): list(v) for k, v in data["assignable_roles"].items()}
        site.tokens = {
            token: TokenInfo(
                userid=info["userid"],
                service_functions=set(info.get("service_functions", [])),
                capabilities=set(info.get("capabilities", [])),
                suspended=bool(info.get("suspended", False)),
            )
            for token, info in data.get("tokens", {}).items()
        }
        site.counters = {k: int(v) for k, v in data.get("counters", {}).items()}
        site.group_cache_phantoms = {int(k): v for k, v in data.get("group_cache_phantoms", {}).items()}
        return site

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state atomically (temp file in the same folder, then rename). A ``path`` that is a symbolic
        link is written through to its target, the link kept (``os.path.realpath``), as a report path is: the rename
        had put a plain file in the link's place, and the site it named never got the change (tester round 132a, 1)."""
        target = Path(os.path.realpath(path))
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # beside the store: personal data (round 25, 9)
        with self.lock:
            payload = json.dumps(self.to_json(), separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Site:
        """The site saved at ``path``; an ``InputError`` naming the file (and, for broken JSON, the
        line and column) when it is not an emulator state file (tester finding: no traceback)."""
        hint = f"`lmsync emulator reset --state {path}` writes a fresh demo site there (or restore the file)"
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not an emulator state file (not valid JSON: {exc.msg} at line {exc.lineno}, "
                             f"column {exc.colno})", hint=hint) from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not an emulator state file (not UTF-8 JSON)", hint=hint) from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read the emulator state ({exc.strerror or type(exc).__name__})") from None
        try:
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            if not data.get("tokens") or not data.get("users"):  # "{}" served a site no token opens (round 3, 21)
                raise ValueError("it holds no users or no web service tokens")
            return cls.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{path}: not an emulator state file ({type(exc).__name__}: {exc})", hint=hint) from None

    def copy(self) -> Site:
        """An independent deep copy (through JSON, so it never shares the lock or indexes)."""
        return Site.from_json(json.loads(json.dumps(self.to_json())))

    def __deepcopy__(self, memo: dict[int, Any]) -> Site:
        return self.copy()


# the records are re-exported: callers import them from here as they always did
__all__ = [
    "Site",
    "PROFILE_FIELDS",
    "ROLE_IDS",
    "USER_CONTEXT_OFFSET",
    "COURSE_CONTEXT_OFFSET",
    "User",
    "Enrolment",
    "Course",
    "Cohort",
    "Group",
    "Grouping",
    "Forum",
    "Discussion",
    "Post",
    "FeedbackItem",
    "FeedbackCompleted",
    "Feedback",
    "AssignGrade",
    "Assignment",
    "Grade",
    "GradeItem",
    "TokenInfo",
]
