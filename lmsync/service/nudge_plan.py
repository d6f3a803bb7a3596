"""Choosing who is nudged and composing their message (issue 13; ``lmsync.service.nudges``).

A person with an at-risk or fading pair is nudged about it unless they were nudged about that
pair inside ``[nudges] interval_days``; their pairs make one message (one paragraph each, the
shared greeting said once); people are served most pressing first, nobody twice a day, at most
``[nudges] daily_cap`` a day. Texts come from ``[nudges.templates]``, whose placeholders are
names and meeting gaps only: a nudge never carries a survey answer or rating.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from lmsync.config import Config
from lmsync.domain.health import NudgeFields, PersonName, nudge_kind, seen_by, told_apart
from lmsync.moodle.api import MoodleApi
from lmsync.service.ended_as_of import ended_on
from lmsync.service.health import Assessment, PairView
from lmsync.service.health_inputs import thresholds
from lmsync.store.db import Store
from lmsync.store.messages import NudgeLog

#: How pressing a status is: a fading pair before an at-risk one (lower first).
URGENCY = {"fading": 0, "at_risk": 1}
#: a template's greeting: its text up to ``{firstname}`` and the punctuation after it
_GREETING = re.compile(r"^([^{}\n]*\{firstname\}[,!:]?)\s")


@dataclass(frozen=True)
class PlannedNudge:
    mentor_id: int
    mentee_id: int
    recipient_id: int
    recipient_username: str
    role: Literal["mentor", "mentee"]
    kind: str
    status: str
    text: str
    greeting: str = ""  # the text's opening ("Hello Ifeoma,"): said once in a merged message
    days_since: int = 0  # days since the pair's last meeting (or since it began): longer is more pressing

    @property
    def pair_id(self) -> str:
        return f"{self.mentor_id}-{self.mentee_id}"


def first_names(api: MoodleApi, assessment: Assessment, user_ids: set[int]) -> dict[int, PersonName]:
    """Names for the templates: first name and surname from Moodle (the roster has full names only),
    the roster's full name beside them; the username when Moodle gives no first name."""
    roster = assessment.roster
    names = {uid: PersonName(roster[uid].username, full=roster[uid].fullname) for uid in user_ids if uid in roster}
    if user_ids:
        for user in api.get_users_by_field("id", sorted(user_ids)):
            if user.firstname:
                full = roster[user.id].fullname if user.id in roster else user.fullname
                names[user.id] = PersonName(user.firstname, user.lastname or "", full)
    return names


def plan_nudges(
    config: Config,
    store: Store,
    assessment: Assessment,
    first_names: Mapping[int, str | PersonName],
    ended: set[tuple[int, int]] | None = None,
) -> tuple[list[PlannedNudge], int]:
    """The nudges due at ``assessment.as_of``, and how many people were nudged too recently.
    ``first_names``: each person's first name, or their names (``first_names()``); ``ended``:
    ``ended_as_of.ended_on`` that day, when the caller has read it already.

    ``{other_firstname}`` is the other person's first name, told apart where the people one
    recipient's nudges name share it: "Pedro M." and "Pedro T.", else full names (``told_apart``;
    tester round 83, 2: a mentor read that his meetings with Pedro did not happen and that those
    with Pedro were short, about two mentees)."""
    day = assessment.as_of
    interval = config.nudges.interval_days
    nudges = NudgeLog(store, config.programme.name)
    ended = ended_on(store, config.programme.name, day) if ended is None else ended
    due: list[tuple[PairView, str, int, int, str, str]] = []
    recent = 0
    rules = thresholds(config)
    for view in sorted(assessment.pairs, key=lambda v: (v.health.mentor_id, v.health.mentee_id)):
        health = view.health
        if not health.needs_attention or (health.mentor_id, health.mentee_id) in ended:
            continue
        sides = (
            ("mentor", health.mentor_id, health.mentee_id, view.mentor_username),
            ("mentee", health.mentee_id, health.mentor_id, view.mentee_username),
        )
        for role, recipient, other, username in sides:
            # this side's own view of the pair, without what the other side's answers raised: None when that
            # view needs no nudge, so none goes that only the other side's answers explain (rounds 26, 1; 28, 1)
            own = nudge_kind(seen_by(health, role, rules))
            if own is None:
                continue
            last = nudges.latest(health.mentor_id, health.mentee_id, recipient, until=day)
            if last is not None and (day - last.day).days < interval:
                recent += 1
                continue
            due.append((view, role, recipient, other, username, own))
    names = {uid: PersonName(n) if isinstance(n, str) else n for uid, n in first_names.items()}
    # told apart among everyone the recipient is paired with, nudged today or not: a mentor of two Samuels read
    # "how is mentoring going with Samuel?" when only one of them was due (tester round 86b, 9)
    partners: defaultdict[int, set[int]] = defaultdict(set)
    for view in assessment.pairs:
        partners[view.health.mentor_id].add(view.health.mentee_id)
        partners[view.health.mentee_id].add(view.health.mentor_id)
    said = {r: told_apart({o: names.get(o, PersonName("")) for o in partners[r] if o in names})
            for r in {recipient for _, _, recipient, _, _, _ in due}}
    planned = [_planned(config, view, role, recipient, username, own, names,
                        said[recipient].get(other, names.get(other, PersonName("")).first))
               for view, role, recipient, other, username, own in due]
    return planned, recent


