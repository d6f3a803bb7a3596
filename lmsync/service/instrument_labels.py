"""Whether a survey instrument's labels name any item of its Feedback form: doctor's check, and the run's refusal
of a read that could store nothing (tester round 116, 12).

An instrument whose ``[instruments.<name>] feedback_items`` labels (or, unmapped, its item names) name no item of its
Feedback activity was read by ``lmsync run`` without a word: every response gave no answer, the feedback line said
"0 row(s) stored", exit 0, while ``lmsync doctor`` failed it (``coverage_problem``). The run says it now once, in its
feedback line and its JSON, in doctor's words and with doctor's fix (``coverage_fix``), and reads none of that form's
responses (nothing stored nor removed: a read of no answer would remove the answers stored before). The model is the
meeting log's minutes label (``lmsync.service.meeting_log_labels``; tester round 115b, 3), but an admin's fix to make
that does not stop the run: the meeting log and the other instruments are read, and grades, health, nudges and the
digest run on what the store holds (the step says ``admin``, exit 2, where the meeting log's label fails it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lmsync.domain.instruments import Instrument
from lmsync.errors import EXIT_ADMIN
from lmsync.moodle.models import FeedbackItem
from lmsync.service.cycle_result import StepResult
from lmsync.service.feedback_sources import FeedbackSourceProblem, coverage_problem
from lmsync.service.meeting_log_labels import listed
from lmsync.visible import quoted


class InstrumentLabelsWrong(FeedbackSourceProblem):
    """No label of an instrument names an item of its Feedback form: nothing of it was read (the message:
    ``refused_read``). ``setting`` is what the run's line names the source by: the labels to set. Not a failure
    of the run's feedback step: ``blocks`` is False (the step says ``admin``, what depends on it runs)."""

    blocks = False

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.setting = f"instruments.{name}.feedback_items"


def coverage_fix(name: str) -> str:
    """Doctor's fix for instrument ``name`` whose Feedback form lacks the items a score needs."""
    return (f"give the Feedback items these labels, or map them with [instruments.{name}] feedback_items, or define "
            "an instrument of your own with the items the activity has")


def refused_read(
    name: str, instrument: Instrument, activity: str, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]
) -> str | None:
    """The run's words for instrument ``name``'s read of Feedback ``activity`` refused because none of its labels
    (``labels``: item -> label, ``[instruments.<name>] feedback_items``; an item unmapped is its own label) names one
    of the form's ``items`` (label -> Feedback item): doctor's words (``coverage_problem``), that the configuration is
    at fault and nothing was read, stored or removed, doctor's fix and the form's labels; None when one label names an
    item (a form covering too few items for a score is left to doctor, as before)."""
    if any(labels.get(item, item) in items for item in instrument.items):
        return None
    return (f"Feedback {quoted(activity)}: {coverage_problem(instrument, items, labels)}; the configuration names the "
            "items wrongly, the responses are not at fault: none was read, nothing stored or removed; fix: "
            f"{coverage_fix(name)} (the activity's labels: {listed(items)})")


def refuse_read(
    name: str, instrument: Instrument, activity: str, items: Mapping[str, FeedbackItem], labels: Mapping[str, str]
) -> None:
    """Raise ``InstrumentLabelsWrong`` (message: ``refused_read``) when no label of instrument ``name`` names an item
    of the form: before any response is read, so nothing is stored nor removed (tester round 116, 12)."""
    if (refused := refused_read(name, instrument, activity, items, labels)) is not None:
        raise InstrumentLabelsWrong(refused, name)


def admin_step(step: StepResult, refused: Sequence[str]) -> StepResult:
    """``step`` (the feedback step's line) with the instruments whose read was ``refused`` said once after it:
    state ``admin``, exit 2, the other steps unaffected (a step ``failed`` by another source stays failed); ``step``
    as it is when none was. ``refused`` holds every instrument not read, for its labels or because its Feedback
    cannot be used (tester round 122a, 5): the error is ``InstrumentNotRead``."""
    if not refused:
        return step
    said = f"; {len(refused)} instrument(s) not read, an admin must act: {'; '.join(refused)}"
    step.exit_code = max(step.exit_code, EXIT_ADMIN)
    if step.state != "failed":
        step.state, step.error = "admin", "InstrumentNotRead"
    step.summary += said
    if step.logged is not None:
        step.logged += said
    return step
