"""The programme report's tables of meetings, pair health, matching and the summary (issue 14).

Each builder turns plain values (what ``lmsync.service.report_inputs`` read from the store,
the current pairs, the matching) into one ``Table``; people are named by ``People.label``
(username unless ``[report] names = true``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from lmsync.domain.compatibility import TERM_WORDS
from lmsync.domain.evaluation import response_rate
from lmsync.domain.health import LEGACY_STATUS, answered_by, without_ratings
from lmsync.service.ended_as_of import ended_that_day
from lmsync.service.labels import People
from lmsync.service.report_model import ATTENTION, STATUS_ORDER, MatchedPair, Table, percent_text, round_cell
from lmsync.service.report_unnamed import NO_UNNAMED, Unnamed, at_risk_rows
from lmsync.service.two_roles import TWO_ROLES_LEFT_OUT
from lmsync.store.queue_item import GONE
from lmsync.store.report import FlaggedPair, MonthMeetings, QueueState


def meetings_table(months: Sequence[MonthMeetings]) -> Table:
    """One row per month of the term: meetings held, their mean minutes, pairs that met, meetings missed."""
    rows = tuple((m.month, m.held, round_cell(m.mean_minutes, 1), m.pairs_met, m.missed) for m in months)
    return Table(
        "meetings_per_month",
        "Meetings per month",
        ("month", "meetings_held", "mean_minutes", "pairs_met", "meetings_missed"),
        rows,
    )


def with_ended(
    counts: Sequence[tuple[date, str, int]], statuses: Sequence[tuple[date, tuple[int, int], str]],
    ended: Mapping[tuple[int, int], Sequence[tuple[date, date | None]]],
) -> list[tuple[date, str, int]]:
    """``counts`` with each pair a coordinator ended counted as ``ended`` on the days it stood ended (``ended``:
    ``ended_as_of.ended_spans``, from a closure's day until the pair was made again), not as the status its snapshots
    keep (``statuses``: those pairs' snapshots), as ``lmsync health`` counts it (tester round 48, 4: the chart said 53
    fading where health said 52 and 1 ended; round 49, 1: an ended pair judged ok was counted ok; round 99a, 2: a pair
    closed, made again and closed again was counted from its latest closure only, or ended while live again, so a
    day's figures changed with the report's day)."""
    table: dict[tuple[date, str], int] = {(day, status): n for day, status, n in counts}
    for day, pair, status in statuses:
        if pair in ended and ended_that_day(ended[pair], day) and table.get((day, status), 0) > 0:
            table[(day, status)] -= 1
            table[(day, "ended")] = table.get((day, "ended"), 0) + 1
    return sorted((day, status, n) for (day, status), n in table.items() if n)


def of_the_day(
    counts: Sequence[tuple[date, str, int]], gone: Iterable[tuple[date, tuple[int, int], str]],
) -> list[tuple[date, str, int]]:
    """``counts`` (``(day, status, pairs)``) less the snapshots in ``gone`` (``(day, pair, status)``: a pair's
    snapshot of a day it was not one of that day's pairs at the day's end, by lmsync's pairing history). Health keeps
    the morning's row of a pair that ended later that day (for ``pair show``), and the report counted it beside the
    pair made in its place: 53 pairs on a day with 52, 52 at risk where ``lmsync health`` said 51 (tester round
    105b, 1). Raises nothing."""
    table: dict[tuple[date, str], int] = {(day, status): n for day, status, n in counts}
    for day, _pair, status in gone:
        if table.get((day, status), 0) > 0:
            table[(day, status)] -= 1
    return sorted((day, status, n) for (day, status), n in table.items() if n)


def health_table(counts: Sequence[tuple[date, str, int]], *, weekly: bool = False) -> Table:
    """``(day, status, pairs)`` counts as one row per snapshot day, one column per status of ``STATUS_ORDER``,
    always, in that order (0 where no pair had it), then any other status seen; ``new`` (an old snapshot's) counts
    as ``ok`` (``LEGACY_STATUS``). Tester round 105b, 4: the columns followed the statuses some pair had."""
    seen = {LEGACY_STATUS.get(status, status) for _, status, _ in counts}
    statuses = [*STATUS_ORDER, *sorted(seen - set(STATUS_ORDER))]
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, status, n in counts:
        shown = LEGACY_STATUS.get(status, status)
        by_day[day][shown] = by_day[day].get(shown, 0) + n
    rows = tuple((day.isoformat(), *(by_day[day].get(s, 0) for s in statuses)) for day in sorted(by_day))
    title = "Pair health over time" + (", one snapshot day per week" if weekly else "")
    return Table("pair_health_over_time", title, ("day", *statuses), rows)


def shared_reasons(reasons: Sequence[tuple[str, str]]) -> list[str]:
    """A pair's reasons as the shared report shows them: none drawn from one side's own answers (a mentee's low
    rating of the mentor, say; ``verdict``), and ``hi_bye`` without its ratings. The report is read by coordinators
    who may mentor too; their own views (``lmsync health``, the queue, the digest, which never tells one of their
    own pairs) keep the details (tester round 25, 4: a coordinator read their mentee's low rating of them in the
    report; round 85b, 4: "a survey or rating signal" beside a pair told its mentor, who knew their own answers
    were fine, the mentee's verdict)."""
    out: list[str] = []
    hidden = any(verdict(code) for code, _ in reasons)
    for code, text in reasons:
        if code == "several_signals" and hidden:  # "2 warning signs together", one shown: the other told (86b, 1)
            continue
        if code.startswith("survey_unanswered_"):  # no answer is not a low one (tester round 77, 7: 47 rows alarmed)
            text = "a survey wave not answered (by whom: in the coordinators' own view, their digest)"  # round 83, 5
        elif answered_by(code) is not None:
            continue  # a mentor who knew their own answers were fine read their mentee's verdict (round 85b, 4)
        elif code == "hi_bye":
            text = without_ratings(code, text)[1]
        if text not in out:
            out.append(text)
    return out


def verdict(code: str) -> bool:
    """Whether a reason ``code`` was raised by one side's own answers about the pair (``answered_by``), not by a wave
    left unanswered: a pair flagged by such reasons alone is not named in the shared report (tester round 85b, 4)."""
    return answered_by(code) is not None and not code.startswith("survey_unanswered_")


def shown_status(pair: FlaggedPair) -> str:
    """The status the shared report shows beside a flagged pair: as judged without one side's own answers
    (``FlaggedPair.shared_status``; tester round 86b, 1: "fading" where the reasons shown said "at risk" told a
    mentor their mentee's verdict), or, for a snapshot stored before that was kept, ``ok`` for a pair flagged by
    one side's answers alone (``verdict``; round 85b, 4) and its status otherwise."""
    if pair.shared_status is not None:
        return pair.shared_status
    return "ok" if pair.reasons and all(verdict(code) for code, _ in pair.reasons) else pair.status


def ended(item: QueueState | None) -> bool:
    """Whether a pair's latest queue item was closed by a coordinator with ``--outcome closed``: the pair ended."""
    return item is not None and item.acked_on is not None and item.outcome == "closed"


def ended_pairs(flagged: Sequence[FlaggedPair], queue: Mapping[tuple[int, int], QueueState]) -> set[tuple[int, int]]:
    """The flagged pairs a coordinator ended (``ended``): they wait for no one, as ``lmsync health`` and
    the nudges treat them."""
    return {(r.mentor_id, r.mentee_id) for r in flagged if ended(queue.get((r.mentor_id, r.mentee_id)))}


def ended_still_flagged(flagged: Sequence[FlaggedPair], queue: Mapping[tuple[int, int], QueueState]) -> int:
    """How many pairs a coordinator ended (``ended_pairs``) are at risk or fading by the status both their people may
    read (``shown_status``), as the health chart counts them: one flagged by one side's own answers alone, counted
    "still flagged", told its mentor their mentee's verdict (tester round 121a, 8)."""
    ended = ended_pairs(flagged, queue)
    return sum(1 for r in flagged if (r.mentor_id, r.mentee_id) in ended and shown_status(r) in ATTENTION)


def at_risk_table(
    flagged: Sequence[FlaggedPair], queue: Mapping[tuple[int, int], QueueState], people: People,
    day: date | None = None, today: date | None = None, last_met: Mapping[tuple[int, int], date] | None = None,
    *, withheld: bool = False,
) -> Table:
    """The pairs whose status is in ``ATTENTION`` (fading first), why, and, for a status lmsync queues, where they are
    in the coordinator's queue (``queue_column``); not a pair a coordinator ended (``ended_pairs``: tester round 21,
    1, counted as at risk in the headline).
    Titled by ``day``, the snapshot's, when it is not ``today`` (a report of an earlier day, or no snapshot
    today: "Pairs at risk today" over a snapshot of weeks before; tester round 50, second pass, 11).
    A pair that met after the snapshot's last meeting (``last_met``: a meeting recorded late, or held
    since) shows that meeting and says the judgement is older than it: listed as "no meeting for 61
    days" beside a meetings table that counted the meeting, the row read as a pair still silent
    (tester round 51, 3). ``withheld``: the count of pairs it does not name is withheld (``report_unnamed.Unnamed``),
    so the title does not give it."""
    columns = ("mentor", "mentee", "status", "last_meeting", "reasons", "queue")
    order = {status: i for i, status in enumerate(ATTENTION)}
    ended = ended_pairs(flagged, queue)
    # a pair whose shown status is not at risk is counted, not named: named, it told its mentor the mentee's
    # verdict (85b, 4; 86b, 1)
    unnamed = unnamed_at_risk(flagged, queue)
    chosen = sorted(
        (r for r in flagged if r.status in order and (r.mentor_id, r.mentee_id) not in ended and shown_status(r) in order),
        key=lambda r: (order[shown_status(r)], r.last_meeting or date.min, r.mentor_id, r.mentee_id),
    )
    rows = []
    for r in chosen:
        state = queue_column(shown_status(r), queue.get((r.mentor_id, r.mentee_id)))
        reasons = shared_reasons(r.reasons)
        met = (last_met or {}).get((r.mentor_id, r.mentee_id))
        last = r.last_meeting
        if met is not None and (last is None or met > last):
            last = met
            # dated after the judgement, or dated before it and recorded since (tester round 51b, 7)
            when = "after" if day is None or met > day else "recorded after"
            reasons = [*reasons, f"met on {met.isoformat()}, {when} this judgement"
                       + (f" of {day.isoformat()}" if day else "") + ": the next `lmsync health` judges the pair again"]
        rows.append(
            (
                people.label(r.mentor_id),
                people.label(r.mentee_id),
                shown_status(r),
                last.isoformat() if last else None,
                "; ".join(reasons),
                state,
            )
        )
    title = "Pairs at risk today" if day is None or day == today else f"Pairs at risk on {day.isoformat()}"
    if unnamed and not withheld:  # withheld below [report] min_cell (``report_unnamed``; tester round 120a, 2)
        title += (f" ({unnamed} more that one side's own answers (a survey, or meeting ratings) flagged, not named here: a mentor reading it "
                  "would learn their mentee's verdict; `lmsync health` and the coordinators' digest name them)")
    return Table("at_risk_today", title, columns, tuple(rows))


#: what the queue column says beside every pair whose shown status is not one lmsync queues (``QUEUED``), queued or not:
#: lmsync queues no pair for being at risk, and says when it would (tester round 110a, 3: "not shown ... (coordinators:
#: `lmsync queue list`)" sent the reader to the queue for pairs lmsync does not queue)
QUEUE_NOT_SHOWN = ("not queued for being at risk: lmsync queues a pair once `lmsync health` judges it fading; any item "
                   "it has otherwise is not shown here (coordinators: `lmsync queue list`)")
#: the shown statuses lmsync queues by itself: a pair the shared judgement calls fading is fading (one side's answers
#: only ever add to a status), so it is queued whatever either side answered
QUEUED = ("fading",)


def queue_column(shown: str, item: QueueState | None) -> str:
    """The at-risk table's ``queue`` cell of a pair shown as ``shown`` whose latest queue item is ``item``.

    lmsync queues fading pairs only, by the status judged with both sides' answers; the table shows the status judged
    without them (``shown_status``). Beside a pair shown at risk, "not queued" or an item told its mentor that the
    mentee's answers had made the pair fading (tester round 95a, 2: every other at-risk row said "not
    queued", and only the fading are queued). So the
    cell shows the item only beside a status lmsync queues whatever anyone answered (``QUEUED``), and beside every
    other pair the same words (``QUEUE_NOT_SHOWN``), queued or not, by lmsync or by hand. And no date: an item
    "open since" a day before the shared judgement called the pair fading (one queued while the mentee's answers
    made it fading, kept open while it improved, then fading by the shared judgement too) told the same verdict; the
    dates are in the coordinators' ``lmsync queue list``. What is left is the coordinator's own step on the item.
    """
    if shown not in QUEUED:
        return QUEUE_NOT_SHOWN
    if item is None:
        return "not queued"
    if item.acked_on is None:
        state = "open"
        if item.outcome:  # ``met`` keeps the item open for its next follow-up
            state += f", outcome {item.outcome}"
        if item.status == GONE:  # paused by lmsync while the pair was away (R44b-3)
            state += ", paused: the pair had left the programme"
        return state
    if item.outcome == "met":  # a met item closes when lmsync finds the pair recovered (tester round 56, 4)
        return "closed (the pair recovered), outcome met"
    if item.outcome:  # closed by ``queue done`` (tester round 8, 2: shown as acknowledged)
        return f"closed, outcome {item.outcome}"
    return "acknowledged, no outcome yet"


def unnamed_at_risk(flagged: Sequence[FlaggedPair], queue: Mapping[tuple[int, int], QueueState]) -> int:
    """How many of the pairs at risk or fading (not ended: ``ended_pairs``) the at-risk table counts without naming
    them (``shown_status``: one side's own answers flagged them, a survey or meeting ratings; tester round 88a, 7). The summary counts them and the page says so:
    a report whose table was empty said "No pair is at risk or fading" beside a chart of one at risk, and its
    summary said 1 where `lmsync health` said 4 (tester round 87a, 6)."""
    ended = ended_pairs(flagged, queue)
    return sum(1 for r in flagged if r.status in ATTENTION and (r.mentor_id, r.mentee_id) not in ended
               and shown_status(r) not in ATTENTION)


def unnamed_note(unnamed: int, day: date) -> str:
    """The page's note of ``unnamed`` pairs at risk or fading on ``day`` that the at-risk table does not name."""
    return (f"{unnamed} pair(s) at risk or fading on {day.isoformat()} are counted in the summary but not named in the "
            "at-risk table: one side's own answers (a survey, or meeting ratings) flagged them, and a mentor reading this report would learn their "
            "mentee's verdict. `lmsync health` and the coordinators' digest name them.")


def mentor_load_table(pairs: Iterable[tuple[int, int]]) -> Table:
    """How many mentors have 1, 2, ... mentees among the ``(mentor, mentee)`` pairs."""
    load = Counter(Counter(m for m, _ in pairs).values())
    return Table("mentor_load", "Mentor load", ("mentees_per_mentor", "mentors"), tuple(sorted(load.items())))


#: what the report's match scores count: ``lmsync match`` showed 11 of a kept pair, the report 6 (tester round 89a, 9)
MATCH_SCORE_WORDS = "without the bonus `lmsync match` adds for keeping an existing pair"
MATCH_SCORE_NOTE = (f"Match scores are the pair's score when it was made, {MATCH_SCORE_WORDS} (\"keeps the existing "
                    "pair\"): a kept pair scores that much lower here than in `lmsync match`.")


def match_tables(matched: Sequence[MatchedPair], people: People) -> tuple[Table, Table]:
    """Each current pair's match score (best first), and the share of pairs each positive term helped match, in words
    (``TERM_WORDS``; stickiness, which only keeps pairs, left out)."""
    scores = Table(
        "match_scores",
        f"Match score of each current pair, {MATCH_SCORE_WORDS}",
        ("mentor", "mentee", "score"),
        tuple(  # without the stickiness bonus every current pair has: "lowest 5.0" of a pair that scored 0 (86b, 10)
            (people.label(m.mentor_id), people.label(m.mentee_id), round_cell(_compatibility(m), 2))
            for m in sorted(matched, key=lambda m: (-_compatibility(m), m.mentor_id, m.mentee_id))
        ),
    )
    counts: Counter[str] = Counter()
    for m in matched:  # stickiness keeps a pair, it matched none: every current pair had it (tester round 85b, 5)
        counts.update(term for term, value in m.terms.items() if value > 0 and term != "stickiness")
    terms = Table(
        "match_terms",
        "Share of pairs with each reason",
        ("reason", "term", "pairs", "share"),
        tuple(
            (TERM_WORDS.get(term, term.replace("_", " ")), term, n, round_cell(n / len(matched)))
            for term, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )
    return scores, terms


def _compatibility(m: MatchedPair) -> float:
    """A current pair's match score as ``lmsync match`` gave it when the pair was made: its score less the
    stickiness bonus, which only keeps an existing pair (tester round 86b, 10)."""
    return m.score - m.terms.get("stickiness", 0.0)


def summary_table(
    pairs: Sequence[tuple[int, int]],
    course_mentees: set[int],
    *,
    term_start: date | None,
    held: int,
    response: Table,
    health_day: date | None,
    at_risk: Table,
    ended: int = 0,
    people_today: bool = False,
    unnamed: Unnamed = NO_UNNAMED,
    away_circles: frozenset[int] = frozenset(),
    two_roles: frozenset[int] = frozenset(),
    no_pair_on: date | None = None,
) -> Table:
    """The report's headline figures: pairs, mentors, mentees in the course (``course_mentees``,
    those in a pair included) and the share matched, meetings this term, survey response per
    wave and side (from ``response``), and the pairs at risk on the latest snapshot day.

    ``people_today``: the report is as of an earlier day, but the circles and people are today's
    (Moodle keeps no earlier state): those four figures say "(today)" (tester round 50, 4: a
    summary as of a day before the programme began showed today's 48 pairs as that day's). ``away_circles``: the
    mentees of circles held while their mentor is away, in no pair yet matched: counted as matched, and said
    (tester round 87a, 7a). ``unnamed``: the pairs at risk the table does not name (``report_unnamed.Unnamed``: withheld
    below ``[report] min_cell``); ``no_pair_on``: the report's day when it had no pair to judge (``at_risk_rows``).
    ``two_roles``: mentees with a mentor role and a mentee role whom matching leaves out (``ReportPeople.two_roles``):
    counted in no pair, and said (tester round 114b, 1)."""
    mentors = {m for m, _ in pairs}
    mentees = {e for _, e in pairs} | (away_circles & course_mentees)
    today = " (today)" if people_today else ""
    rows: list[tuple[Any, ...]] = [
        ("pairs" + today, len(pairs)),
        ("mentors with mentees" + today, len(mentors)),
        ("mentees in the course" + today, len(course_mentees)),
        ("share of mentees matched" + today, percent_text(response_rate(len(mentees), len(course_mentees)))),
        *([("of which in a circle held while its mentor is away" + today, len(away_circles & course_mentees))]
          if away_circles & course_mentees else []),
        *([(f"of which without a mentor, with {TWO_ROLES_LEFT_OUT}" + today, len(two_roles & course_mentees))]
          if two_roles & course_mentees else []),
        ("meetings this term" + (f" (since {term_start.isoformat()})" if term_start else ""), held),
    ]
    for wave_name, side_name, answered_n, expected_n, rate in response.rows:
        rows.append((f"survey response {wave_name}, {side_name}", f"{percent_text(rate)} ({answered_n} of {expected_n})"
                     if isinstance(answered_n, int) else str(answered_n)))  # withheld (tester round 128, 1)
    # counted, not named (tester round 87a, 6), unless fewer than [report] min_cell (tester round 120a, 2 and 5)
    rows.extend(at_risk_rows(health_day, len(at_risk.rows), unnamed, ended=ended, no_pair_on=no_pair_on))
    return Table("summary", "Summary", ("measure", "value"), tuple(rows))
