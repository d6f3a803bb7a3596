"""What an erasure does that depends on who the person was: a mentor, a mentee, a coordinator (tester round 77b).

``lmsync person erase`` asks before it deletes; its question said the other side loses "their own survey
answers about this person (a mentor's rating of the relationship ...)", true of a mentee's erasure only
(tester round 77b, 2). A mentor's mentees lose the answers that name the mentor (an import's ``about``);
their answers naming no one (a Moodle Feedback form's) stay theirs and count for no mentor of theirs dated up
to the erasure, so the mentor's received means are never worked out again and the gradebook keeps what was
published. An away mentor's circle is no longer held (round 77b, 3), and a coordinator still configured gets
no digest and no queue item while listed (round 77b, 4): the question says each before it is asked.

A mentee's mentor loses only the survey answers that name the mentee (an import's ``about`` column): those
answers go, and a grade made from them stays as Moodle shows it, held at every push, or gets none if none was
published (``OWN_GRADES_KEPT``; tester round 122b, 3: said to "change at the next push"). A mentor's answers that name no one (a
Moodle Feedback form's) are not about the mentee: they stay the mentor's, and no grade made from them changes;
the question promised a change for both (tester round 78, 11), and now says which holds (``answers_lost``).

A mentor's note on a whole-circle meeting is stored on each mentee's pair: erasing one mentee takes it off the
others' copies, while erasing the mentor takes every meeting of theirs whole, every copy with it. The question told
a mentor's erasure of "the other mentees' copies" (tester round 112b, 9a); ``notes_said`` says what each side's
erasure does to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lmsync.config import Config
from lmsync.domain.grades_unbacked import ERASED_MEETINGS_GRADES
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.domain.waves import SurveyAnswer
from lmsync.errors import LmsyncError
from lmsync.service.away_mentors import hold_windows
from lmsync.service.programme_settings import programme_today, settings
from lmsync.service.rater_checkpoints import scored_deleted
from lmsync.service.runtime import store_session
from lmsync.store.absences import MemberAbsences
from lmsync.store.meetings import MeetingRepository
from lmsync.store.pairings import PairingHistory
from lmsync.store.snapshots import HealthSnapshots
from lmsync.store.surveys import SurveyRepository

#: What becomes of a mentor's own survey grade made from their answers about the erased mentee (the push holds it:
#: ``grades_held.OWN_HELD_REASON``); "change at the next push" was said of it (tester round 122b, 3).
OWN_GRADES_KEPT = ("that Moodle's gradebook shows stays as it is, `held` at every push, and none is published where "
                   "none was, `withheld`, so that no push gives the erased answers away: to clear one, do so in "
                   "Moodle's gradebook")
#: Said after the erasure when their mentor gave answers naming them (``own_grades_note``; tester round 122b, 3).
OWN_GRADES_NOTE = ("note: a grade their mentor's own survey answers about this person were part of (a mentor's "
                   f"rating of the relationship) {OWN_GRADES_KEPT}")


#: What the other side loses of their survey answers, by the erased person's side. A mentee's mentor: the answers
#: naming the mentee (tester round 78, 11: said of answers naming no one too, which stay and change no grade).
MENTEE_ANSWERS = ("their own survey answers about this person (a mentor's rating of the relationship; a grade made "
                  f"from them {OWN_GRADES_KEPT})")
MENTEE_ANSWERS_UNTIED = ("no survey answer of theirs about this person (a mentor's rating of the relationship): "
                         "those they gave name no one (a Moodle Feedback form's), so they stay theirs and no grade "
                         "made from them changes")
MENTEE_ANSWERS_BOTH = (f"{MENTEE_ANSWERS}; their answers that name no one (a Moodle Feedback form's) stay theirs, and "
                       "no grade made from those changes")
MENTEE_ANSWERS_NONE = ("no survey answer of theirs about this person (a mentor's rating of the relationship): "
                       "this store holds none naming this person")
MENTOR_ANSWERS = ("the survey answers they gave naming this person (an import's about column); their answers that "
                  "name no one (a Moodle Feedback form's) stay theirs and count for no pair of the erased mentor dated "
                  "up to today, so this mentor's received means are never worked out again (what the gradebook shows "
                  "stays as published, frozen: no push changes it)")


@dataclass(frozen=True)
class Sides:
    """The sides ``user_id`` took in the programme, as the store and their circles now tell, and their circle's
    hold while away (since, last day held), if any."""

    mentor: bool
    mentee: bool
    hold: tuple[date, date] | None = None
    answered: bool = False  # the store holds survey answers of theirs
    rated_naming: bool = False  # their mentor(s) gave survey answers naming them (an import's about column)
    rated_untied: bool = False  # their mentor(s) gave survey answers naming no one (a Moodle Feedback form's)
    place: date | None = None  # the day a sync first found them away, their place in a circle held (104a, 9)
    met: bool = False  # the store holds meetings of theirs: their partners' meeting grades change (115b, 4)
    named: bool = False  # the store holds survey answers anyone gave naming them (an import's about column)
    # the erasure deletes a scored sitting (``rater_checkpoints.scored_deleted``), so withholds figures; True when
    # not known, as before (tester round 119, 2)
    scored: bool = True


def sides_of(config: Config, user_id: int, circles: tuple[object, ...] = ()) -> Sides:
    """Whether ``user_id`` led a circle (one of ``circles`` names them its mentor, or the store's pairs do) or
    was a mentee (the store's pairs), their circle's hold, and whether their mentors (of ``circles`` and of the
    store's pairs) gave survey answers naming them or naming no one (tester round 78, 11); read-only, nothing
    known without a store (a store that cannot be read raises nothing here: the erasure itself says why)."""
    programme = config.programme.name
    named = {mentor_of_idnumber(programme, str(getattr(g, "idnumber", "") or "")) for g in circles}
    leads = user_id in named
    mentors_now = {m for m in named if m is not None and m != user_id}  # their circles' mentors
    try:
        with store_session(config, read_only=True) as store:
            pairs = {(p.mentor_id, p.mentee_id) for p in PairingHistory(store, programme).history()}
            pairs |= set(HealthSnapshots(store, programme).first_seen())
            hold = hold_windows(config, store).get(user_id)
            place = MemberAbsences(store, programme).since().get(user_id)
            surveys = SurveyRepository(store, programme)
            answered = bool(surveys.answers(respondent_id=user_id))
            mentors = mentors_now | {m for m, e in pairs if e == user_id and m != user_id}
            about = [a.about_id for m in sorted(mentors) for a in surveys.answers(respondent_id=m)]
            met = bool(MeetingRepository(store, programme).find(person_id=user_id))
            about_them, scored = _scored_of(config, surveys.answers(), user_id)
    except (LmsyncError, OSError):
        pairs, hold, answered, about, place, met = set(), None, False, [], None, False
        about_them, scored = False, True
    mentee = bool(mentors_now) or any(e == user_id for _m, e in pairs)
    return Sides(leads or any(m == user_id for m, _e in pairs), mentee, hold, answered,
                 rated_naming=user_id in about, rated_untied=None in about, place=place, met=met, named=about_them,
                 scored=scored)


def _scored_of(config: Config, answers: list[SurveyAnswer], user_id: int) -> tuple[bool, bool]:
    """Whether any of ``answers`` names ``user_id`` (``about``), and whether their erasure deletes a scored sitting
    (``rater_checkpoints.scored_deleted`` over the configured instruments: an incomplete sitting is in no figure, so
    deleting it withholds nothing; tester round 119, 2)."""
    instruments = settings(config).instruments
    return (any(a.about_id == user_id for a in answers),
            bool(scored_deleted([a for a in answers if a.instrument in instruments], instruments, user_id)))


def grades_said(sides: Sides) -> str:
    """The prompt's sentence on the meeting grades lmsync published for the other side of the pairs, which the
    erasure's meetings leave (``grades_unbacked.ERASED_MEETINGS_GRADES``, said again after the erasure), or "" when
    the store holds no meeting of theirs. The README promises the prompt says what the other side of each pair
    loses; it said this only once done (tester round 115b, 4)."""
    if not sides.met:
        return ""
    return f" {ERASED_MEETINGS_GRADES[0].upper()}{ERASED_MEETINGS_GRADES[1:]}."


#: What a mentee's erasure does to a mentor's note on a meeting of the whole circle (``surveys._take_shared_notes``).
MENTEE_NOTES = ("A mentor's note on a meeting of the whole circle leaves the other mentees' copies too (it may name "
                "this person).")
#: What a mentor's erasure does to their meetings: every one goes whole, each mentee's copy of a whole-circle meeting
#: too, with the ratings and notes either side gave, and none dated up to today is stored again (tester round 112b, 9a).
MENTOR_NOTES = ("Every meeting of theirs goes whole, with the rating and notes stored on it (a meeting of the whole "
                "circle from every mentee's record, with this person's note on it); none dated up to today is stored "
                "again, from Moodle's Feedback meeting log, a file or `lmsync meetings add`.")


def notes_said(sides: Sides) -> str:
    """The prompt's sentence on the meetings a mentor's note was stored on, by the erased person's side: a mentee's
    erasure takes the note off the other mentees' copies (``MENTEE_NOTES``); a mentor's takes their meetings whole
    (``MENTOR_NOTES``), with no other mentee's copy left to change; someone on both sides reads both. Someone on
    neither side (or a store that cannot be read) reads ``MENTEE_NOTES``, as before. Tester round 112b, 9a."""
    if sides.mentor and sides.mentee:
        return f"As a mentor: {MENTOR_NOTES} As a mentee: {MENTEE_NOTES}"
    return MENTOR_NOTES if sides.mentor else MENTEE_NOTES


def figures_withheld(sides: Sides) -> str:
    """The prompt's sentence on the report's survey figures an erasure withholds for good (``rater_checkpoints``;
    tester round 78, 2: nothing said that the programme's evaluation would stop being shown), or "" when it deletes
    no survey answer. Only a complete (scored) sitting is in a figure: the sentence said every figure "they were
    part of" was withheld, and so too when all the sittings it deletes were incomplete, which withholds nothing
    (``Sides.scored``; tester round 119, 2)."""
    if not (sides.answered or sides.named):
        return ""
    whose = ("Their survey answers and others' answers about them go" if sides.answered and sides.named
             else "Their survey answers go" if sides.answered else "Others' survey answers about them go")
    if not sides.scored:
        return (f" {whose}, but none of those sittings is complete (at least the instrument's min_answered items "
                "answered): an incomplete sitting is in no survey figure, so no figure is withheld.")
    # "their mentor's" only of a mentee: a mentor erased read it of themselves (tester round 79, 11)
    mentors = "their mentor's, and " if sides.mentee else ""
    return (f" {whose}, so every survey figure over answers up to today that their complete answers (or others' "
            f"complete answers about them) were part of ({mentors}the programme-wide means and evaluation of those "
            "waves in the report) is withheld from then on, for good: a mean over the others would give their "
            "answers back by difference.")


def answers_lost(sides: Sides) -> str:
    """What the other side of the pairs loses of their survey answers: the prompt's words after its list of what
    goes, from ``", and "`` or ``", but "`` (none lost) on. A mentee's mentor loses
    the answers naming the mentee, and the grades made from them change; answers naming no one (a Moodle Feedback
    form's) stay and change no grade, so each case is said as it is (tester round 78, 11)."""
    if sides.mentor and sides.mentee:
        return f", and as this person's mentees, {MENTOR_ANSWERS}; as their mentor, {mentee_answers(sides)}"
    said = MENTOR_ANSWERS if sides.mentor else mentee_answers(sides)
    # "lose(s) the meetings, ..., and none of ...: this store holds none" did not parse (tester round 99a, 7)
    return f", {'but' if said in (MENTEE_ANSWERS_UNTIED, MENTEE_ANSWERS_NONE) else 'and'} {said}"


def own_grades_note(sides: Sides) -> str:
    """The note said after the erasure of a mentee whose mentor gave survey answers naming them (``rated_naming``):
    the mentor's own grades made from them are held as Moodle shows them (``OWN_GRADES_NOTE``), or "" (tester round
    122b, 3: the question said they "change at the next push", the push held them)."""
    return OWN_GRADES_NOTE if sides.rated_naming else ""


def mentee_answers(sides: Sides) -> str:
    """What a mentee's mentor loses of their survey answers: those naming the mentee (``rated_naming``), none of
    those naming no one (``rated_untied``), or nothing (neither: the store holds no answer of theirs)."""
    if sides.rated_naming:
        return MENTEE_ANSWERS_BOTH if sides.rated_untied else MENTEE_ANSWERS
    return MENTEE_ANSWERS_UNTIED if sides.rated_untied else MENTEE_ANSWERS_NONE


def hold_ended(config: Config, sides: Sides) -> str:
    """The prompt's sentence on an away mentor's circle held now (tester round 77b, 3), or on an away mentee's place
    held in their circle (``held_places.erased_holds``; tester round 104a, 9), or ""."""
    if sides.hold is None and sides.place is not None:
        return (f" Their place in their circle is held while they are away (since {sides.place.isoformat()}): the "
                "erasure ends the hold, as lmsync keeps nothing of them to date it by, and the next sync takes them "
                "out of the circle.")
    if sides.hold is None or sides.hold[1] < programme_today(config):
        return ""
    since, last = sides.hold
    return (f" Their circle is held while they are away (since {since.isoformat()}, until {last.isoformat()}): the "
            "erasure ends the hold, as lmsync keeps nothing of them to date it by, and the next sync re-matches its "
            "members.")


def others_said(partners: tuple[str, ...], held: tuple[str, ...], earlier: tuple[str, ...]) -> str:
    """Who else loses the erased pairs' meetings and history: the prompt's words before ``" the pair's meetings"``.

    ``partners``: the other side of their pairs now (labels); ``held``: the members of their circle held while
    they are away (in no circle with them, yet their pairs now); ``earlier``: the other side of the store's
    earlier pairs. Tester round 100b, 6: a held circle's members were named "from earlier pairs" beside "the
    other side of each of their pairs", which named nobody."""
    now = [*([f"{', '.join(partners)} (their {'pair' if len(partners) == 1 else 'pairs'} now)"] if partners else []),
           *([f"{', '.join(held)} (their circle's {'member' if len(held) == 1 else 'members'} now, the circle held "
              "while they are away)"] if held else [])]
    verb = "loses" if len(partners) + len(held) + len(earlier) == 1 else "lose"
    if not earlier:
        return f"{' and '.join(now)} also {verb}" if now else "The other side of any pair of theirs also loses"
    before = f"{' and '.join(now)} and, f" if now else "F"
    return f"{before}rom earlier pairs, {', '.join(earlier)}, also {verb}"


def coordinator_said(keys: list[str], source: str) -> str:
    """The prompt's sentence on a coordinator still configured (``privacy.still_coordinator``'s ``keys``), or ""."""
    if not keys:
        return ""
    return (f" They are listed in {' and '.join(keys)} of {source}: while listed they get no digest and no queue "
            "item (an erased person's name is not stored again), and every run warns until they are removed there.")
