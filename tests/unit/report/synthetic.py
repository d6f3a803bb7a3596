"""A synthetic programme in a store, for the report's tests and ``benchmarks/report.py``.

``programme(pairs, days)`` writes meetings, survey scores (both sides, three waves), mentor-
quality answers, daily health snapshots and coordinator-queue items straight into a store's
tables (the fixture's loading is not what is under test), and returns the configuration,
the roster and the pairs the report needs. Seeded: the same arguments give the same data.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from lmsync.config import Config
from lmsync.store import schema
from lmsync.store.db import Store

AS_OF = date(2026, 11, 24)
STAMP = "2026-11-24T00:00:00+00:00"
QUALITIES = ("compassion", "enthusiasm", "selflessness", "career_guidance", "support", "role_model",
             "motivation", "encouragement", "broader_vision")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    fullname: str
    roles: frozenset[str]
    profile: dict[str, str] = field(default_factory=dict)


@dataclass
class Programme:
    config: Config
    roster: dict[int, User]
    pairs: list[tuple[int, int]]
    fading: set[tuple[int, int]]


def config_for(store_path: Path | str, days: int, *, names: bool = False) -> Config:
    start = AS_OF - timedelta(days=days)
    return Config.model_validate(
        {
            "store": {"path": str(store_path)},
            "report": {"names": names},
            "grades": {"min_mentees_for_mentor_rating": 3},
            "waves": {
                "programme_start": start.isoformat(),
                "windows": {
                    "T0": {"start": start.isoformat(), "end": (start + timedelta(days=days // 6)).isoformat()},
                    "T3": {"start": (start + timedelta(days=days // 3)).isoformat(),
                           "end": (start + timedelta(days=days // 2 - 1)).isoformat()},
                    # closed the day before the report: its figures show from the day after (tester round 121a, 5)
                    "T6": {"start": (start + timedelta(days=days // 2)).isoformat(),
                           "end": (AS_OF - timedelta(days=1)).isoformat()},
                },
            },
        }
    )


def roster_and_pairs(pairs: int) -> tuple[dict[int, User], list[tuple[int, int]]]:
    """The roster and ``(mentor, mentee)`` pairs of ``programme(pairs=...)`` (no store needed)."""
    n_mentors = max(1, pairs // 4)
    roster: dict[int, User] = {}
    for m in range(1, n_mentors + 1):
        roster[m] = User(m, f"t{m:04d}", f"Teacher {m}", frozenset({"editingteacher"}))
    pair_list = []
    for k in range(pairs):
        uid = 100000 + k
        roster[uid] = User(uid, f"s{k:05d}", f"Student {k}", frozenset({"student"}), {"yearofstudy": str(1 + k % 3)})
        pair_list.append((1 + k % n_mentors, uid))
    return roster, pair_list


def programme(store: Store, config: Config, *, pairs: int, days: int, seed: int = 14) -> Programme:
    rng = random.Random(seed)
    name = config.programme.name
    start = AS_OF - timedelta(days=days)
    n_mentors = max(1, pairs // 4)
    roster, pair_list = roster_and_pairs(pairs)
    fading = {p for p in pair_list if rng.random() < 0.15}
    fade_day = {p: start + timedelta(days=rng.randint(days // 3, 2 * days // 3)) for p in fading}

    meetings = []
    for mentor, mentee in pair_list:
        day = start + timedelta(days=rng.randint(1, 10))
        while day <= AS_OF:
            gone = (mentor, mentee) in fading and day >= fade_day[(mentor, mentee)]
            if not gone or rng.random() < 0.2:
                attended = int(rng.random() < 0.9)
                minutes = (rng.choice((30, 45, 60)) if not gone else 10) if attended else 0
                meetings.append(dict(programme=name, meeting_date=day.isoformat(), mentor_id=mentor, mentee_id=mentee,
                                     source="csv", minutes=minutes, attended=attended, rating=None, notes=None,
                                     content_hash=f"{mentor}-{mentee}-{day}", origin="synthetic",
                                     created_at=STAMP, updated_at=STAMP))
            day += timedelta(days=14)
    store.write(schema.meetings.insert(), meetings)

    waves = config.waves.to_waves()
    scores = []

    def score(who: int, instrument: str, wave_index: int, total: float | None) -> None:
        wave = waves[wave_index]
        scores.append(dict(programme=name, respondent_id=who, instrument=instrument, wave=wave.name,
                           sitting_date=(wave.start + timedelta(days=3)).isoformat(), source="csv",
                           total=total, answered=10, required=7, subscales="{}", scored_at=STAMP, about_id=0))

    for mentor, mentee in pair_list:
        base = rng.uniform(18, 32)
        drop = (mentor, mentee) in fading
        for w in range(3):
            if rng.random() < 0.85:
                score(mentee, "general_self_efficacy", w, round(base + w * rng.uniform(-0.5, 2.0), 1))
            if rng.random() < 0.8:
                score(mentee, "relationship_satisfaction_mentee", w,
                      round(min(5, max(1, rng.uniform(3.3, 4.8) - (0.8 * w if drop else 0))), 2))
    for mentor in range(1, n_mentors + 1):
        for w in range(3):
            if rng.random() < 0.9:
                score(mentor, "relationship_satisfaction_mentor", w, round(rng.uniform(3.0, 4.9), 2))
    store.write(schema.survey_scores.insert(), scores)

    answers = []
    quality_day = (waves[-1].start + timedelta(days=5)).isoformat()
    for mentor, mentee in pair_list:
        if rng.random() < 0.8:
            for item in QUALITIES:
                value = min(5, max(1, round(2.5 + (mentor % 5) * 0.5 + rng.uniform(-1, 1))))
                answers.append(dict(programme=name, respondent_id=mentee, instrument="mentor_qualities",
                                    answer_date=quality_day, item=item, value=str(value), source="csv",
                                    origin="synthetic", created_at=STAMP, updated_at=STAMP, about_id=0))
    store.write(schema.survey_answers.insert(), answers)

    snapshots = []
    queue = []
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        for pair in pair_list:
            if day < start + timedelta(days=21):
                status, reasons = "new", []
            elif pair in fading and day >= fade_day[pair] + timedelta(days=28):
                status, reasons = "fading", [["no_meeting", "no meeting for 6 weeks (cadence 14 days)"]]
            elif pair in fading and day >= fade_day[pair] + timedelta(days=14):
                status, reasons = "at_risk", [["meetings_short", "recent meetings under 15 minutes"]]
            else:
                status, reasons = "ok", []
            snapshots.append(dict(programme=name, day=day.isoformat(), mentor_id=pair[0], mentee_id=pair[1],
                                  status=status, reasons=json.dumps(reasons), paired_since=start.isoformat(),
                                  last_meeting=None, computed_at=STAMP))
        if len(snapshots) > 50000:
            store.write(schema.health_snapshots.insert(), snapshots)
            snapshots = []
    store.write(schema.health_snapshots.insert(), snapshots)
    for i, pair in enumerate(sorted(fading)):
        opened = fade_day[pair] + timedelta(days=28)
        if opened > AS_OF:
            continue
        acked = (opened + timedelta(days=5)).isoformat() if i % 3 == 0 else None
        queue.append(dict(programme=name, mentor_id=pair[0], mentee_id=pair[1], status="fading",
                          reasons="[]", opened_on=opened.isoformat(), last_seen_on=AS_OF.isoformat(),
                          acked_on=acked, acked_at=STAMP if acked else None, note=None))
    store.write(schema.coordinator_queue.insert(), queue)
    return Programme(config, roster, pair_list, fading)
