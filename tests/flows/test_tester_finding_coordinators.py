"""Tester finding 3: queue items went to coordinators Moodle does not know (a misspelt name, a
name in capitals) and stayed with them after ``[health] coordinators`` was corrected."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.domain.health import PairHealth, Reason
from lmsync.moodle.errors import MoodleError
from lmsync.service.health_queue import known_coordinators
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue

DAY = date(2026, 11, 30)


def _fading(mentee: int, mentor: int = 66) -> PairHealth:
    return PairHealth(mentor, mentee, "fading", (Reason("no_meeting", "fading", "no meeting"),), date(2026, 9, 1), None, 0)


class _Api:
    def __init__(self, accounts: set[str] | None) -> None:
        self.accounts, self.asked = accounts, []  # type: list[Any]

    def get_users_by_field(self, field: str, values: list[str]) -> list[Any]:
        self.asked.append((field, list(values)))
        if self.accounts is None:
            raise MoodleError("no permission", function="core_user_get_users_by_field", errorcode="nopermissions")
        return [SimpleNamespace(username=v, id=i) for i, v in enumerate(values) if v in self.accounts]


def _config(tmp_path: Any, coordinators: list[str]) -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text("[health]\ncoordinators = [" + ", ".join(f'"{c}"' for c in coordinators) + "]\n", encoding="utf-8")
    return load_config(path, environ={})


def test_tester_finding_3_coordinator_usernames_are_read_in_lower_case_as_moodle_keeps_them(tmp_path) -> None:
    assert _config(tmp_path, ["M0001", "Ann"]).health.coordinators == ["m0001", "ann"]


def test_tester_finding_3_only_coordinators_moodle_knows_own_queue_items(tmp_path) -> None:
    config = _config(tmp_path, ["m0001", "nosuchuser", "ann"])
    api = _Api({"m0001", "ann"})
    known = known_coordinators(api, config)  # type: ignore[arg-type]
    assert known == ["m0001", "ann"] and api.asked == [("username", ["m0001", "nosuchuser", "ann"])]
    queue = CoordinatorQueue(Store.memory(), "p", coordinators=known)
    for mentee in range(1, 7):
        queue.offer(DAY, _fading(mentee, mentor=60 + mentee))
    assert {item.owner for item in queue.open_items()} == {"m0001", "ann"}
    # Moodle could not be asked: every configured name is used, as before
    assert known_coordinators(_Api(None), config) is None  # type: ignore[arg-type]


def test_tester_finding_3_items_move_to_the_new_coordinators_when_the_list_changes() -> None:
    store = Store.memory()
    before = CoordinatorQueue(store, "p", coordinators=["m0001", "nosuchuser"])
    for mentee in range(1, 5):
        before.offer(DAY, _fading(mentee, mentor=60 + mentee))
    assert {item.owner for item in before.open_items()} == {"m0001", "nosuchuser"}
    after = CoordinatorQueue(store, "p", coordinators=["m0004", "m0005"])
    moved = after.reassign()
    assert len(moved) == 4
    assert {item.owner for item in after.open_items()} == {"m0004", "m0005"}
    assert after.reassign() == []  # settled: nothing moves twice


@pytest.mark.parametrize("owner", ["m0004", "boss"])
def test_tester_finding_3_an_item_of_a_current_coordinator_or_escalate_to_stays(owner: str) -> None:
    store = Store.memory()
    CoordinatorQueue(store, "p", coordinators=[owner]).offer(DAY, _fading(1))
    assert CoordinatorQueue(store, "p", coordinators=["m0004", "m0005"], escalate_to="boss").reassign() == []


def test_tester_finding_12_queue_done_with_the_mentee_first_and_a_second_ack(tmp_path, monkeypatch) -> None:
    """``queue done`` with mentor and mentee swapped said only "no open item", and so did a second
    ``queue ack``; the first finds the pair's item, the second says it was acknowledged."""
    from lmsync.errors import InputError
    from lmsync.service.health_queue import queue_ack, queue_done

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")})
    store = Store(config.store_path())
    queue = CoordinatorQueue(store, config.programme.name)
    queue.offer(DAY, _fading(5, mentor=66))
    queue.offer(DAY, _fading(6, mentor=66))
    store.close()
    item = queue_done(config, (5, 66), "no_action", on=DAY)
    assert item.pair == (66, 5) and item.outcome == "no_action"
    queue_ack(config, "66-6", on=DAY)
    with pytest.raises(InputError, match="pair 66-6: the item was acknowledged on 2026-11-30"):
        queue_ack(config, "66-6", on=DAY)
    with pytest.raises(InputError, match="are not a pair in this programme's store"):  # as queue done (round 56, 9)
        queue_ack(config, "66-7", on=DAY)
    # tester round 56, 3: an item closed with an outcome was "acknowledged", with a fix that led nowhere
    with pytest.raises(InputError, match=r"pair 66-5: the item was closed on 2026-11-30 \(outcome no_action\)") as closed:
        queue_ack(config, "66-5", on=DAY)
    assert "queue done" not in (closed.value.hint or "")


def test_round_59_2_queue_ack_after_met_is_refused_and_the_item_stays_open(tmp_path, monkeypatch) -> None:
    """`queue done --outcome met` then `queue ack` closed the item as if the pair had recovered, while it
    was still fading: it vanished from the list and pair show said "closed (the pair recovered)"."""
    from lmsync.errors import InputError
    from lmsync.service.health_queue import queue_ack, queue_done

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = load_config(None, environ={"XDG_STATE_HOME": str(tmp_path / "state")})
    store = Store(config.store_path())
    CoordinatorQueue(store, config.programme.name).offer(DAY, _fading(5, mentor=66))
    store.close()
    queue_done(config, (66, 5), "met", on=DAY)
    with pytest.raises(InputError, match="pair 66-5: met recorded on 2026-11-30; the item stays open") as refused:
        queue_ack(config, "66-5", on=DAY)
    assert "queue done" in (refused.value.hint or "")
    store = Store(config.store_path())
    (item,) = CoordinatorQueue(store, config.programme.name).open_items()
    store.close()
    assert item.pair == (66, 5) and item.acked_on is None and item.outcome == "met"
