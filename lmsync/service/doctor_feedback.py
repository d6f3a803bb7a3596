"""Doctor's checks of the Feedback activities lmsync reads: each instrument's items carry its
scale and enough of its items for a score, and the meeting log carries the ``[meetings.items]``
labels. Split from :mod:`lmsync.service.doctor` (which runs them, and reports the activities
that are missing or anonymous before these run)."""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from lmsync.config import Config
from lmsync.moodle.api import MoodleApi
from lmsync.service.doctor_reads import checked_read
from lmsync.visible import quoted


class Reporter(Protocol):
    def add(self, name: str, status: Any, detail: str, fix: str | None = None) -> None: ...


def feedback_item_checks(api: MoodleApi, config: Config, feedbacks: list[Any], report: Reporter) -> None:
    """Every check of this module, in the order doctor prints them."""
    _feedback_scales(api, config, feedbacks, report)
    _meeting_log_items(api, config, feedbacks, report)


def named_twice(problem: Exception, check: str, report: Reporter) -> None:
    """Fail ``check`` when ``problem`` is a name that names several Feedback activities, naming their course-module
    ids and the fix (``FeedbackNamedTwice``): doctor reported it nowhere and said "no problems" (tester round
    122a, 5). A missing or anonymous activity is said by doctor's activity checks, before these."""
    from lmsync.service.feedback_sources import FeedbackNamedTwice

    if isinstance(problem, FeedbackNamedTwice):
        message, _, _ = str(problem).partition(f"; {problem.fix}")
        report.add(check, "fail", f"{message}: lmsync cannot tell which one to read", problem.fix)


def _items(api: MoodleApi, feedback_id: int) -> list[Any]:
    """The Feedback activity's items (``mod_feedback_get_items``)."""
    return list(api.get_feedback_items(feedback_id).items)


def _meeting_log_items(api: MoodleApi, config: Config, feedbacks: list[Any], report: Reporter) -> None:
    """The meeting log's ``[meetings.items]`` labels must be on its Feedback items (tester round 6,
    12: a mistyped minutes label passed doctor). Without the minutes item no meeting can be read
    (fail); a missing optional one only leaves its field empty (warn, naming what that means)."""
    from lmsync.domain.meeting_rating_item import FIX as RATING_FIX
    from lmsync.service.feedback_label_twins import FIX as TWINS_FIX
    from lmsync.service.feedback_label_twins import meeting_log_reads, repeated_problem
    from lmsync.service.feedback_sources import (
        FeedbackSourceProblem,
        find_feedback,
        item_labels,
        repeated_labels,
    )
    from lmsync.service.meeting_log_labels import labels_fix, minutes_missing
    from lmsync.service.meeting_log_rating import unrated

    if not config.meetings.feedback:
        return
    check = f"meeting log {quoted(config.meetings.feedback)}"
    try:
        feedback = find_feedback(feedbacks, config.meetings.feedback)
    except FeedbackSourceProblem as exc:
        named_twice(exc, check, report)  # missing or anonymous: reported above
        return
    items = checked_read(partial(_items, api, feedback.id), report, check,
                         "its items")  # a failure that is no refusal is said (tester round 106b, 2)
    if items is None:
        return
    labels = set(item_labels(items).values())
    wanted = config.meetings.items
    fix = labels_fix(labels)  # round 26, 5: which labels there are was not said
    if (absent := minutes_missing(wanted, labels)) is not None:  # the run says the same (tester round 115b, 3)
        report.add(check, "fail", absent, fix)
        return
    twins = repeated_problem(repeated_labels(items), meeting_log_reads(wanted))  # the run refuses it (122a, 2)
    if twins:
        report.add(check, "fail", twins, TWINS_FIX)
    meaning = {"attended": "every logged meeting counts as attended", "rating": "meetings are stored without a rating",
               "notes": "meetings are stored without notes", "date": "a meeting is dated when its answer was submitted"}
    if config.meetings.one_to_one:  # each mentor's response names the mentee met (tester round 90a, 8)
        meaning["attended"] = "with [meetings] one_to_one no mentor's response can be read (each names the mentee met)"
    missing = [(key, label) for key in meaning if (label := getattr(wanted, key)) and label not in labels]
    for key, label in missing:
        report.add(check, "warn", f"no item labelled {label!r} ([meetings.items] {key}): {meaning[key]}", fix)
    by_label = {i.label.strip(): i for i in items if i.hasvalue}
    if unrated_item := unrated(wanted, by_label):  # the run refuses the read, naming the form (131b, 2)
        report.add(check, "fail", f"{unrated_item}: no meeting of the log can be read", RATING_FIX)
    optional = [i for i in items if i.hasvalue and i.label.strip() == wanted.attended and not i.required]
    if config.meetings.one_to_one and optional:
        report.add(check, "warn", f"the item labelled {wanted.attended!r} is not required: with [meetings] one_to_one a "
                   "mentor's response left without it names no mentee and is not stored",
                   "make the item required (Edit questions > the item > Required)")
    elif not missing and not twins and not unrated_item:
        report.add(check, "ok", "every [meetings.items] label is on the activity")


