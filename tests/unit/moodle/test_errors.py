"""Every recorded failure shape becomes the right typed exception."""

from __future__ import annotations

import pytest

from lmsync.errors import LmsyncError
from lmsync.moodle import errors as E
from lmsync.moodle.errors import capability_title, exception_from_body
from tests.contract.recordings import load_recordings

EXCEPTION_RECORDINGS = [r for r in load_recordings() if r.response.errorcode is not None]

# Written from the README's trap list (traps 1-5, 34, 35), not from the client's table.
EXPECTED = {
    "core_webservice_get_site_info/invalid-token": (E.InvalidToken, 2),
    "core_webservice_get_site_info/no-token": (E.InvalidToken, 2),
    "core_webservice_get_site_info/suspended-user-token": (E.UserSuspended, 2),
    "core_webservice_get_site_info/no-wsfunction": (E.InvalidParameter, 1),
    "core_user_create_users/not-in-service": (E.AccessDenied, 2),
    "local_lmsync_does_not_exist/nonexistent-function": (E.UnknownFunction, 2),
    "core_group_create_groups/missing-capability": (E.MissingCapability, 2),
    "core_enrol_get_enrolled_users/bad-userfield": (E.InvalidUserField, 1),
    "core_enrol_get_enrolled_users/invalid-course": (E.InvalidRecord, 1),
    "core_group_create_groups/batch-duplicate-idnumber": (E.IdnumberTaken, 1),
    "core_group_add_group_members/unknown-user": (E.InvalidUser, 1),
    "core_group_create_groupings/no-idnumber": (E.InvalidResponse, 1),
    "core_grades_update_grades/wrong-component": (E.InvalidCourseModule, 1),
    "core_message_send_instant_messages/mixed-unknown-user": (E.FormatNotSupported, 1),
    "core_user_get_users_by_field/bad-field": (E.CodingError, 2),
    "core_courseformat_create_module/over-rest": (E.MoodleException, 1),
}


def test_recordings_cover_every_errorcode_of_trap_3() -> None:
    codes = {r.response.errorcode for r in EXCEPTION_RECORDINGS}
    assert {
        "invalidtoken", "wsaccessusersuspended", "accessexception", "invalidrecord", "invalidparameter",
        "nopermissions", "idnumbertaken", "invaliduserfield", "invaliduser", "codingerror", "invalidresponse",
        "invalidcoursemodule", "formatnotsupported",
    } <= codes  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_typed_exception_from_recorded_body_trap_3(name: str) -> None:
    rec = next(r for r in EXCEPTION_RECORDINGS if r.name == name)
    cls, exit_code = EXPECTED[name]
    exc = exception_from_body(rec.function, rec.response.json())
    assert type(exc) is cls
    assert exc.exit_code == exit_code
    assert exc.function == rec.function
    assert exc.errorcode == rec.response.errorcode
    assert exc.hint
    assert isinstance(exc, LmsyncError)


@pytest.mark.parametrize("rec", EXCEPTION_RECORDINGS, ids=[r.name for r in EXCEPTION_RECORDINGS])
def test_every_recorded_exception_body_is_a_moodle_exception(rec) -> None:
    body = rec.response.json()
    exc = exception_from_body(rec.function, body)
    assert isinstance(exc, E.MoodleException)
    assert exc.exception == body["exception"]
    assert body["message"] in exc.message


def test_match_on_errorcode_not_on_class_name_trap_2() -> None:
    namespaced = {
        "exception": "core\\exception\\moodle_exception",
        "errorcode": "invalidrecord",
        "message": "x",
    }
    plain = {"exception": "dml_missing_record_exception", "errorcode": "invalidrecord", "message": "x"}
    odd = {"exception": "something_new", "errorcode": "idnumbertaken", "message": "x"}
    assert type(exception_from_body("f", namespaced)) is E.InvalidRecord
    assert type(exception_from_body("f", plain)) is E.InvalidRecord
    assert type(exception_from_body("f", odd)) is E.IdnumberTaken
    assert (
        type(exception_from_body("f", {"exception": "x", "errorcode": "brandnew", "message": "m"}))
        is E.MoodleException
    )


def test_debuginfo_is_kept_when_the_site_has_debugging_on_trap_1() -> None:
    debug = next(
        r for r in EXCEPTION_RECORDINGS if r.name == "core_group_add_group_members/not-enrolled-debug-on"
    )
    plain = next(r for r in EXCEPTION_RECORDINGS if r.name == "core_group_add_group_members/not-enrolled")
    with_info = exception_from_body(debug.function, debug.response.json())
    assert with_info.debuginfo == "Only enrolled users may be members of groups"
    assert "Only enrolled users" in str(with_info)
    assert exception_from_body(plain.function, plain.response.json()).debuginfo is None


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("core_group_create_groups/missing-capability", "Manage groups"),
        ("core_enrol_get_enrolled_users/missing-viewparticipants", "View participants"),
        ("core_enrol_get_enrolled_users/onlyactive-missing-enrolreview", "Review course enrolments"),
        ("core_enrol_get_enrolled_users/withcapability", "Review permissions for others"),
        ("core_courseformat_create_module/subsection-over-rest", "Update course settings"),
    ],
)
def test_missing_capability_carries_its_title_trap_5(name: str, title: str) -> None:
    rec = next(r for r in EXCEPTION_RECORDINGS if r.name == name)
    exc = exception_from_body(rec.function, rec.response.json())
    assert isinstance(exc, E.MissingCapability)
    assert exc.capability == title
    assert title in (exc.hint or "")


def test_capability_title_parsing() -> None:
    assert capability_title("Sorry, ... do that (Manage groups).") == "Manage groups"
    assert capability_title("no parentheses here") is None


def test_exception_tree_shape() -> None:
    for cls in (
        E.ConnectionFailed,
        E.Timeout,
        E.HTTPStatusError,
        E.WebServicesDisabled,
        E.NotJSON,
        E.OutcomeUnknown,
    ):
        assert issubclass(cls, E.TransportError)
    for cls in (E.InvalidToken, E.UserSuspended, E.AccessDenied, E.UnknownFunction, E.MissingCapability,
                E.InvalidParameter, E.InvalidRecord, E.IdnumberTaken, E.InvalidUser, E.InvalidResponse,
                E.CodingError):  # fmt: skip
        assert issubclass(cls, E.MoodleException)
    assert issubclass(E.TransportError, E.MoodleError) and issubclass(E.MoodleException, E.MoodleError)
    assert not issubclass(E.MoodleException, E.TransportError)
