"""Fixtures for the Moodle client's unit tests: a fake-sleep transport over ``responses``."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from lmsync.moodle.api import MoodleApi
from lmsync.moodle.transport import ENDPOINT, Transport
from lmsync.secrets import Token
from tests.contract.recordings import Recording, load_recordings

URL = "https://moodle.example.test"
ENDPOINT_URL = URL + ENDPOINT
SECRET = "5ec2e7700000aaaa5ec2e7700000bbbb"


@cache
def _recordings() -> dict[str, Recording]:
    return {r.name: r for r in load_recordings()}


def recording(name: str) -> Recording:
    return _recordings()[name]


def body_of(name: str) -> Any:
    return recording(name).response.json()


def wire_form(call: Any) -> list[tuple[str, str]]:
    """Every field of the POST body as sent, the token included."""
    body = call.request.body or ""
    if isinstance(body, bytes):
        body = body.decode()
    return parse_qsl(body, keep_blank_values=True)


def form_of(call: Any) -> list[tuple[str, str]]:
    """The parameters sent, after checking the token came first in the body (trap 37)."""
    pairs = wire_form(call)
    assert pairs[:1] and pairs[0][0] == "wstoken", "the token must be the first field of the body"
    assert "wstoken" not in call.request.url
    return pairs[1:]


def query_of(call: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.request.url).query))


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def token() -> Token:
    return Token(SECRET)


@pytest.fixture
def transport(token: Token, sleeps: Sleeps) -> Transport:
    return Transport(URL, token, sleep=sleeps, timeout=5, deadline=60)


@pytest.fixture
def api(transport: Transport) -> MoodleApi:
    return MoodleApi(transport)


def reply(rsps: responses.RequestsMock, body: Any, status: int = 200, **kw: Any) -> None:
    """Queue one JSON answer (``responses`` serves registrations in order, the last repeats)."""
    rsps.add(
        responses.POST,
        ENDPOINT_URL,
        body=json.dumps(body),
        status=status,
        content_type="application/json",
        **kw,
    )
