"""The reads' optional parameters, declared once per Moodle structure (``Paging`` and its kin,
``EnrolledUsersOptions``): whatever order a caller names them in, the form goes out in Moodle's
parameter order (the recordings' order, checked by the contract tests), and a ``None`` is not sent."""

from __future__ import annotations

import pytest
import responses

from lmsync.moodle import errors as E
from lmsync.moodle.api import MoodleApi
from lmsync.moodle.emulator.server import make_server, serve_in_background
from lmsync.moodle.emulator.state import Site
from tests.unit.moodle.conftest import form_of, reply


def _names(rsps: responses.RequestsMock) -> list[str]:
    return [name for name, _ in form_of(rsps.calls[-1])]


def test_non_respondents_page_goes_out_in_moodle_order(rsps: responses.RequestsMock, api: MoodleApi) -> None:
    reply(rsps, {"users": [], "total": 0, "warnings": []})
    api.get_feedback_non_respondents(1, perpage=20, page=0, sort="lastname", groupid=7)
    assert form_of(rsps.calls[-1]) == [
        ("feedbackid", "1"),
        ("groupid", "7"),
        ("sort", "lastname"),
        ("page", "0"),
        ("perpage", "20"),
    ]


def test_responses_analysis_leaves_out_what_is_not_given(rsps: responses.RequestsMock, api: MoodleApi) -> None:
    reply(rsps, {"attempts": [], "totalattempts": 0, "anonattempts": [], "totalanonattempts": 0, "warnings": []})
    api.get_feedback_responses_analysis(1, perpage=5, groupid=None)
    assert _names(rsps) == ["feedbackid", "perpage"]
    api.get_feedback_responses_analysis(1, perpage=5, page=2, groupid=3)
    assert _names(rsps) == ["feedbackid", "groupid", "page", "perpage"]


def test_forum_discussions_one_page_in_moodle_order(rsps: responses.RequestsMock, api: MoodleApi) -> None:
    reply(rsps, {"discussions": [], "warnings": []})
    api.get_forum_discussions(3, perpage=10, page=1, sortorder=-1)
    assert form_of(rsps.calls[-1]) == [("forumid", "3"), ("sortorder", "-1"), ("page", "1"), ("perpage", "10")]


def test_enrolled_users_options_in_one_order(rsps: responses.RequestsMock, api: MoodleApi) -> None:
    reply(rsps, [])
    api.get_enrolled_users(2, limitnumber=5, onlyactive=True, limitfrom=10, groupid=4, withcapability="x/y:z")
    assert [value for name, value in form_of(rsps.calls[-1]) if name.endswith("[name]")] == [
        "groupid",
        "withcapability",
        "onlyactive",
        "limitfrom",
        "limitnumber",
    ]


def test_error_fields_default_hint_and_override() -> None:
    plain = E.InvalidRecord("gone", function="core_group_get_groupings", errorcode="invalidrecord")
    assert (plain.function, plain.errorcode, plain.hint) == (
        "core_group_get_groupings",
        "invalidrecord",
        E.InvalidRecord.default_hint,
    )
    assert E.InvalidRecord("gone", hint=None).hint == E.InvalidRecord.default_hint
    assert E.InvalidRecord("gone", hint="re-read").hint == "re-read"
    bare = E.MoodleError("x")
    assert (bare.function, bare.errorcode, bare.hint) == (None, None, None)


@pytest.mark.parametrize("cls", [E.NotJSON, E.UnexpectedResponse])
def test_unreadable_answers_say_a_write_may_have_applied(cls: type[E.MoodleError]) -> None:
    error = E.NotJSON("x", php_output="Warning: ...") if cls is E.NotJSON else cls("x")
    assert error.hint is not None
    assert error.hint.endswith(("if the call was a write it may have been applied: re-read before retrying",
                                "if the call was a write it may have been applied: re-read before retrying."))


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.get_forum_discussions(3, perpag=10),
        lambda api: api.get_feedback_responses_analysis(1, pages=0),
        lambda api: api.get_feedback_non_respondents(1, sortby="id"),
        lambda api: api.get_enrolled_users(2, limitnum=5),
    ],
)
def test_a_misspelt_option_is_a_type_error_and_nothing_is_sent(rsps: responses.RequestsMock, api: MoodleApi, call) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        call(api)
    assert len(rsps.calls) == 0


def test_a_misspelt_error_field_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'functon'"):
        E.InvalidParameter("x", functon="core_group_create_groups")  # type: ignore[call-arg]


def test_a_misspelt_server_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'prot'"):
        make_server(Site(), prot=0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'hold'"):
        serve_in_background(Site(), hold=1)  # type: ignore[call-arg]
