"""The signals: every rule over a pair's evidence, registered in the order they run.

Adding a signal is adding one function here (or in a module of its own, registered here so the
order stays one list: ``meeting_level``). The registry, ``Context`` and ``Reason`` live in
``registry`` (re-exported here); see it for channels and severities. Reasons name a side
("satisfaction low (mentee side)"), never a score or an answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from statistics import fmean, median

from lmsync.domain.health.meeting_level import rated_low
from lmsync.domain.health.meeting_shift import meeting_quality, pair_shift, ratings_by_side, window_fell
from lmsync.domain.health.registry import (
    CHANNELS,
    REGISTRY,
    SEVERITY_RANK,
    Context,
    Reason,
    Rule,
    Severity,
    Signal,
    reliable_change,
    run_signals,
    signal,
)
from lmsync.domain.health.trend import falling
from lmsync.domain.meetings import Meeting

__all__ = [
    "CHANNELS",
    "REGISTRY",
    "SEVERITY_RANK",
    "Context",
    "Reason",
    "Rule",
    "Severity",
    "Signal",
    "reliable_change",
    "run_signals",
    "signal",
    "without_ratings",
]

# --- the rules ------------------------------------------------------------------------------------


@signal("need_met", "closed", "a check-in says the mentee's need is met: the pair closes as a success")
def _need_met(ctx: Context) -> list[Reason]:
    answers = [c for c in ctx.evidence.check_ins if c.date <= ctx.as_of]
    if answers and max(answers, key=lambda c: (c.date, c.need_met)).need_met:
        last = max(c.date for c in answers)
        return [
            ctx.reason("closed", "need_met", f"the mentee's need is met (check-in of {last.isoformat()})")
        ]
    return []


@signal("no_first_meeting", "fading", "no meeting yet, grace_days after the pair's start")
def _no_first_meeting(ctx: Context) -> list[Reason]:
    t = ctx.t
    if ctx.last is not None or ctx.silence < t.grace_days:
        return []
    severity: Severity = "fading" if ctx.silence > t.fading_gap_factor * t.cadence_days else "at_risk"
    text = f"no meeting since pairing {ctx.gap} days ago{_apart(ctx)} (expected every {t.cadence_days})"
    return [ctx.reason(severity, "no_first_meeting", text)]


@signal("meetings_missed", "fading", "most of the recent logged meetings were missed")
def _missed(ctx: Context) -> list[Reason]:
    t = ctx.t
    logged = ctx.meetings[-t.recent_meetings :]
    missed = sum(1 for m in logged if not m.attended)
    if len(logged) >= t.recent_meetings and missed == len(logged):
        return [ctx.reason("fading", "meetings_missed", f"the last {missed} meetings were missed")]
    if missed >= t.missed_watch:
        text = f"{missed} of the last {len(logged)} meetings missed"
        return [ctx.reason("watch", "meetings_missed", text)]
    return []


@signal("no_meeting", "fading", "silence: no meeting for longer than the agreed cadence allows")
def _silence(ctx: Context) -> list[Reason]:
    t = ctx.t
    if ctx.last is None:
        return []
    severity: Severity
    if ctx.silence > t.fading_gap_factor * t.cadence_days:
        severity = "fading"
    elif ctx.silence > t.at_risk_gap_factor * t.cadence_days:
        severity = "at_risk"
    elif ctx.silence > t.watch_gap_factor * t.cadence_days and not any(
        r.code == "meetings_missed" for r in ctx.found
    ):
        severity = "watch"  # (a short gap that missed meetings explain is one phenomenon: one reason)
    else:
        return []
    return [
        ctx.reason(severity, "no_meeting", f"no meeting for {ctx.gap} days{_apart(ctx)} (expected every {t.cadence_days})")
    ]


def _apart(ctx: Context) -> str:
    """", 35 of them apart" when the pair did not exist on some of the days counted (judged without them)."""
    return f", {ctx.apart} of them apart" if ctx.apart else ""


def _on_time(ctx: Context, meetings: list[Meeting]) -> bool:
    """No gap between these meetings (and since the last) that the silence rule would call at risk."""
    limit = ctx.t.at_risk_gap_factor * ctx.t.cadence_days
    days = [m.date for m in meetings] + [ctx.as_of]
    return all((b - a).days <= limit for a, b in zip(days, days[1:], strict=False))


@signal(
    "hi_bye",
    "at_risk",
    "meetings still on time but short and low-rated ('hi, how are you, bye'); a silence rule never sees it",
)
def _length(ctx: Context) -> list[Reason]:
    """Also ``meetings_short`` (under ``short_minutes``, at risk) and ``meetings_shrinking`` (under
    ``shrink_ratio`` of the pair's own earlier median, watch) when the ratings do not say more."""
    t = ctx.t
    recent = ctx.attended[-t.recent_meetings :]
    if len(recent) < min(2, t.recent_meetings):
        return []
    earlier = ctx.attended[: -len(recent)]
    mean = fmean(m.minutes for m in recent)
    usual = median(m.minutes for m in earlier) if len(earlier) >= t.min_earlier_meetings else None
    short = mean < t.short_minutes
    shrunk = usual is not None and mean < t.shrink_ratio * usual
    if not (short or shrunk):
        return []
    ratings = [m.rating for m in recent if m.rating is not None]
    low_rated = bool(ratings) and fmean(ratings) <= t.hi_bye_rating
    if low_rated and len(recent) >= t.recent_meetings and _on_time(ctx, recent):
        # short against what fired: the floor, the pair's own earlier length, or both (tester finding A)
        than = [f"under {t.short_minutes}"] if short else []
        than += [f"down from this pair's usual {usual:.0f}"] if shrunk else []
        text = (
            f"recent meetings on time but short ({mean:.0f} min on average, {' and '.join(than)}) and low-rated "
            f"(at most {t.hi_bye_rating:g} on average)"  # the mean itself is a pair's rating: never shown (round 30, 6)
        )
        sides = {m.rated_by for m in recent if m.rating is not None}
        return [replace(ctx.reason("at_risk", "hi_bye", text), rated_by=sides.pop() if len(sides) == 1 else None,
                        blind=_shorter(ctx, mean, usual if shrunk else None))]
    return [_shorter(ctx, mean, usual)]


_HI_BYE = re.compile(r"short \((\d+) min on average, (?:under (\d+))?(?: and )?(?:down from this pair's usual (\d+))?\)")


def without_ratings(code: str, text: str) -> tuple[str, str]:
    """A stored reason (``[code, text]``) as one may see it who did not give the ratings it rests
    on: ``hi_bye`` becomes the ``meetings_short`` or ``meetings_shrinking`` the same minutes give a
    pair rated well, word for word (``_shorter``), so a mentor cannot tell the low-rated pair
    (tester round 28, 2: "on time but short" stood out beside "average 25 min, down from 45").
    Any other reason is returned as it is."""
    if code != "hi_bye":
        return code, text
    found = _HI_BYE.search(text)
    if found is None:  # another wording (a store of an older lmsync): the minutes, never the ratings
        return "meetings_short", text.partition(" and low-rated")[0]
    mean, under, usual = found.groups()
    if under is not None:
        return "meetings_short", f"recent meetings average {mean} min (under {under})"
    return "meetings_shrinking", f"recent meetings average {mean} min, down from {usual}"


def _shorter(ctx: Context, mean: float, usual: float | None) -> Reason:
    """``meetings_short`` (under ``short_minutes``) or ``meetings_shrinking`` (down from ``usual``):
    the length rule's reason when ratings say nothing more."""
    if mean < ctx.t.short_minutes:
        return ctx.reason("at_risk", "meetings_short", f"recent meetings average {mean:.0f} min (under {ctx.t.short_minutes})")
    return ctx.reason("watch", "meetings_shrinking", f"recent meetings average {mean:.0f} min, down from {usual:.0f}")


# not silenced by ``hi_bye``: its "low-rated" (at most ``hi_bye_rating``, whoever rated) named no side and hid a side
# rating every short meeting at the bottom; the level stays beside it, in the same channel (tester round 114b, 4)
signal(
    "meetings_rated_low",
    "at_risk",
    "a side's last ratings of the meetings are low, however long they have been (a level, not a fall)",
)(rated_low)


@signal(
    "meetings_declining",
    "at_risk",
    "the recent meetings fell below the pair's own earlier ones (shift test), or minutes and ratings "
    "fall over the recent meetings (Mann-Kendall and Theil-Sen), not one short meeting",
    unless=("hi_bye", "meetings_short"),
)
def _meetings_trend(ctx: Context) -> list[Reason]:
    """Two tests on the pair's own meetings, judged against this pair and nobody else.

    * at risk: the latest ``recent_meetings`` sit ``shift_at_risk`` standard errors below the
      ``shift_baseline`` meetings before them (``meeting_shift.meetings_shift``: minutes, and
      each side's ratings against that side's own earlier ones, Stouffer-combined; the reason
      names the side whose ratings fell, code ``meetings_declining_<side>``). This is the classic test for a shift in a process mean (Page 1954;
      Montgomery's *Statistical Quality Control*): a fading pair's meetings step down from
      *its own* usual level, whatever that level is. The bar is high (about one healthy pair
      in a hundred crosses it by chance over a year of weekly looks in the simulation) because it
      alarms alone.
    * watch: a significant monotone fall of meeting quality over the last ``trend_meetings``
      (one-sided Mann-Kendall below ``trend_alpha`` and a Theil-Sen fall of ``trend_min_drop``,
      the last ``trend_persist`` meetings all below the earlier median), or a shift of
      ``shift_watch`` standard errors: worth a look, an alarm only with evidence from another
      kind of signal (``status``).
    """
    t = ctx.t
    before = ctx.attended[-t.recent_meetings - t.shift_baseline : -t.recent_meetings]
    found = pair_shift(ctx.attended, t)
    z = found.z if found is not None else None
    code, by_side = "meetings_declining", ""
    if found is not None and found.side is not None:
        code, by_side = f"meetings_declining_{found.side}", f" (the {found.side}'s ratings fell)"
    # each text names only what fell: the minutes, the ratings or both (tester finding B)
    if found is not None and z is not None and z <= -t.shift_at_risk:
        text = f"recent meetings much {found.fell} than this pair's earlier {len(before)}{by_side}"
        return _besides_level(ctx, ctx.reason("at_risk", code, text), found.fell)
    window = ctx.attended[-t.trend_meetings :]
    fall = None
    if len(window) >= t.trend_min_meetings:
        xs = [float((m.date - window[0].date).days) for m in window]
        fall = falling(
            xs,
            meeting_quality(window),
            alpha=t.trend_alpha,
            min_drop=t.trend_min_drop,
            relative=True,
            persist=t.trend_persist,
        )
    if fall is not None:
        fell = window_fell(window, t.trend_min_drop)
        # ratings alone fell, all given by one side: that side's answers raised it, named as the step
        # down names them; it read as evidence both people know, nudged as "short meetings" (tester round 37, 6)
        sides = set(ratings_by_side(window))
        side = next(iter(sides)) if fell == "lower-rated" and len(sides) == 1 else None
        trend_code = f"meetings_declining_{side}" if side is not None else "meetings_declining"
        # ratings fell: by how much is not said, only whose when one side gave them all (their ratings are
        # withheld one by one; tester round 60, 4); minutes alone: by how much
        how = (f" (the {side}'s ratings fell)" if side is not None else "" if "rated" in fell
               else f" (down about {fall.share:.0%})")
        text = f"meetings getting {fell} over the last {len(window)}{how}"
        return _besides_level(ctx, ctx.reason("watch", trend_code, text), fell)
    if found is not None and z is not None and z <= -t.shift_watch:
        text = f"recent meetings {found.fell} than this pair's earlier {len(before)}{by_side}"
        return _besides_level(ctx, ctx.reason("watch", code, text), found.fell)
    return []


def _besides_level(ctx: Context, reason: Reason, fell: str) -> list[Reason]:
    """``reason``, unless only one side's ratings fell and ``meetings_rated_low`` already says that side
    rates the meetings low, as gravely: one side's ratings of the same meetings, one channel, one
    phenomenon (tester round 87a, 3). A fall in minutes too says more, and is kept."""
    side = reason.code.removeprefix("meetings_declining_")
    level = next((r for r in ctx.found if r.code == f"meetings_rated_low_{side}"), None)
    if fell == "lower-rated" and level is not None and SEVERITY_RANK[level.severity] >= SEVERITY_RANK[reason.severity]:
        return []
    return [reason]


@signal("satisfaction_low", "at_risk", "a side's latest satisfaction is low")
def _satisfaction_low(ctx: Context) -> list[Reason]:
    out = []
    for side in ("mentee", "mentor"):
        pts = ctx.scored[side]
        if pts and (pts[-1].level or 0.0) < ctx.t.satisfaction_low:
            out.append(ctx.reason("at_risk", f"satisfaction_low_{side}", f"satisfaction low ({side} side)"))
    return out


def _satisfaction_falls(ctx: Context, *, asymmetric: bool) -> list[Reason]:
    t = ctx.t
    out = []
    for side, other in (("mentee", "mentor"), ("mentor", "mentee")):
        change = ctx.rci(side)  # type: ignore[arg-type]
        pts = ctx.scored[side]  # type: ignore[index]
        if change is None or change > -t.rci_watch or (pts[-1].level or 0.0) < t.satisfaction_low:
            continue  # no reliable fall, or already reported as low
        other_change = ctx.rci(other)  # type: ignore[arg-type]
        holds = other_change is not None and other_change > -t.asymmetry_hold
        if holds != asymmetric:
            continue
        both_fell = other_change is not None and other_change <= -t.rci_watch
        severity: Severity = "at_risk" if change <= -t.rci_at_risk or both_fell else "watch"
        # 2.5% of noise-only comparisons pass 1.96: alone a weak sign; both sides at once are not noise
        minor = severity == "watch"
        if asymmetric:
            code, text = (
                f"satisfaction_asymmetry_{side}",
                f"satisfaction fell on the {side} side while the {other} side's held",
            )
        else:
            code, text = (
                f"satisfaction_falling_{side}",
                f"satisfaction falling by more than its usual wave-to-wave variation ({side} side)",
            )
        out.append(ctx.reason(severity, code, text, minor=minor))
    return out


# One rule, two signals: a reliable fall on a side whose other side fell too (or did not answer),
# and one whose other side held (asymmetry, per relationship), in this registration order.
for _code, _asymmetric, _sentence in (
    ("satisfaction_falling", False, "a side's satisfaction fell by more than the instrument's noise (reliable change index)"),
    ("satisfaction_asymmetry", True, "one side's satisfaction fell reliably while the other side's held, in this relationship"),
):
    signal(_code, "at_risk", _sentence)(partial(_satisfaction_falls, asymmetric=_asymmetric))


@signal(
    "self_efficacy_flat", "watch", "the mentee's self-efficacy flat or falling while the pair meets enough"
)
def _self_efficacy(ctx: Context) -> list[Reason]:
    pts = [p for p in ctx.evidence.self_efficacy if p.date <= ctx.as_of]
    if len(pts) < 2:
        return []
    before, after = pts[-2], pts[-1]
    dose = sum(1 for m in ctx.attended if before.date < m.date <= after.date)
    if dose < ctx.t.dose_meetings or after.level > before.level:
        return []
    text = f"self-efficacy did not rise from {before.wave} to {after.wave} despite {dose} meetings"
    return [ctx.reason("watch", "self_efficacy_flat", text, minor=True)]


@signal("survey_unanswered", "watch", "a surveyed side did not answer the latest closed wave's satisfaction survey in full")
def _unanswered(ctx: Context) -> list[Reason]:
    relevant = [r for r in ctx.rounds if ctx.since <= r.halfway() and r.end < ctx.as_of and r.sides]
    if not relevant:
        return []
    latest = max(relevant, key=lambda r: (r.end, r.wave))
    # an incomplete (unscored) sitting is no answer, as in the report's response rate (tester round 115b, 1)
    sat = {p.side: p.complete for p in ctx.points if p.wave == latest.wave}
    return [
        ctx.reason(
            "watch",
            f"survey_unanswered_{side}",
            f"no satisfaction survey answer from the {side} side ({latest.wave})"  # tester round 21, 7
            + (": answered in part" if side in sat else ""),
            minor=True,
        )
        for side in ("mentee", "mentor")
        if side in latest.sides and not sat.get(side, False)
    ]


@signal("forum_quiet", "watch", "the circle's forum space, active before, has gone quiet")
def _forum(ctx: Context) -> list[Reason]:
    forum = ctx.evidence.forum
    if forum is None or forum.last_post is None or forum.posts + forum.replies == 0:
        return []
    quiet = (ctx.as_of - forum.last_post).days
    if quiet < ctx.t.forum_quiet_days:
        return []
    return [ctx.reason("watch", "forum_quiet", f"no post in the circle's forum for {quiet} days", minor=True)]
