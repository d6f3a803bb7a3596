"""The matching use case: people in (from Moodle or a CSV), an explained assignment out.

The domain never reads configuration; this module turns ``[matching]`` into
``MatchSettings`` and adds the configuration's pins, forbids and re-match flags to
whatever standing decisions came with the people. ``run_match`` is the only place that
adds them: the people readers (Moodle, CSV) never do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from lmsync.config import Config
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.match_result import load_cost
from lmsync.domain.matching import MatchResult, Unmatched, match, pin_problems
from lmsync.domain.meetable_preferences import meetable_preferences
from lmsync.domain.people import MENTORING_ROLES, People, PersonWarning, summarise, unshared_departments
from lmsync.domain.rematch_moves import with_moves_said
from lmsync.domain.unmatched import HELD_BY_TWO_ROLES, HELD_MEMBER
from lmsync.errors import ConfigError, PinError
from lmsync.log import get_logger
from lmsync.service.acted_forbids import unsaid_waits
from lmsync.service.decision_hints import decisions_hint
from lmsync.service.match_warning_names import named_notices, named_warnings
from lmsync.service.people_csv import load_people_csv
from lmsync.service.person_keys import split_key
from lmsync.service.site_accounts import SiteLookup, api_lookup
from lmsync.visible import visible

log = get_logger(__name__)

_PAIRS = ("pins", "forbids")  # the keys of pairs, named together in a fix (``decision_hints``)


def settings_from_config(config: Config) -> MatchSettings:
    m = config.matching
    # the configuration's keys are the domain's field names: each weight and setting by its name
    same = ("peer_year_gap_min", "peer_year_gap_max", "peer_year_gap_preferred", "triad_juniors", "load_balance")
    try:
        return MatchSettings(
            structure=m.structure,
            weights=Weights(**{name: getattr(m.weights, name) for name in Weights.__dataclass_fields__}),
            **{name: getattr(m, name) for name in same},
            draw=config.programme.name,
        )
    except ValueError as exc:
        raise ConfigError(f"{config.source or 'configuration'}: {exc}") from None  # names the file (tester round 4, 17)


def run_match(
    people: People, config: Config, notices: Iterable[PersonWarning] = (), *, people_file: str | Path | None = None,
    site: SiteLookup | None = None, left_out: Iterable[Unmatched] = (),
) -> MatchResult:
    """Match ``people`` under the configuration's weights, structure and standing decisions.

    The one place where ``[matching] pins``, ``forbids`` and ``rematch`` are added to the
    people (issue 10 point 7: on the Moodle path and the CSV path alike, exactly once).
    ``notices`` (warnings about people found while reading them) are returned in the
    result together with departments no mentor shares, as items and in words.
    ``people_file``: the CSV the people came from, named when a decision names nobody in it.
    ``site``: looks up a decision's key site-wide when it names nobody active (``check_standing_decisions``).
    ``left_out``: two-role mentees in no circle after this match, not among ``people`` (``RosterPeople.left_out``):
    counted among the unmatched, with their reason (tester round 92a, 3: "0 unmatched" of a mentee in no circle).
    Raises ``ConfigError`` for a pin, forbid or rematch entry that cannot mean what was written:
    every such entry of the three keys in one error, nothing applied (tester round 50, 13: one key's
    were reported, the next key's only after they were fixed). A pin to a mentor whose capacity is 0
    waits, said in the warnings, on the Moodle path and with ``people_file`` alike: the file gives
    their capacity, so it is known they opted out and the pin is no typo (tester round 50, 2).
    """
    m = config.matching
    notices, left_out = list(notices), list(left_out)
    lookup = _Lookup.of(people, notices)  # once for the pins, forbids and rematch
    waiting: list[str] = []  # decisions naming someone away (suspended, not active in the course): they wait
    problems: list[str] = []  # every bad entry of pins, forbids and rematch, said together
    pins, forbids, written = check_standing_decisions(
        people, m.pins, m.forbids, notices, capacity_field=m.attributes.capacity, people_file=people_file, lookup=lookup,
        waiting=waiting, site=site, problems=problems,
    )
    rematch_problems: list[str] = []
    rematch = _rematch_ids(lookup, m.rematch, people_file, waiting, site, problems=rematch_problems)
    forbids, held, unfit = _standing_forbids(people, written, forbids, pins)
    notices = _unfit_said(notices, people.current, unfit)
    del lookup  # its two key maps (~15 MB at 50,000 people) are not held through the solve (issue 15, memory)
    people = people.with_overrides(pins=pins, forbids=forbids, rematch=rematch, unfit=unfit)
    people = meetable_preferences(people)  # a choice never met takes no rank (tester round 104b, 4)
    settings = settings_from_config(config)
    if problems or rematch_problems:
        problems += pin_problems(people, settings) if pins else []  # the pins that cannot hold, said with the rest
        raise ConfigError("[matching] " + "; ".join([*problems, *rematch_problems]),
                          hint=decisions_hint(config, (*(_PAIRS if problems else ()), *(("rematch",) if rematch_problems
                                                                                        else ())), people_file))
    start = time.perf_counter()
    try:
        result = match(people, settings)
    except PinError as exc:  # every pin that cannot hold, in one message (pin_problems)
        if not pins:
            raise
        # pins come only from the configuration here: a configuration error, exit 2 with its fix (tester round 3, 19)
        raise ConfigError(f"[matching] pins: {exc.message}", hint=decisions_hint(config, _PAIRS)) from None
    # why a re-matched mentee moved (who took the place, or the loads), what is maximised (tester rounds 103a, 2 and 4; 104b, 9)
    labels = partial(person_labels, people, show_names=config.privacy.show_names)  # its warnings name (round 120c, 8)
    result = replace(result, assignments=with_moves_said(result.assignments, people, settings),
                     load_cost=load_cost(result.loads, settings.load_balance), warnings=named_warnings(result.warnings, labels))
    field_name = m.attributes.department or "department"
    items = [*notices, *named_notices(unshared_departments(people, field_name), labels)]
    log.info(
        "matched",
        people=len(people.persons),
        assigned=len(result.assignments),
        unmatched=len(result.unmatched) + len(left_out),  # as the output counts them (tester round 114b, 8)
        proven_optimal=result.proven_optimal,
        people_warnings=len(items),
        warnings=len(held) + len(result.warnings),  # the rest, said in words (tester round 40b, 6)
        seconds=round(time.perf_counter() - start, 3),
    )
    # a held circle's members: said once per circle by its hold's warning, one item each in JSON (round 64, 7)
    said = summarise(i for i in items if i.code != HELD_MEMBER)
    return replace(result, warnings=[*waiting, *held, *said, *result.warnings], notices=items,
                   unmatched=[*_two_roles_said(result.unmatched, notices), *left_out])


#: Why a mentee with a mentor role and a mentee role whom their mentor has no room for is left unmatched.
TWO_ROLES_UNMATCHED = ("a mentor role and a mentee role: matched with no other mentor until an admin decides "
                       "([matching] dual_role)")


def _unfit_said(
    notices: list[PersonWarning], current: Mapping[str, str], unfit: Iterable[tuple[str, str]]
) -> list[PersonWarning]:
    """A held two-role mentee whose pair with their circle's mentor is marked not a good fit is left with no
    mentor: their notice says so, not "kept in their circle while their mentor has room" beside the plan
    taking them out (tester round 58, 8)."""
    marked = set(unfit)
    said = " has a mentor role and a mentee role ("  # after the roster's label of them (tester round 73, 6)
    return [
        replace(n, outcome="held_out", message=(
            f"{n.message.rpartition(said)[0]}{said}{n.value}): left "
            "with no mentor, their pair marked not a good fit, and matched with no other mentor until an admin "
            "decides ([matching] dual_role = \"mentor\" or \"mentee\")"))
        if n.outcome == "held_with_mentor" and (n.person, current.get(n.person)) in marked else n
        for n in notices
    ]


def _two_roles_said(unmatched: list[Unmatched], notices: Iterable[PersonWarning]) -> list[Unmatched]:
    """The reason of a held two-role mentee left unmatched is their two roles, not "every candidate mentor
    is forbidden" (the roster keeps them with their own mentor by forbidding the others; tester round 55, 3)."""
    held = {n.person for n in notices if n.outcome in ("held_with_mentor", "held_out")}
    return [replace(u, reason=TWO_ROLES_UNMATCHED) if u.mentee in held else u for u in unmatched]


#: A decision naming nobody of a ``--people`` CSV (tester round 43, 8: it spoke of suspended enrolments).
_NOT_IN_FILE = "is not an id in {}"


def _find(resolve: dict[str, str], lowered: dict[str, str], key: str) -> str | None:
    """The matching id ``key`` names: a username, idnumber, email (any case), ``id:N``, or one of those
    with its kind first (``idnumber:s0002``), or a bare Moodle id (``4``; tester round 44, 4: refused
    with advice about a suspension that did not exist). Raises ``ConfigError`` for a bare number that is
    one person's username and another's Moodle id."""
    text, fields = split_key(key)
    if fields == ("id",):
        return resolve.get(f"id:{text}")
    if len(fields) == 1:  # idnumber:, username:, email: as other commands take them
        return resolve.get(text) or lowered.get(text.lower())
    found = resolve.get(text) or lowered.get(text.lower())
    if text.isdigit():
        by_id = resolve.get(f"id:{text}")
        if found is not None and by_id is not None and found != by_id:  # tester round 45, 1: one of two, silently
            raise ConfigError(f"[matching] {key!r} names two people: the username {found} and Moodle id {text} "
                              f"({by_id})", hint=f"write username:{text} or id:{text}")
        found = found or by_id
    return found


class _Lookup(NamedTuple):
    """What reading a pin's, forbid's or rematch entry's keys needs, built once per match: key -> id
    (``People.resolver``), the same lower-cased, and the people (ids and usernames) whose accounts
    are suspended (trap 41)."""

    resolve: dict[str, str]
    lowered: dict[str, str]
    suspended: set[str]
    held: set[str]  # members of a circle held while its mentor is away (``unmatched.HELD_MEMBER``)
    two_roles: set[str]  # people [matching] dual_role = "exclude" leaves out of new pairs

    @classmethod
    def of(cls, people: People, notices: Iterable[PersonWarning]) -> _Lookup:
        resolve = people.resolver()
        away = [n for n in notices if n.code == "account_suspended"]
        held = [n for n in notices if n.code == HELD_MEMBER]
        two = [n for n in notices if n.outcome in HELD_BY_TWO_ROLES]
        return cls(resolve, {k.lower(): v for k, v in resolve.items()},
                   {n.person for n in away} | {n.username for n in away if n.username},
                   {n.person for n in held} | {n.username for n in held if n.username},
                   {n.person for n in two} | {n.username for n in two if n.username})


def _rematch_ids(lookup: _Lookup, keys: Iterable[str], people_file: str | Path | None,
                 waiting: list[str] | None = None, site: SiteLookup | None = None,
                 problems: list[str] | None = None) -> list[str]:
    """``[matching] rematch`` as the people's matching ids (``"*"`` stays: everyone), each key read as
    pins read theirs (username, idnumber, email or ``id:N``). Raises ``ConfigError`` for a key naming
    nobody active: it was a silent no-op, so a coordinator believed a re-match was asked for (tester
    round 43, 2); with ``problems``, each is added there instead (``run_match`` says them with the pins'
    and forbids'). A key naming a suspended account, or (``site``) an account not active in the course,
    is left out and said in ``waiting`` (``waits``), as pins are."""
    resolve, lowered, suspended, held, two_roles = lookup
    ids: list[str] = []
    raising = problems is None
    problems = [] if problems is None else problems
    for key in keys:
        try:
            found = "*" if key.strip() == "*" else _find(resolve, lowered, key)
        except ConfigError as exc:  # a bare number naming two people (tester round 45, 1): said with the rest
            problems.append(f"rematch {exc.message.removeprefix('[matching] ')} ({exc.hint})")
            continue
        if found is not None and found in two_roles and waiting is not None:  # not "stays ... stickiness" (66, 9)
            waiting.append(waits("rematch", key, key, TWO_ROLES_WHY, TWO_ROLES_UNTIL))
        elif found is not None:
            ids.append(found)
        elif people_file is not None:
            problems.append(f"rematch {key!r} {_NOT_IN_FILE.format(people_file)}")
        elif key in suspended:
            if waiting is None:
                problems.append(f"rematch {key}: {key}'s account is suspended in Moodle")
            else:
                waiting.append(waits("rematch", key, key, "'s account is suspended in Moodle"))
        elif key in held and waiting is not None:
            waiting.append(waits("rematch", key, key, HELD_WHY, HELD_UNTIL))
        elif waiting is not None and site is not None and site(split_key(key)[1], split_key(key)[0]):
            waiting.append(waits("rematch", key, key, " is not active in the course (enrolment suspended, or they left it)"))
        elif waiting is not None and site is not None:
            problems.append(f"rematch {key!r}: nobody in the programme or on the Moodle site has that username, idnumber, "
                            "email or id")
        else:
            problems.append(f"rematch {key!r}: nobody active in the programme has that username, idnumber, email or id "
                            "(someone who has left the course or whose enrolment is suspended has no pair to re-match)")
    if problems and raising:
        raise ConfigError("[matching] " + "; ".join(problems), hint=decisions_hint(None, ("rematch",), people_file))
    return ids


def stored_forbid(pair: tuple[str, ...]) -> bool:
    """Whether a forbid is a "not a good fit" mark from the store (``with_forbidden_pairs`` writes
    both people as ``id:N``; a bare number is how older versions wrote one)."""
    return all(key.isdigit() or (key.startswith("id:") and key[3:].isdigit()) for key in pair)


def _standing_forbids(
    people: People, written: Iterable[tuple[str, str]], forbids: list[tuple[str, str]], pins: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]:
    """The forbids matching gets, warnings, and which of them are stored "not a good fit" marks (named
    so in matching's words, not "forbidden": tester round 40, 4). A stored "not a good fit" mark about someone no
    longer in the programme is kept in the store and left out here (tester round 10, 1: it stopped
    every sync); one on a pair ``[matching] pins`` keeps gives way to the pin, with a warning naming
    the fix (tester round 10, 2: it stopped every sync, pointing at a forbid the file did not hold)."""
    present = {p.id for p in people.persons}
    kept: list[tuple[str, str]] = []
    held: list[str] = []
    unfit: list[tuple[str, str]] = []
    for raw, pair in zip(written, forbids, strict=True):
        if not stored_forbid(raw):
            kept.append(pair)
        elif pair in pins:
            held.append(
                f"a coordinator marked {pair[0]} -> {pair[1]} not a good fit (or [matching] forbids names the pair by "
                "Moodle id), but [matching] pins keeps the pair: remove the pin ([matching] pins) to re-match them"
            )
        elif set(pair) <= present:
            kept.append(pair)
            unfit.append(pair)
    return kept, held, unfit


def check_standing_decisions(
    people: People,
    pins: Iterable[tuple[str, str]],
    forbids: Iterable[tuple[str, str]],
    notices: Iterable[PersonWarning] = (),
    *,
    capacity_field: str | None = None,
    people_file: str | Path | None = None,
    lookup: _Lookup | None = None,
    waiting: list[str] | None = None,
    site: SiteLookup | None = None,
    problems: list[str] | None = None,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """The pins and forbids with every key turned into the person's matching id, and the forbids as
    written (the same ones, in the same order); refuse ``[matching] pins`` / ``forbids`` that cannot mean what the coordinator wrote.

    A key is a username, idnumber, email or ``id:N`` (as everywhere, ``lmsync.service.privacy``).
    Raises ``ConfigError`` (exit 2, naming the pin) for a key naming nobody, a suspended account
    (trap 41), or, without ``waiting``, a pin to a mentor whose capacity cannot be read (``'Up to
    two'``); with ``waiting`` that pin waits, as one to a mentor who opted out: the mentor's own
    profile stopped every run (tester round 50, second pass, 4), and ``lmsync run`` counts the
    entries waiting on its sync line. A Moodle id (``id:N``, or a bare number) naming nobody in a
    forbid is someone who has left (forbids stored for "not a good fit" pairs, ``stored_forbid``),
    as ``privacy.resolve`` does (new admin, part 2, point 6). Emails are matched case-insensitively.
    With ``people_file`` (the ``--people`` CSV) a key naming nobody is said to be no id of that file.
    ``lookup``: the keys read once for the rematch too (``run_match``); built here when not given.
    With ``waiting``, a pin or forbid naming a suspended account, or (with ``site``, the site-wide
    lookup) someone whose account exists but who is not active in the course, is left out and said
    there instead (``waits``): it is no typo, and a refusal stopped every sync of the programme,
    cron's too, until the configuration was edited, and the fix it offered (take it out) lost a
    forbid for the person's return (tester rounds 44, 3, 46, 2 and 47, 2).
    With ``problems``, every entry that cannot mean what was written is added there instead of raised
    (``run_match`` says them with the rematch entries' and the pins' that cannot hold: tester round 50, 13).
    """
    notices = list(notices)
    resolve, lowered, suspended, held_members, two_roles = lookup or _Lookup.of(people, notices)
    capacity_unreadable = {
        n.person: n.value for n in notices if n.code == "value_unreadable" and n.field == capacity_field
    }
    raising = problems is None
    problems = [] if problems is None else problems
    roles = {p.id: p.roles for p in people.persons}
    two: dict[str, str] = {}  # a bare number naming two people (tester round 45, 1): said with the rest

    def find(key: str) -> str | None:
        try:
            return _find(resolve, lowered, key)
        except ConfigError as exc:
            two[key] = f"{exc.message.removeprefix('[matching] ')} ({exc.hint})"
            return None
    out: dict[str, list[tuple[str, str]]] = {"pin": [], "forbid": []}
    kept: dict[str, list[tuple[str, str]]] = {"pin": [], "forbid": []}  # as written, those not waiting
    looked_up: dict[str, bool] = {}

    def away_why(what: str, key: str) -> str | None:
        """Why ``key`` names a real person who is not in this match (the entry waits for them), or None."""
        if waiting is None or people_file is not None or find(key) is not None or key in two:
            return None
        if key in suspended:
            return "'s account is suspended in Moodle"
        if key in held_members:  # not "not active in the course": they are (tester round 64, 1)
            return HELD_WHY
        if key in two_roles:  # held out of matching by [matching] dual_role (tester round 66, 2)
            return TWO_ROLES_WHY
        if site is None or (what == "forbid" and stored_forbid((key,))):
            return None  # a stored mark's id is kept as it is (below)
        if key not in looked_up:
            text, fields = split_key(key)
            looked_up[key] = bool(site(fields, text))
        return " is not active in the course (enrolment suspended, or they left it)" if looked_up[key] else None

    for what, pairs in (("pin", list(pins)), ("forbid", list(forbids))):
        for mentee, mentor in pairs:
            named = [find(key) or key for key in (mentee, mentor)]
            held = {key: why for key in (mentee, mentor) if (why := away_why(what, key))}
            unread = find(mentor) if what == "pin" and waiting is not None and not held else None
            if unread in capacity_unreadable:  # the mentor's own profile: it waits as capacity 0 does (round 50, 4)
                held = {mentor: f"'s capacity is unreadable: {capacity_unreadable[unread]!r} (type one number in "
                                "their profile)"}
            if what == "pin" and waiting is not None and not held:  # left out by [matching] dual_role = "exclude":
                # the pin displaced a mentee, or was refused as "contradicts a forbid" (tester round 66, 1 and 2)
                held = {key: TWO_ROLES_WHY for key in (mentee, mentor) if key in two_roles or find(key) in two_roles}
                held = dict(list(held.items())[:1])
            here = (mentor if mentee in held else mentee) if what == "pin" and len(held) == 1 else None
            has = roles.get(find(here) or "") if here is not None else None  # the one of a waiting pin who is here
            wrong = (None if has is None else f"{mentor} is not a mentor" if here == mentor and not has & MENTORING_ROLES
                     else f"{mentee} is not a mentee" if here == mentee and "mentee" not in has else None)
            if wrong:  # said now, not once the other is back (tester round 62, 7)
                problems.append(f"pin {mentee} -> {mentor}: {wrong} (a pin is [mentee, mentor]: written the wrong way round?)")
            if held:
                key, why = next(iter(held.items()))
                back = ("their capacity reads as one number" if unread in capacity_unreadable
                        else HELD_UNTIL if key in held_members else TWO_ROLES_UNTIL if why == TWO_ROLES_WHY
                        else "they are back")
                waiting.append(waits(what, f"{mentee} -> {mentor}", key, why, back))  # type: ignore[union-attr]
            else:
                out[what].append((named[0], named[1]))
                kept[what].append((mentee, mentor))
            for key in (mentee, mentor):
                if key in held:
                    continue
                found = find(key)
                if key in two:
                    problems.append(f"{what} {mentee} -> {mentor}: {two[key]}")
                    continue
                if found is not None:
                    if what == "pin" and key == mentor and found in capacity_unreadable:
                        problems.append(
                            f"{what} {mentee} -> {mentor}: {mentor}'s capacity is unreadable: "
                            f"{capacity_unreadable[found]!r} (type one number in their profile)"
                        )
                    continue
                if key in suspended:
                    problems.append(f"{what} {mentee} -> {mentor}: {key}'s account is suspended in Moodle")
                elif people_file is not None:
                    problems.append(f"{what} {mentee} -> {mentor}: {key!r} {_NOT_IN_FILE.format(people_file)}")
                elif site is not None and waiting is not None and not (what == "forbid" and stored_forbid((key,))):
                    # looked up site-wide too: someone away would wait (tester round 49, 4: the advice below was stale)
                    problems.append(f"{what} {mentee} -> {mentor}: nobody in the programme or on the Moodle site has "
                                    f"the username, idnumber, email or id {key!r}")
                elif not (what == "forbid" and stored_forbid((key,))):
                    # a forbid stays in force while someone is away only by their Moodle id (tester round 42, 6:
                    # "take the pin out" was said of a forbid)
                    away = ("take the pin out while they are away" if what == "pin" else
                            "for someone away, name them by Moodle id (id:N), which a forbid keeps while they are away")
                    problems.append(
                        f"{what} {mentee} -> {mentor}: nobody active in the programme has the username, idnumber, "
                        f"email or id {key!r} (someone whose enrolment is suspended, or who has left the course, is not "
                        f"active: {away})"  # tester round 37, 5
                    )
        if what == "forbid":
            problems += _forbid_sides(people, kept["forbid"], out["forbid"])
    if problems and raising:
        raise ConfigError("[matching] " + "; ".join(problems), hint=decisions_hint(None, _PAIRS, people_file))
    return out["pin"], out["forbid"], kept["forbid"]


HELD_WHY = "'s circle is held while their mentor is away"  # ``waits``' why for a member of such a circle
HELD_UNTIL = "the hold ends or the mentor is back"
TWO_ROLES_WHY = " has a mentor role and a mentee role, left out of new pairs ([matching] dual_role = \"exclude\")"
TWO_ROLES_UNTIL = "an admin decides ([matching] dual_role = \"mentor\" or \"mentee\")"


def waits(what: str, entry: str, key: str, why: str, until: str = "they are back") -> str:
    """A ``[matching]`` pin, forbid or rematch entry left out of this match because ``key`` names
    someone away (``why``: a suspended account, trap 41, or not active in the course) or a mentor
    whose capacity cannot be read, in words: it holds again ``until`` (when they are back)."""
    return (f"{what} {entry} waits: {key}{why}, so it is left out of this match; it holds again when {until} "
            "(take it out of [matching] if it should not)")


def _forbid_sides(people: People, written: Iterable[tuple[str, str]], named: list[tuple[str, str]]) -> list[str]:
    """A ``[matching] forbids`` entry whose first person takes no part as a mentee, or whose second as a
    mentor, forbids nothing: the likeliest case is one written the wrong way round, and a coordinator who
    forbade a pair would believe it in force (tester round 42, 1). Stored "not a good fit" marks are
    lmsync's own (``stored_forbid``) and are not checked."""
    by_id = people.by_id()
    problems = []
    for (mentee, mentor), (mentee_id, mentor_id) in zip(written, named, strict=True):
        if stored_forbid((mentee, mentor)) or mentee_id not in by_id or mentor_id not in by_id:
            continue  # someone not found is reported above
        wrong = [f"{mentee} is not a mentee"] if not by_id[mentee_id].has_role("mentee") else []
        wrong += [f"{mentor} is not a mentor"] if not by_id[mentor_id].roles & MENTORING_ROLES else []
        if wrong:
            backwards = (" (a forbid is [mentee, mentor]: written the wrong way round?)"
                         if by_id[mentor_id].has_role("mentee") and by_id[mentee_id].roles & MENTORING_ROLES else "")
            problems.append(f"forbid {mentee} -> {mentor}: {' and '.join(wrong)}, so it forbids nothing{backwards}")
    return problems


def match_programme(config: Config, people_file: str | Path | None = None) -> MatchResult:
    """``lmsync match``: people from ``people_file`` (CSV) or else from the configured Moodle."""
    return match_view(config, people_file)[0]


def person_labels(people: People, *, show_names: bool = True) -> dict[str, str]:
    """Person id (username) -> ``Ada Lovelace (s0006)``, or the username with names off."""
    return {  # escapes: as People.label (tester round 44, 1)
        p.id: visible(f"{p.fullname} ({p.id})" if show_names and p.fullname else p.id) for p in people.persons
    }


def match_view(config: Config, people_file: str | Path | None = None) -> tuple[MatchResult, dict[str, str]]:
    """The match and how its views name each person (``Name (username)``; ``[privacy] show_names``)."""
    if people_file is not None:
        notices: list[PersonWarning] = []
        people = load_people_csv(people_file, config, notices)
        return (run_match(people, config, notices, people_file=people_file),
                person_labels(people, show_names=config.privacy.show_names))
    from lmsync.service.pull import load_for_match  # the Moodle path: client and store, not needed for a CSV

    read, config = load_for_match(config)
    with ExitStack() as stack:
        opened: list[SiteLookup] = []

        def site(fields: tuple[str, ...], value: str) -> dict[int, Any]:  # Moodle again only for a decision naming nobody
            if not opened:
                from lmsync.service.moodle import open_moodle
                opened.append(api_lookup(stack.enter_context(open_moodle(config)).api))
            return opened[0](fields, value)

        result = run_match(read.people, config, read.notices, site=site, left_out=read.left_out)
    labels = {**read.left_out_labels, **person_labels(read.people, show_names=config.privacy.show_names)}
    said = [t.said(result.assignments) for t in read.two_circles]  # as the match ended (tester round 92b, 5)
    return replace(result, warnings=[*read.warnings, *said, *unsaid_waits(result.warnings, read.kept_apart)]), labels

