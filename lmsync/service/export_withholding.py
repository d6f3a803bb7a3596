"""What one person's export keeps out: the other side's judgements of them (``lmsync.service.privacy``).

An export goes to the person it is about, so it keeps out what the other side of a pair said about
them (the standing rule: a mentee's ratings of a mentor stay out of that mentor's sight): a meeting's
rating and notes unless this person gave them (``rated_by``), survey answers and scores another
respondent gave about them, the health reasons of the pair's snapshots and queue items that speak of
the other side's answers (tester finding 2), the coordinator's free-text notes on queue items, and a mentor's
received means published to the gradebook (``published_grades``: hidden from them there; tester round 93a, 4),
nor the journal's writes of them (``without_received_writes``: written only when enough mentees rated them; tester
round 117a, 5).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from lmsync.domain.health import answered_by, without_ratings
from lmsync.service.export_meetings import as_seen_by


def withhold_others_judgements(data: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Remove from one person's export what the other side said about them; count it.

    ``data``: :func:`lmsync.store.surveys.export_person`'s tables (lists of row dicts),
    changed in place and returned with ``withheld`` = ``{table: rows}``. A meeting where the
    person is the mentor keeps its rating and notes only when ``rated_by`` is ``mentor``, where
    the person is the mentee only when it is ``mentee`` (an unknown side is withheld from both:
    lmsync cannot prove who gave it), nor who rated it, nor where and when it was written, whether or not
    anything was given (:mod:`lmsync.service.export_meetings`); no row keeps ``content_hash``. Survey rows whose ``about_id`` is this
    person and whose respondent is someone else are left out whole. Snapshot and queue rows keep
    their dates and this side's and shared reasons; the other side's reasons (:func:`withhold_other_side`)
    are left out without a trace, and every row's status and score are withheld (they weigh both
    sides' answers; withheld only where the other side's reasons stood, they told a mentor which
    mentee rated them low: tester rounds 11, 2 and 23, 1), as is every ``digest_statuses`` row's ``status`` (the
    snapshot status a digest was told from: tester round 126, 1); ``several_signals`` (it counted the hidden ones)
    goes too, and ``hi_bye`` reads as ``meetings_short`` (short *and low-rated*: a mentor who rated 4 learns
    the mentee's; round 25, 2). A queue item whose reasons include the other side's answers, or a
    ``hi_bye`` (whose ratings' side a stored reason does not say), is left out whole with its tracking: an
    item exists only for a fading pair, and it may exist by them alone (round 30, 4). Only the nudges sent to this person are exported (one sent to the other
    side alone told what flagged the pair). None of these is counted (a count was a trace: round 25, 1);
    ``never_exported`` lists them, the same for everyone. A queue
    item keeps its dates (and its status, unless so withheld) but not the coordinator's ``note`` (the ``queue ack`` or
    ``queue done`` text, about the pair: it may speak of either side), withheld from both sides
    and counted as ``withheld["coordinator_notes"]``. A not-a-good-fit mark (``pair_forbids``)
    keeps its date but not its ``source`` (a survey answer of one side, or the coordinator's
    queue outcome), counted as ``withheld["not_a_good_fit_source"]``.
    """
    withheld: dict[str, int] = {}
    for row in data.get("meetings", []):
        as_seen_by(row, _sides(row, user_id)[0])  # not counted (round 26, 10)
    for table in ("survey_answers", "survey_scores"):
        # not counted either: "survey_answers 10, survey_scores 2" told a mentor how many waves his mentee
        # answered about him (tester round 26, 10); NEVER_EXPORTED says what goes, the same for everyone
        data[table] = [r for r in data.get(table, []) if not (r.get("about_id") == user_id and r.get("respondent_id") != user_id)]
    # a queue item (only a fading pair's) whose reasons hold the other side's answers, or a hi_bye (ratings of no
    # stored side), may exist by them alone: its existence tells it, so it goes whole with its tracking (round 30, 4)
    opened_by_other = {
        row.get("id") for row in data.get("coordinator_queue", [])
        if any(answered_by(code) == _sides(row, user_id)[1] or code == "hi_bye"
               for code, _text in json.loads(row.get("reasons") or "[]"))
    }
    data["coordinator_queue"] = [r for r in data.get("coordinator_queue", []) if r.get("id") not in opened_by_other]
    data["queue_tracking"] = [r for r in data.get("queue_tracking", []) if r.get("item_id") not in opened_by_other]
    for table in ("health_snapshots", "coordinator_queue"):
        for row in data.get(table, []):
            own_side, other = _sides(row, user_id)
            reasons = json.loads(row.get("reasons") or "[]")
            # the other side's reasons go without a trace, and every row's status and score with them: a
            # status and score withheld only where the other side's answers stood told a mentor which
            # mentee rated them low (tester round 11, 2, and again round 23, 1, by the rows left showing)
            kept_reasons = [r for r in withhold_other_side(reasons, own_side) if r[0] != f"{other}_side_withheld"]
            # and the status judged without one side's own answers: set only where those answers changed the
            # verdict, so its presence told that they had (tester round 97a, 5)
            row.update({k: None if k == "score" else "withheld" for k in ("status", "shared_status", "score") if k in row})
            row["reasons"] = json.dumps(kept_reasons)  # no count of what went: a count was a trace (round 25, 1)
    # the pair status a coordinator's digest was told from is that day's snapshot status: withheld as it is there, in
    # every export holding such a row, uncounted (a mentor read the at_risk their mentee's rating made: round 126, 1)
    for row in data.get("digest_statuses", []):
        row["status"] = "withheld"
    # a nudge to the other side alone says what flagged the pair (round 23, 1); not counted either (round 25, 1)
    data["nudges"] = [r for r in data.get("nudges", []) if r.get("recipient_id") == user_id]
    # how many answered about a mentor (counted at each erasure): a count of others' answers about them, as
    # "survey_answers 10" was (round 26, 10); uncounted, in NEVER_EXPORTED (tester round 77b, 1)
    data.pop("rater_counts", None)
    for row in [*data.get("coordinator_queue", []), *data.get("queue_coordinated", [])]:
        if row.get("note"):  # a coordinator's free text about the pair: neither side's to read
            row["note"] = None
            withheld["coordinator_notes"] = withheld.get("coordinator_notes", 0) + 1
    for row in data.get("pair_forbids", []):
        if row.get("source"):  # "survey": someone's answer called the pair not a good fit (which side, or
            row["source"] = None  # the coordinator's reading of it, "queue"): the mark stays, its origin not
            withheld["not_a_good_fit_source"] = withheld.get("not_a_good_fit_source", 0) + 1
    # a mentor's received mean is their mentees' ratings of them, which the gradebook hides from them: not in their
    # export either, however few rated them (tester round 93a, 4: 4.5, the mean of two mentees); uncounted
    data.pop("published_grades", None)
    data["withheld"] = withheld
    data["never_exported"] = list(NEVER_EXPORTED)
    return data


