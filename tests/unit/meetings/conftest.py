from dataclasses import dataclass

import pytest

from lmsync.service.meetings import make_resolver
from lmsync.store.db import Store


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    idnumber: str
    email: str


PEOPLE = [
    Person(66, "m0001", "M-1", "m0001@example.org"),
    Person(67, "m0002", "M-2", "m0002@example.org"),
    Person(3, "s0001", "S-1", "s0001@example.org"),
    Person(4, "s0002", "S-2", "s0002@example.org"),
    Person(5, "s0003", "S-3", "s0003@example.org"),
]

# (mentor, mentee) circles of PEOPLE: m0001 with s0001 and s0002, m0002 with s0003.
PAIRS = [(66, 3), (66, 4), (67, 5)]


@pytest.fixture
def people():
    return list(PEOPLE)


@pytest.fixture
def resolve():
    return make_resolver(PEOPLE, "username")


@pytest.fixture
def store():
    db = Store.memory()
    yield db
    db.close()


class Obj:
    """The click context object the meetings commands read (``ctx.obj``), holding one configuration."""

    def __init__(self, config):
        self._config = config
        self.log_format = "console"

    def config(self):
        return self._config


@pytest.fixture
def db_path(tmp_path):
    """The programme's store file, made (empty) as a first sync makes it: an import into no store is refused
    (tester round 94a, 4)."""
    Store(tmp_path / "p.db").close()
    return tmp_path / "p.db"
