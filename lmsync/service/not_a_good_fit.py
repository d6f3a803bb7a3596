"""A pair that is not a good fit: a survey answer marks it (``[health] not_a_good_fit_item``), the pair is then
forbidden in the matching input and re-matched by the next sync (issue 13).

Which pair an answer marks (tester round 127, 1 and 4):

- the side the answer was given as is its instrument's ``side``: ``mentee``, the pair in which the respondent is the
  mentee; ``mentor``, one in which they are the mentor; ``both``, either, so a peer mentor who is both (triads)
  answering without ``about`` marks none, as a mentor with several mentees does;
- the pair must have existed when the answer was given. Answers keep their day, not their time, so: an answer dated
  before the pair's first day (in the programme's zone) never counts; one dated on that day does not when it was
  written to the store before the pair was made; and one that names no one (no ``about``, as every Moodle Feedback
  answer) counts only when, on its day, the respondent had no other partner on that side: a mentee re-matched that
  day, or whose former mentor's pair ended that day, marks nobody with it, neither the former mentor (no longer
  paired) nor the new one. A coordinator can still end such a pair (``lmsync queue done --outcome rematched``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from lmsync.config import Config
from lmsync.domain.instruments import SurveyAnswer
from lmsync.errors import ConfigError
from lmsync.service.health_inputs import programme_start
from lmsync.service.programme_settings import programme_zone, settings
from lmsync.store.db import Store
from lmsync.store.forbids import PairForbids
from lmsync.store.pairings import PairingHistory, local_day
from lmsync.store.surveys import SurveyRepository

_YES = {"1", "yes", "y", "true", "ja", "oui", "si"}

Pair = tuple[int, int]  # (mentor, mentee), Moodle ids
AnswerKey = tuple[int, str, date, str, str, int | None]  # ``SurveyRepository.written_at``'s


def _check_item(config: Config, instrument: str, item: str) -> None:
    """``[health] not_a_good_fit_item`` names a configured instrument's item (a bare item: any one's):
    a typo matched no answer and no pair was ever re-matched, without a word (tester round 19)."""
    instruments = settings(config).instruments
    if instrument and instrument not in instruments:
        raise ConfigError(f"health.not_a_good_fit_item: no instrument {instrument!r}",
                          hint=f"name one of {', '.join(sorted(instruments))} as INSTRUMENT.ITEM, or a bare ITEM")
    holders = [instruments[instrument]] if instrument else list(instruments.values())
    if not any(item in i.items for i in holders):
        where = f"instrument {instrument!r}" if instrument else "any configured instrument"
        raise ConfigError(f"health.not_a_good_fit_item: {where} has no item {item!r}",
                          hint="give the item's name as [instruments.<name>] items lists it")


def check_not_a_good_fit_item(config: Config) -> None:
    """Raise ``ConfigError`` when ``[health] not_a_good_fit_item`` names no configured instrument's item:
    ``lmsync run`` asks before its first step (tester round 44b, 5: the sync had written first)."""
    wanted = config.health.not_a_good_fit_item.strip()
    if wanted:
        instrument, _, item = wanted.rpartition(".")
        _check_item(config, instrument, item)


class _Spans:
    """The pairing history as local days: each pair's last start (day and instant) and, per person and side,
    the days each of their pairings was open."""

    def __init__(self, config: Config, store: Store) -> None:
        tz = programme_zone(config)
        self.joined: dict[Pair, str] = {}
        self.open: dict[tuple[int, str], list[tuple[int, date, date | None]]] = defaultdict(list)
        for row in PairingHistory(store, config.programme.name).history():
            pair = (row.mentor_id, row.mentee_id)
            self.joined[pair] = max(self.joined.get(pair, row.joined_at), row.joined_at, key=datetime.fromisoformat)
            span = (local_day(row.joined_at, tz), local_day(row.left_at, tz) if row.left_at else None)
            self.open[(row.mentee_id, "mentee")].append((row.mentor_id, *span))
            self.open[(row.mentor_id, "mentor")].append((row.mentee_id, *span))
        self.started = {pair: local_day(at, tz) for pair, at in self.joined.items()}

    def other_partner_on(self, who: int, side: str, partner: int, day: date) -> bool:
        """Whether ``who`` had, on ``day``, a pairing on ``side`` with someone other than ``partner``."""
        return any(other != partner and joined <= day and (left is None or left >= day)
                   for other, joined, left in self.open.get((who, side), []))


def _candidates(answer: SurveyAnswer, side: str, mentees_of: dict[int, list[int]],
                mentor_of: dict[int, list[int]]) -> list[Pair]:
    """The current pairs ``answer`` may be about, given as ``side`` (an instrument's side: mentee, mentor, both)."""
    who, about = answer.respondent_id, answer.about_id
    found: list[Pair] = []
    if side in ("mentor", "both"):
        found += [(who, m) for m in ([about] if about else mentees_of.get(who, [])) if m in mentees_of.get(who, [])]
    if side in ("mentee", "both"):
        found += [(m, who) for m in ([about] if about else mentor_of.get(who, [])) if m in mentor_of.get(who, [])]
    return found


def not_a_good_fit_answers(config: Config, store: Store, pairs: Iterable[Pair], *, as_of: date) -> list[Pair]:
    """Current pairs (mentor, mentee) a survey answer dated by ``as_of`` says are not a good fit.

    ``[health] not_a_good_fit_item`` is ``instrument.item`` or a bare ``item`` (any instrument); a yes (1, yes,
    true) counts. An answer marks one pair, or none: the rules are the module's (which side it was given as, and
    a pair that existed when it was given; tester round 127, 1 and 4). Raises ``ConfigError`` for an item no
    configured instrument has (tester round 19).
    """
    wanted = config.health.not_a_good_fit_item.strip()
    if not wanted:
        return []
    instrument, _, item = wanted.rpartition(".")
    _check_item(config, instrument, item)
    mentees_of: dict[int, list[int]] = defaultdict(list)
    mentor_of: dict[int, list[int]] = defaultdict(list)
    for mentor, mentee in sorted(set(pairs)):
        mentees_of[mentor].append(mentee)
        mentor_of[mentee].append(mentor)
    instruments = settings(config).instruments
    spans = _Spans(config, store)
    start = programme_start(config)
    surveys = SurveyRepository(store, config.programme.name)
    written = surveys.written_at(item=item)
    found: set[Pair] = set()
    for answer in surveys.answers(instrument=instrument or None):
        if answer.item != item or answer.value.strip().lower() not in _YES or answer.date > as_of:
            continue
        side = instruments[answer.instrument].side if answer.instrument in instruments else "both"
        candidates = _candidates(answer, side, mentees_of, mentor_of)
        if len(candidates) != 1:
            continue  # names no current pair, or several (or the respondent is on both sides): not one to forbid
        pair = candidates[0]
        since = spans.started.get(pair) or start
        same_day = since is not None and answer.date == since
        if since is None or answer.date > since or (same_day and _same_day_counts(answer, pair, spans, written)):
            found.add(pair)
    return sorted(found)


def _same_day_counts(answer: SurveyAnswer, pair: Pair, spans: _Spans, written: dict[AnswerKey, str]) -> bool:
    """Whether an answer dated on ``pair``'s first day was given in it (the module's rules)."""
    who = answer.respondent_id
    if pair not in spans.joined:
        return True  # dated from the programme's start: no other pairing of theirs is known
    key = (who, answer.instrument, answer.date, answer.item, answer.source, answer.about_id)
    stored = written.get(key)
    # at whole seconds: an answer's stored instant keeps no fraction, so one stored in the second the pair was made
    # (12:00:01 for 12:00:01.157) is not taken as stored before it; the flow test failed on the clock's milliseconds
    made = datetime.fromisoformat(spans.joined[pair]).replace(microsecond=0)
    if stored is not None and datetime.fromisoformat(stored) < made:
        return False  # written before the pair was made: given before it
    side, partner = ("mentee", pair[0]) if who == pair[1] else ("mentor", pair[1])
    return bool(answer.about_id) or not spans.other_partner_on(who, side, partner, answer.date)


def mark_not_a_good_fit(config: Config, store: Store, pairs: Iterable[Pair], *, as_of: date) -> list[Pair]:
    """Record the survey's not-a-good-fit pairs as forbidden; returns those newly recorded."""
    forbids = PairForbids(store, config.programme.name)
    return [
        pair
        for pair in not_a_good_fit_answers(config, store, pairs, as_of=as_of)
        if forbids.mark(pair, source="survey", on=as_of)
    ]


def with_forbidden_pairs(config: Config, store: Store) -> tuple[Config, list[Pair]]:
    """``config`` with every pair marked not a good fit added to ``[matching] forbids``.

    The normal plan then drops that pair ("forbidden since") and places the mentee anew with
    the fewest changes (stickiness holds every other pair); the plan shows what else moves.
    Each person is written ``id:N`` (their Moodle id, an alias matching knows), so no Moodle read
    is needed and ``run_match`` tells these marks from the file's own forbids
    (``lmsync.service.match.stored_forbid``): a mark about someone who left is set aside, not an
    error that stops every sync (tester round 10, 1). Returns the configuration and the forbidden
    pairs (mentor, mentee).
    """
    pairs = sorted(PairForbids(store, config.programme.name).pairs())
    if not pairs:
        return config, []
    known = set(config.matching.forbids)
    wanted = [(f"id:{mentee}", f"id:{mentor}") for mentor, mentee in pairs]
    extra = [pair for pair in wanted if pair not in known]
    matching = config.matching.model_copy(update={"forbids": [*config.matching.forbids, *extra]})
    return config.model_copy(update={"matching": matching}), pairs