#: How a received mean's metric key reads (``lmsync.domain.metrics``: ``<grade_name>-received-<wave>``).
RECEIVED_MARK = "-received-"


def without_received_writes(rows: list[dict[str, Any]], user_id: int,
                            metrics_at: Mapping[int, Collection[str]]) -> list[dict[str, Any]]:
    """The person's journal rows (``keys`` naming them) without the grade writes of their received mean: a key
    ``grade:<itemnumber>:<user_id>`` whose itemnumber ``metrics_at`` (itemnumber -> metrics recorded there:
    ``store.grade_items.metrics_by_itemnumber``) records a received mean at. Such a write exists only when at least
    ``min_mentees_for_mentor_rating`` mentees rated them, which ``never_exported`` says stays out; a row left with
    no key goes whole, uncounted (a count was a trace: tester round 25, 1). Tester round 117a, 5."""
    received = {n for n, metrics in metrics_at.items() if any(RECEIVED_MARK in m for m in metrics)}
    kept = []
    for row in rows:
        keys = [k for k in row["keys"] if not _received_write(k, user_id, received)]
        if keys:
            kept.append({**row, "keys": keys})
    return kept


def _received_write(key: str, user_id: int, received: Collection[int]) -> bool:
    parts = key.split(":")
    return (len(parts) == 3 and parts[0] == "grade" and parts[1].isdigit() and int(parts[1]) in received
            and parts[2] == str(user_id))


