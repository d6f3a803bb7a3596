"""``lmsync run``'s feedback step: the Feedback activities read into the store, in one line and counts.

A response that cannot be read (a mistyped ``meeting_date``, say) is named as views name people, with its
item and the fix. Moodle keeps it until its respondent edits it or a coordinator deletes it, so every run
found it again: each ended partial (exit 1) and the daemon backed off to 6 h for the rest of the term (tester
round 87a, 5). The first run that finds it says it (partial); a later run that finds it unchanged lists it
all the same, counted as still not stored since the day it was first found (``UnreadableResponses``), a known
input problem: the step is ok, exit 0. The log's reason names the respondent by Moodle id (logs carry ids).

Not stored is not always unreadable: a meeting-log response about a meeting the other side of its pair logged
first was read well enough, and its row is not stored (``BOTH_SIDES``). The counts say both: ``still_not_stored``
(all, as the line says), of them ``still_unreadable`` and ``still_logged_by_both_sides`` (tester round 102a, 6:
``still_unreadable`` counted both, and the line called a both-sides response's meeting unreadable).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lmsync.config import Config
from lmsync.domain.waves import outside_every_wave
from lmsync.errors import EXIT_ADMIN, EXIT_OK, EXIT_PARTIAL
from lmsync.moodle.api import MoodleApi
from lmsync.service.cycle_result import StepResult
from lmsync.service.feedback_still import still_said
from lmsync.service.late_answers import complete_scores, late_by_wave, late_note
from lmsync.service.pair_outside import stored_outside
from lmsync.service.programme_settings import programme_zone
from lmsync.service.survey_import_notes import no_wave_note
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.unreadable_responses import UnreadableResponses

#: What to do about an unreadable response, said with them (tester round 87a, 5).
FIX = ("fix: its respondent corrects the response in Moodle, or a coordinator deletes it there and records the "
       "meeting with `lmsync meetings add`")


def feedback_step(api: MoodleApi, config: Config, store: Store, day: date, outputs: dict[str, Any]) -> StepResult:
    """Read the meeting log and the instruments' Feedback activities (``read_feedback_sources``); the reports
    and warnings go to ``outputs["feedback"]``. A source unreadable or whose read was refused fails the step
    (exit 2: an admin must act); a response with a problem not said before makes it partial (exit 1). An
    instrument none of whose labels names an item of its form, or whose Feedback cannot be used (named twice, its
    read refused: tester round 122a, 5), is not read and said once after the line: the step says ``admin`` (exit 2)
    and fails nothing else (``instrument_labels.admin_step``; tester round 116, 12). The meeting log's problem still
    fails the step: health, nudges and the digest would judge every pair on the meetings not read."""
    from lmsync.service.instrument_labels import admin_step

    refused: list[str] = []
    return admin_step(_read_step(api, config, store, day, outputs, refused), refused)


def _read_step(
    api: MoodleApi, config: Config, store: Store, day: date, outputs: dict[str, Any], refused: list[str]
) -> StepResult:
    """``feedback_step`` but the instruments not read (``read_feedback_sources``' ``admin``), which go to ``refused``."""
    from lmsync.domain.plan import circle_pairs
    from lmsync.service.circle_records import circle_proof
    from lmsync.service.grades import read_feedback_sources
    from lmsync.service.labels import People
    from lmsync.service.meetings import settings
    from lmsync.service.observe import observe

    s = settings(config)
    snapshot = observe(api, config, proof=circle_proof(store, s.programme))  # lmsync's circles (73, 1)
    obs = snapshot.observation
    warnings: list[str] = []
    failures: list[str] = []  # a source unreadable or its read refused: an admin must act
    people, ids = People(snapshot.roster, show_names=config.privacy.show_names), {}

    def who(user_id: int) -> str:  # as views name people (not "user #75"); the log's line by id
        ids[label := people.label(user_id)] = f"user #{user_id}"
        return label

    found = UnreadableResponses(store, s.programme)
    before = found.since()
    last = MeetingRepository(store, s.programme).last_id()  # rows this read stores first are said when outside their pair (88a, 6)
    scores_before = complete_scores(store, s.programme)  # a closed wave's figures this read moves (round 121a, 7)
    try:
        reports = read_feedback_sources(
            api, store, s, course_id=obs.course_id, roster=snapshot.roster,
            pairs=circle_pairs(s.programme, obs.groups, obs.outsiders), today=day, warnings=warnings,
            tz=programme_zone(config), failures=failures, who=who, admin=refused,
        )
    except Exception:
        found.forget([key for key in found.since() if key not in before])  # found, never said: the next run says them
        raise
    outputs["feedback"] = (reports, warnings)
    read = {r.kind for r in reports}
    current = {key: since for key, since in found.since().items() if key[0] in read}  # the problems found now
    known = [since for key, since in current.items() if key in before]  # and found by an earlier read
    both = {(r.kind, key) for r in reports for key in r.both_sides_keys}  # read, not unreadable (round 102a, 6)
    known_both = sum(1 for key in current if key in before and key in both)
    answers = {(r.kind, key) for r in reports for key in r.answer_keys}  # one answer left out (round 122a, 3)
    known_answers = sum(1 for key in current if key in before and key in answers)
    counts = {
        "sources": len(reports),
        "attempts": sum(r.attempts for r in reports),
        "stored": sum(r.stored for r in reports),
        "removed": sum(r.removed for r in reports),
        "withheld": sum(r.withheld for r in reports),
        "problems": sum(r.problems for r in reports),
        "still_not_stored": len(known),
        "still_unreadable": len(known) - known_both,
        "still_logged_by_both_sides": known_both,
        "still_answers_left_out": known_answers,  # of them, one answer of a survey response (tester round 122a, 3)
        "warnings": len(warnings),
        "failures": len(failures),
        "instruments_not_read": len(refused),  # their labels (116, 12), or their Feedback unusable (122a, 5)
    }
    text = (
        f"{counts['sources']} Feedback source(s), {counts['attempts']} attempt(s), {counts['stored']} row(s) stored, "
        f"{counts['removed']} removed"
        + (f", {counts['withheld']} withheld (about people erased)" if counts["withheld"] else "")
    )
    if counts["stored"] and (apart := stored_outside(store, config, last)) is not None:
        counts["dated_outside_their_pair"] = apart[0]
        text += (f"; {apart[0]} meeting(s) dated when their pair did not exist, kept but counted in no grade (first: "
                 f"{apart[1]})")
    # answers this read stored that no wave scores, as `import surveys` says of a file's (tester round 131b, 5)
    read_days = [d for r in reports if r.stored for d in r.response_days]
    if note := no_wave_note(read_days, s.waves, "response(s)"):
        counts["responses_in_no_wave"] = outside_every_wave(read_days, s.waves)
        text += f"; {note}"
    if late := late_by_wave(scores_before, complete_scores(store, s.programme), s.waves, day):
        counts["late_answers"] = sum(m.people for m in late.values())  # people, over the closed waves named
        text += f"; {late_note(late, s.waves)}"
    if failures:  # the stored history is kept but stale: what depends on it is skipped
        found.forget([key for key in found.since() if key not in before])  # this line does not list them
        return StepResult("feedback", "failed", EXIT_ADMIN, f"{text}; {len(failures)} failed: {'; '.join(failures)}", counts,
                          error="FeedbackSourceProblem")  # not null in JSON (tester round 6, 12)
    if not warnings:
        return StepResult("feedback", "ok", EXIT_OK, text, counts)
    # a meeting to record by hand; none when the meeting log's only problems are meetings both sides logged (their
    # message says its own fix, and `meetings add` refuses a meeting stored: tester round 90a, 7)
    meetings = any(r.kind == "meetings" and r.unreadable for r in reports)
    unread = any(r.unreadable for r in reports)  # counted where made: a "N more" line is not one (round 89a, 1)
    listed = "; ".join(warnings) + (f"; {FIX if meetings else FIX.partition(' and records')[0]}" if unread else "")
    # "not stored": a response logged by both sides was read well enough (tester round 90a, 7: "unreadable")
    # the first day of them, said so when one was first found later (tester round 115b, 5: "3 responses still not
    # stored since 2026-10-09" while one of the three was first found on 2026-10-10)
    # and an answer left out of a survey response whose other answers were stored is an answer (round 122a, 3)
    still = still_said(known, known_both, known_answers)
    if len(current) > len(known) or not known:  # a problem no run has said yet
        line = f"{text}; {len(warnings)} warning(s): {listed}" + (f"; of them {still} (said before)" if still else "")
        return _named(StepResult("feedback", "partial", EXIT_PARTIAL, line, counts), ids)
    # said before and unchanged since: listed, so nobody forgets it, but a known input problem (round 87a, 5)
    return _named(StepResult("feedback", "ok", EXIT_OK, f"{text}; {still} (said before): {listed}", counts), ids)


def _named(step: StepResult, ids: dict[str, str]) -> StepResult:
    """``step`` with the line its log carries: each person by Moodle id instead of their name."""
    logged = step.summary
    for label, user in ids.items():
        logged = logged.replace(label, user)
    step.logged = logged
    return step
