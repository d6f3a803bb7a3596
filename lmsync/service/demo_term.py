"""The demo's second act: a term of meetings and surveys, then the gradebook.

After the demo's sync has built the circles, this plays a twelve-week term the way a
school would feed lmsync: a coordinator's spreadsheet of meetings and a survey export
(CSV files written to a temporary folder and imported with the normal importers), and
mentors logging their latest meeting in the "Meeting log" Feedback activity of the
emulator (as people would in Moodle). Then it plans and pushes the grades, shows the
items written and their read-back, and plans once more to show nothing is left to write.

Everything is seeded, so the same demo site gives the same term. The term's data goes
to its own store file (``<programme>.demo.db``), never to a real programme's store: the
emulator's user ids would otherwise mix with a real course's.
"""

from __future__ import annotations

import csv
import json
import random
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from lmsync.config import Config
from lmsync.config_sections import GradesConfig, MeetingLogItemsConfig, MeetingsConfig, WavesConfig
from lmsync.config_sites import StoreConfig
from lmsync.domain.plan import circle_pairs, mentor_group_idnumber
from lmsync.service import grades
from lmsync.service.meetings import import_meetings, import_surveys
from lmsync.service.observe import RosterUser, observe
from lmsync.service.programme_settings import programme_today, programme_zone
from lmsync.service.runtime import session
from lmsync.store import closed_sittings
from lmsync.store.pairings import PairingHistory

TERM_END = date(2026, 11, 24)  # the demo site's recorded check-in day
TERM_WEEKS = 12
CADENCE = 14
MEETING_LOG = "Meeting log"
ASSIGNMENT = "Mentoring attendance"
SEED = 2026


def term_dates(today: date | None = None) -> tuple[date, date]:
    """(first day, last day) of the demo term: twelve weeks ending on the recorded day (or today, if earlier)."""
    end = min(today or date.today(), TERM_END)
    return end - timedelta(weeks=TERM_WEEKS), end


def term_store_path(config: Config) -> Path:
    """The played term's store, beside the demo's (``<programme>.demo.db``)."""
    return config.store_path().with_name(f"{config.programme.name}.demo.db")


def term_config(config: Config, start: date, end: date) -> Config:
    """The demo configuration plus the term's sections and a store of its own."""
    meetings = MeetingsConfig(
        feedback=MEETING_LOG,
        cadence_days=CADENCE,
        start=start,
        items=MeetingLogItemsConfig(
            minutes="meeting_minutes", date="meeting_date", notes="notes", rating=None
        ),
    )
    waves = WavesConfig.model_validate(
        {
            "programme_start": start,
            "windows": {
                "T0": {"start": start - timedelta(days=7), "end": start + timedelta(days=21)},
                # ends the day before the term's last day, the report's day: the report shows a wave from the
                # day after its window's last day (``waves.closed_waves_only``; tester round 121a, 5)
                "T3": {"start": end - timedelta(days=21), "end": end - timedelta(days=1)},
            },
        }
    )
    store = StoreConfig(path=term_store_path(config))
    return config.model_copy(
        update={
            "meetings": meetings,
            "waves": waves,
            "grades": GradesConfig(assignment=ASSIGNMENT),
            "store": store,
        }
    )


def term_toml(term: Config) -> str:
    """The played term's configuration as a file (``<store>.toml``), for the views the demo points at:
    read with the term's [waves] and [meetings], ``pair show`` and ``queue list`` no longer rescored its
    survey answers under the demo's own settings and said so in a warning on every view (tester round 30, 8).
    Holds what ``term_config`` sets; the meeting log's rating label, which only a Feedback read uses,
    stays at its default."""

    def text(value: object) -> str:
        return json.dumps(str(value))  # a TOML basic string (JSON's escapes are TOML's)

    m, w = term.meetings, term.waves
    lines = ["# The demo's played term (`lmsync demo` writes it again each time): for the views, not for runs.",
             "[programme]", f"name = {text(term.programme.name)}"]
    if term.programme.peer_mentor_cohort:
        lines.append(f"peer_mentor_cohort = {text(term.programme.peer_mentor_cohort)}")
    lines += ["", "[store]", f"path = {text(term.store_path())}", "", "[meetings]",
              f"feedback = {text(m.feedback)}", f"cadence_days = {m.cadence_days}"]
    lines += [f"start = {m.start.isoformat()}"] if m.start else []
    lines += ["", "[meetings.items]", f"minutes = {text(m.items.minutes)}"]
    lines += [f"{key} = {text(value)}" for key in ("date", "notes") if (value := getattr(m.items, key))]
    lines += ["", "[waves]"] + ([f"programme_start = {w.programme_start.isoformat()}"] if w.programme_start else [])
    for name, window in w.windows.items():  # term_config's windows are dated
        lines += ["", f"[waves.windows.{name}]"]
        lines += [f"{key} = {day.isoformat()}" for key in ("start", "end") if (day := getattr(window, key))]
    lines += ["", "[grades]", f"assignment = {text(term.grades.assignment)}", ""]
    return "\n".join(lines)