def _feedback_scales(api: MoodleApi, config: Config, feedbacks: list[Any], report: Reporter) -> None:
    """Each instrument's Feedback items must carry its declared scale (issue 10 point 3, trap 43).

    The same check refuses the Feedback read (``store_feedback_answers``), so what doctor
    passes is what the read accepts.
    """
    from lmsync.config_sections import resolve_instruments
    from lmsync.service.feedback_label_twins import FIX as TWINS_FIX
    from lmsync.service.feedback_label_twins import instrument_reads, repeated_problem
    from lmsync.service.feedback_moved import activity_named, doctor_source_check
    from lmsync.service.feedback_sources import (
        FeedbackSourceProblem,
        coverage_problem,
        find_feedback,
        repeated_labels,
        scale_problems,
    )
    from lmsync.service.instrument_labels import coverage_fix
    from lmsync.service.scale_na_fix import doctor_fix, scale_problem_fixes

    instruments = resolve_instruments(config.instruments)
    for name, section in sorted(config.instruments.items()):
        if not section.feedback or name not in instruments:
            continue
        try:
            feedback = find_feedback(feedbacks, section.feedback)
        except FeedbackSourceProblem as exc:
            named_twice(exc, f"instrument {name}", report)  # missing or anonymous: reported above
            continue
        shown = activity_named(feedback, section.feedback)  # by its name and id (tester round 123b, 4)
        items = checked_read(partial(_items, api, feedback.id), report, f"instrument {name}", f"the items of {shown}")
        if items is None:
            continue  # a refusal: reported by the capability probes; another failure: said (tester round 106b, 2)
        by_label = {i.label.strip(): i for i in items if i.label.strip() and i.hasvalue}
        problems = scale_problems(instruments[name], by_label, section.feedback_items)
        check = f"instrument {name}"
        uncovered = coverage_problem(instruments[name], by_label, section.feedback_items)
        if uncovered:
            report.add(check, "fail", f"{shown}: {uncovered}",
                       coverage_fix(name))  # the run says the same fix (tester round 116, 12)
        twins = repeated_problem(repeated_labels(items), instrument_reads(instruments[name], section.feedback_items))
        if twins:  # the run reads nothing of the form (tester round 122a, 2)
            report.add(check, "fail", f"{shown}: {twins}", TWINS_FIX)
        for problem, na in scale_problem_fixes(instruments[name], by_label, section.feedback_items):
            report.add(  # an option off the scale reading "N/A" is declared, not scored (tester round 123b, 2)
                check, "fail", problem,
                doctor_fix(name, quoted(section.feedback), instruments[name], na) if na else
                f"edit the item's values in Feedback {quoted(section.feedback)} > Edit questions, or set "
                f"[instruments.{name}] scale_min/scale_max to the item's range; until then its answers are not read",
            )
        if not problems and not uncovered and not twins:
            report.add(check, "ok", f"{shown} items match the scale "
                       f"{instruments[name].scale_min}-{instruments[name].scale_max}")
        doctor_source_check(api, config, feedbacks, feedback, name, report)  # an empty copy? (tester round 123b, 4)
