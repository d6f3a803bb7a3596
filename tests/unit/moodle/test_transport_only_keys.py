"""Transport.only_keys: an answer parsed keeping only the keys the caller needs (issue 15, memory)."""

from __future__ import annotations

import threading

import pytest

from lmsync.moodle import errors as E
from lmsync.moodle.api import MoodleApi
from tests.unit.moodle.conftest import body_of, reply


def test_only_keys_drops_every_other_key_nested_ones_too(rsps, transport) -> None:
    recorded = body_of("core_user_get_users_by_field/suspended-accounts")
    assert any(row.get("customfields") for row in recorded), "the recording carries profile fields"
    reply(rsps, recorded)
    with transport.only_keys(("id", "suspended")):
        rows = transport.call("core_user_get_users_by_field", {"field": "id", "values": [1]})
    assert rows == [{k: row[k] for k in ("id", "suspended") if k in row} for row in recorded]


def test_only_keys_ends_with_the_block_and_is_per_thread(rsps, transport) -> None:
    recorded = body_of("core_user_get_users_by_field/suspended-accounts")
    reply(rsps, recorded)
    seen_elsewhere: list[object] = []
    with transport.only_keys(("id",)):
        other = threading.Thread(target=lambda: seen_elsewhere.append(transport.call("core_user_get_users_by_field")))
        other.start()
        other.join()
    assert seen_elsewhere == [recorded], "another thread's answers are parsed whole"
    assert transport.call("core_user_get_users_by_field") == recorded, "after the block, whole again"


def test_only_keys_still_raises_moodle_exceptions(rsps, transport) -> None:
    reply(rsps, body_of("core_user_get_users_by_field/bad-field"))
    with transport.only_keys(("id",)), pytest.raises(E.MoodleException) as caught:
        transport.call("core_user_get_users_by_field", {"field": "nope", "values": [1]})
    assert caught.value.errorcode == body_of("core_user_get_users_by_field/bad-field")["errorcode"]


def test_users_parsed_lean_keep_id_and_suspended(rsps, transport) -> None:
    recorded = body_of("core_user_get_users_by_field/suspended-accounts")
    reply(rsps, recorded)
    with transport.only_keys(("id", "suspended")):
        users = MoodleApi(transport).get_users_by_field("id", [row["id"] for row in recorded])
    assert {(u.id, u.suspended) for u in users} == {(row["id"], row["suspended"]) for row in recorded}
    assert any(u.suspended for u in users), "the recording holds suspended accounts"
    assert all(not u.customfields and not u.email for u in users)
