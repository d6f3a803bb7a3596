"""``lmsync health``, ``lmsync nudge`` and ``lmsync queue list|ack``: fading pairs, found and acted on.

``command`` is a list of three click objects. Each parses options, calls one function of
``lmsync.service.health`` / ``lmsync.service.nudges`` and renders (``health`` and ``queue list``
through the views of ``lmsync.render.health``): people appear as names and usernames, reasons as
codes and sentences, never a survey score.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from lmsync.cli import FORMAT, allow_mass_nudge, echo_view, examples
from lmsync.cli.dates import ISO_DATE
from lmsync.cli.output import say
from lmsync.config import Config
from lmsync.errors import InputError, PartialFailure, PlanError
from lmsync.render.health import health_view, queue_view
from lmsync.service import health as service
from lmsync.service import nudges as nudge_service
from lmsync.service.as_of_day import refuse_after_today
from lmsync.service.directory import (
    load_people,
    named,
    people_of,
    pinned,
    read_roster_of,
    read_roster_with,
    with_accounts,
)
from lmsync.service.established import NotAPair
from lmsync.service.health_erased import erased_since
from lmsync.service.health_queue import BY_HAND, HeldCircle, queue_staff_of, record_outcome
from lmsync.service.jobs import StopFlag
from lmsync.service.labels import People
from lmsync.service.mentees_alone import left_out_two_roles, mentees_without_mentor
from lmsync.service.pair_people import STANDING_WORDS, pair_people
from lmsync.service.programme_settings import programme_today
from lmsync.service.rematch_now import already_rematched, mentors_now
from lmsync.service.renamed_refusal import refuse_renamed, renamed_warning
from lmsync.service.roster import programme_roles
from lmsync.service.stores import StoreAbsent, refuse_if_absent
from lmsync.store.queue import GONE, RECOVERED, WATCH, QueueItem
from lmsync.store.queue_item import HOLD_PREFIX


def _as_of(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    default=None,
    help="Judge as on this date (YYYY-MM-DD; default today). Data dated later is ignored.",
)


@click.command("health", epilog=examples("lmsync health", "lmsync health --format json --as-of 2026-12-01"))
@FORMAT
@AS_OF
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def health_command(ctx: click.Context, fmt: str, as_of: datetime | None, wait: bool) -> None:
    """Which pairs are fading (coordinator view); stores today's snapshot and queues fading pairs.

    With --as-of (today or a day that has passed) it is a view only: nothing is stored or queued. Refused where there is no store yet (a
    mistyped [store] path or sqlite:/// url): `lmsync sync` or `lmsync run` makes it.
    """
    config = ctx.obj.config()
    if as_of is not None:  # a day to come judged every pair fading, as report refuses it (tester round 108b, 2)
        refuse_after_today(config, as_of.date(), "health view", "judge every pair fading, even those meeting on "
                           "schedule: no meeting nor survey answer can be recorded yet for the days to come")
    if as_of is None:  # a mistyped [store] path made a new store and queued every pair as new (tester round 79, 6)
        refuse_if_absent(config, "health", holds="no pairing history or meetings to judge the pairs by: each would "
                         "be judged, and queued, as new")
        refuse_renamed(config, "health")  # judged under a refused rename: no pair, every mentee waiting (118a, 5)
    report = service.health_job(config, as_of=_as_of(as_of), wait=wait, record=as_of is None)
    roster = with_accounts(config, report.assessment.roster, {uid for item in report.paused for uid in item.pair}
                           | {circle.mentor_id for circle in report.held}  # an away mentor's label (104b, 10)
                           | {uid for place in report.held_places for uid in place.pair})  # a mentee's (109a, 1)
    alone = mentees_without_mentor(config, report.assessment.roster, report.assessment.circles,
                                   report.assessment.peer_mentors)  # named where a coordinator reads (107a, 5)
    today = programme_today(config)  # people erased since a past day: their pairs went with them (112b, 9b)
    erased = erased_since(config, report.as_of) if report.as_of < today else 0
    echo_view(ctx, health_view(report, people_of(config, roster), today=today, without_mentor=alone,
                               erased_since=erased,  # named apart with match's fix (tester round 114b, 1)
                               two_roles=left_out_two_roles(config, report.assessment.roster, alone)), fmt)
    if as_of is not None and (warning := renamed_warning(config, "health")) is not None:  # a view warns (118a, 5)
        say(warning, err=True)


def _recipient(n: nudge_service.PlannedNudge, people: People) -> str:
    """``Ada Lovelace (s0006), mentee of Alan Turing (t0001)``."""
    other = n.mentee_id if n.role == "mentor" else n.mentor_id
    me = people.label(n.recipient_id) if n.recipient_id in people.roster else n.recipient_username
    return f"{me}, {n.role} of {people.label(other)}"


def _message_to(group: list[nudge_service.PlannedNudge], people: People) -> str:
    """``Ifeoma Obi (t0001), mentor of A (s0001) and B (s0002)``: one person's message."""
    first = group[0]
    me = people.label(first.recipient_id) if first.recipient_id in people.roster else first.recipient_username
    others = [people.label(n.mentee_id if n.role == "mentor" else n.mentor_id) for n in group]
    return f"{me}, {first.role} of {' and '.join(others)}"


def nudge_text(report: nudge_service.NudgeReport, people: People | None = None) -> str:
    """Counts are messages (one per person, all of their pairs in it), as ``lmsync run`` counts them,
    then the pairs at risk or fading (the first-run guard's figure) and where each went (tester round 8, 9)."""
    people = people or People()
    # a held run's head says so, not "Nudges on ...: 6 message(s)", read as sent (tester round 19, 4)
    head = ("Would hold" if report.held else "Would send") if report.dry_run else ("Held" if report.held else "Nudges")
    # messages are one per person; pairs are counted once, whichever of their people is told (round 3, 16)
    messages = len(report.messages)
    lines = [f"{head} on {report.as_of.isoformat()}: {messages} message(s) to {messages} people about {report.pairs} pair(s)"]
    lines += [f"  warning: {report.clock_warning}"] if report.clock_warning else []  # a preview (109b, 1)
    if report.flagged_pairs:
        parts = [f"{report.pairs} in these messages"]
        if report.ended_pairs:
            parts.append(f"{report.ended_pairs} closed as ended by a coordinator (never nudged)")
        if (waiting := report.flagged_pairs - report.pairs - report.ended_pairs) > 0:
            parts.append(f"{waiting} not messaged now (their people were nudged about them inside [nudges] "
                         "interval_days or already today, or are left for tomorrow by the cap)")
        lines.append(f"  {report.flagged_pairs} pair(s) at risk or fading: {', '.join(parts)}")
    if report.recently_nudged:
        lines.append(f"  {report.recently_nudged} pair nudge(s) skipped: that person was nudged about that pair "
                     "inside [nudges] interval_days")
    if report.held:
        lines.append(f"  held: {report.held} (nothing sent)")
    if report.capped:  # while held nothing goes today: they are over the cap, not "left for tomorrow" (round 59, 9)
        lines.append(_capped(report))
    if report.cap_over:  # a circle larger than the whole cap goes whole, once each (tester round 104b, 5)
        lines.append(f"  {report.cap_over} of these message(s) over [nudges] daily_cap = {report.daily_cap}: the day's "
                     "first people, linked by their pairs (a mentor and their mentees), are more than the whole cap and "
                     "go together, one message each, and nobody else today")
    if report.already_today:
        lines.append(f"  {report.already_today} person(s) already nudged today")
    if report.dry_run:
        for group in report.messages:
            kinds = ", ".join(sorted({n.kind for n in group}))
            lines.append(f"  to {_message_to(group, people)} ({kinds}):")
            lines.extend(f"    {line}" if line else "" for line in nudge_service.message_text(group).split("\n"))
        return "\n".join(lines)
    for o in report.outcomes:
        n = o.nudge
        detail = f"msgid {o.msgid}" if o.state == "sent" else (o.error or "")
        lines.append(
            f"  {o.state:<7} to {_recipient(n, people)} ({n.kind}): {detail}"
        )
    if report.not_attempted:
        why = "stopped on request" if report.stopped else "stopped after an unknown outcome"
        unsent = len({n.recipient_id for n in report.not_attempted})  # messages, as the other counts (round 22, 8)
        lines.append(f"  {unsent} message(s) not attempted ({len(report.not_attempted)} pair nudge(s)): {why}")
    return "\n".join(lines)


def _capped(report: nudge_service.NudgeReport) -> str:
    """The line of the messages the daily cap leaves out: messages are people, however many pairs each covers, and
    some of the cap unused when the next people, linked by their pairs, do not fit together (tester round 102a, 4:
    read as a mentor's message about five pairs taking five of the cap)."""
    cap = "[nudges] daily_cap" + (f" = {report.daily_cap}" if report.daily_cap else "")
    line = (f"  {report.capped} more message(s) over {cap}" if report.held else
            f"  {report.capped} message(s) left for tomorrow by {cap}")
    line += " (one message a person, however many pairs it covers)"
    if report.cap_unused:
        line += (f"; {report.cap_unused} of the day's {report.daily_cap} unused: the next people are linked by their "
                 "pairs, whose two people are told the same day, and do not fit in them together")
    return line


@click.command("nudge", epilog=examples("lmsync nudge --dry-run", "lmsync nudge"))
@click.option("--dry-run", is_flag=True, help="Print the messages that would be sent; send nothing.")
@AS_OF
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@allow_mass_nudge()
@click.pass_context
def nudge_command(
    ctx: click.Context, dry_run: bool, as_of: datetime | None, wait: bool, allow_mass_nudge: bool
) -> None:
    """Message both people of each at-risk or fading pair (at most once per interval).

    A real send's --as-of may only be today: the messages go now, and dated another day they
    would shift the interval (later: the real nudges until then skipped as sent; earlier: the
    next ones sent too soon). Preview another day with --dry-run.

    Refused where there is no store yet (a mistyped [store] path or sqlite:/// url): `lmsync sync` or `lmsync run` makes it.
    """
    stop = StopFlag.install()  # SIGTERM mid-send: the rest is not sent, and the report says so
    config = ctx.obj.config()
    if as_of is not None and not dry_run and as_of.date() != (today := programme_today(config)):
        # a past day too: the messages go now, recorded on that earlier day (tester round 21, 9)
        when = "after" if as_of.date() > today else "before"
        raise InputError(
            f"--as-of {as_of.date().isoformat()} is {when} today ({today.isoformat()}) in the programme's time zone: "
            f"a real send goes now but would be recorded on that {'later' if when == 'after' else 'earlier'} day",
            hint="use --dry-run to see what a later day would send, or leave --as-of out",
        )
    if not dry_run:  # a real nudge made a new store at a mistyped [store] path (tester round 98a, 1); a preview reads
        refuse_if_absent(config, "nudge", holds="no pairing history or meetings to judge the pairs by: nothing was "
                         "sent")
        refuse_renamed(config, "nudge")  # nothing sent, exit 0, under a refused rename (tester round 118a, 5)
    report = nudge_service.nudge_job(
        config, as_of=_as_of(as_of), dry_run=dry_run, wait=wait, allow_mass_nudge=allow_mass_nudge, should_stop=stop
    )
    if dry_run and (warning := renamed_warning(config, "nudge")) is not None:  # a preview warns (118a, 5)
        say(warning, err=True)
    _nudged(config, report, dry_run=dry_run)


def _nudged(config: Config, report: nudge_service.NudgeReport, *, dry_run: bool) -> None:
    """Print what ``nudge`` sent (or would send), and raise for what was held, refused or not sent."""
    say(nudge_text(report, load_people(config) if report.planned else None))
    if report.first_run and not dry_run:
        raise PlanError(
            f"{len(report.messages)} message(s) held: {report.held}",
            hint="the reason above says what to check; then `lmsync nudge --allow-mass-nudge`",
        )
    if report.failed:
        raise PartialFailure(
            f"{len(report.failed)} nudge(s) refused by Moodle",
            hint="they are not retried inside [nudges] interval_days; check the people's messaging settings",
        )
    if report.stopped:
        raise PartialFailure(
            f"stopped on request: {len({n.recipient_id for n in report.not_attempted})} message(s) not sent",
            hint="run `lmsync nudge` again: what was sent is recorded and not sent twice",
        )
    if report.unknown:
        raise PartialFailure(
            "stopped after a message whose outcome is unknown (counted as sent)",
            hint="run `lmsync nudge` again: the rest will be sent",
        )


@click.group("queue", epilog=examples("lmsync queue list"))
def queue_command() -> None:
    """The coordinator queue: fading pairs waiting for a person."""


@queue_command.command("list", epilog=examples("lmsync queue list", "lmsync queue list --format json"))
@FORMAT
@click.pass_context
def queue_list_command(ctx: click.Context, fmt: str) -> None:
    """Open items, oldest first, with their reasons (each pair as mentor / mentee).

    Then the items acknowledged and still without an outcome (`queue done` records it).
    """
    config = ctx.obj.config()
    items = service.queue_list(config, acknowledged=True)
    # someone whose enrolment is suspended, or who left, is named from their account as `pair show` names
    # them, never `user #41 (not in the course)` while the account exists
    ids = {uid for item in items for uid in item.pair}
    people = (load_people(config, reader=lambda c: read_roster_with(c, ids)) if items
              else People(show_names=config.privacy.show_names))
    if people.note:
        say(f"({people.note})", err=True)
    echo_view(ctx, queue_view(items, people, programme_today(config)), fmt)


@queue_command.command(
    "ack",
    epilog=examples("lmsync queue ack m0001 s0008 --note 'called both, meeting Friday'"),
)
@click.argument("people_", metavar="MENTOR MENTEE", nargs=-1, required=True)
@click.option("--note", default=None, help="What was done (stored locally).")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def queue_ack_command(ctx: click.Context, people_: tuple[str, ...], note: str | None, wait: bool) -> None:
    """Acknowledge a pair's open item: MENTOR and MENTEE by username, idnumber, email or Moodle id.

    The older single MENTOR_ID-MENTEE_ID key (e.g. 66-3) still works.
    """
    config = ctx.obj.config()
    (mentor_id, mentee_id), roster, active = _named_pair(config, people_, "queue ack", "MENTOR MENTEE")
    pair_id = f"{mentor_id}-{mentee_id}"
    people, _standing = _pair_people(config, (mentor_id, mentee_id), roster, active)
    refuse_if_absent(config, "queue ack")  # said as `queue ack`, not as the `queue list` read next
    listed = service.queue_list(config)
    open_pairs = {(i.mentor_id, i.mentee_id) for i in listed}
    if (mentor_id, mentee_id) not in open_pairs and (mentee_id, mentor_id) in open_pairs:
        mentor_id, mentee_id = mentee_id, mentor_id  # the mentee named first, as `queue done` takes it
        pair_id = f"{mentor_id}-{mentee_id}"
    try:
        item = service.queue_ack(config, pair_id, note=note, wait=wait, label=people.pair(mentor_id, mentee_id))
    except NotAPair:  # as `queue done` says it (tester round 56, 9)
        raise NotAPair(mentor_id, mentee_id, people.label, people_[0] if len(people_) == 2 else None) from None
    # on hold, `queue done` refuses every outcome until they are back: said, not pointed to (tester round 113, 4)
    held = next((i.on_hold for i in listed if i.pair == item.pair and i.on_hold), None)
    say(
        f"acknowledged {people.pair(item.mentor_id, item.mentee_id)} (open since {item.opened_on.isoformat()}); " + (
            f"the pair is on hold ({held.removeprefix(HOLD_PREFIX)}): `lmsync queue done` takes its outcome once they are back" if held else
            "record what was done with `lmsync queue done MENTOR MENTEE --outcome ...`")
    )


#: What ``queue done --outcome rematched`` says will happen: the pair is forbidden, and a new mentor is the
#: next sync's to find, where one has room; ``queue done`` only reads the store, so it cannot say whom
#: (tester round 50, 8: "re-matches the mentee" promised a mentor a full programme did not have).
REMATCH = ("the pair is not made again: the next `lmsync run` matches the mentee with another mentor who has "
           "room, or leaves them with no mentor if none has; `lmsync plan` shows where they go before it is applied")


#: What ``queue done --outcome met`` says of an item paused while its pair is no longer in the programme
#: (``QueueItem.gone_why``): it said "next due DAY" of an item never due while paused (tester round 111a, 1).
PAUSED_SAID = ("the pair is no longer in the programme ({why}); nothing is due unless the pair is back in a circle, "
               "when its due date moves on by the days it was paused")

#: What ``queue done --outcome met`` says of an open item that is not due, its pair ok again or on watch: "next due
#: DAY" was said of it, and the next run closed it, the pair no longer fading (``CoordinatorQueue.close_recovered``;
#: tester round 117c, 5). ``state``: ``NOT_DUE_STATES``' words for its status.
MET_NOT_DUE = ("the item stays open, not due while the pair no longer fades ({state}), and the next `lmsync run` "
               "(or `lmsync health`) closes it unless it finds the pair fading again")
NOT_DUE_STATES = {RECOVERED: "ok again", WATCH: "on watch: minor signals only"}


@queue_command.command(
    "done",
    epilog=examples("lmsync queue done m0001 s0008 --outcome met --note 'met on Tuesday'"),
)
@click.argument("people_", metavar="MENTOR MENTEE", nargs=-1, required=True)
@click.option(
    "--outcome",
    type=click.Choice(["met", "rematched", "closed", "no_action"], case_sensitive=False),
    required=True,
    help="met: you met them (the item stays open until its next due date); rematched: not a good fit, the "
    "pair is not made again and the next `lmsync run` matches the mentee with another mentor who has room "
    "(`lmsync plan` shows where they go); closed: the pair ended; no_action: nothing to do. "
    "rematched and closed also act on a pair with no item that the latest `lmsync health` judged (at risk, say).",
)
@click.option("--note", default=None, help="What was done (stored locally).")
@click.option("--wait", is_flag=True, help="Wait for another run of this programme instead of exiting.")
@click.pass_context
def queue_done_command(
    ctx: click.Context, people_: tuple[str, ...], outcome: str, note: str | None, wait: bool
) -> None:
    """Record what was done about a pair's open item: MENTOR MENTEE by username, idnumber, email or Moodle id."""
    config = ctx.obj.config()
    pair, roster, active = _named_pair(config, people_, "queue done", "MENTOR MENTEE --outcome met")
    people, standing = _pair_people(config, pair, roster, active)
    try:  # an open item, or one acknowledged and still without an outcome (tester finding 7)
        known = {uid: people.username(uid) for uid in pair if uid in people.roster}  # never owner of their own pair
        # an item opened here goes only to a coordinator (or escalate_to) Moodle has, as health gives them
        staff = queue_staff_of(config) if outcome in BY_HAND else None
        item, earlier = record_outcome(config, pair, outcome, note=note, wait=wait, usernames=known, staff=staff)
    except StoreAbsent:
        raise  # no store at all: said as it is, not as "no open item"
    except NotAPair:  # never a pair: running `lmsync health` cannot help (tester round 50, 9)
        raise NotAPair(*pair, people.label, people_[0] if len(people_) == 2 else None) from None
    except HeldCircle as exc:  # said with the people's names (tester round 66, 10)
        raise InputError(f"{people.pair(*pair)}: {exc.message.split(': ', 1)[1]}", hint=exc.hint,
                         summary=exc.message) from None
    except InputError as exc:  # the service's hint names the outcomes that act on a pair not queued
        raise InputError(f"{people.pair(*pair)}: no open item in the coordinator queue", hint=exc.hint,
                         summary=f"pair {pair[0]}-{pair[1]}: no open item in the coordinator queue") from None
    label = people.pair(item.mentor_id, item.mentee_id)
    # one away is said so, as `pair show` says it, never `user #74 (not in the course)` (tester round 114b, 5)
    away = "".join(f"; the {side} is {STANDING_WORDS[standing[uid]]}"
                   for side, uid in (("mentor", item.mentor_id), ("mentee", item.mentee_id)) if uid in standing)
    # the mentee already with another mentor: nothing moves (tester round 114b, 3)
    now = mentors_now(config, item.pair) if outcome == "rematched" or earlier is not None else []
    rematch = already_rematched(now, people.label) if now else REMATCH
    if earlier is not None:
        say(_after_earlier(label, outcome, item, earlier, pinned(config, roster, item.pair) if roster else False,
                           rematch) + away)
    elif item.acked_on is None and item.paused:  # never due while out (tester round 111a, 1: "next due" said)
        why = item.gone_why or "not in any circle"
        say(f"{label}: {outcome} recorded; the item stays open, paused: {PAUSED_SAID.format(why=why)}{away}")
    elif item.acked_on is None and item.status in (RECOVERED, WATCH):  # never due (tester round 117c, 5)
        say(f"{label}: {outcome} recorded; {MET_NOT_DUE.format(state=NOT_DUE_STATES[item.status])}{away}")
    elif item.acked_on is None:
        due = item.due_on.isoformat() if item.due_on else "?"
        say(f"{label}: {outcome} recorded; the item stays open, next due {due}{away}")
    else:
        extra = f"; {rematch}" if outcome == "rematched" else ""
        if outcome == "closed" and item.status == GONE:  # paused: not in a circle now (tester round 46, 6)
            # made again later, the pair is a new one, nudged and queued (tester round 115a, 1: "nobody is nudged")
            extra = ("; it was paused, the pair no longer in the programme: if the pair is made again later (a pin, "
                     "or the mentee moved back by hand), it is a new pair, judged, nudged and queued like any other")
        elif item.status == GONE:  # an acknowledged item too (tester round 111a, 1)
            extra += "; it was paused, the pair no longer in the programme"
        elif outcome == "closed":  # tester round 23, 5: nothing said the pair was still in Moodle
            extra = ("; nobody is nudged about the pair again, but it stays in its Moodle circle (and its grades): "
                     "`--outcome rematched` has the next `lmsync run` match the mentee with another mentor who has room, "
                     "or take the mentee out of the programme")
        if outcome == "rematched" and roster and _held_two_roles(config, roster.get(item.mentee_id)):
            extra = ("; the pair is not made again, and as the mentee has a mentor role and a mentee role they are left "
                     "with no mentor, not matched anew until an admin decides ([matching] dual_role)")  # round 55, 3
        if outcome == "rematched" and roster and pinned(config, roster, (item.mentor_id, item.mentee_id)):
            extra = ("; but [matching] pins in lmsync.toml keeps this pair, so it is not re-matched until you "
                     "remove the pin")  # tester round 10, 2
        say(f"{label}: {outcome} recorded; the item is closed{extra}{away}")


def _held_two_roles(config: Config, user: Any) -> bool:
    """Whether ``user`` (a roster user, or None) holds a mentor role and a mentee role that matching leaves
    out until an admin decides (``[matching] dual_role = "exclude"``)."""
    return config.matching.dual_role == "exclude" and all(programme_roles(config.programme, getattr(user, "roles", ())))


def _after_earlier(label: str, outcome: str, item: QueueItem, earlier: QueueItem, pin: bool,
                   rematch: str = REMATCH) -> str:
    """What ``queue done --outcome rematched|closed`` says after the pair's earlier ``rematched`` or
    ``closed``: the same again is recorded once; the other keeps what the earlier one did, and says so.
    ``rematch``: what the mark does (``REMATCH``, or ``rematch_now.already_rematched``)."""
    on = (earlier.outcome_on or earlier.acked_on or earlier.opened_on).isoformat()
    rematch = (rematch if not pin else
               "but [matching] pins in lmsync.toml keeps this pair, so it is not re-matched until you remove the pin")
    if outcome == earlier.outcome:
        added = "; your note is added to its notes" if item.note != earlier.note else ""
        return f"{label}: {outcome} was already recorded on {on}, so it is not recorded again{added}"
    if outcome == "rematched":  # after closed: the pair stays ended, and is not a good fit too
        return (f"{label}: rematched recorded; the earlier outcome closed ({on}) stands: the pair stays ended and "
                f"nobody is nudged about it; it is marked not a good fit too; {rematch}")
    return (f"{label}: closed recorded; the item is closed, and nobody is nudged about the pair again; the earlier "
            f"outcome rematched ({on}) stands: the pair stays marked not a good fit; {rematch}")


def _named_pair(config: Config, people_: tuple[str, ...], command: str,
                usage: str) -> tuple[tuple[int, int], dict[int, Any], dict[int, Any]]:
    """The ``(mentor, mentee)`` ids that ``queue ack`` / ``queue done`` were given, the roster
    read for them and the course's active roster it holds (both empty for the older ``MENTOR_ID-MENTEE_ID`` key,
    which needs no Moodle read: README promises it to both commands; tester round 8, 3). Raises ``InputError``
    otherwise."""
    if len(people_) == 1 and "-" in people_[0] and all(p.isdigit() for p in people_[0].split("-", 1)):
        mentor, mentee = (int(part) for part in people_[0].split("-", 1))
        return (mentor, mentee), {}, {}
    if len(people_) != 2:
        raise InputError(
            f"{command} takes the mentor and the mentee, not {' '.join(people_)!r}",
            hint=f"lmsync {command} {usage} (username, idnumber, email or Moodle id)",
        )
    active = read_roster_of(config)
    (mentor, mentee), roster = named(config, active, people_)  # someone who left: site-wide
    return (mentor, mentee), roster, dict(active)


def _pair_people(config: Config, pair: tuple[int, int], roster: dict[int, Any],
                 active: dict[int, Any]) -> tuple[People, dict[int, str]]:
    """``People`` naming both of ``pair`` and, for one not active in the course, where they stand (Moodle id ->
    ``pair_people`` code, said in ``STANDING_WORDS``), as ``pair show`` names them: the older key named a mentor
    whose enrolment was suspended ``user #74 (not in the course)`` (tester round 114b, 5). ``roster`` and
    ``active`` as ``_named_pair`` gives them; for the older key (both empty) the roster is read here, best effort:
    a failed read names them by id and says nothing of where they stand. Raises nothing."""
    people = people_of(config, roster) if roster else load_people(config)
    if people.note is not None:
        return people, {}
    return pair_people(config, active if roster else dict(people.roster), people.roster, pair)


command = [health_command, nudge_command, queue_command]