def fading_pairs(pairs: list[tuple[int, int]], start: date, end: date) -> dict[tuple[int, int], tuple[str, date]]:
    """About one pair in five fades from a day in the term's middle: ``silent`` or ``hi-bye``."""
    rng = random.Random(SEED + 3)
    out: dict[tuple[int, int], tuple[str, date]] = {}
    for pair in sorted(pairs):
        if rng.random() < 0.2:
            kind = "silent" if rng.random() < 0.6 else "hi-bye"
            out[pair] = (kind, start + timedelta(weeks=rng.choice((4, 5, 6))))
    return out


def write_meetings_csv(
    path: Path, pairs: list[tuple[int, int]], roster: Mapping[int, RosterUser], start: date, end: date
) -> int:
    """Circle meetings every fortnight until two weeks before ``end``; each mentee's commitment varies.

    Some pairs fade half-way through the term (``fading_pairs``): they stop meeting, or keep
    meeting only for a "hi, how are you, bye" (the seed programme's failure), so the health
    history and the report show them.
    """
    rng = random.Random(SEED)
    rows = []
    commitment = {mentee: rng.choice((1.0, 0.9, 0.8, 0.6, 0.3)) for _, mentee in pairs}
    fading = fading_pairs(pairs, start, end)
    for mentor, mentee in pairs:
        day = start + timedelta(days=2 + mentor % 5)
        while day <= end - timedelta(days=CADENCE):
            fade = fading.get((mentor, mentee))
            if fade is not None and day >= fade[1]:
                if rng.random() < commitment[mentee] and fade[0] == "hi-bye":
                    rows.append([day.isoformat(), roster[mentor].username, roster[mentee].username, 10, "yes", "2", ""])
                day += timedelta(days=CADENCE)
                continue
            if rng.random() < commitment[mentee]:
                rows.append(
                    [
                        day.isoformat(),
                        roster[mentor].username,
                        roster[mentee].username,
                        rng.choice((30, 45, 45, 60)),
                        "yes",
                        rng.choice(("", "4", "5")),
                        "",
                    ]
                )
            elif rng.random() < 0.5:
                rows.append(
                    [day.isoformat(), roster[mentor].username, roster[mentee].username, 0, "no", "", ""]
                )
            day += timedelta(days=CADENCE)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["date", "mentor", "mentee", "minutes", "attended", "rating", "notes"])
        out.writerows(rows)
    return len(rows)


def write_surveys_csv(
    path: Path, mentees: list[int], roster: Mapping[int, RosterUser], start: date, end: date
) -> int:
    """General self-efficacy at T0 and T3 (most grow a little) and the mentee's relationship rating at T3."""
    rng = random.Random(SEED + 1)
    rows = []
    for uid in mentees:
        who = roster[uid].username
        base = rng.uniform(1.8, 3.2)
        growth = rng.uniform(-0.2, 0.6)
        for when, level in ((start + timedelta(days=3), base), (end - timedelta(days=2), base + growth)):
            for i in range(1, 11):
                value = min(4, max(1, round(level + rng.uniform(-0.7, 0.7))))
                rows.append([who, when.isoformat(), "general_self_efficacy", f"gse{i}", value])
        liking = rng.uniform(2.5, 4.8)
        for item in ("rs1", "rs2", "rs3", "rs4", "rs5"):
            value = min(5, max(1, round(liking + rng.uniform(-0.8, 0.8))))
            rows.append(
                [
                    who,
                    (end - timedelta(days=2)).isoformat(),
                    "relationship_satisfaction_mentee",
                    item,
                    6 - value if item == "rs4" else value,
                ]
            )
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["respondent", "date", "instrument", "item", "value"])
        out.writerows(rows)
    return len(rows)


