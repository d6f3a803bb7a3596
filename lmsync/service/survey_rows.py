"""Checks of one survey answer row against the mentoring pairs: who may answer an instrument
(its side), whom the answer is about (``about``), and when ``about`` must be given.

Used by the strict survey import (:mod:`lmsync.service.imports`); each check returns or
collects ``FieldProblem`` values naming the column at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from lmsync.domain.instruments import Instrument
from lmsync.domain.meetings import FieldProblem, PersonRef, Resolver, resolve_person
from lmsync.service.import_rules import ImportRules, named
from lmsync.store.erasures import withheld


def side_problem(instrument: Instrument, respondent: PersonRef, rules: ImportRules) -> FieldProblem | None:
    """Why ``respondent`` cannot answer ``instrument``: it declares a side (``side = "mentee"`` or
    ``"mentor"``; ``"both"`` takes anyone) and the pairs show the respondent only on the other side.

    Someone on both sides (a peer mentor who is also mentored) may answer either form; someone in
    no known pair, or any file when pairs are not known, is not judged here (new admin, part 2,
    point 3: a mentor's answers on the mentee form would be scored as a mentee's rating of a mentor).
    """
    if rules.pairs is None or instrument.side == "both":
        return None
    mentors = {mentor for mentor, _ in rules.pairs}
    mentees = {mentee for _, mentee in rules.pairs}
    uid = respondent.user_id
    sides = {"mentor"} if uid in mentors else set()
    if uid in mentees:
        sides.add("mentee")
    if not sides or instrument.side in sides:
        return None
    (actual,) = sides
    return FieldProblem(
        "respondent",
        f"{named(respondent, rules.names)} is a {actual}, but {instrument.name} is answered by "
        f"{instrument.side}s ([instruments.{instrument.name}] side = \"{instrument.side}\"): use the "
        f"{actual}s' instrument, or correct the respondent",
    )


def about_person(
    problems: list[FieldProblem],
    fields: Mapping[str, str],
    resolve: Resolver,
    respondent: PersonRef | None,
    rules: ImportRules,
    day: date | None = None,
) -> PersonRef | None:
    """The person an answer is about (``about`` column), checked against the respondent's pairs.

    An answer dated ``day`` on or before the erasure of either person passes: the erasure took their
    pairs with it, and the row is withheld when saved, as a meeting row is (tester round 30, 1: a
    school's whole survey file was refused after one erasure, as "never in a mentoring pair")."""
    text = (fields.get("about") or "").strip()
    if not text:
        return None
    try:
        about = resolve_person(resolve, text, "about")
    except FieldProblem as problem:
        problems.append(problem)
        return None
    if respondent is None:
        return about
    if about.user_id == respondent.user_id:
        problems.append(FieldProblem("about", f"{text!r} is the respondent; name the other person of the pair"))
        return None
    pairs = rules.pairs
    if day is not None and withheld(rules.erased, day, (respondent.user_id, about.user_id)):
        return about
    if pairs is not None and not {
        (respondent.user_id, about.user_id),
        (about.user_id, respondent.user_id),
    } & set(pairs):
        problems.append(
            FieldProblem(
                "about",
                f"{named(about, rules.names)} was never in a mentoring pair with respondent "
                f"{named(respondent, rules.names)}",
            )
        )
        return None
    return about


def about_missing(instrument: Instrument, respondent: PersonRef, rules: ImportRules) -> FieldProblem | None:
    """Why an answer without ``about`` cannot stand: a mentor's answer to an instrument about one
    relationship (``rules.relationship``, not a mentee-side form) from someone who mentors more than
    one mentee now (``rules.current``) would be judged as if it were about every one of them (issue
    13; tester round 4, 9). With one mentee it is about that one, as before; with pairs unknown it is
    not judged here."""
    if rules.current is None or instrument.name not in rules.relationship or instrument.side == "mentee":
        return None
    mentees = {mentee for mentor, mentee in rules.current if mentor == respondent.user_id}
    if len(mentees) < 2:
        return None
    return FieldProblem(
        "about",
        f"{named(respondent, rules.names)} mentors {len(mentees)} mentees: say which one this answer is about "
        "(an about column naming the mentee)",
    )
