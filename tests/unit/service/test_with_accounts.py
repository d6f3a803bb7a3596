"""``lmsync health`` named someone whose enrolment is suspended ``user #29 (not in the course)`` in its
note of paused queue items, while ``queue list`` named them from their account (tester round 50, second
pass, 3). ``directory.with_accounts`` adds the accounts of the ids the roster lacks, in one read."""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from lmsync.config import Config
from lmsync.moodle.errors import MoodleException
from lmsync.service import directory
from lmsync.service.labels import People


def _moodle(monkeypatch: pytest.MonkeyPatch, answer: Any) -> list[list[int]]:
    asked: list[list[int]] = []

    def get_users_by_field(field: str, values: list[int]) -> list[Any]:
        assert field == "id"
        asked.append(list(values))
        if isinstance(answer, Exception):
            raise answer
        return [u for u in answer if u.id in values]

    @contextmanager
    def open_moodle(config: Config) -> Any:
        yield SimpleNamespace(api=SimpleNamespace(get_users_by_field=get_users_by_field))

    monkeypatch.setattr("lmsync.service.moodle.open_moodle", open_moodle)
    return asked


def test_round_50_3_someone_away_is_named_from_their_account_and_only_they_are_looked_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    here = SimpleNamespace(id=1, username="m0001", fullname="Ifeoma Nguyen", idnumber="", email="")
    away = SimpleNamespace(id=29, username="s0027", fullname="Rania Fernandes", idnumber="", email="")
    asked = _moodle(monkeypatch, [away])
    roster = directory.with_accounts(Config(), {1: here}, {1, 29})
    assert asked == [[29]] and set(roster) == {1, 29}
    assert People(roster).label(29) == "Rania Fernandes (s0027)"
    assert directory.with_accounts(Config(), {1: here}, {1}) == {1: here} and asked == [[29]], "nobody missing: no read"


def test_round_50_3_a_failed_lookup_names_by_id_and_raises_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    _moodle(monkeypatch, MoodleException("no permission", errorcode="nopermissions"))
    assert directory.with_accounts(Config(), {}, {29}) == {}
