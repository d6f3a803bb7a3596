"""Tester round 78, 4: a sync's removals from an erased mentor's circle are journalled without the member's id
(``erase_circle.ErasedCircles``, ``apply.SyncFamily.keys``), so the store ties the erased mentor's id (in the
circle's idnumber) to no mentee again; additions, other circles and pairs the history still holds keep theirs,
and a crashed run's removals still settle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
import responses

from lmsync.domain.plan import AddMember, Plan, RemoveMember, mentor_group_idnumber
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token
from lmsync.service.apply import Applier, SyncFamily
from lmsync.service.erase_circle import ErasedCircles
from lmsync.service.executor import Executor
from lmsync.service.sync import record_settled_pairings, uncertain_writes
from lmsync.store.db import Store
from lmsync.store.erasures import record_erasure
from lmsync.store.journal import Journal
from lmsync.store.pairings import PairingHistory

URL = "https://moodle.example.test"
PROGRAMME = "p"
ERASED, OTHER = 6, 7  # the erased mentor, a mentor never erased


def circle(mentor: int) -> str:
    return mentor_group_idnumber(PROGRAMME, mentor)


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.memory()
    record_erasure(s, ERASED, date(2026, 11, 1))
    PairingHistory(s, PROGRAMME).record("add_member", [(circle(ERASED), 13), (circle(OTHER), 21)])  # still paired
    yield s
    s.close()


def family(store: Store) -> SyncFamily:
    api = MoodleApi(Transport(URL, Token("5ec2e7700000aaaa5ec2e7700000bbbb"), sleep=lambda _s: None, timeout=5,
                              deadline=60))
    groups = {circle(ERASED): 41, circle(OTHER): 42}
    return SyncFamily(api, Journal(store, PROGRAMME), course_id=2, group_ids=groups, grouping_ids={}, forum_id=None)


def plan_of(*ops: Any) -> Plan:
    return Plan(programme=PROGRAMME, course_id=2, fingerprint="f", operations=list(ops))


def journalled(store: Store) -> list[list[str]]:
    journal = Journal(store, PROGRAMME)
    return [journal.keys_of(e.id) for e in journal.entries()]


# --- ErasedCircles.removal_key ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("group", "member", "after"), [
    (circle(ERASED), 12, f"remove_member:{circle(ERASED)}:erased"),  # no open pair: the key names no member
    (circle(ERASED), ERASED, f"remove_member:{circle(ERASED)}:erased"),  # the mentor's own membership
    (circle(ERASED), 13, f"remove_member:{circle(ERASED)}:13"),  # an open pair: its leave is recorded by key
    (circle(OTHER), 12, f"remove_member:{circle(OTHER)}:12"),  # a mentor never erased
    ("lmsync:q:mentor:6", 12, "remove_member:lmsync:q:mentor:6:12"),  # another programme's circle
    ("a-group-of-someone-else", 12, "remove_member:a-group-of-someone-else:12"),
])
def test_a_removal_from_an_erased_mentors_circle_names_no_member_unless_still_paired(
    store: Store, group: str, member: int, after: str,
) -> None:
    erased = ErasedCircles.read(store, PROGRAMME)
    assert erased.removal_key(f"remove_member:{group}:{member}", group, member) == after


# --- SyncFamily.keys --------------------------------------------------------------------------------------------


def test_only_removals_are_untied_and_the_same_chunk_gets_the_same_keys(store: Store) -> None:
    sync = family(store)
    removals = [RemoveMember(group=circle(ERASED), user_id=u) for u in (12, 13)] + [
        RemoveMember(group=circle(OTHER), user_id=22)]
    expected = [f"remove_member:{circle(ERASED)}:erased", f"remove_member:{circle(ERASED)}:13",
                f"remove_member:{circle(OTHER)}:22"]
    assert sync.keys("remove_member", removals) == expected
    assert sync.keys("remove_member", removals) == expected  # a re-run, a refused chunk's halves: the same
    assert family(store).keys("remove_member", removals) == expected  # the next round reads the same store
    additions = [AddMember(group=circle(ERASED), user_id=12)]  # held while pending: matched key for key
    assert sync.keys("add_member", additions) == [f"add_member:{circle(ERASED)}:12"]


def test_the_journal_of_an_applied_removal_names_no_member_and_the_history_still_closes_the_pair(
    store: Store, rsps: responses.RequestsMock,
) -> None:
    sent: list[dict[str, str]] = []

    def moodle(request: Any) -> tuple[int, dict[str, str], str]:
        sent.append(dict(parse_qsl(request.body if isinstance(request.body, str) else request.body.decode())))
        return 200, {"Content-Type": "application/json"}, "null"

    rsps.add_callback(responses.POST, URL + ENDPOINT, callback=moodle)
    plan = plan_of(*(RemoveMember(group=circle(ERASED), user_id=u) for u in (12, 13)))
    report = Applier(Executor(family(store), run_id="r", budget=2000)).apply(plan)
    assert report.complete and report.written["remove_member"] == 2
    assert sorted(v for body in sent for k, v in body.items() if k.endswith("[userid]")) == ["12", "13"]  # Moodle: ids
    assert journalled(store) == [[f"remove_member:{circle(ERASED)}:erased", f"remove_member:{circle(ERASED)}:13"]]
    assert (ERASED, 13) not in PairingHistory(store, PROGRAMME).open_pairs()  # recorded from the operations
    again = Applier(Executor(family(store), run_id="r2", budget=2000)).apply(plan)  # the pair is closed now
    assert again.complete and journalled(store)[-1] == [f"remove_member:{circle(ERASED)}:erased"] * 2


def test_a_crashed_runs_untied_removal_settles_without_recording_anyone(store: Store) -> None:
    journal = Journal(store, PROGRAMME)
    keys = family(store).keys("remove_member", [RemoveMember(group=circle(ERASED), user_id=12)])
    entry = journal.intent("r", "core_group_delete_group_members", "remove_member", keys)  # the run died here
    uncertain = uncertain_writes(journal, settle_seconds=600, now=time.time())
    assert uncertain.settled == [entry] and not uncertain.pending  # a removal is never held: it goes again
    shown = [SimpleNamespace(idnumber=circle(ERASED), members=frozenset())]
    assert record_settled_pairings(journal, [entry], shown) == 0  # no id to record, and no open pair to close
    assert journal.keys_of(entry) == [f"remove_member:{circle(ERASED)}:erased"]
