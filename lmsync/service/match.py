"""The matching use case: people in (from Moodle or a CSV), an explained assignment out.

The domain never reads configuration; this module turns ``[matching]`` into
``MatchSettings`` and adds the configuration's pins, forbids and re-match flags to
whatever standing decisions came with the people. ``run_match`` is the only place that
adds them: the people readers (Moodle, CSV) never do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from lmsync.config import Config
from lmsync.domain.compatibility import MatchSettings, Weights
from lmsync.domain.matching import MatchResult, match
from lmsync.domain.people import People, PersonWarning, summarise, unshared_departments
from lmsync.errors import ConfigError
from lmsync.log import get_logger
from lmsync.service.people_csv import load_people_csv
from lmsync.service.pull import load_people

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


def run_match(people: People, config: Config, notices: Iterable[PersonWarning] = ()) -> MatchResult:
    """Match ``people`` under the configuration's weights, structure and standing decisions.

    The one place where ``[matching] pins``, ``forbids`` and ``rematch`` are added to the
    people (issue 10 point 7: on the Moodle path and the CSV path alike, exactly once).
    ``notices`` (warnings about people found while reading them) are returned in the
    result together with departments no mentor shares, as items and in words.
    """
    m = config.matching
    people = people.with_overrides(pins=m.pins, forbids=m.forbids, rematch=m.rematch)
    start = time.perf_counter()
    result = match(people, settings_from_config(config))
    field_name = m.attributes.department or "department"
    items = [*notices, *unshared_departments(people, field_name)]
    log.info(
        "matched",
        people=len(people.persons),
        assigned=len(result.assignments),
        unmatched=len(result.unmatched),
        proven_optimal=result.proven_optimal,
        people_warnings=len(items),
        seconds=round(time.perf_counter() - start, 3),
    )
    return replace(result, warnings=[*summarise(items), *result.warnings], notices=items)


def match_programme(config: Config, people_file: str | Path | None = None) -> MatchResult:
    """``lmsync match``: people from ``people_file`` (CSV) or else from the configured Moodle."""
    if people_file is not None:
        return run_match(load_people_csv(people_file, config), config)
    read = load_people(config)
    result = run_match(read.people, config, read.notices)
    return replace(result, warnings=[*read.warnings, *result.warnings])
