"""``pair show``'s line for a queue item (tester round 3, finding 12)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from lmsync.render.pair import _queue_state


def item(**kw: object) -> SimpleNamespace:
    base = {"acked_on": None, "outcome": None, "due_on": date(2026, 12, 15), "owner": "ann", "escalated_to": None,
            "note": None, "outcome_on": None}
    return SimpleNamespace(**(base | kw))


def test_round_3_finding_12_an_acknowledged_item_is_not_shown_as_closed_and_its_note_is_shown() -> None:
    acked = _queue_state(item(acked_on=date(2026, 12, 1), note="emailed"))
    assert acked == "acknowledged 2026-12-01, no outcome yet, owner ann, note: emailed"
    done = _queue_state(item(acked_on=date(2026, 12, 3), outcome="no_action"))
    assert done == "closed 2026-12-03, owner ann, outcome no_action"
    assert _queue_state(item()) == "open, due 2026-12-15, owner ann"


def test_round_56_4_an_item_met_then_recovered_closed_the_day_it_recovered_not_the_day_of_met() -> None:
    from lmsync.render.pair import _closed_on

    met = item(outcome="met", outcome_on=date(2026, 11, 20), acked_on=date(2026, 12, 2))
    assert _closed_on(met) == date(2026, 12, 2)
    assert _queue_state(met) == "closed 2026-12-02 (the pair recovered), owner ann, outcome met"
    assert _queue_state(item(outcome="met", outcome_on=date(2026, 11, 20))).startswith("open, due 2026-12-15")
    done = item(outcome="closed", outcome_on=date(2026, 11, 25), acked_on=date(2026, 11, 20))  # acknowledged first
    assert _closed_on(done) == date(2026, 11, 25) and "recovered" not in _queue_state(done)


def test_round_61_8_a_pair_marked_not_a_good_fit_is_not_said_re_matched_before_a_sync_moved_it() -> None:
    """Tester round 61, 8: right after `queue done --outcome rematched`, before any sync, pair show said the pair
    was "re-matched by sync"; while it lasts it is re-matched by the next sync, once ended never paired again."""
    from lmsync.render.formats import render
    from lmsync.render.pair import pair_view
    from lmsync.service.pair_history import PairHistory

    people = SimpleNamespace(pair=lambda a, b: f"m{a} / s{b}", label=lambda u: f"u{u}", as_json=lambda u: {"id": u})

    def shown(paired: tuple[tuple[date, date | None], ...]) -> str:
        h = PairHistory(1, 2, [], [], [], [], [], ("queue", date(2027, 3, 5)), paired)
        return render(pair_view(h, people), "text")  # type: ignore[arg-type]

    lasting = shown(((date(2027, 1, 11), None),))
    assert "marked not a good fit on 2027-03-05 (queue): re-matched by the next sync" in lasting
    ended = shown(((date(2027, 1, 11), date(2027, 3, 6)),))
    assert "marked not a good fit on 2027-03-05 (queue): never paired again" in ended
    assert "re-matched by sync" not in lasting + ended


def test_round_63_4_a_paused_item_is_not_shown_as_due() -> None:
    """Tester round 63, 4: pair show said a paused item was "open, due 2026-11-17", read as overdue."""
    paused = item(status="gone", last_seen_on=date(2026, 11, 6), due_on=date(2026, 11, 17))
    assert _queue_state(paused) == ("open, paused 2026-11-06 (the pair is not in the programme; nothing is due), "
                                    "owner ann")
    assert _queue_state(item(status="fading")).startswith("open, due 2026-12-15")


def test_round_63_4_queue_list_says_how_many_open_items_are_paused() -> None:
    """Tester round 63, 4: three paused items were summed up as "3 open item(s)"."""
    from lmsync.render.formats import render
    from lmsync.render.health import queue_view
    from lmsync.service.labels import People
    from lmsync.store.queue_item import QueueItem

    def queued(mentee: int, status: str) -> QueueItem:
        return QueueItem(id=mentee, mentor_id=1, mentee_id=mentee, status=status, reasons=(), opened_on=date(2026, 11, 1),
                         last_seen_on=date(2026, 11, 6), acked_on=None, outcome=None)

    text = render(queue_view([queued(2, "gone"), queued(3, "gone"), queued(4, "fading")], People()), "text")
    assert "3 open item(s) (2 of them paused)" in text, text


def test_round_65_8_the_unescalated_note_gives_the_fix_for_its_reason() -> None:
    """Tester round 65, 8: an item owned by escalate_to itself was told to name someone "outside these pairs"."""
    from lmsync.render.health import unescalated_note
    from lmsync.store.queue_item import QueueItem

    owned = QueueItem(id=1, mentor_id=1, mentee_id=2, status="fading", reasons=(), opened_on=date(2026, 11, 1),
                      last_seen_on=date(2026, 11, 6), acked_on=None, outcome=None, owner="bram")
    text = unescalated_note([(owned, "bram already owns it")])
    assert text.endswith("Name in [health] escalate_to someone who is not one of [health] coordinators."), text
    assert "outside these pairs" not in text
    both = unescalated_note([(owned, "bram already owns it"), (owned, "bram is one of the pair")])
    assert "Name someone outside these pairs in [health] escalate_to; or name in [health] escalate_to someone" in both


def test_round_65_4_an_item_back_from_a_pause_is_not_overdue_by_the_days_paused() -> None:
    """Tester round 65, 4: an item paused 5 days overdue came back after 41 days "46 day(s) overdue" and escalated
    the same day; nothing is due while a pair is away, so its due date moves on by the days paused."""
    from datetime import timedelta

    from lmsync.domain.health import PairHealth, Reason
    from lmsync.store.db import Store
    from lmsync.store.queue import CoordinatorQueue

    store = Store.memory()
    queue = CoordinatorQueue(store, "p", coordinators=["ann"])
    opened = date(2026, 10, 5)
    fading = PairHealth(66, 5, "fading", (Reason("no_meeting", "fading", "no meeting"),), date(2026, 9, 1), None, 61)
    assert queue.offer(opened, fading) == "added"
    (item,) = queue.open_items()
    due = item.due_on
    assert due == opened + timedelta(days=14)
    paused_on = due + timedelta(days=5)
    queue.pause_gone(paused_on, set(), lambda _pair: "the mentor is no longer active in the course")
    back = paused_on + timedelta(days=41)
    assert queue.offer(back, fading) == "updated"
    (item,) = queue.open_items()
    assert item.due_on == due + timedelta(days=41) and item.overdue_days(back) == 5
    store.close()
