"""``lmsync health`` and ``lmsync queue list`` as views.

The text is a coordinator's: statuses and reasons in words. JSON and CSV also carry each pair's
0-100 score (issue 13; README; tester round 3, 23: it was computed but shown nowhere).

People are ``Name (username)`` in text and CSV (``People.label``), ``{"id", "username", "name"}``
or ids and usernames in JSON, as these commands have always printed them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from lmsync.domain.health import status_label
from lmsync.render.health_places import held_places_json, held_places_note
from lmsync.render.views import JSON_CSV, TEXT, Column, Document, Field, Note, Shown, Table
from lmsync.service.circles_left_alone import LEFT_ALONE, LeftAloneCircle
from lmsync.service.health import HealthReport, unassigned_note
from lmsync.service.health_erased import erased_note
from lmsync.service.health_gone import PausedApart, paused_json
from lmsync.service.labels import People
from lmsync.service.mentees_alone import without_mentor_note
from lmsync.service.queue_flagged import flagged
from lmsync.service.queue_judged import judged_said
from lmsync.store.health import QueueItem
from lmsync.store.queue import GONE, NOT_DUE, WATCH
from lmsync.store.queue_item import HOLD_PREFIX

HEALTH_COLUMNS = tuple(
    Column(key) for key in (
        "pair", "mentor_id", "mentor", "mentor_name", "mentee_id", "mentee", "mentee_name", "status", "score",
        "paired_since", "last_meeting", "days_since_meeting", "reasons", "ended_by_coordinator",
    )
)
QUEUE_COLUMNS = tuple(
    Column(key) for key in (
        "pair", "mentor", "mentee", "status", "since", "last_seen", "owner", "due", "overdue_days", "outcome", "escalated_to",
        "reasons", "judged_status", "judged_on", "state", "acknowledged_on", "note",
    )
)


def reasons_cell(reasons: Iterable[Any], keys: Sequence[str] = ("code", "text")) -> Shown:
    """Reasons as JSON objects of ``keys`` and, for people, ``text [code]; ...``.

    ``reasons`` are objects with those attributes, or ``(code, text)`` tuples as the queue stores them.
    """
    items = [r if not isinstance(r, tuple) else dict(zip(("code", "text"), r, strict=True)) for r in reasons]
    data = [{k: (i[k] if isinstance(i, dict) else getattr(i, k)) for k in keys} for i in items]
    return Shown(data, "; ".join(f"{d['text']} [{d['code']}]" for d in data))


def _detail_lines(cell: Shown) -> list[str]:
    return [f"{d['text']} [{d['code']}]" for d in cell.data]


def health_view(report: HealthReport, people: People, today: date | None = None,
                without_mentor: Sequence[int] | None = None, erased_since: int = 0,
                two_roles: Collection[int] = ()) -> Document:
    """Every pair (JSON, CSV), the pairs needing attention with their reasons (text), what was queued.

    ``today`` (the programme's day): a view of a day after it says it is a projection (tester round 83, 4); a view of
    a day before it says its pairs are that day's, judged again now (``past_day_note``), its left-out pairs as that
    day's (``health_past_day``), and JSON's ``pairs_away_since`` counts those judged with someone no longer active
    in the course since (0 on today's view; tester round 102a, 2).

    ``counts`` (JSON) are the head line's: pairs by status, a pair a coordinator ended counted once,
    under ``ended`` (present when there is one), not under its status (``HealthReport.shown_counts``).

    Each pair's row (CSV, JSON ``pairs``) says ``ended_by_coordinator`` (JSON true/false, CSV yes/no; the last
    column, so the others keep their places): the pairs of the top-level ``ended_by_coordinator`` list (kept as it
    was), so the head line's counts are the rows': ``ended`` the rows marked, each status its unmarked rows.
    ``status`` stays the judged status: it is what the evidence says of the pair (the day's snapshot, ``pair show``'s
    status over time and the queue hold it), and a pair made again after the closure is judged afresh from it; the
    coordinator's closure is a separate fact, not a verdict on the pair (tester round 100b, 1: the CSV said
    ``watch`` and nothing else for a pair the text counted as ended).

    ``without_mentor``: the mentees in the course with no mentor today (``mentees_alone.mentees_without_mentor``, Moodle
    ids), named in the text (the first ten, the rest counted) and listed in JSON's ``mentees_without_mentor``, on a view
    of today only: the store does not keep who was in the course on another day (JSON null then). Those of them in
    ``two_roles`` (``mentees_alone.left_out_two_roles``: left out of matching for their two roles) are named apart
    with ``lmsync match``'s reason and fix, and listed in JSON's ``mentees_left_out_two_roles`` too (tester round
    114b, 1: told to raise a mentor's capacity).

    ``erased_since``: the people erased on or after a past day viewed (``health_erased.erased_since``), whose pairs
    of that day went with their erasure: said in the text and counted in JSON's ``people_erased_since`` (0 on
    today's view; tester round 112b, 9b).

    The pairs this run marked not a good fit from a survey answer (``HealthReport.not_a_good_fit``) are named in the
    text and listed in JSON's ``not_a_good_fit`` (``"mentor-mentee"`` ids; empty on a view of another day, which marks
    nothing; tester round 127, 5)."""
    rows = [
        {
            "pair": v.health.pair_id, "mentor_id": v.health.mentor_id, "mentor": v.mentor_username,
            "mentor_name": people.name(v.health.mentor_id), "mentee_id": v.health.mentee_id,
            "mentee": v.mentee_username, "mentee_name": people.name(v.health.mentee_id), "status": v.health.status,
            "score": v.health.score, "paired_since": v.health.paired_since, "last_meeting": v.health.last_meeting,
            # blank when the pair never met: 0 read as "met today" for a pair paired today (tester round 21, 6)
            "days_since_meeting": v.health.days_since_meeting if v.health.last_meeting else None,
            "reasons": reasons_cell(v.health.reasons, ("code", "severity", "text")),
            "ended_by_coordinator": (v.health.mentor_id, v.health.mentee_id) in report.ended,
        }
        for v in report.assessment.pairs
    ]
    attention = [
        {
            "status": v.health.status, "pair": people.pair(v.health.mentor_id, v.health.mentee_id),
            # a meeting attended, not one logged as missed (tester round 110a, 6: "last meeting never" beside a missed one)
            "last": f"last met {v.health.last_meeting}" if v.health.last_meeting else "never met", "reasons": _detail_lines(reasons_cell(v.health.reasons)),
        }
        for v in report.attention
    ]
    shown = report.shown_counts  # text and JSON count alike: a pair a coordinator ended once, as ``ended``
    counts = ", ".join(f"{n} {status_label(status)}" for status, n in shown.items())
    head = f"Pair health on {report.as_of.isoformat()}: {len(report.assessment.pairs)} pairs: {counts}."
    if report.starts_on is not None:  # no verdict, not "N ok" (stop 20's note; tester round 5, 12)
        head = (f"Pair health on {report.as_of.isoformat()}: the programme starts on {report.starts_on.isoformat()}: "
                f"nothing can be judged before then ({len(report.assessment.pairs)} pairs).")
    elif (begins := report.assessment.history_begins) is not None:  # no pair lmsync knows of (tester: judgement dates, 1)
        head = (f"Pair health on {report.as_of.isoformat()}: lmsync's pairing history begins on {begins.isoformat()}: "
                f"no pair to judge on {report.as_of.isoformat()}.")
    if report.ended:
        head += (f"\n({len(report.ended)} pair(s) a coordinator ended (`queue done --outcome closed`) are counted as "
                 "ended, not under their status, never listed as needing attention, and nobody is nudged about them)")
    past = not report.recorded and today is not None and report.as_of < today
    if report.assessment.skipped_inactive and past:  # that day's pairs, not today's circles (tester round 102a, 2)
        head += (f"\n({report.assessment.skipped_inactive} pair(s) left out: someone in them is not active in the "
                 "course today, and lmsync's health record of that day left them out too, or its pairing history "
                 "does not date them)")
    elif others := report.assessment.skipped_inactive - len(on_hold := _named_on_hold(report)):
        besides = f", besides the {len(on_hold)} in the pairs on hold below" if on_hold else ""
        head += (f"\n({others} circle member(s) left out: they, or their circle's mentor, have no active enrolment "
                 f"or a suspended Moodle account{besides})")  # an account too (tester round 86b, 8)
    if (erased := erased_since if past else 0):  # fewer pairs than that day had, said (tester round 112b, 9b)
        head += f"\n({erased_note(erased, report.as_of)})"
    if report.assessment.unassigned_mentor_answers:
        head += f"\n({unassigned_note(report.assessment.unassigned_mentor_answers)})"
    if report.held:  # named, as of that day whatever day it is asked (tester round 104b, 10)
        head += f"\n({held_circles_note(report, people)})"
    if report.held_places:  # a mentee's place, as of that day whatever day it is asked (tester round 109a, 1)
        head += f"\n({held_places_note(report, people)})"
    alone = sorted(report.assessment.circles.left_alone.values(), key=lambda c: c.group_id) if not past else []
    if alone:  # not as "the mentor no longer has a circle" (tester round 108a, 4)
        head += f"\n({left_alone_note(alone, people)})"
    alone_now = (list(without_mentor) if without_mentor is not None and (report.recorded or report.as_of == today)
                 else None)
    if alone_now:  # named until they have one, not only by the digest of a hold's end (after tester round 107a, 5)
        head += f"\n({without_mentor_note(alone_now, people.label, two_roles=two_roles)})"
    blocks: list[Table | Field | Note] = [
        Note(head),
        Field("as_of", report.as_of),
        Field("counts", shown),
        Field("skipped_inactive", report.assessment.skipped_inactive),
        Field("unassigned_mentor_answers", report.assessment.unassigned_mentor_answers),
        Field("programme_starts_on", report.starts_on),
        Field("pairing_history_begins_on", report.assessment.history_begins),
        Field("people_erased_since", erased),
        Field("queued", report.queued),
        Field("recorded", report.recorded),
        Field("ended_by_coordinator", [f"{m}-{e}" for m, e in sorted(report.ended)]),
        Field("circles_on_hold", [{"mentor": people.as_json(c.mentor_id), "since": c.since, "until": c.until,
                                   "pairs": [f"{m}-{e}" for m, e in c.pairs]} for c in report.held]),
        Field("places_on_hold", held_places_json(report, people)),  # tester round 109a, 1
        Field("circles_left_alone", [{"mentor": people.as_json(c.mentor_id), "group_id": c.group_id,
                                      "pairs": [f"{m}-{e}" for m, e in c.pairs]} for c in alone]),
        Field("mentees_without_mentor", None if alone_now is None else [people.as_json(m) for m in alone_now]),
        Field("mentees_left_out_two_roles",  # of those, left out of matching for their two roles (114b, 1)
              None if alone_now is None else [people.as_json(m) for m in alone_now if m in two_roles]),
        Table("pairs", HEALTH_COLUMNS, rows, formats=JSON_CSV),
        Table("attention", (), attention, title="Needing attention:", line="  {status:<8} {pair}  {last}",
              details="reasons", detail_line="           - {}", formats=TEXT),
    ]
    if shown.get("watch"):  # counted in the head line, listed nowhere in text (tester round 11, 7)
        blocks.append(Note(f"{shown['watch']} pair(s) on watch (early, minor signals) are not listed here: "
                           "`lmsync health --format csv` lists every pair with its reasons."))
    if report.queued:
        queued = "; ".join(_queued_label(pair, people) for pair in report.queued)
        blocks.append(Note(f"Added to the coordinator queue: {queued} (see `lmsync queue list`)."))
    if report.escalated:
        escalated = "; ".join(people.pair(*i.pair) for i in report.escalated)
        blocks.append(Note(f"Escalated (overdue): {escalated} (see `lmsync queue list`)."))
    if report.unescalated:
        blocks.append(Note(unescalated_note(report.unescalated, people)))
    if report.not_a_good_fit:  # a lasting decision, said where the coordinator looks (tester round 127, 5)
        marked = "; ".join(people.pair(m, e) for m, e in report.not_a_good_fit)
        blocks.append(Note(f"Marked not a good fit by a survey answer: {marked}: never made again, re-matched by the "
                           "next sync (`lmsync pair show` says when)."))
    # every run while they stay paused, not only the one that paused them (tester round 50, 10); those on hold while
    # someone is away apart, not as no longer in the programme (after tester round 105a, 1)
    apart = PausedApart.of(report.paused, report.gone)
    if apart.gone:
        blocks.append(Note(gone_note(apart.gone, people, apart.now)))
    away = [i for i in apart.held if not (i.on_hold or "").startswith(LEFT_ALONE)]
    if away:
        blocks.append(Note(held_note(away, people, apart.now)))
    if len(away) < len(apart.held):  # their circle left alone, nobody away (tester round 108a, 4)
        blocks.append(Note(held_note([i for i in apart.held if i not in away], people, apart.now, alone=True)))
    blocks.append(Field("escalated", [f"{i.mentor_id}-{i.mentee_id}" for i in report.escalated]))
    blocks.append(Field("not_a_good_fit", [f"{m}-{e}" for m, e in report.not_a_good_fit]))  # marked by this run
    # counts, as skipped_inactive (R44b-3): the items paused now (no longer in the programme, or on hold), and those
    # of them this run paused
    blocks.append(Field("paused_not_in_programme", len(apart.gone)))
    blocks.append(Field("paused_on_hold", len(apart.held)))
    blocks.append(Field("paused_by_this_run", len(report.gone)))
    # which items, beside the counts kept for their consumers (tester round 113, 5)
    blocks.append(Field("paused_not_in_programme_items", paused_json(apart.gone)))
    blocks.append(Field("paused_on_hold_items", paused_json(apart.held)))
    blocks.append(Field("unescalated", [{"pair": f"{i.mentor_id}-{i.mentee_id}", "owner": i.owner, "why": why}
                                        for i, why in report.unescalated]))
    if not report.recorded:
        blocks.append(Note("A view as of that date: nothing was stored or queued (plain `lmsync health` records today)."))
    if past and report.assessment.pairs:
        blocks.append(Note(past_day_note(report.assessment.away_since)))
    blocks.append(Field("pairs_away_since", report.assessment.away_since))
    if not report.recorded and today is not None and report.as_of > today:
        blocks.append(Note(f"{report.as_of.isoformat()} is a day to come (today is {today.isoformat()}): a projection that "
                           "assumes no meeting, survey answer or coordinator action is recorded before then."))
    blocks.append(Field("projected", not report.recorded and today is not None and report.as_of > today))
    return Document(blocks)


def _named_on_hold(report: HealthReport) -> set[tuple[int, int]]:
    """The pairs ``skipped_inactive`` counts today that the notes of circles and places on hold name anyway: a
    mentee away was counted twice, as a circle member left out and as a pair on hold (tester round 110a, 7)."""
    held = {pair for circle in report.held for pair in circle.pairs} | {place.pair for place in report.held_places}
    return held & report.assessment.left_out


def held_circles_note(report: HealthReport, people: People) -> str:
    """What ``lmsync health`` says of the circles on hold on the day it judges (``HealthReport.held``): their mentor
    away, their pairs left out of the judgement, each named by its mentor with the day its hold began and its last
    day. A view of a past day of the hold left them out without a word (tester round 104b, 10)."""
    listed = "; ".join(f"{people.label(c.mentor_id)}'s circle ({len(c.pairs)} pair(s)), on hold since {c.since.isoformat()}, "
                       f"held until {c.until.isoformat()} at the latest" for c in report.held)
    return (f"{sum(len(c.pairs) for c in report.held)} pair(s) on hold on {report.as_of.isoformat()}, left out of the "
            f"judgement: their mentor is away and their circle held as it is ([sync] away_mentor_hold_days): {listed}")


def left_alone_note(circles: Sequence[LeftAloneCircle], people: People) -> str:
    """What ``lmsync health`` says of the circles lmsync leaves alone while they carry another circle's ID number
    (``Circles.left_alone``): their pairs left out of the judgement, each circle named by its mentor with its Moodle
    group id. They were taken for circles gone, their items paused as "the mentor no longer has a circle" (tester
    round 108a, 4)."""
    listed = "; ".join(f"{people.label(c.mentor_id)}'s circle (Moodle group {c.group_id}, {len(c.pairs)} pair(s))"
                       for c in circles)
    return (f"{sum(len(c.pairs) for c in circles)} pair(s) left out of the judgement: their circle carries another "
            "circle's ID number, changed in Moodle, and lmsync leaves it as it is until an admin sets it back "
            f"(`lmsync sync` says how); the pairs are still in the programme: {listed}")


def past_day_note(away: int) -> str:
    """What a view of a past day says of its figures (tester round 102a, 2): that day's pairs as ``lmsync report
    --as-of`` takes them, judged again now, while the report counts the health recorded that day; ``away``: how many
    of them hold someone no longer active in the course (``Assessment.away_since``)."""
    said = (f" ({away} with someone no longer active in the course since, judged as on that day)" if away else "")
    return ("That day's pairs as lmsync's pairing history has them" + said + ", judged again with what the store "
            "holds now; `lmsync report --as-of` counts the health recorded that day, which may differ.")


def unescalated_note(items: Sequence[tuple[QueueItem, str]], people: People | None = None) -> str:
    """The overdue items ``[health] escalate_to`` cannot take, and why (tester round 19, 3)."""
    def label(i: QueueItem) -> str:
        return people.pair(*i.pair) if people is not None else f"{i.mentor_id}-{i.mentee_id}"
    listed = "; ".join(f"{label(i)} (owner {i.owner or 'none'}; {why})" for i, why in items)
    whys = {why for _i, why in items}
    # the fix for why they were not escalated (tester round 65, 8: "outside these pairs" for an owner)
    fixes = [fix for found, fix in (
        ("is one of the pair", "name someone outside these pairs in [health] escalate_to"),
        ("already owns it", "name in [health] escalate_to someone who is not one of [health] coordinators"),
        ("Moodle has no user", "name a Moodle username in [health] escalate_to"),
    ) if any(found in why for why in whys)]
    return (f"{len(items)} overdue queue item(s) could not be escalated and stay with their owner alone: {listed}. "
            + "; or ".join(fixes).capitalize() + ".")


def gone_note(items: Sequence[QueueItem], people: People, now: Collection[int] = ()) -> str:
    """The queue items paused because their pair is no longer in the programme (R44b-3), each with why and
    since when: ``now`` holds the ids of those this run paused (tester round 50, 10)."""
    def since(i: QueueItem) -> str:
        return "paused by this run" if i.id in now else f"paused since {i.last_seen_on.isoformat()}"
    listed = "; ".join(f"{people.pair(*i.pair)} ({i.gone_why or 'not in any circle'}; {since(i)})" for i in items)
    return (f"{len(items)} queue item(s) paused: the pair is no longer in the programme: {listed}. "
            "Never due nor escalated while away; `lmsync queue done` records an outcome on them as on any item, "
            "and a pair back in a circle takes its item up again as it was.")


def held_note(items: Sequence[QueueItem], people: People, now: Collection[int] = (), *, alone: bool = False) -> str:
    """The queue items paused while their pair is on hold (``on_hold`` set: the mentee's place, or the mentor's
    circle, held while they are away), each with who is away, until when, and since when it is paused: ``now`` holds
    the ids of those this run paused. They were listed as no longer in the programme (after tester round 105a, 1).
    ``alone``: the items are those paused while their circle is left alone for its ID number (``LEFT_ALONE``),
    said as such: nobody is away (tester round 108a, 4)."""
    def since(i: QueueItem) -> str:
        return "put on hold by this run" if i.id in now else f"on hold since {i.last_seen_on.isoformat()}"
    listed = "; ".join(f"{people.pair(*i.pair)} ({(i.on_hold or '').removeprefix(HOLD_PREFIX)}; {since(i)})"
                       for i in items)
    if alone:
        return (f"{len(items)} queue item(s) on hold while lmsync leaves their circle alone: {listed}. Never due nor "
                "escalated while on hold; `lmsync queue done` takes no outcome on them until an admin sets the "
                "circle's ID number back, and health then judges the pair again and takes its item up as it was.")
    return (f"{len(items)} queue item(s) on hold while someone is away: {listed}. Never due nor escalated while on "
            "hold; `lmsync queue done` takes no outcome on them until they are back, and health then judges the pair "
            "again and takes its item up as it was.")


def _queued_label(pair_id: str, people: People) -> str:
    mentor, _, mentee = pair_id.partition("-")
    return people.pair(int(mentor), int(mentee)) if mentor.isdigit() and mentee.isdigit() else pair_id


def queue_view(items: Sequence[QueueItem], people: People, today: date | None = None) -> Table:
    """The open items, oldest first, then those acknowledged and awaiting an outcome (``acked_on``
    set; ``state`` says which); JSON: a list; text: one line per item, its reasons under it. With
    ``today``, an item past its due date says by how many days (tester round 21, 11). ``acknowledged_on`` is the ack's
    day of an item awaiting its outcome, and of an open one a ``met`` reopened after an ack (``state`` ``open``,
    ``QueueItem.acked_before_met``; tester round 113, 6: its day was dropped), else null. ``judged_status`` and
    ``judged_on`` (an item paused: its pair's last judgement before the pause, whose reasons it lists; text ``last
    judged DAY: STATUS``, ``queue_judged.with_judged``; tester round 117c, 3), else null."""
    rows = []
    for i in items:
        overdue = i.overdue_days(today) if today is not None and not i.on_hold else 0
        # never due: recovered (README; tester finding 12), paused while the pair is away (R44b-3), or
        # acknowledged (a coordinator is on it)
        due = None if i.status in NOT_DUE or i.acked_on or i.on_hold else i.due_on
        extra = "".join([
            f"  acknowledged {i.acked_on.isoformat()}, awaiting outcome" if i.acked_on else "",
            # a pair on hold is not gone (tester round 105a, 1): why from now, not the note's
            f": {i.on_hold.removeprefix(HOLD_PREFIX)}; nothing is due until "
            f"{'it is set back' if i.on_hold.startswith(LEFT_ALONE) else 'they are back'}" if i.on_hold
            else f": {i.gone_why}" if i.gone_why else "",
            # paused: the pair's last judgement before the pause, whose reasons are listed (tester round 117c, 3)
            f"  {judged_said(i)}" if i.judged_on else "",
            "  no longer fading (minor signals only): not due" if i.status == WATCH and not i.acked_on else "",
            # no owner: no coordinators, or each is a party to the pair; nobody's digest
            # lists it, so the list says so (tester round 3, 7)
            f"  owner {i.owner}" if i.owner else "  no owner ([health] coordinators)",
            f"  due {due.isoformat()}" if due else "",
            f" ({overdue} day(s) overdue)" if due and overdue else "",
            f"  escalated to {i.escalated_to}" if i.escalated_to else "",
            # the ack a met reopened kept (tester round 113, 6: its day was dropped)
            f"  acknowledged {i.acked_before_met.isoformat()}" if i.acked_before_met else "",
            # a met said only by a later due date; the coordinators' notes only in pair show (tester round 86b, 12)
            f"  outcome met recorded {i.outcome_on.isoformat()}" if i.outcome == "met" and i.outcome_on else "",
            f"  note: {i.note}" if i.note else "",
        ])
        reasons = reasons_cell(i.reasons)
        rows.append({
            "pair": f"{i.mentor_id}-{i.mentee_id}",
            "mentor": Shown(people.as_json(i.mentor_id), people.label(i.mentor_id)),
            "mentee": Shown(people.as_json(i.mentee_id), people.label(i.mentee_id)),
            "status": Shown("on_hold", "on hold") if i.on_hold else i.status,  # not gone (tester round 105a, 1)
            "since": i.opened_on, "last_seen": flagged(i), "owner": i.owner, "due": due,
            "outcome": i.outcome, "escalated_to": i.escalated_to, "reasons": reasons, "overdue_days": overdue,
            "judged_status": i.judged_status, "judged_on": i.judged_on,
            "state": "awaiting_outcome" if i.acked_on else "open", "acknowledged_on": i.acked_on or i.acked_before_met,
            # paused: ``last_seen_on`` is the day it was paused, its reasons the judgement before (tester round 102a, 5)
            # "last flagged" / JSON last_seen: the last day judged fading, not a pause's (tester round 115a, 2)
            "flagged": f"paused on {i.last_seen_on.isoformat()}" if i.status == GONE else f"last flagged {flagged(i).isoformat()}",
            "label": people.pair(i.mentor_id, i.mentee_id), "extra": extra, "lines": _detail_lines(reasons), "note": i.note,
        })
    acked = sum(1 for i in items if i.acked_on)
    return Table(
        "queue", QUEUE_COLUMNS, rows, line="{label}  {status}  item open since {since}  ({flagged}){extra}",
        details="lines", empty="the coordinator queue is empty",
        footer=f"{len(items) - acked} open item(s)"
        + (f" ({paused} of them paused)" if (paused := sum(1 for i in items if i.status == "gone" and not i.acked_on))
           else "")
        + (f", {acked} acknowledged awaiting an outcome" if acked else "")
        # an acknowledged item paused too, its pair no longer in the programme (tester round 111a, 1)
        + (f" ({held} of them paused)" if (held := sum(1 for i in items if i.status == GONE and i.acked_on)) else "")
        + "; `lmsync queue done MENTOR MENTEE --outcome ...` closes one",
    )
