"""How every view names a person: full name and username, never a bare Moodle id.

``People`` wraps the programme course's roster (``lmsync.service.observe.RosterUser`` by
Moodle id). ``[privacy] show_names = false`` turns full names off: views then show the
username only. Someone no longer in the course keeps a clearly marked id, the only thing
lmsync still holds about them.

It lives with the services (not in ``lmsync.render``) because services build their view
models with it (the directory, the report) and a service never imports a renderer (issue 12:
``cli -> render -> service``, checked by import-linter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lmsync.visible import visible


class Named(Protocol):
    """Anything with a username (and, read when present, a ``fullname``)."""

    @property
    def username(self) -> str: ...


@dataclass(frozen=True)
class People:
    """Labels for people of one course; ``roster`` maps Moodle user id -> user."""

    roster: Mapping[int, Named] = field(default_factory=dict)
    show_names: bool = True
    note: str | None = None  # why the roster is missing, when it could not be read

    def username(self, user_id: int) -> str:
        """The username, or ``#<id>`` for someone no longer in the course."""
        user = self.roster.get(user_id)
        return user.username if user is not None and user.username else f"#{user_id}"

    def name(self, user_id: int) -> str | None:
        """The full name, unless names are off or unknown."""
        user = self.roster.get(user_id)
        if not self.show_names or user is None:
            return None
        return str(getattr(user, "fullname", "") or "") or None

    def label(self, user_id: int) -> str:
        """``Ada Lovelace (s0006)``; ``s0006`` with names off; ``user #67 (not in the course)``.

        A control or bidirectional formatting character in a name or username (students edit their
        own names) is written as its escape (:func:`lmsync.visible.visible`): a line break in a name
        forged lines in a printed plan (tester round 44, 1)."""
        user = self.roster.get(user_id)
        if user is None or not user.username:
            return f"user #{user_id} (not in the course)"
        name = self.name(user_id)
        return visible(f"{name} ({user.username})" if name else user.username)

    def pair(self, mentor_id: int, mentee_id: int) -> str:
        """``mentor label / mentee label``: a pair as a coordinator reads it."""
        return f"{self.label(mentor_id)} / {self.label(mentee_id)}"

    def as_json(self, user_id: int) -> dict[str, object]:
        """``{"id", "username", "name"}`` for JSON views (name omitted when names are off)."""
        data: dict[str, object] = {"id": user_id, "username": self.username(user_id)}
        if self.show_names:
            data["name"] = self.name(user_id)
        return data


def with_moodle_id(user_id: int, username: str, fullname: str = "", *, show_names: bool = True) -> str:
    """``Ada Lovelace (s0006) (Moodle id 84)``: how a warning names someone of the course, as every view
    does (``People.label``) and with the id an admin finds them by in Moodle; ``s0006 (Moodle id 84)``
    with ``[privacy] show_names`` off. Warnings read "mentor (Moodle id 80)" or "mm06 (Moodle id 84)":
    no name at all, or a username where the README promises name and username (tester round 73, 6).
    For views only: log events carry ids and counts, never names."""
    return f"{named(username, fullname, show_names=show_names)} (Moodle id {user_id})"


def named(username: str, fullname: str = "", *, show_names: bool = True) -> str:
    """``Ada Lovelace (s0006)``, or ``s0006`` with ``[privacy] show_names`` off: ``People.label`` for
    someone known by username and name rather than through a roster."""
    name = fullname if show_names else ""
    return visible(f"{name} ({username})" if name and username else username or name or "user")
