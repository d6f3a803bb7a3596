"""Which of the course's forums ``[programme] forum`` names: one name, or one course-module id.

The observation (plan, sync and every command that reads the forum) and ``lmsync doctor`` resolve it
here, the same way. Two forums of one name are normal after a course rollover or an import; lmsync
took the first and posted every circle's welcome there (tester round 94b, 2). Now it refuses, naming
the forums' course-module ids, and the setting takes a course-module id as ``[meetings] feedback``
does (``lmsync.service.feedback_sources.find_feedback``): the id as text, ``forum = "7"``.

A forum lmsync already posted welcomes to is not preferred over its namesake: a course copied with
its user data carries lmsync's welcomes (marker and all) into the copy, so they do not prove which
forum the admin means; the admin names it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from lmsync.errors import ConfigError
from lmsync.moodle.text import same_name
from lmsync.visible import quoted


class _CourseModule(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def cmid(self) -> int: ...


F = TypeVar("F", bound=_CourseModule)


def programme_forums(forums: Iterable[F], wanted: str) -> list[F]:
    """The forums ``wanted`` names, in the order given: by name, matched as Moodle returns forum names
    (``&`` read back as ``&amp;``, trap 39: ``moodle.text.same_name``), or by course-module id, as
    ``[meetings] feedback`` takes one."""
    return [f for f in forums if same_name(f.name, wanted) or str(f.cmid) == wanted.strip()]


def several_forums(wanted: str, found: Sequence[_CourseModule]) -> tuple[str, str]:
    """What is wrong and what to do when ``wanted`` names more than one forum: (message, fix), both naming
    the forums' course-module ids (tester round 94b, 2)."""
    cmids = sorted(f.cmid for f in found)
    listed = ", ".join(map(str, cmids[:-1])) + f" and {cmids[-1]}"
    message = (f"{len(found)} forums in the course are named {quoted(wanted)} (course-module ids {listed}): "
               "lmsync cannot tell which one the circles' welcome discussions go to")
    fix = (f"set [programme] forum to the course-module id of the right one, as text (e.g. forum = \"{cmids[0]}\"): "
           f"the number after id= in the forum's address (mod/forum/view.php?id={cmids[0]}); or rename all but one")
    return message, fix


def one_programme_forum(forums: Iterable[F], wanted: str) -> F | None:
    """The one forum ``wanted`` names; None when none does.

    Raises ConfigError (exit 2) when more than one does, before anything is written (tester round 94b, 2).
    """
    found = programme_forums(forums, wanted)
    if len(found) > 1:
        message, fix = several_forums(wanted, found)
        raise ConfigError(message, hint=fix)
    return found[0] if found else None