def _sides(row: dict[str, Any], user_id: int) -> tuple[str, str]:
    """``(own side, other side)`` of ``user_id`` in a row naming a pair (``mentor_id``)."""
    return ("mentor", "mentee") if row.get("mentor_id") == user_id else ("mentee", "mentor")


#: What every person's export leaves out, whatever the data: the same list for everyone, so it tells
#: nothing (tester round 25, 1: counts of the withheld reasons and nudges told a mentor that his
#: mentee's answers had flagged the pair).
NEVER_EXPORTED = (
    "the other side's rating and notes of each meeting (and of a meeting whose side is not known)",
    "each meeting row's content hash (lmsync's own check for a changed row)",
    "who rated a meeting, and how, where and when its row was written, unless this person rated it",
    "survey answers and scores other people gave about this person, and the means of them lmsync published to the "
    "gradebook (hidden there from the person they are about)",
    "the status, shared status and score of each health snapshot and queue item, and the pair status each digest was "
    "told from (they weigh both sides' answers)",
    "health reasons drawn from the other side's answers, and how many signs they made together",
    "nudges sent to the other side",
    "queue items whose reasons include the other side's answers or meeting ratings (they may exist by them alone)",
    "how many survey answers others had given about this person, counted at each erasure (lmsync's check that no "
    "mean gives an erased person's answers away)",
)


def withhold_other_side(reasons: list[list[str]], own_side: str) -> list[list[str]]:
    """``reasons`` (a snapshot's or queue item's ``[[code, text], ...]``) as the ``own_side`` of the
    pair may see them: a reason naming the other side's answers becomes ``<other>_side_withheld``,
    this side's asymmetry (whose text says the other side's held) reads as its own fall, and
    ``hi_bye`` keeps its minutes but not that the meetings were low-rated (fifth tester, finding 2:
    the ratings may be the other side's), and a ``meetings_declining`` of no named side says neither
    whether the ratings fell nor, by their absence, that they held.

    Always, whatever the number of the mentor's mentees: a pair's reason is about one relationship,
    so its other side is one known person (tester finding 2; ``pair show`` withholds the mentee
    side the same way, ``lmsync.service.pair_history.withhold_mentee_side``).
    """
    other = "mentee" if own_side == "mentor" else "mentor"
    out: list[list[str]] = []
    for code, text in reasons:
        if answered_by(code) == other:  # one rule with the nudges' (lmsync.domain.health.answered_by)
            code, text = f"{other}_side_withheld", f"a {other}-side signal (withheld: what the other side answered)"
        elif code == "several_signals":  # "3 warning signs together" beside two shown counted the hidden one
            continue  # (tester round 25, 2)
        elif code == "hi_bye":  # short AND low-rated: a mentor who rated 4 learns the mentee's (round 25, 2)
            code, text = without_ratings(code, text)  # as a well-rated pair's same minutes read (round 28, 2)
        elif code == "meetings_declining":  # names what fell (minutes, ratings), side not said: neither shows
            text = ("recent meetings declining; whether in minutes or ratings is withheld "
                    "(the ratings may be the other side's)")
        elif code == f"satisfaction_asymmetry_{own_side}":
            code, text = f"satisfaction_falling_{own_side}", f"satisfaction fell on the {own_side} side"
        if [code, text] not in out:
            out.append([code, text])
    return out