def write_more_surveys_csv(
    path: Path, pairs: list[tuple[int, int]], roster: Mapping[int, RosterUser], start: date, end: date
) -> int:
    """Relationship satisfaction from both sides at T0 (and the mentors' at T3), and at T3 the
    mentees' ratings of their mentor's qualities (Cho et al. 2011); fading pairs rate lower."""
    rng = random.Random(SEED + 4)
    fading = fading_pairs(pairs, start, end)
    t0, t3 = start + timedelta(days=4), end - timedelta(days=2)
    rows: list[list[object]] = []

    def answer(who: str, when: date, instrument: str, items: tuple[str, ...], level: float) -> None:
        for item in items:
            value = min(5, max(1, round(level + rng.uniform(-0.8, 0.8))))
            rows.append([who, when.isoformat(), instrument, item, 6 - value if item == "rs4" else value])

    rs = ("rs1", "rs2", "rs3", "rs4", "rs5")
    for mentor in sorted({m for m, _ in pairs}):
        faded = sum(1 for m, _ in fading if m == mentor)
        level = rng.uniform(3.6, 4.6)
        answer(roster[mentor].username, t0, "relationship_satisfaction_mentor", rs, level)
        answer(roster[mentor].username, t3, "relationship_satisfaction_mentor", rs, level - 0.4 * faded)
    qualities = ("compassion", "enthusiasm", "selflessness", "career_guidance", "support", "role_model",
                 "motivation", "encouragement", "broader_vision")
    for mentor, mentee in pairs:
        who = roster[mentee].username
        answer(who, t0, "relationship_satisfaction_mentee", rs, rng.uniform(3.4, 4.6))
        warmth = 3.2 + (mentor % 4) * 0.4 - (1.3 if (mentor, mentee) in fading else 0.0)
        answer(who, t3, "mentor_qualities", qualities, warmth + rng.uniform(-0.3, 0.3))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["respondent", "date", "instrument", "item", "value"])
        out.writerows(rows)
    return len(rows)


