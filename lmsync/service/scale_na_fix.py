"""The fix for a Feedback item off its instrument's scale only by a not-answered option (tester round 123b, 2).

A school's check-in form offering ``0####N/A`` on a 1-5 question has values 0-5: doctor's only fix was to set
``scale_min`` to 0, which makes N/A count as 0 (5, 4 and N/A scored 3.0, not 4.5). When the options outside the scale
read as not answered (``feedback_choices.looks_not_answered``) and declaring them in ``na_values`` makes the item fit,
the fix doctor and the refused Feedback read give is that declaration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from lmsync.domain.feedback_choices import (
    FeedbackPresentationError,
    looks_not_answered,
    parse_feedback_presentation,
)
from lmsync.domain.instruments import Instrument, scale_mismatch
from lmsync.moodle.models import FeedbackItem


def not_answered_options(instrument: Instrument, name: str, item: FeedbackItem) -> list[str]:
    """The labels (as shown, in the item's order) of ``item``'s rated options outside ``instrument``'s scale that
    read as not answered and are not yet in its ``na_values``, when declaring them makes the item fit the scale
    (``scale_mismatch`` of item ``name`` then ``None``); else ``[]``."""
    try:
        options = parse_feedback_presentation(item.typ, item.presentation)
    except FeedbackPresentationError:
        return []
    if options is None or not options.rated:
        return []
    low, high = instrument.scale_min, instrument.scale_max
    found: list[str] = []
    for choice in options.choices:
        label = choice.label.strip()
        if (looks_not_answered(label) and not low <= int(choice.value) <= high
                and label.lower() not in instrument.na_values and label not in found):
            found.append(label)
    declared = replace(instrument, na_values=instrument.na_values | {f.lower() for f in found})
    fits = scale_mismatch(declared, name, item.label.strip(), item.typ, item.presentation) is None
    return found if found and fits else []


def scale_problem_fixes(
    instrument: Instrument, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]
) -> list[tuple[str, list[str]]]:
    """Each problem ``feedback_sources.scale_problems`` names (same words, same order), with the not-answered option
    labels whose declaring fixes it (``not_answered_options``; ``[]``: none does). ``items``: the form's by label;
    ``labels``: the instrument's ``feedback_items``."""
    out = []
    for name in instrument.items:
        label = labels.get(name, name)
        item = items.get(label)
        if item is not None and (problem := scale_mismatch(instrument, name, label, item.typ, item.presentation)):
            out.append((problem, not_answered_options(instrument, name, item)))
    return out


def not_answered_labels(instrument: Instrument, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]) -> list[str]:
    """Every not-answered option label of ``scale_problem_fixes``, first seen first; ``[]`` unless declaring them
    fixes every scale problem of the form (the refused Feedback read's fix then names them)."""
    fixes = scale_problem_fixes(instrument, items, labels)
    if not fixes or not all(na for _, na in fixes):
        return []
    return list(dict.fromkeys(label for _, na in fixes for label in na))


def declare_words(section: str, labels: list[str], declared: bool) -> str:
    """How to declare ``labels`` (``not_answered_options``) in ``[instruments.<section>] na_values``: the whole
    setting, or what to add when the instrument already ``declared`` some (``na_values = ["N/A"]``)."""
    quoted = ", ".join(json.dumps(label, ensure_ascii=False) for label in labels)
    if declared:
        return f"add {quoted} to [instruments.{section}] na_values"
    return f"[instruments.{section}] na_values = [{quoted}]"


def doctor_fix(section: str, feedback: str, instrument: Instrument, labels: list[str]) -> str:
    """Doctor's fix for a scale problem whose item is off the scale only by the not-answered options ``labels``."""
    return (f"declare the not-answered option: {declare_words(section, labels, bool(instrument.na_values))} "
            f"(choosing it is then no answer); setting scale_min/scale_max to the item's range would count it as a "
            f"score. Or edit the item's values in Feedback {feedback} > Edit questions; until then its answers are not read")
