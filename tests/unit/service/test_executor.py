"""The one executor (issue 12) and its bounded pool (issue 15).

The protocol through a scripted family (no HTTP): journal before and after, from the
executor's thread only; a lost answer stops the run with nothing sent after it; a refused
idempotent batch is split in half (trap 26); per-item refusals recorded; group creates stay
one at a time. Then the riskiest paths on the wire (``responses``): applying a group delete,
the batch split, a refused chunk in grades; and a plan saved by today's code still applies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import responses

from lmsync.domain.envelope import Envelope, SendMessage, UpdateGrades
from lmsync.domain.plan import AddMember, CreateGroup, DeleteGroup, Plan, mentor_group_idnumber
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.errors import AccessDenied, ConnectionFailed, InvalidParameter, OutcomeUnknown
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token
from lmsync.service.apply import Applier, NeedsReobserve, SyncFamily
from lmsync.service.executor import EACH, Executor, Kind, OpFamily, Sent
from lmsync.service.grades import GradesPlan, PlannedGrade, PlannedItem, PlannedRequest, push_envelope
from lmsync.store.db import Store
from lmsync.store.journal import Journal

URL = "https://moodle.example.test"
PROGRAMME = "mentor-2026"


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.memory()
    yield s
    s.close()


def circle(mentor: int) -> str:
    return mentor_group_idnumber(PROGRAMME, mentor)


# --- the protocol, through a scripted family ---------------------------------------------------


class Scripted(OpFamily):
    """``add_member`` (idempotent, independent chunks) and ``create_group`` (one at a time).

    ``bad``: users whose presence makes Moodle refuse the whole call (trap 26); ``lost``: users
    whose call's answer is lost; ``delay``: seconds each call takes. Records what was sent, the
    most calls seen at once, and the thread that wrote each journal row.
    """

    name = "sync"
    kinds = {
        "add_member": Kind("core_group_add_group_members", 2, idempotent=True, lane=EACH),
        "create_group": Kind("core_group_create_groups", 5),
        "post_welcome": Kind("mod_forum_add_discussion", 8, one_per_call=True, lane=lambda c: c[0].group),
    }

    def __init__(self, journal: Journal, *, bad=(), lost=(), access=(), refused=(), delay: float = 0.0) -> None:
        super().__init__(journal)
        self.bad, self.lost, self.access, self.delay = set(bad), set(lost), set(access), delay
        self.refused = set(refused)
        self.sent: list[list[str]] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.journal_threads: set[str] = set()

    def intent(self, run_id: str, kind: str, chunk: Sequence[Any]) -> int:
        self.journal_threads.add(threading.current_thread().name)
        return super().intent(run_id, kind, chunk)

    def finish(self, entry: int, kind: str, chunk: Sequence[Any], state: str, result: Any) -> None:
        self.journal_threads.add(threading.current_thread().name)
        super().finish(entry, kind, chunk, state, result)

    def send(self, kind: str, chunk: Sequence[Any]) -> Sent:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.sent.append([op.key for op in chunk])
        try:
            users = {getattr(op, "user_id", None) for op in chunk}
            # a lost answer comes back at once: the calls beside it are still in flight when it is settled, so
            # "at most the ones in flight went out" is a bound, not a race between equal delays (a full run saw 5 > 4)
            time.sleep(0 if users & self.lost else self.delay)
            if users & self.access:
                raise AccessDenied("accessexception", errorcode="accessexception")
            if users & self.lost:
                raise OutcomeUnknown("read timeout; the write may or may not have been applied")
            if users & self.refused:  # the connection was refused: nothing reached Moodle
                raise ConnectionFailed("cannot reach Moodle (connection refused)", surely_not_sent=True)
            if users & self.bad:
                raise InvalidParameter("Invalid parameter value detected", errorcode="invalidparameter")
            return Sent({"n": len(chunk)})
        finally:
            with self.lock:
                self.running -= 1


def members(n: int, group: int = 1) -> list[AddMember]:
    return [AddMember(group=circle(group), user_id=100 + i) for i in range(n)]


def states(journal: Journal) -> list[str]:
    return [e.state for e in journal.entries()]


def test_trap_26_a_refused_idempotent_batch_is_split_in_half_until_the_bad_item_is_alone(store):
    journal = Journal(store, PROGRAMME)
    family = Scripted(journal, bad={102})
    report = Executor(family, run_id="r", budget=100).run_steps([("add_member", members(4))])
    # [100..103] refused -> [100,101] ok, [102,103] refused -> [102] refused, [103] ok
    assert [len(c) for c in family.sent] == [4, 2, 2, 1, 1]
    assert report.written["add_member"] == 3
    assert report.failed == [(f"add_member:{circle(1)}:102", "invalidparameter")]
    assert states(journal) == ["failed", "ok", "failed", "failed", "ok"]
    assert not report.complete and report.lost is None


@pytest.mark.parametrize("pool", [1, 3])
def test_issue_12_every_request_is_journaled_before_and_after_from_the_executors_thread_only(store, pool):
    journal = Journal(store, PROGRAMME)
    family = Scripted(journal, delay=0.01)
    ops = [AddMember(group=circle(g), user_id=u) for g in range(6) for u in range(2)]
    report = Executor(family, run_id="r", budget=4, max_parallel=pool).run_steps([("add_member", ops)])
    assert report.complete and report.written["add_member"] == 12 and report.batches == 6
    entries = journal.entries()
    assert [e.state for e in entries] == ["ok"] * 6 and all(e.finished_at for e in entries)
    assert sorted(k for e in entries for k in journal.keys_of(e.id)) == sorted(op.key for op in ops)
    assert family.journal_threads == {threading.main_thread().name}  # the store never sees the pool


def test_issue_15_independent_writes_go_side_by_side_but_never_more_than_max_parallel(store):
    family = Scripted(Journal(store, PROGRAMME), delay=0.05)
    ops = [AddMember(group=circle(g), user_id=g) for g in range(9)]
    Executor(family, run_id="r", budget=2, max_parallel=3).run_steps([("add_member", ops)])
    assert len(family.sent) == 9 and family.most == 3


def test_issue_15_group_creates_in_one_course_stay_one_at_a_time_with_the_pool_on(store):
    family = Scripted(Journal(store, PROGRAMME), delay=0.02)
    creates = [CreateGroup(idnumber=circle(g), name=f"Circle {g}") for g in range(4)]
    Executor(family, run_id="r", budget=5, max_parallel=3).run_steps([("create_group", creates)])
    assert len(family.sent) == 4 and family.most == 1


@pytest.mark.parametrize("pool", [1, 3])
def test_issue_10_point_10_a_lost_answer_stops_the_run_and_nothing_is_sent_after_it(store, pool):
    journal = Journal(store, PROGRAMME)
    family = Scripted(journal, lost={101}, delay=0.02)
    ops = [AddMember(group=circle(g), user_id=100 + g) for g in range(8)]
    report = Executor(family, run_id="r", budget=2, max_parallel=pool).run_steps(
        [("add_member", ops), ("post_welcome", [])]
    )
    assert report.lost is not None and not report.complete
    # the lost one was the 2nd sent; at most the ones already in flight beside it went out
    assert len(family.sent) <= 1 + pool
    assert states(journal).count("unknown") == 1
    assert "intent" not in states(journal), "a request in flight was left unfinished in the journal"
    assert report.written["add_member"] == len(family.sent) - 1


def test_a_refusal_an_admin_must_fix_is_journaled_then_raised(store):
    journal = Journal(store, PROGRAMME)
    family = Scripted(journal, access={100})
    with pytest.raises(AccessDenied):
        Executor(family, run_id="r", budget=100).run_steps([("add_member", members(3))])
    assert states(journal) == ["failed"] and len(family.sent) == 1  # not bisected: nothing can succeed


# --- the sync family on the wire: a group delete and the batch split ----------------------------


@pytest.fixture
def api() -> MoodleApi:
    return MoodleApi(
        Transport(URL, Token("5ec2e7700000aaaa5ec2e7700000bbbb"), sleep=lambda _s: None, timeout=5, deadline=60)
    )


def form(call: Any) -> dict[str, str]:
    body = call.request.body
    return dict(parse_qsl(body.decode() if isinstance(body, bytes) else body))


def applier(api: MoodleApi, store: Store, groups: dict[str, int]) -> Applier:
    family = SyncFamily(api, Journal(store, PROGRAMME), course_id=2, group_ids=groups, grouping_ids={}, forum_id=None)
    return Applier(Executor(family, run_id="r", budget=2000))


def plan_of(*ops: Any) -> Plan:
    return Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=list(ops))


def test_issue_12_applying_a_group_delete_sends_the_owned_groups_id_and_journals_it(api, store, rsps):
    rsps.add(responses.POST, URL + ENDPOINT, body="null", content_type="application/json")
    plan = plan_of(DeleteGroup(group=circle(7), reason="no longer a mentor circle"))
    report = applier(api, store, {circle(7): 41, circle(8): 42}).apply(plan)
    assert report.complete and report.written["delete_group"] == 1
    (call,) = rsps.calls
    assert "wsfunction=core_group_delete_groups" in call.request.url
    sent = form(call)
    assert sent.get("groupids[0]") == "41" and "groupids[1]" not in sent  # only the circle planned
    (entry,) = Journal(store, PROGRAMME).entries()
    assert (entry.function, entry.op_kind, entry.state) == ("core_group_delete_groups", "delete_group", "ok")
    assert Journal(store, PROGRAMME).keys_of(entry.id) == [f"delete_group:{circle(7)}"]


def test_issue_12_a_group_delete_whose_answer_is_lost_is_not_resent_and_asks_to_reobserve(api, store, rsps):
    rsps.add(responses.POST, URL + ENDPOINT, body=requests.exceptions.ReadTimeout("read timed out"))
    plan = plan_of(DeleteGroup(group=circle(7)), DeleteGroup(group=circle(8)))
    with pytest.raises(NeedsReobserve):
        applier(api, store, {circle(7): 41, circle(8): 42}).apply(plan)
    assert len(rsps.calls) == 1  # a write is never re-sent once it may have reached Moodle
    assert [e.state for e in Journal(store, PROGRAMME).entries()] == ["unknown"]


def test_trap_26_on_the_wire_one_bad_member_is_isolated_and_the_rest_are_added(api, store, rsps):
    refusal = json.dumps({"exception": "invalid_parameter_exception", "errorcode": "invalidparameter",
                          "message": "Invalid parameter value detected"})

    def moodle(request: Any) -> tuple[int, dict[str, str], str]:
        body = dict(parse_qsl(request.body if isinstance(request.body, str) else request.body.decode()))
        users = {v for k, v in body.items() if k.endswith("[userid]")}
        return 200, {"Content-Type": "application/json"}, refusal if "999" in users else "null"

    rsps.add_callback(responses.POST, URL + ENDPOINT, callback=moodle)
    ops = [AddMember(group=circle(1), user_id=u) for u in (10, 11, 999, 12, 13)]
    report = applier(api, store, {circle(1): 41}).apply(plan_of(*ops))
    assert report.written["add_member"] == 4
    assert report.failed == [(f"add_member:{circle(1)}:999", "invalidparameter")]
    added = sorted(
        int(v) for call in rsps.calls for k, v in form(call).items()
        if k.endswith("[userid]") and "999" not in form(call).values()
    )
    assert added == [10, 11, 12, 13]


def test_a_saved_plan_of_todays_format_reads_into_the_envelope_in_apply_order():
    saved = {
        "format": "lmsync-plan/1", "programme": PROGRAMME, "course_id": 2, "fingerprint": "abc",
        "operations": [
            {"kind": "add_member", "group": circle(1), "user_id": 5},
            {"kind": "create_group", "idnumber": circle(1), "name": "Circle", "description": ""},
            {"kind": "delete_group", "group": circle(2), "reason": "gone"},
        ],
        "warnings": [], "warning_items": [], "skipped_deletes": [], "pending": [],
    }
    envelope = Envelope.of_sync_plan(Plan.model_validate_json(json.dumps(saved)))
    assert [kind for kind, _ in envelope.steps()] == ["create_group", "add_member", "delete_group"]
    assert Envelope.model_validate_json(envelope.model_dump_json()) == envelope
    with pytest.raises(ValueError, match="not of the sync family"):
        Envelope(family="sync", programme=PROGRAMME, course_id=2, operations=[
            SendMessage(recipient_id=1, text="hi", mentor_id=2, mentee_id=1, reason="fading")
        ]).steps()


def test_an_envelope_of_another_family_is_refused_by_the_executor(store):
    family = SyncFamily(MoodleApi.__new__(MoodleApi), Journal(store, PROGRAMME), course_id=2, group_ids={},
                        grouping_ids={}, forum_id=None)
    grades = Envelope(family="grades", programme=PROGRAMME, course_id=2, operations=[UpdateGrades(itemnumber=1000)])
    with pytest.raises(ValueError, match="grades envelope"):
        Executor(family).run(grades)


def test_the_applier_refuses_an_executor_of_another_family(store):
    with pytest.raises(TypeError, match="sync family"):
        Applier(Executor(Scripted(Journal(store, PROGRAMME))))


# --- the grades family: a refused chunk ------------------------------------------------------------


def grades_plan(*requests: PlannedRequest) -> GradesPlan:
    return GradesPlan(
        programme=PROGRAMME, course_id=2, activity_cmid=3, itemnumbers=(1000, 1099), as_of=date(2026, 11, 1),
        created_at="2026-11-01T00:00:00+00:00", fingerprint="f",
        items=[
            PlannedItem(key=f"m{n}", itemnumber=n, itemname=f"M{n}", idnumber=None, grademin=0, grademax=10,
                        hidden=False)
            for n in sorted({r.itemnumber for r in requests})
        ],
        requests=list(requests),
    )


@pytest.mark.parametrize("pool", [1, 3])
def test_issue_12_a_refused_chunk_in_grades_skips_the_rest_of_its_item_and_the_other_items_go(
    api, store, rsps, pool
):
    refusal = json.dumps({"exception": "invalid_parameter_exception", "errorcode": "invalidparameter",
                          "message": "Invalid parameter value detected"})

    def moodle(request: Any) -> tuple[int, dict[str, str], str]:
        body = dict(parse_qsl(request.body if isinstance(request.body, str) else request.body.decode()))
        if body.get("itemnumber") == "1000":
            return 200, {"Content-Type": "application/json"}, refusal
        return 200, {"Content-Type": "application/json"}, "0"  # GRADE_UPDATE_OK

    rsps.add_callback(responses.POST, URL + ENDPOINT, callback=moodle)
    details = {"itemname": "M", "grademax": 10}
    plan = grades_plan(
        PlannedRequest(itemnumber=1000, itemdetails=details, grades=[PlannedGrade(user_id=5, grade=3)]),
        PlannedRequest(itemnumber=1000, grades=[PlannedGrade(user_id=6, grade=4)]),  # no details: depends
        PlannedRequest(itemnumber=1001, itemdetails=details, grades=[PlannedGrade(user_id=5, grade=7)]),
    )
    report = push_envelope(api, store, plan, run_id="r", max_parallel=pool)
    sent_items = sorted(form(c).get("itemnumber", "") for c in rsps.calls)
    assert sent_items == ["1000", "1001"], "the second chunk of a refused item was sent alone"
    assert report.failed == [("item 1000", "invalidparameter"), ("item 1000", "skipped after a refused request")]
    assert report.grades == 1 and report.details == 1 and report.requests == 2 and not report.uncertain
    journal = Journal(store, PROGRAMME)
    by_key = {journal.keys_of(e.id)[0]: e.state for e in journal.entries()}
    assert by_key == {"grade:1000:5": "failed", "grade:1001:5": "ok"}


def test_issue_15_independent_reads_go_side_by_side_and_come_back_in_order():
    from lmsync.service.executor import read_side_by_side

    running, most, lock = [0], [0], threading.Lock()

    def read(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.03)
        with lock:
            running[0] -= 1
        return n * n

    assert read_side_by_side(read, range(7), 3) == [n * n for n in range(7)]
    assert most[0] == 3
    most[0] = 0
    assert read_side_by_side(read, range(4), 1) == [0, 1, 4, 9] and most[0] == 1


def test_round_24_4_a_write_that_never_connected_stops_the_run_but_holds_nothing_back(store):
    """A refused connection was journaled "unknown": the next runs held those writes for the settle time
    (10 minutes) and blamed refused operations that never existed."""
    journal = Journal(store, PROGRAMME)
    report = Executor(Scripted(journal, refused={100}), run_id="r", budget=2).run_steps([("add_member", members(4))])
    assert report.lost is not None and "not sent" in report.lost and not report.complete
    assert states(journal) == ["failed"]  # not "unknown": nothing may still commit
    assert journal.unfinished() == []
