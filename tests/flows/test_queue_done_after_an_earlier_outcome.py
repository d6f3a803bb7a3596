"""``queue done --outcome rematched|closed`` on a pair a coordinator already gave one of those: the second
says how it stands beside the first instead of succeeding silently, the same outcome is recorded once,
and a pair a coordinator ended stays ended (nobody nudged) when it is also re-matched."""

from __future__ import annotations

from lmsync.service.established import ended_by_coordinator
from lmsync.store.db import Store
from lmsync.store.health import CoordinatorQueue, PairForbids
from tests.flows.queue_programme import coordinating_mentor, lmsync, programme, username, with_health
from tests.flows.test_cycle import site_and_coordinators as site_and_coordinators  # noqa: F401  (fixture)

#: What `queue done --outcome rematched` says of the mentee's next mentor: never a promise of one (round 50, 8).
REMATCH = ("the pair is not made again: the next `lmsync run` matches the mentee with another mentor who has room, "
           "or leaves them with no mentor if none has; `lmsync plan` shows where they go before it is applied")


def _state(config, pair):
    """The pair's items' outcomes, whether it is ended, and whether it is marked not a good fit."""
    store = Store(config.store_path())
    try:
        name = config.programme.name
        outcomes = [i.outcome for i in CoordinatorQueue(store, name).items(pair)]
        return outcomes, pair in ended_by_coordinator(store, name), pair in PairForbids(store, name).pairs()
    finally:
        store.close()


def _coordinated(tmp_path, site):
    """The programme synced, with a coordinating mentor: its config and the pairs of the others."""
    programme(tmp_path, site)
    coordinator, _own, others = coordinating_mentor(site)
    return with_health(tmp_path, [coordinator]), others


def _done(config, site, pair, outcome):
    result = lmsync(config, "queue", "done", username(site, pair[0]), username(site, pair[1]), "--outcome", outcome)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_closed_after_rematched_says_the_rematch_stands(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, others = _coordinated(tmp_path, site)
    pair = others[0]
    first = _done(config, site, pair, "rematched")
    assert "earlier outcome" not in first
    second = _done(config, site, pair, "closed")
    assert "the earlier outcome rematched (" in second and "stands" in second
    assert "the pair stays marked not a good fit" in second and REMATCH in second
    # on the one item, as in the other order (tester round 60, 5: a second item was opened to record it), its note
    # keeping the earlier outcome
    assert _state(config, pair) == (["closed"], True, True)
    store = Store(config.store_path())
    (item,) = CoordinatorQueue(store, config.programme.name).items(pair)
    store.close()
    assert item.note is not None and item.note.startswith("rematched on ")
    # the same outcome again is recorded once, and says so
    third = _done(config, site, pair, "closed")
    assert "closed was already recorded on" in third and "not recorded again" in third
    assert _state(config, pair)[0] == ["closed"]


def test_rematched_after_closed_keeps_the_pair_ended(tmp_path, site_and_coordinators):  # noqa: F811
    site = site_and_coordinators
    config, others = _coordinated(tmp_path, site)
    pair = others[1]
    _done(config, site, pair, "closed")
    assert _state(config, pair) == (["closed"], True, False)
    # `queue done --outcome closed` itself points to rematched for another mentor: the pair stays ended
    # (never nudged again), and is also marked not a good fit, so the next run matches the mentee with another mentor
    second = _done(config, site, pair, "rematched")
    assert "the earlier outcome closed (" in second and "stands: the pair stays ended" in second
    assert "marked not a good fit" in second and REMATCH in second
    assert _state(config, pair) == (["closed"], True, True)
    again = _done(config, site, pair, "rematched")
    assert "earlier outcome closed" in again  # still said as it stands, never a new item
    assert _state(config, pair) == (["closed"], True, True)


def test_round_50_8_rematched_promises_no_new_mentor_and_points_to_plan(tmp_path, site_and_coordinators):  # noqa: F811
    """On a full programme the next run left the mentee with no mentor, while `queue done` had said "the next
    `lmsync run` re-matches the mentee": it now says the pair is not made again, that the run matches the mentee
    with another mentor where one has room, and that `lmsync plan` shows where they go first."""
    site = site_and_coordinators
    config, others = _coordinated(tmp_path, site)
    pair = others[2]
    said = _done(config, site, pair, "rematched")
    assert said.endswith(f"rematched recorded; the item is closed; {REMATCH}"), said
    assert "re-matches the mentee" not in said
    assert _state(config, pair) == (["rematched"], False, True)
    # `closed` points to rematched without promising another mentor either
    closed = _done(config, site, others[3], "closed")
    assert "gives the mentee another mentor" not in closed
    assert "`--outcome rematched` has the next `lmsync run` match the mentee with another mentor who has room" in closed
    helped = lmsync(config, "queue", "done", "--help")
    assert "re-matches the mentee" not in helped.output and "`lmsync plan` shows where they go" in " ".join(helped.output.split())
