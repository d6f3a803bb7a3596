"""What sync planning reads: Moodle as observed, the circles the programme wants, lmsync's own
memory of earlier writes, and the settings (with Moodle's text rules injected by the service);
and :class:`UnsafePlan`, the refusal a plan raises when a careful admin must confirm it.

Pure: Moodle is seen only through these small types, in Moodle ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date


class UnsafePlan(Exception):
    """The plan would do something a careful admin must confirm (e.g. a mass removal); ``hint``: the fix."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class ObservedGroup:
    """A course group as read back: ``name`` is Moodle's *formatted* name (trap 39).

    ``links`` counts the group's rows in lmsync's grouping: Moodle checks before inserting but has
    no unique index, so a write that committed twice leaves a doubled link (issue 10 point 10).
    """

    id: int
    name: str
    idnumber: str
    members: frozenset[int]
    in_grouping: bool = False
    links: int = 1


@dataclass(frozen=True)
class ObservedDiscussion:
    """A discussion of the programme forum: ``subject`` escaped and ``message`` purified (traps 39, 40);
    ``userid`` is the opening post's author."""

    id: int
    groupid: int
    subject: str
    message: str
    userid: int = 0


@dataclass(frozen=True)
class Observation:
    """What lmsync read from Moodle for one programme, in Moodle ids."""

    course_id: int
    grouping_id: int | None
    groups: tuple[ObservedGroup, ...]
    active_user_ids: frozenset[int]
    forum_id: int | None = None
    discussions: tuple[ObservedDiscussion, ...] = ()
    extra_grouping_ids: tuple[int, ...] = ()  # further groupings with lmsync's idnumber (duplicates)
    self_user_id: int | None = None  # the account lmsync's token belongs to (author of its posts)
    suspended_user_ids: frozenset[int] = frozenset()  # accounts suspended in Moodle (trap 41), enrolment active
    # lmsync's grouping as core_group_get_groupings returns it: raw, not format_string'd (trap 39);
    # None when not read (the plan then never renames it)
    grouping_name: str | None = None
    grouping_description: str = ""
    # the names of the course's other groupings (none with lmsync's idnumber): Moodle refuses a second
    # grouping of one name, so lmsync's takes a suffix (tester round 17, 1: every sync failed)
    other_grouping_names: frozenset[str] = frozenset()
    # active users holding none of the programme's mentor or mentee roles (a teacher, an observer): a
    # circle member of theirs that lmsync did not place stays (tester round 17, 3)
    outsiders: frozenset[int] = frozenset()
    # the forum's cancreatediscussions for lmsync's account (None: not read); False means every welcome
    # post would be refused (mod/forum:startdiscussion, or accessallgroups in a group-mode forum)
    can_start_discussions: bool | None = None
    # the forum's type as mod_forum_get_forums_by_courses gives it (None: not read): "news", the course's
    # announcements forum, is never posted to (``forum_mode.ANNOUNCEMENTS_FORUM``, tester round 92b, 2)
    forum_type: str | None = None
    # groups carrying one of this programme's circle idnumbers that lmsync cannot prove it made, as read
    # (``circle_proof.disown``): in ``groups`` as any teacher's group, idnumber and members left out
    disowned: tuple[ObservedGroup, ...] = ()
    # circles lmsync made whose ID number someone changed or cleared in Moodle, seen in ``groups`` with it put
    # back (``renumbered_circles.with_idnumbers_back``): Moodle group id -> the ID number Moodle shows now
    renumbered: Mapping[int, str] = field(default_factory=dict)
    # lmsync's grouping read by the Moodle id the store's journal proves it made, carrying another ID number: the
    # one Moodle shows now ("" cleared), None when it carries lmsync's (``renumbered_grouping``; round 105a, 4)
    grouping_idnumber_was: str | None = None
    # groupings carrying lmsync's grouping ID number that the store cannot prove are lmsync's, (Moodle id, name as
    # read): left as they are, ``grouping_id`` None (``grouping_proof``; tester round 117b, 1)
    grouping_held: tuple[tuple[int, str], ...] = ()
    # lmsync's own grouping the store proves it made, its ID number changed or cleared in Moodle, while one of
    # ``grouping_held`` carries it: (Moodle id, name as read, ID number now); it cannot get it back meanwhile
    # (``renumbered_grouping.own_renumbered``; tester round 118a, 2)
    own_grouping_held: tuple[int, str, str] | None = None

    def fingerprint(self) -> str:
        """A digest of everything the plan depends on; a saved plan is refused when it changes."""
        data: dict[str, object] = {
            "course": self.course_id,
            "grouping": self.grouping_id,
            "grouping_name": self.grouping_name,
            "groups": sorted(
                (g.id, g.name, g.idnumber, sorted(g.members), g.in_grouping, g.links) for g in self.groups
            ),
            "extra_groupings": sorted(self.extra_grouping_ids),
            "active": sorted(self.active_user_ids),
            "suspended": sorted(self.suspended_user_ids),
            "forum": self.forum_id,
            "discussions": sorted((d.id, d.groupid, d.userid) for d in self.discussions),
        }
        if self.other_grouping_names:  # only then: a saved plan of a course without any keeps its fingerprint
            data["other_groupings"] = sorted(self.other_grouping_names)
        if self.disowned:  # likewise (tester round 73, 1)
            data["disowned"] = sorted((g.id, g.idnumber, sorted(g.members)) for g in self.disowned)
        if self.renumbered:  # likewise (tester round 103b, 2)
            data["renumbered"] = sorted(self.renumbered.items())
        if self.grouping_idnumber_was is not None:  # likewise (tester round 105a, 4)
            data["grouping_idnumber_was"] = self.grouping_idnumber_was
        if self.grouping_held:  # likewise (tester round 117b, 1)
            data["grouping_held"] = sorted(gid for gid, _ in self.grouping_held)
        if self.own_grouping_held is not None:  # likewise (tester round 118a, 2)
            data["own_grouping_held"] = list(self.own_grouping_held)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DesiredCircle:
    """One mentor's desired group: the mentor and the mentees matched to them."""

    mentor_id: int
    mentor_name: str
    mentee_ids: frozenset[int]
    #: how a warning names the mentor, as every view does: ``Ada Lovelace (m0001) (Moodle id 66)``, the
    #: username alone with ``[privacy] show_names`` off (tester round 73, 6: "mentor (Moodle id 80)")
    mentor_label: str = field(default="", compare=False)

    @property
    def mentor(self) -> str:
        """The mentor as a warning names them (``mentor_label``, else their Moodle id)."""
        return self.mentor_label or f"mentor (Moodle id {self.mentor_id})"


