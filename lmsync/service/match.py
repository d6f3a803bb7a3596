"""The matching use case: people in (from Moodle or a CSV), an explained assignment out.

The domain never reads configuration; this module turns ``[matching]`` into
``MatchSettings`` and adds the configuration's pins, forbids and re-match flags to
whatever standing decisions came with the people.
"""

from __future__ import annotations

import time
from pathlib import Path

from lmsync.config import Config
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import MatchResult, match
from lmsync.domain.people import People
from lmsync.errors import ConfigError
from lmsync.log import get_logger

log = get_logger(__name__)


def settings_from_config(config: Config) -> MatchSettings:
    m = config.matching
    w = m.weights
    try:
        return MatchSettings(
            structure=m.structure,
            weights=Weights(
                same_department=w.same_department,
                shared_interests=w.shared_interests,
                shared_language=w.shared_language,
                year_gap=w.year_gap,
                preference=w.preference,
                need=w.need,
                stickiness=w.stickiness,
            ),
            peer_year_gap_min=m.peer_year_gap_min,
            peer_year_gap_max=m.peer_year_gap_max,
            peer_year_gap_preferred=m.peer_year_gap_preferred,
            triad_juniors=m.triad_juniors,
            load_balance=m.load_balance,
        )
    except ValueError as exc:
        raise ConfigError(f"matching: {exc}") from None


def run_match(people: People, config: Config) -> MatchResult:
    """Match ``people`` under the configuration's weights, structure and standing decisions."""
    m = config.matching
    people = people.with_overrides(pins=m.pins, forbids=m.forbids, rematch=m.rematch)
    start = time.perf_counter()
    result = match(people, settings_from_config(config))
    log.info(
        "matched",
        people=len(people.persons),
        assigned=len(result.assignments),
        unmatched=len(result.unmatched),
        proven_optimal=result.proven_optimal,
        seconds=round(time.perf_counter() - start, 3),
    )
    return result


def match_programme(config: Config, people_file: str | Path | None = None) -> MatchResult:
    """``lmsync match``: people from ``people_file`` (CSV) or else from the configured Moodle."""
    if people_file is not None:
        from lmsync.service.people_csv import load_people_csv

        people = load_people_csv(people_file, config)
    else:
        from lmsync.service.pull import load_people

        people = load_people(config)
    return run_match(people, config)
