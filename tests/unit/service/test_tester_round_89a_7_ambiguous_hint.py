"""Tester round 89a, 7: ``pair show s0001`` where another person's idnumber is ``S0001`` was refused with "name one
by its Moodle id (id:3) or username", but ``s0001`` is already that username, the very value refused: only
``username:s0001`` worked. The hint names the field that finds one person."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lmsync.errors import InputError
from lmsync.service.privacy import resolve

ROSTER = {
    3: SimpleNamespace(username="s0001", idnumber="s0001", email="a@example.org", fullname="Dmitri Kim"),
    102: SimpleNamespace(username="s0100", idnumber="S0001", email="b@example.org", fullname="Ana Lee"),
}


def test_the_hint_names_the_field_that_finds_one_person():
    with pytest.raises(InputError) as refused:
        resolve(ROSTER, "s0001")
    message = str(refused.value)
    assert "matches several people by idnumber" in message and "or say username:s0001" in message
    assert resolve(ROSTER, "username:s0001") == 3  # what the hint says works


def test_with_no_field_finding_one_person_the_hint_shows_the_prefix():
    roster = {3: ROSTER[3], 102: SimpleNamespace(username="s0100", idnumber="x", email="a@example.org", fullname="B")}
    with pytest.raises(InputError) as refused:
        resolve(roster, "a@example.org")
    assert "(id:3) or username:USERNAME" in str(refused.value)
