"""Tester round 92b, 1: a site whose PHP ``max_input_vars`` is below lmsync's batch budget cuts the tail of
every large request. core_group_create_groups then answered 15 groups for the 20 sent and the sync died
on a Python ``KeyError`` in ``service/apply.py`` (exit 1: a daemon retried instead of calling an admin).

A create that answers fewer items than it sent now raises ``RequestCut`` (exit 2) naming the cause and
the fix; the sync family records the groups Moodle did create, never sends their members, and an
operation naming a group with no Moodle id asks to re-observe instead of raising ``KeyError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from lmsync.domain.operations import AddMember, CreateGroup
from lmsync.domain.plan import Plan
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.transport import Transport
from lmsync.secrets import Token
from lmsync.service.apply import Applier, NeedsReobserve, SyncFamily
from lmsync.service.executor import Executor
from lmsync.store.db import Store
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory
from tests.unit.moodle.conftest import ENDPOINT_URL, URL, form_of, reply

PROGRAMME = "p"


def circle(mentor: int) -> str:
    return f"lmsync:{PROGRAMME}:mentor:{mentor}"


def group_row(gid: int, idnumber: str) -> dict[str, Any]:
    return {"id": gid, "courseid": 2, "name": f"Circle {gid}", "description": "", "descriptionformat": 1,
            "enrolmentkey": "", "idnumber": idnumber}


def new_groups(*mentors: int) -> list[dict[str, Any]]:
    return [{"courseid": 2, "name": f"Circle {m}", "idnumber": circle(m), "description": ""} for m in mentors]


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.memory()
    yield s
    s.close()


def small_api(budget: int) -> MoodleApi:
    return MoodleApi(Transport(URL, Token("5ec2e7700000aaaa5ec2e7700000bbbb"), sleep=lambda _s: None, timeout=5,
                               deadline=60, budget=budget))


def test_a_create_groups_answer_shorter_than_the_request_is_an_admin_error_naming_max_input_vars(api, rsps):
    from lmsync.moodle.errors import RequestCut

    reply(rsps, [group_row(41, circle(1)), group_row(42, circle(2))])  # 3 sent, PHP kept 2
    with pytest.raises(RequestCut) as caught:
        api.create_groups(new_groups(1, 2, 3))
    exc = caught.value
    assert exc.exit_code == 2, "an admin must act: the next run would be cut the same way"
    assert "answered 2 of the 3" in exc.message and "max_input_vars" in exc.message and "batch budget" in exc.message
    assert "[moodle] batch_budget" in (exc.hint or "") and "5000" in (exc.hint or "") and "php.ini" in (exc.hint or "")
    assert (exc.sent, exc.answered, exc.applied) == (3, 2, 2)
    assert [row["id"] for row in exc.rows] == [41, 42], "what Moodle did create is kept"


def test_a_cut_chunk_stops_the_call_before_its_next_request(rsps):
    from lmsync.moodle.errors import RequestCut

    api = small_api(8)  # 4 variables a group: two groups a request
    reply(rsps, [group_row(41, circle(1))])
    with pytest.raises(RequestCut) as caught:
        api.create_groups(new_groups(1, 2, 3, 4))
    assert len(rsps.calls) == 1, "no request after the cut one"
    assert caught.value.answered == 1 and caught.value.sent == 2


def test_a_full_answer_is_returned_as_before(api, rsps):
    reply(rsps, [group_row(41, circle(1)), group_row(42, circle(2))])
    assert [g.id for g in api.create_groups(new_groups(1, 2))] == [41, 42]


def test_create_groupings_and_messages_are_checked_too(api, rsps):
    from lmsync.moodle.errors import RequestCut

    reply(rsps, [])
    with pytest.raises(RequestCut):
        api.create_groupings([{"courseid": 2, "name": "G", "idnumber": "lmsync:p", "description": ""}])
    with pytest.raises(RequestCut):
        api.send_instant_messages([{"touserid": 5, "text": "hi"}])


# --- the sync family -------------------------------------------------------------------------------------


def applier(api: MoodleApi, store: Store, groups: dict[str, int] | None = None) -> Applier:
    family = SyncFamily(api, Journal(store, PROGRAMME), course_id=2, group_ids=groups or {}, grouping_ids={},
                        forum_id=None)
    return Applier(Executor(family, run_id="r", budget=2000))


def test_the_sync_stops_with_the_admin_error_records_what_was_created_and_adds_no_member(api, store, rsps):
    from lmsync.moodle.errors import RequestCut

    reply(rsps, [group_row(41, circle(1)), group_row(42, circle(2))])
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[
        *(CreateGroup(idnumber=circle(m), name=f"Circle {m}") for m in (1, 2, 3)),
        *(AddMember(group=circle(m), user_id=10 + m) for m in (1, 2, 3)),
    ])
    with pytest.raises(RequestCut) as caught:
        applier(api, store).apply(plan)
    assert caught.value.exit_code == 2
    assert [dict(form_of(c)).get("groups[0][idnumber]") for c in rsps.calls] == [circle(1)], "members never sent"
    assert Journal(store, PROGRAMME).circle_proof().recorded == {circle(1): {41}, circle(2): {42}}
    assert PairingHistory(store, PROGRAMME).history() == []


def test_an_operation_on_a_group_with_no_moodle_id_asks_to_reobserve_not_a_key_error(api, store, rsps):
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[AddMember(group=circle(9), user_id=5)])
    with pytest.raises(NeedsReobserve, match="no Moodle id"):
        applier(api, store).apply(plan)
    assert len(rsps.calls) == 0


def test_a_site_that_cuts_a_full_batch_is_refused_before_the_first_write(store, rsps):
    from lmsync.moodle.errors import RequestCut

    api = small_api(50)
    seen: list[list[tuple[str, str]]] = []

    def php_cuts_at_30(request: Any) -> tuple[int, dict[str, str], str]:
        seen.append(form_of(rsps.calls[-1]) if rsps.calls else [])
        return 200, {"Content-Type": "application/json"}, json.dumps([])  # the own account was cut off

    rsps.add_callback(responses.POST, ENDPOINT_URL, callback=php_cuts_at_30)
    family = SyncFamily(api, Journal(store, PROGRAMME), check_batches=True, self_user_id=78, course_id=2,
                        group_ids={circle(1): 41}, grouping_ids={}, forum_id=None)
    plan = Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=[AddMember(group=circle(1), user_id=5)])
    with pytest.raises(RequestCut, match="max_input_vars is below 50"):
        Applier(Executor(family, run_id="r", budget=50)).apply(plan)
    (call,) = rsps.calls
    assert "wsfunction=core_user_get_users_by_field" in call.request.url
    sent = form_of(call)
    assert len(sent) == 50 and sent[0] == ("field", "id") and sent[-1] == ("values[48]", "78")
    assert {v for _k, v in sent[1:-1]} == {"0"}, "every other value matches nobody"
    assert Journal(store, PROGRAMME).entries() == [], "nothing written, nothing journaled"
