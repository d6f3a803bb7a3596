"""Pull: the programme's people as matching sees them, read from the configured Moodle.

The same path the sync takes (active roster, peer-mentor cohort, existing pairs from
lmsync's circles), so ``lmsync match`` shows exactly what the next sync would do.
"""

from __future__ import annotations

from dataclasses import replace

from lmsync.config import Config
from lmsync.domain.circle_proof import disowned_warnings
from lmsync.moodle.api import MoodleApi
from lmsync.service.away_mentors import holds
from lmsync.service.circle_records import circle_proof, deleted_circles, with_circles_gone
from lmsync.service.established import pair_standing, returning_mentors
from lmsync.service.health_queue import with_forbidden_pairs
from lmsync.service.held_places import held_people
from lmsync.service.observe import observe
from lmsync.service.roster import RosterPeople, people_from_snapshot
from lmsync.service.roster_config import peer_loss_lines
from lmsync.service.runtime import session
from lmsync.service.site_accounts import api_lookup, usernames
from lmsync.store.db import Store


def load_people(config: Config) -> RosterPeople:
    """The people, plus warnings about them (suspended accounts, two roles, typed values).

    Pins and forbids are not applied to the match here (``run_match`` applies them once); they only settle the
    places held for mentees away (``held_places.held_people``), as the sync's plan does.
    """
    with session(config, read_only=True) as (conn, store):  # match is a read: it writes nothing
        return _people(conn.api, store, config)


def load_for_match(config: Config) -> tuple[RosterPeople, Config]:
    """:func:`load_people`, and ``config`` with the pairs the store marks not a good fit forbidden,
    as ``lmsync plan`` has them (tester finding 8), from one read-only session: ``match`` writes
    nothing."""
    with session(config, read_only=True) as (conn, store):
        config = with_forbidden_pairs(config, store)[0]  # a held place ends for a pair marked, as the sync has it
        return _people(conn.api, store, config), config


def _people(api: MoodleApi, store: Store, config: Config) -> RosterPeople:
    programme = config.programme.name
    # matching needs no forum reads (issue 15); a group lmsync cannot prove it made is no circle (tester round 73, 1)
    snapshot = observe(api, config, forum=False, proof=circle_proof(store, programme))
    # a mentee in two circles is kept with their established pair, as the sync keeps them (FIX-C)
    deleted = deleted_circles(store, programme, snapshot)
    away = holds(config, store, snapshot.observation, deleted)  # circles held while their mentor is away, as the sync
    read = people_from_snapshot(snapshot, config, pair_standing(store, programme), returning_mentors(store, programme),
                                usernames(api), away.until, site=api_lookup(api))
    # the places held for mentees away are taken, a pin and a pair kept apart first, by the sync's own function
    # (tester rounds 103b, 1; 104a, 4 and 6)
    read, _members = held_people(read, away.members, config, named=usernames(api), site=api_lookup(api))
    # the pairs of a circle deleted in Moodle are the existing pairs, as the sync has them (tester rounds 73, 2; 74)
    people, waits, _gone = with_circles_gone(read.people, snapshot.observation, config, deleted[0], away.until, snapshot.proof)
    read = replace(read, people=people, warnings=[*read.warnings, *waits])
    # their members are in no row of the match: said as the plan says it (tester round 62, 4)
    read.warnings.extend(away.warnings(programme, snapshot.observation))
    read.warnings.extend(disowned_warnings(snapshot.observation, snapshot.proof, programme))
    read.warnings.extend(peer_loss_lines(snapshot, config))  # the sync refuses this (tester round 87b, 1)
    return read
