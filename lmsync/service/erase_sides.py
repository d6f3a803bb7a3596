"""What an erasure does that depends on who the person was: a mentor, a mentee, a coordinator (tester round 77b).

``lmsync person erase`` asks before it deletes; its question said the other side loses "their own survey
answers about this person (a mentor's rating of the relationship ...)", true of a mentee's erasure only
(tester round 77b, 2). A mentor's mentees lose the answers that name the mentor (an import's ``about``);
their answers naming no one (a Moodle Feedback form's) stay theirs and count for no mentor of theirs dated up
to the erasure, so the mentor's received means are never worked out again and the gradebook keeps what was
published. An away mentor's circle is no longer held (round 77b, 3), and a coordinator still configured gets
no digest and no queue item while listed (round 77b, 4): the question says each before it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lmsync.config import Config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.errors import LmsyncError
from lmsync.service.away_mentors import hold_windows
from lmsync.service.programme_settings import programme_today
from lmsync.service.runtime import store_session
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

#: What the other side loses of their survey answers, by the erased person's side.
MENTEE_ANSWERS = ("their own survey answers about this person (a mentor's rating of the relationship; grades made "
                  "from them change at the next push)")
MENTOR_ANSWERS = ("the survey answers they gave naming this person (an import's about column); their answers that "
                  "name no one (a Moodle Feedback form's) stay theirs and count for no mentor of theirs dated up to "
                  "today, so this mentor's received means are never worked out again (what the gradebook shows "
                  "stays as published, frozen: no push changes it)")


@dataclass(frozen=True)
class Sides:
    """The sides ``user_id`` took in the programme, as the store and their circles now tell, and their circle's
    hold while away (since, last day held), if any."""

    mentor: bool
    mentee: bool
    hold: tuple[date, date] | None = None
    answered: bool = False  # the store holds survey answers of theirs


def sides_of(config: Config, user_id: int, circles: tuple[object, ...] = ()) -> Sides:
    """Whether ``user_id`` led a circle (one of ``circles`` names them its mentor, or the store's pairs do) or
    was a mentee (the store's pairs), and their circle's hold; read-only, nothing known without a store."""
    programme = config.programme.name
    leads = any(mentor_of_idnumber(programme, str(getattr(g, "idnumber", "") or "")) == user_id for g in circles)
    member = any(mentor_of_idnumber(programme, str(getattr(g, "idnumber", "") or "")) not in (None, user_id)
                 for g in circles)
    try:
        with store_session(config, read_only=True) as store:
            pairs = {(p.mentor_id, p.mentee_id) for p in PairingHistory(store, programme).history()}
            pairs |= set(HealthSnapshots(store, programme).first_seen())
            hold = hold_windows(config, store).get(user_id)
            answered = bool(SurveyRepository(store, programme).answers(respondent_id=user_id))
    except (LmsyncError, OSError):
        pairs, hold, answered = set(), None, False
    return Sides(leads or any(m == user_id for m, _e in pairs), member or any(e == user_id for _m, e in pairs), hold,
                 answered)


def figures_withheld(sides: Sides) -> str:
    """The prompt's sentence on the report's survey figures an erasure withholds for good (``rater_checkpoints``;
    tester round 78, 2: nothing said that the programme's evaluation would stop being shown), or ""."""
    if not sides.answered:
        return ""
    return (" Their survey answers go, so every survey figure over answers up to today that they were part of (their "
            "mentor's, and the programme-wide means and evaluation of those waves in the report) is withheld from "
            "then on, for good: a mean over the others would give their answers back by difference.")


def answers_lost(sides: Sides) -> str:
    """What the other side of the pairs loses of their survey answers (the prompt's words)."""
    if sides.mentor and sides.mentee:
        return f"as this person's mentees, {MENTOR_ANSWERS}; as their mentor, {MENTEE_ANSWERS}"
    return MENTOR_ANSWERS if sides.mentor else MENTEE_ANSWERS


def hold_ended(config: Config, sides: Sides) -> str:
    """The prompt's sentence on an away mentor's circle held now (tester round 77b, 3), or ""."""
    if sides.hold is None or sides.hold[1] < programme_today(config):
        return ""
    since, last = sides.hold
    return (f" Their circle is held while they are away (since {since.isoformat()}, until {last.isoformat()}): the "
            "erasure ends the hold, as lmsync keeps nothing of them to date it by, and the next sync re-matches its "
            "members.")


def coordinator_said(keys: list[str], source: str) -> str:
    """The prompt's sentence on a coordinator still configured (``privacy.still_coordinator``'s ``keys``), or ""."""
    if not keys:
        return ""
    return (f" They are listed in {' and '.join(keys)} of {source}: while listed they get no digest and no queue "
            "item (an erased person's name is not stored again), and every run warns until they are removed there.")
