"""``lmsync match`` as a view: the pairs with scores and reasons, the unmatched, the summary.

JSON is ``MatchResult.to_dict()`` (people by id, every figure exact); text and CSV show one table of
pairs and unmatched mentees, people as ``Name (username)`` (``labels``; CSV: each row's circle ``proven`` or
``best found``, column ``optimality``), scores to two decimals with each
pair's terms adding up to its score as shown (``score_figures``; tester round 114b, 6), then (text) the total
score less the load-balance cost (``score_line``), the loads, the optimality per circle, the mutual pairs refused
(``MutualPairs.describe``) and the warnings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from lmsync.domain.match_result import NOT_PROVEN_MUTUAL, Draw
from lmsync.domain.matching import MatchResult
from lmsync.domain.rematch_moves import named_reasons
from lmsync.domain.score_figures import apportioned, figure, hundredths, shown
from lmsync.render.views import CSV_ONLY, TEXT, TEXT_CSV, Column, Document, Field, Note, Table

COLUMNS = (
    Column("mentee"),
    Column("mentor"),
    Column("circle"),
    Column("score", align=">"),
    Column("terms", formats=CSV_ONLY),
    Column("reasons", formats=CSV_ONLY),
    Column("unmatched_reason", formats=CSV_ONLY),
    Column("origin", formats=CSV_ONLY),  # how the pair came about; the mentor before a move (tester round 40b, 2)
    Column("previous_mentor", formats=CSV_ONLY),
    Column("cause", formats=CSV_ONLY),  # why that pair ended, as JSON's ``cause`` (tester round 82, 3)
    # the row's circle: "proven" optimal, or "best found" (tester round 121b, 9: a CSV said neither)
    Column("optimality", formats=CSV_ONLY),
    Column("why", formats=TEXT),
)


#: How each pair came about, for the summary line (``Match.origin``; tester round 10: "mentor" on every row
#: said nothing of what stayed and what moved).
ORIGIN_WORDS = {"kept": "kept", "stayed": "stayed after re-matching", "moved": "moved to another mentor",
                "returned": "back after a break", "pinned": "pinned", "matched": "matched anew"}


#: The CSV ``optimality`` of a row: its circle's match proven the best (on its own graph and, when mutual pairs
#: were refused, with that rule), or only the best found (the text summary and JSON say why).
PROVEN, BEST_FOUND = "proven", "best found"
#: The "why" of a pair no weighted term scores (round 42: the cell was empty, as if something was missing).
NOTHING_SHARED = "nothing in common that the weights score"
#: ... of such a pair that existed before and stays: it stays because no mentor scores higher, not for what its
#: people share (tester round 82b, 5: with [matching] stickiness 0 it read as a reason to pair them anew).
STAYS = {"kept": "the existing pair, kept: no other mentor scores higher (" + NOTHING_SHARED + ")",
         "stayed": "the existing pair stays: no other mentor scores higher (" + NOTHING_SHARED + ")"}

def match_view(result: MatchResult, labels: Mapping[str, str] | None = None, fmt: str | None = None) -> Document:
    """One row per pair, then one per unmatched mentee (``unmatched_reason`` set, no mentor).

    With ``fmt`` (the format about to be rendered) only what that format shows is built: text
    needs no JSON fields and no CSV-only ``terms`` (issue 15: ``to_dict`` of 5,000 pairs
    for a text table nobody sees). Without it, everything (the same document for any format).
    """
    name = (labels or {}).get
    text_only = fmt in ("text", "table")
    proven = {o.circle: PROVEN if o.optimality.proven and (result.mutual is None or result.mutual.proven) else BEST_FOUND
              for o in result.optimality}
    # a moved mentee's former mentor and who took their place, by label here (tester rounds 103a, 2; 104b, 9)
    named = named_reasons(result.assignments, lambda i: name(i, i)) if fmt in (None, "text", "table") else {}
    rows = [
        {"mentee": name(a.mentee, a.mentee), "mentor": name(a.mentor, a.mentor), "circle": a.circle, "score": shown(a.score),
         "terms": "" if text_only else ";".join(f"{key}={figure(value)}"
                                                for key, value in apportioned(a.terms, a.score).items()),
         "reasons": reasons, "unmatched_reason": "", "origin": a.origin,
         "why": "; ".join(named.get((a.circle, a.mentee), ())) or reasons or STAYS.get(a.origin, NOTHING_SHARED),
         "previous_mentor": name(a.previous, a.previous) if a.previous else "", "cause": "",
         "optimality": proven.get(a.circle, BEST_FOUND)}
        for a, reasons in ((a, "; ".join(a.reasons)) for a in result.assignments)
    ]
    rows += [
        {"mentee": name(u.mentee, u.mentee), "mentor": "", "circle": u.circle, "score": None, "terms": "", "reasons": "",
         # why the pair ended, as a move says it (tester round 50, 3: a mentor's capacity of 0 went unsaid)
         "unmatched_reason": u.reason, "why": f"unmatched: {u.reason}" + (
             f" (their pair with {name(u.previous, u.previous)} ended{f': {u.cause}' if u.cause else ''})" if u.previous else "")
         + draw_words(u.draw, lambda i: name(i, i)),
         "origin": "ended" if u.previous else "", "previous_mentor": name(u.previous, u.previous) if u.previous else "",
         "cause": (u.cause or "") if u.previous else "", "optimality": proven.get(u.circle, BEST_FOUND)}
        for u in result.unmatched
    ]
    loads = loads_line(result.loads)
    origins: Counter[str] = Counter(a.origin for a in result.assignments)
    how = ", ".join(f"{origins[o]} {ORIGIN_WORDS[o]}" for o in ORIGIN_WORDS if origins[o])
    count = len(result.assignments)
    ended = sum(1 for u in result.unmatched if u.previous)
    unmatched = f"{len(result.unmatched)} unmatched" + (f" ({ended} of them left with no mentor by an existing pair that ended)"
                                                         if ended else "")
    if result.structure == "triads":  # a mentee counts once per circle: say so (tester round 40, 7: "7 pairs, 3 unmatched" of 5)
        per = Counter(a.circle for a in result.assignments)
        missing = Counter(u.circle for u in result.unmatched)
        how = ", ".join(filter(None, [how, f"{per['mentor']} with a faculty mentor, {per['peer']} with a peer mentor"]))
        places = len(result.unmatched)
        unmatched = (f"{places} place{'' if places == 1 else 's'} unmatched ({missing['mentor']} without a faculty mentor, "
                     f"{missing['peer']} without a peer mentor)")
    summary = [f"{count} pair{'' if count == 1 else 's'}{f' ({how})' if how else ''}, {unmatched}, "
               f"{score_line(result)}; {loads}"]
    summary += [f"{o.circle} circle: {result.circle_summary(o)}" for o in result.optimality]
    summary += [result.mutual.describe()] if result.mutual else []  # tester round 120c, 2
    summary += [f"warning: {warning}" for warning in result.warnings]
    fields = [] if fmt not in (None, "json") else [Field(key, value) for key, value in result.to_dict().items()]
    return Document([Table("pairs", COLUMNS, rows, formats=TEXT_CSV), Note("\n".join(summary)), *fields])


#: how the draw among equal scores goes (README, "Among mentees whose scores tie for the last places")
DRAW_RULE = "a hash of [programme] name and each person's id, the same on every run"


def draw_words(draw: Draw | None, name: Callable[[str], str]) -> str:
    """``"; a tie: they score 0 with Dr Two (T2), as Ann A (A) and Dan D (D) placed there do, and ties go by a
    draw (...)"`` for an unmatched mentee whose place a full mentor's draw decided (``Unmatched.draw``; tester
    round 117b, 6: nothing said a draw decided); "" without one. People by ``name``."""
    if draw is None:
        return ""
    placed = [name(m) for m in draw.mentees]
    who = placed[0] if len(placed) == 1 else ", ".join(placed[:-1]) + f" and {placed[-1]}"
    more = (f" (and with {draw.more_mentors} other full mentor{'s' if draw.more_mentors != 1 else ''})"
            if draw.more_mentors else "")
    return (f"; a tie: they score {figure(draw.score)} with {name(draw.mentor)}{more}, as {who} placed there "
            f"{'does' if len(placed) == 1 else 'do'}, and ties go by a draw ({DRAW_RULE})")


def score_line(result: MatchResult) -> str:
    """``total score 10.8, less load-balance cost 0.5 ([matching] load_balance) = 10.3 maximised``: the
    figure matching maximises, not the total score alone, which a coordinator could beat by hand by loading
    one mentor more (tester round 103a, 4); ``total score 15 maximised`` when no load costs anything. Figures
    to two decimals, the maximised one as the two shown make it, and ``(scores rounded to 2 decimals; --format
    json has them exact)`` after them when a score shown, a pair's or a total, is not exact (tester round 114b, 6:
    ``1.33301`` and ``0.666992`` for a mentee's 2nd and 3rd of 3 choices)."""
    rounded = any(hundredths(x) != x * 100 for x in (result.total_score, result.load_cost,
                                                     *(a.score for a in result.assignments)))
    said = " (scores rounded to 2 decimals; --format json has them unrounded)" if rounded else ""
    # not "maximised" when refusing mutual pairs left the best total unproven (tester round 120c, 2)
    best = " maximised" if result.mutual is None or result.mutual.proven else f" ({NOT_PROVEN_MUTUAL})"
    if not result.load_cost:
        return f"total score {figure(result.total_score)}{best}{said}"
    objective = (hundredths(result.total_score) - hundredths(result.load_cost)) / 100
    return (f"total score {figure(result.total_score)}, less load-balance cost {figure(result.load_cost)} ([matching] "
            f"load_balance) = {figure(objective)}{best}{said}")


#: Up to this many mentors, the summary names each one's load; beyond it, how many carry each load.
LOADS_NAMED_UP_TO = 12


def loads_line(loads: Mapping[str, int]) -> str:
    """``loads: m1=3, m2=2`` for a few mentors; for more (a 1,000-mentor run put 1,000 of them on one
    line, tester round 11), ``loads: 180 mentors with 3 mentees, 210 with 4, ...``, the JSON
    (``loads``) for each mentor's."""
    if len(loads) <= LOADS_NAMED_UP_TO:
        # no mentor open: none in the file, or each opted out or at capacity 0 (tester round 82b, 6: "no mentors")
        return "loads: " + (", ".join(f"{k}={v}" for k, v in loads.items()) or "no mentor takes mentees (none in the "
                            "file, or each has capacity 0 or opted out)")
    counts = sorted(Counter(loads.values()).items())
    spread = ", ".join(f"{n} with {load}" if i else f"{n} mentor{'s' if n != 1 else ''} with {load} mentee{'s' if load != 1 else ''}"
                       for i, (load, n) in enumerate(counts))
    return f"loads: {spread} ({len(loads)} mentors; --format json lists each mentor's)"