def record_term_health(term: Config, pairs: list[tuple[int, int]], start: date, end: date) -> int:
    """Judge the pairs weekly through the term, as the unattended cycle would have, storing each
    day's snapshot and queueing fading pairs; a coordinator acknowledges the first one queued.
    Returns how many pairs were queued."""
    from lmsync.service.health import assess_pairs
    from lmsync.service.stores import open_store
    from lmsync.store.health import CoordinatorQueue, HealthSnapshots

    store = open_store(term)
    try:
        programme = term.programme.name
        snapshots = HealthSnapshots(store, programme)
        queue = CoordinatorQueue(store, programme, requeue_after_days=term.health.requeue_after_days)
        days = [start + timedelta(weeks=w) for w in range((end - start).days // 7 + 1)]
        if days[-1] != end:
            days.append(end)
        queued = 0
        for day in days:
            healths = assess_pairs(term, store, pairs, as_of=day).healths
            snapshots.replace_day(day, healths)
            queued += sum(queue.offer(day, h) == "added" for h in healths if h.status == "fading")
        first = queue.open_items()[:1]
        for item in first:
            queue.ack(item.pair, on=min(end, item.opened_on + timedelta(days=3)))
        return queued
    finally:
        store.close()


def log_meetings_in_moodle(site: Any, pairs: list[tuple[int, int]], end: date) -> int:
    """Mentors answer the emulator's meeting-log Feedback for their circle's latest meeting."""
    from lmsync.moodle.emulator.state import FeedbackCompleted

    feedback = next(f for f in site.feedbacks.values() if f.name == MEETING_LOG)
    item = {i.label: i.id for i in feedback.items}
    rng = random.Random(SEED + 2)
    next_id = max((c.id for c in feedback.completeds), default=0) + 1
    logged = 0
    for mentor in sorted({m for m, _ in pairs}):
        if rng.random() < 0.25:
            continue  # not every mentor logs
        day = end - timedelta(days=1 + mentor % 5)
        stamp = int(datetime.combine(day, time(17, 0), UTC).timestamp())
        values = {
            item["meeting_date"]: day.isoformat(),
            item["meeting_minutes"]: str(rng.choice((30, 45, 60))),
        }
        feedback.completeds.append(FeedbackCompleted(next_id, mentor, stamp, values))
        next_id += 1
        logged += 1
    return logged


def read_logged_meetings(term: Config, site: Any, pairs: list[tuple[int, int]], end: date) -> None:
    """Read the term's Feedback sources (the meeting log just answered) into its store, as the cycle's
    feedback step would have through the term: the weekly judgements then see those meetings (tester
    round 32, 1: a pair that met on the 21st was judged "no meeting since pairing" on the 24th, and
    queued as fading, while ``health --as-of`` and ``pair show`` listed the meeting)."""
    from lmsync.service.meetings import settings

    with session(term, site=site) as (conn, store):
        snapshot = observe(conn.api, term)
        grades.read_feedback_sources(conn.api, store, settings(term), course_id=snapshot.observation.course_id,
                                     roster=snapshot.roster, pairs=pairs, today=end, warnings=[], tz=programme_zone(term))


def _items_text(result: grades.PushResult) -> list[str]:
    plan = result.plan
    written: dict[int, list[float]] = {}
    for r in plan.requests:
        written.setdefault(r.itemnumber, []).extend(g.grade for g in r.grades)
    lines = [f"Grade items written on the forum (course-module {plan.activity_cmid}):"]
    for number, values in sorted(written.items()):
        item = plan.item(number)
        if item is None:
            continue
        mean = sum(values) / len(values) if values else 0.0
        idnumber = f", idnumber {item.idnumber}" if item.idnumber else ""
        lines.append(
            f"  {item.itemname:<36} itemnumber {number}{idnumber}, range {item.grademin:g}..{item.grademax:g}: "
            f"{len(values)} grades, mean {mean:.1f}"
        )
    if plan.assign_requests:
        count = sum(len(r) for r in plan.assign_requests)
        lines.append(f"  assignment {plan.assignment_name!r}: {count} attendance grades with a comment each")
    return lines


@dataclass(frozen=True)
class GradesViews:
    """The grades texts the term's story prints: ``lmsync.render.grades``'s, passed in by the CLI
    (a service never imports a renderer, issue 12)."""

    plan_text: Callable[..., str]  # (GradesPlan, *, detail) -> text
    push_text: Callable[[grades.PushReport], str]
    sources_text: Callable[[grades.GradesPlanResult], str]


@dataclass(frozen=True)
class TermAside:
    """The previous played term's store as ``lmsync demo`` set it aside before it began (``demo_aside.set_aside``):
    where it went (``None``: there was none), and whether it held data added after its demo (said, as the
    programme's store's is)."""

    added: bool = False
    kept: Path | None = None


def run_demo_term(
    config: Config, site: Any, echo: Callable[[str], None], views: GradesViews, *, today: date | None = None,
    aside: TermAside = TermAside(), stopped: Callable[[], None] = lambda: None,
) -> Config:
    """Import a term for the demo's circles, push its grades, and show that a second plan is empty.

    ``aside``: the previous term's store, set aside by the demo before it began (so that a stop puts it back), said
    here. ``stopped``: called between steps, it raises when a stop was asked for (the demo's ``DemoStopped``:
    tester round 99b, 4 and 5). Returns the term's configuration (its store holds the term: ``lmsync report`` reads it)."""
    plan_text, push_text, sources_text = views.plan_text, views.push_text, views.sources_text
    start, end = term_dates(today or programme_today(config))
    term = term_config(config, start, end)
    added, kept = aside.added, aside.kept
    echo(
        f"A term of meetings and surveys ({start.isoformat()} to {end.isoformat()}); store {term.store_path()}"
        + (f" (the previous term's is kept as {kept})" if kept else "")
    )
    if kept and added:  # said as for the programme's store (tester round 97b, 4)
        echo(f"It holds data added after that demo: the next `lmsync demo` stops until {kept} is moved away.")
    with session(term, site=site) as (conn, store):
        snapshot = observe(conn.api, term)
        pairs = circle_pairs(term.programme.name, snapshot.observation.groups, snapshot.observation.outsiders)
        # the term's store paired the circles on its first day, as a sync then would have: a store that
        # never paired them writes no grade (grades_hold, tester round 14, 1)
        PairingHistory(store, term.programme.name).record(
            "add_member",
            [(mentor_group_idnumber(term.programme.name, mentor), mentee) for mentor, mentee in pairs],
            at=datetime.combine(start, time(9), tzinfo=UTC).isoformat(timespec="milliseconds"),
        )
    stopped()
    mentees = sorted({mentee for _, mentee in pairs})
    with tempfile.TemporaryDirectory(prefix="lmsync-demo-") as folder:
        meetings_csv, surveys_csv = Path(folder) / "meetings.csv", Path(folder) / "surveys.csv"
        rows = write_meetings_csv(meetings_csv, pairs, snapshot.roster, start, end)
        answers = write_surveys_csv(surveys_csv, mentees, snapshot.roster, start, end)
        people = list(snapshot.roster.values())
        imported = import_meetings(term, meetings_csv, people=people, today=end)
        survey_import, scored = import_surveys(term, surveys_csv, people=people, today=end)
        more_csv = Path(folder) / "surveys-both-sides.csv"
        more = write_more_surveys_csv(more_csv, pairs, snapshot.roster, start, end)
        more_import, scored = import_surveys(term, more_csv, people=people, today=end)
    # the term's answers stand for answers that came in during the term, yet are imported at once on its last day,
    # after T0 closed: what each closed wave counts is recorded again over them as this session ends (round 128)
    with session(term, site=site) as (_conn, store):
        closed_sittings.forget(store, term.programme.name)
    stopped()
    logged = log_meetings_in_moodle(site, pairs, end)
    read_logged_meetings(term, site, pairs, end)  # before the weekly judgements, which must see them (round 32, 1)
    echo(f"  imported {imported.counts.added} meetings from {meetings_csv.name} ({rows} rows)")
    echo(
        f"  imported {survey_import.counts.added} survey answers from {surveys_csv.name} ({answers} rows), "
        f"{scored.stored} wave scores"
    )
    echo(
        f"  imported {more_import.counts.added} answers from {more_csv.name} ({more} rows: both sides' "
        "relationship satisfaction, mentor qualities)"
    )
    echo(f"  {logged} mentors logged their latest meeting in the {MEETING_LOG!r} Feedback activity")
    stopped()
    queued = record_term_health(term, pairs, start, end)
    stopped()
    # counted when queued: some recovered or changed status since, which `queue list` shows (tester round 41, 6)
    echo(f"  pair health judged weekly through the term; {queued} pairs reached the coordinator's queue as they "
         "turned fading (`queue list` shows where each stands now)")
    # the term has its own store: say how to look at it (tester round 3, 13: queue list showed the real one's)
    views_config = term.store_path().with_suffix(".toml")
    views_config.write_text(term_toml(term), encoding="utf-8")
    echo(f"  see them: lmsync --config {views_config} queue list (or pair show WHO)")
    # a store for reading the term, not for running it: lmsync run there holds its nudges, since
    # the demo's sync paired people in the other store (tester round 8, 5)
    echo("  (that configuration holds the played term, for the views: queue list, pair show, health --as-of, "
         "report; `lmsync run` and `sync` use the demo's own store, without --config)")
    echo("")

    def show(planned: grades.GradesPlanResult) -> None:
        echo(sources_text(planned))
        echo(plan_text(planned.plan, detail=5))

    stopped()
    result = grades.push_job(term, site=site, as_of=end, on_plan=show)
    stopped()
    echo(push_text(result.report))
    echo("")
    for line in _items_text(result):
        echo(line)
    written = {r.itemnumber for r in result.plan.requests if r.grades}
    received = [i for i in result.plan.items if "-received-" in i.key and i.itemnumber in written]
    echo(
        "  mentees' ratings of their mentor: only as each mentor's mean over at least "
        f"{term.grades.min_mentees_for_mentor_rating} rating mentees ({', '.join(i.itemname for i in received)}); "
        "no mentee row holds one"
    )
    echo("")
    echo("Second grades plan (a re-run must change nothing):")
    again = grades.plan_job(term, site=site, as_of=end)
    echo(plan_text(again.plan))
    return term
