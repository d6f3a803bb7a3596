"""Tester round 114b, 7: a nudge read "... since your last mentoring meeting with Samuel A.. Could you suggest a time
this week?": a name told apart by its initial ends in ".", and the template's own full stop followed it."""

from __future__ import annotations

from datetime import date, timedelta

from lmsync.config import Config
from lmsync.domain.health import NudgeFields, PairHealth, PersonName, Reason
from lmsync.domain.template_fill import fill
from lmsync.service.health import Assessment, PairView
from lmsync.service.nudges import message_text, plan_nudges
from lmsync.store.db import Store

DAY = date(2026, 12, 16)


def _fading(mentor: int, mentee: int) -> PairHealth:
    reasons = (Reason("no_meeting", "fading", "no meeting"),)
    return PairHealth(mentor, mentee, "fading", reasons, DAY - timedelta(days=100), None, 49)  # type: ignore[arg-type]


def test_a_mentor_of_two_samuels_reads_one_full_stop_after_the_initial():
    store = Store.memory()
    try:
        pairs = [PairView(h, f"m{h.mentor_id:04d}", f"s{h.mentee_id:04d}") for h in (_fading(66, 3), _fading(66, 4))]
        names = {66: PersonName("Ifeoma", "Okafor"), 3: PersonName("Samuel", "Adeyemi"),
                 4: PersonName("Samuel", "Brown")}
        planned, _ = plan_nudges(Config(), store, Assessment(DAY, pairs, {}, course_id=2), names)
    finally:
        store.close()
    text = message_text([n for n in planned if n.recipient_id == 66])
    assert "with Samuel A. Could you suggest a time this week?" in text, text
    assert "with Samuel B. Could you" in text and ".." not in text, text


def test_only_a_single_full_stop_after_a_value_ending_in_one_is_dropped():
    assert fill("with {name}. Next", name="Samuel A.") == "with Samuel A. Next"
    assert fill("with {name}. Next", name="Samuel") == "with Samuel. Next"
    assert fill("with {name}...", name="Samuel A.") == "with Samuel A...."  # an ellipsis is the template's own
    assert fill("{n:>3}. {name}!", n=7, name="Sam A.") == "  7. Sam A.!"
    fields = NudgeFields("Ifeoma", "Samuel A.", 7, 49, 14, "p")
    assert fields.render("It's been {weeks} weeks with {other_firstname}.") == "It's been 7 weeks with Samuel A."