def _same(text: str) -> str:
    return text


def _accepted(_text: str) -> str | None:
    return None


@dataclass(frozen=True)
class Memory:
    """What lmsync's own journal knows and Moodle cannot say.

    ``posted``: group idnumber -> id of the discussion lmsync created there (trap 32).
    ``pending``: keys of operations sent earlier whose outcome is unknown and which may still
    commit in Moodle (a slow write outliving the timeout, issue 10 point 10): never re-sent while
    pending. ``placed``: the members lmsync put into circles whose pairing its history holds open;
    one missing from Moodle was taken out by hand, and the plan says it puts them back.
    """

    posted: Mapping[str, int] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()
    placed: frozenset[tuple[str, int]] = frozenset()  # (circle idnumber, user id) of pairings still open
    #: circles held as they are while their mentor is away (``service.away_mentors``; tester round 53, 1):
    #: the plan neither empties nor deletes them
    held: frozenset[str] = frozenset()
    #: circles whose hold is over, their mentor still away -> the hold's last day: the plan's removals say
    #: so rather than only "their mentor is not active" (tester round 55, 5)
    hold_ended: Mapping[str, date] = field(default_factory=dict)
    #: circles lmsync made that were deleted in Moodle, their pairs still open -> the Moodle id the group had
    #: (0: not recorded): the plan makes them again saying so, not only "put back" (tester round 73, 2)
    deleted: Mapping[str, int] = field(default_factory=dict)
    #: mentees of a circle deleted in Moodle whose mentor is gone -> why they join another circle: said on
    #: that line, as a removal from a circle still there says it (``gone_circles``; tester round 75, 2)
    joining: Mapping[int, str] = field(default_factory=dict)
    #: (circle idnumber, mentee id) of a mentee in several circles whom nothing lmsync knows ranks (no open pairing,
    #: no meeting): the plan removes none of those memberships, a guess by group id being no proof (tester round 93b, 1)
    unsure: frozenset[tuple[str, int]] = frozenset()
    #: (circle idnumber, member id) of members away whose place is held while their mentor is here
    #: (``held_mentees``; tester round 103b, 1): the plan does not remove them
    kept: frozenset[tuple[str, int]] = frozenset()
    #: those places whose hold is over -> its last day: their removal says so (``held_mentees``); or -> why no place
    #: is held for them, in words (given to a pin, a pair kept apart: tester round 104a, 4 and 6)
    place_ended: Mapping[tuple[str, int], date | str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanSettings:
    """How the programme wants its circles, and Moodle's text rules injected by the service.

    ``displayed(name)`` is the name as ``core_group_get_course_groups`` returns it (Moodle's
    ``format_string``, trap 39); ``refused(name)`` says why Moodle would refuse a name as
    ``PARAM_TEXT`` (trap 38), or None. Both default to "no change", for plain-name tests.
    ``group_name_max`` / ``subject_max`` are the lengths Moodle holds (``lmsync.moodle.text``).
    """

    programme: str
    grouping_name: str
    group_name_template: str = "Circle: {mentor_fullname}"
    group_description: str = "Mentoring circle of {mentor_fullname} (managed by lmsync)"
    welcome_subject: str = "Welcome to {mentor_fullname}'s mentoring circle"
    welcome_message: str = "<p>Welcome!</p>"
    allow_delete: bool = False
    post_welcome: bool = True
    min_source_fraction: float = 0.5
    # people already in another lmsync programme's circles may be placed in this one's too
    # (two programmes in one course on purpose); off: refused, a renamed programme (tester finding 4)
    allow_other_programmes: bool = False
    # the programmes named one by one: last year's circles share people, a renamed programme is still refused
    other_programmes: frozenset[str] = frozenset()
    # the other programmes this store wrote for (its journal): this programme renamed, refused even when named in
    # other_programmes (tester round 118a, 1; ``service.renamed_programmes``)
    written_programmes: frozenset[str] = frozenset()
    extra: Mapping[str, str] = field(default_factory=dict)
    displayed: Callable[[str], str] = _same
    refused: Callable[[str], str | None] = _accepted
    # Moodle's column lengths in characters (0: not checked): a longer generated group name or
    # welcome subject is shortened with a warning, never sent to be refused (new admin, part 2, point 9)
    group_name_max: int = 0
    subject_max: int = 0
