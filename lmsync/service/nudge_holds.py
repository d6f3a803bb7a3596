"""When nudges and digests wait: quiet hours and exam blocks (issue 13; ``lmsync.service.nudges``).

None is sent inside ``[nudges] quiet_hours`` (local time in ``[programme] timezone``), nor while
an exam block is in progress: a course calendar event whose name (unescaped, trap 39) matches
``[nudges] exam_pattern``, read with core_calendar_get_calendar_events, which also returns
events already in progress (trap 45). Course events hidden by a ``nopermissions`` warning (the
token's user lacks moodle/calendar:manageentries) hold the nudges too, and are reported. A store's
assessment that would nudge many pairs before it has ever nudged holds them and the digest (``first_run_hold``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lmsync.config import Config
from lmsync.health_config import parse_quiet_hours
from lmsync.moodle.api import MoodleApi
from lmsync.service.health import Assessment
from lmsync.service.programme_settings import programme_now as programme_now


def in_quiet_hours(config: Config, now: datetime | None = None) -> bool:
    """Whether the local time is inside ``[nudges] quiet_hours`` (a span may wrap midnight)."""
    text = config.nudges.quiet_hours
    if not text:
        return False
    start, end = parse_quiet_hours(text)
    local = programme_now(config, now).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_hold(config: Config, now: datetime | None = None) -> str | None:
    """Why a message waits now, ``quiet hours (22:00-07:00 Europe/London)``; None outside them."""
    if not in_quiet_hours(config, now):
        return None
    return f"quiet hours ({config.nudges.quiet_hours} {config.programme.timezone})"


#: How an admin sends what the first-assessment guard held (the CLI's flag on `lmsync run` and `lmsync nudge`).
ALLOW_MASS_NUDGE = "--allow-mass-nudge"


def first_run_hold(config: Config, assessment: Assessment, *, allow: bool = False) -> str | None:
    """Why nudges and digests wait: a store that has never nudged would nudge a large share of the pairs.

    A safety rule like the sync's refusal of mass removals (``[sync] min_source_fraction``,
    borrowed from Moodle's enrol_database): a store with no history of its own (no snapshot, no
    nudge: ``health_inputs.store_is_new``) on a site whose circles lmsync made before dates
    their pairs from the programme's start (issue 13), so every pair may look fading at once,
    and messages cannot be taken back (tester finding 1a). More than ``[nudges]
    first_run_max_share`` of the pairs at risk or fading is held, unless ``allow``
    (``--allow-mass-nudge``), on every run until the store has sent once: a daemon's next cycle
    does not send what the first one held. Whatever the share, such a store holds when it sees
    pairs its pairing history never recorded (``Assessment.unpaired_here``): another store made
    those circles and may still nudge them (tester findings 5, and 1 of the third tester).
    """
    if allow or not assessment.first_assessment or not assessment.pairs:
        return None
    share = config.nudges.first_run_max_share
    flagged = sum(1 for p in assessment.pairs if p.health.needs_attention)
    if flagged and assessment.unpaired_here:
        # tester 3, finding 1: whatever the share, a store that never nudged and never paired these
        # circles would nudge beside the store that did (the same people twice a day, judged on its
        # partial records): held until an admin says this store takes over. ``flagged`` counts every
        # pair, paired here or not, at risk or fading as this store judges it (new-admin tester, C)
        return (
            f"this store has never nudged about the programme and {assessment.unpaired_here} of "
            f"{len(assessment.pairs)} pairs sit in circles it never paired (its pairing history has no record of "
            f"them): another lmsync store made them and may still nudge them. {flagged} pair(s) are at risk or fading: "
            f"of all {len(assessment.pairs)} pairs, as this store judges them from the "
            "records it holds, which date a pair it never paired from the programme's start (or when it first "
            "saw it), not from its pairing. If that store still runs this programme, run lmsync there and "
            f"retire this one; send from here with {ALLOW_MASS_NUDGE} only if this store replaces it "
            "(held on every run until then)"
        )
    if flagged <= share * len(assessment.pairs):
        return None
    return (
        f"this store's first assessment (it has never nudged about the programme) finds {flagged} of "
        f"{len(assessment.pairs)} pair(s) at risk or fading, more than [nudges] first_run_max_share ({share:.0%}); "
        # this store paired every one of them (``unpaired_here`` held above), so the dates are its own: the
        # old text blamed "pairs it did not make" for pairs past their first-meeting grace (tester round 21, 5)
        "messages cannot be taken back: check the reasons in `lmsync health` (e.g. no meeting since pairing), "
        f"then send with {ALLOW_MASS_NUDGE} (held on every run until then)"
    )


@dataclass(frozen=True)
class ExamCheck:
    """What the course calendar says about now: the exam block in progress, if any."""

    block: str | None  # the (unescaped) name of the matching event in progress
    hidden: int  # course events Moodle hid behind a nopermissions warning
    until: date | None = None  # the local day the block in progress ends (nudges resume)

    @property
    def problem(self) -> str | None:
        if not self.hidden:
            return None
        return (
            f"{self.hidden} course calendar event(s) hidden from lmsync (nopermissions): exam blocks cannot be "
            "read, so no nudge is sent; give the web-service user the capability moodle/calendar:manageentries"
        )


def exam_check(api: MoodleApi, config: Config, course_id: int, now: datetime | None = None) -> ExamCheck:
    """Read today's course and site events (one request) and find an exam block in progress.

    Events are read from local midnight to the next (``[programme] timezone``); Moodle also
    returns events already in progress then (trap 45). An event with a duration blocks from
    its start to its end; one without blocks its local day. Names come back escaped (trap 39)
    and are unescaped before ``[nudges] exam_pattern`` is matched.
    """
    pattern = config.nudges.exam_pattern
    if not pattern:
        return ExamCheck(None, 0)
    local = programme_now(config, now)
    midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    start, end = int(midnight.timestamp()), int((midnight + timedelta(days=1)).timestamp()) - 1
    result = api.get_calendar_events(courseids=[course_id], timestart=start, timeend=end, userevents=False)
    hidden = sum(1 for w in result.warnings if (w.warningcode or "").startswith("nopermissions"))
    at = int(local.timestamp())
    regex = re.compile(pattern)
    for event in result.events:
        name = html.unescape(event.name)
        if not regex.search(name):
            continue
        if event.timeduration:
            active = event.timestart <= at < event.timestart + event.timeduration
            until = datetime.fromtimestamp(event.timestart + event.timeduration, local.tzinfo).date()
        else:
            active = datetime.fromtimestamp(event.timestart, local.tzinfo).date() == local.date()
            until = local.date() + timedelta(days=1)
        if active:
            return ExamCheck(name, hidden, until)
    return ExamCheck(None, hidden)


def nudge_hold(
    api: MoodleApi, config: Config, course_id: int | None, now: datetime | None = None
) -> tuple[str | None, int]:
    """Why nudges wait now (None: they go), and how many course events Moodle hid.

    Quiet hours first (the calendar is not read then); then, for a known course, an exam block
    in progress, or course events hidden behind ``nopermissions`` (see :class:`ExamCheck`).
    """
    quiet = quiet_hours_hold(config, now)
    if quiet is not None or course_id is None:
        return quiet, 0
    check = exam_check(api, config, course_id, now)
    if check.block is not None:
        # the day nudges go again: "until" that day read as held through it (tester round 59, 9)
        until = f" (nudges resume on {check.until.isoformat()})" if check.until is not None else ""
        return f'exam block "{check.block}"{until}', check.hidden
    if check.problem:
        return "course calendar events hidden (moodle/calendar:manageentries missing)", check.hidden
    return None, check.hidden
