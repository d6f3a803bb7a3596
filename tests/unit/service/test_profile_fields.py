"""Issue 15, memory: a roster user's profile fields as one flat tuple, read as the dict they were."""

from __future__ import annotations

import sys

import pytest

from lmsync.service.observe import RosterUser
from lmsync.service.profile_fields import ProfileFields


def test_profile_fields_read_as_the_dict_built_from_the_same_pairs() -> None:
    pairs = [("department", "Anatomy"), ("yearofstudy", "2"), ("department", "Surgery")]
    fields, wanted = ProfileFields(pairs), dict(pairs)
    assert fields == wanted and list(fields) == list(wanted) and list(fields.items()) == list(wanted.items())
    assert fields["department"] == "Surgery" and fields.get("capacity") is None and len(fields) == 2
    assert "yearofstudy" in fields and "capacity" not in fields
    with pytest.raises(KeyError):
        fields["capacity"]
    assert repr(fields) == repr(wanted)


def test_a_roster_user_holds_its_profile_as_profile_fields_smaller_than_a_dict() -> None:
    profile = {"department": "Anatomy", "interests": "Oncology", "yearofstudy": "1", "languages": "English"}
    user = RosterUser(3, "s0001", "s0001", "Elif Patel", "", frozenset({"student"}), dict(profile))
    assert isinstance(user.profile, ProfileFields) and user.profile == profile
    other = RosterUser(5, "s0003", "", "", "", frozenset(), {**profile, "department": "Surgery"})
    assert other.profile._names is user.profile._names  # noqa: SLF001  # one names tuple per set of names
    held = sys.getsizeof(user.profile) + sys.getsizeof(user.profile._values)  # noqa: SLF001
    assert held <= sys.getsizeof(dict(profile)) - 64  # 55,000 users: ~4 MB less
    assert RosterUser(4, "s0002", "", "", "", frozenset()).profile == {}


def test_an_idnumber_equal_to_the_username_is_held_as_one_string() -> None:
    from lmsync.moodle.models import EnrolledUser
    from lmsync.service.observe import roster_user

    row = {"id": 5, "fullname": "A B", "email": "", "roles": [], "customfields": []}
    same = roster_user(EnrolledUser.model_validate({**row, "username": "s0005", "idnumber": "s0005"}))
    other = roster_user(EnrolledUser.model_validate({**row, "username": "s0005", "idnumber": "X9"}))
    assert same.idnumber == "s0005" and same.idnumber is same.username  # JSON gave two strings (issue 15)
    assert other.idnumber == "X9"