def _planned(config: Config, view: PairView, role: str, recipient: int, username: str, own: str,
             names: Mapping[int, PersonName], other_name: str) -> PlannedNudge:
    """``recipient``'s nudge about ``view``'s pair, in the template of ``own``, its kind."""
    health = view.health
    fields = NudgeFields(
        firstname=names[recipient].first if recipient in names else username,
        other_firstname=other_name,
        weeks=health.days_since_meeting // 7,
        days=health.days_since_meeting,
        cadence_days=config.meetings.cadence_days,
        programme=config.programme.name,
    )
    template = getattr(config.nudges.templates, own)  # the text of this side's own view of the pair
    opening = _GREETING.match(template)
    return PlannedNudge(
        mentor_id=health.mentor_id,
        mentee_id=health.mentee_id,
        recipient_id=recipient,
        recipient_username=username,
        role="mentor" if role == "mentor" else "mentee",
        kind=own,
        status=health.status,
        text=fields.render(template),
        greeting=fields.render(opening.group(1)) if opening else "",
        days_since=health.days_since_meeting,
    )


def group_messages(planned: Sequence[PlannedNudge]) -> list[list[PlannedNudge]]:
    """One message per recipient covering all of their pairs, the most pressing person first.

    Within a message the pairs keep their order; people are ordered by their most pressing
    pair (fading before at risk, then the longest wait since a meeting: tester round 3, 2),
    then by that pair, so that a pair's two people stand side by side (tester finding 11),
    then by Moodle id.
    """
    by_person: dict[int, list[PlannedNudge]] = defaultdict(list)
    for nudge in planned:
        by_person[nudge.recipient_id].append(nudge)

    def pressing(group: list[PlannedNudge]) -> tuple[int, int, int, int, int]:
        top = min(group, key=_urgency)
        return *_urgency(top), group[0].recipient_id

    return sorted(by_person.values(), key=pressing)


def _urgency(nudge: PlannedNudge) -> tuple[int, int, int, int]:
    return URGENCY.get(nudge.status, 2), -nudge.days_since, nudge.mentor_id, nudge.mentee_id


def message_text(group: Sequence[PlannedNudge]) -> str:
    """The text of one person's message: each pair's template text, one paragraph each.

    When the pairs' texts open with the same greeting ("Hello Ifeoma,"), it is said once, on
    its own line, and each paragraph starts after it.
    """
    greeting = group[0].greeting
    if len(group) < 2 or not greeting or any(n.greeting != greeting or not n.text.startswith(greeting) for n in group):
        return "\n\n".join(n.text for n in group)
    bodies = [n.text[len(greeting) :].strip() for n in group]
    return "\n\n".join([greeting, *(b[:1].upper() + b[1:] for b in bodies if b)])


def apply_cap(
    groups: Sequence[list[PlannedNudge]], *, already_today: set[int], sent_today: int, cap: int
) -> tuple[list[list[PlannedNudge]], int, int]:
    """The messages to send now: nobody twice in a day, at most ``cap`` a day in all, and a pair's
    two people together (README; tester round 3, 2: a mentee was asked to suggest a time while
    the mentor's message waited for tomorrow).

    People linked by their pairs (a mentor and their mentees) go as one batch, in the order of
    ``groups`` (most pressing first); a batch that does not fit in what is left of the cap waits,
    with everyone after it, for tomorrow. A batch larger than the whole cap can never fit: on a day
    that starts with it (nothing sent yet, ``cap`` > 0) it goes whole, over the cap, and nothing
    after it, so each of its people gets one message about all of their pairs (tester round 104b, 5:
    cut to the pairs that fitted, it went over two days and its mentor was messaged on both, and
    counted as left for tomorrow after the first; before that, round 56, 1: its first ``cap`` people
    went, and a mentor was told about mentees who were not). The caller reports the excess as
    ``len(messages) + sent_today - cap``.
    ``cap``, ``sent_today`` and the count left for tomorrow are messages, one a person however many pairs it
    covers, never pair nudges; a day may leave some of the cap unused when the next batch does not fit in it
    (tester round 102a, 4: a mentor's message about five mentees read as five of the cap).
    Returns (messages, people with a message left for tomorrow by the cap, people already nudged today).
    """
    fresh = [g for g in groups if g[0].recipient_id not in already_today]
    room = max(0, cap - sent_today)
    send: list[list[PlannedNudge]] = []
    for batch in _batches(fresh):
        if len(batch) > room:
            if not send and room == cap > 0:
                send = list(batch)
            break
        send += batch
        room -= len(batch)
    return send, len(fresh) - len(send), len(groups) - len(fresh)


def _batches(groups: Sequence[list[PlannedNudge]]) -> list[list[list[PlannedNudge]]]:
    """``groups`` (one per person) joined where they share a pair, each batch in the order of its
    first group and keeping the groups' order inside."""
    at = {g[0].recipient_id: i for i, g in enumerate(groups)}
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, group in enumerate(groups):
        for nudge in group:
            other = at.get(nudge.mentee_id if nudge.recipient_id == nudge.mentor_id else nudge.mentor_id)
            if other is not None:
                parent[root(other)] = root(i)
    batches: dict[int, list[list[PlannedNudge]]] = {}
    for i, group in enumerate(groups):
        batches.setdefault(root(i), []).append(group)
    return list(batches.values())
