"""Every day the store records by the clock dates it (after tester round 107a, 2), and the run's guard reads once.

1. ``clock_check.last_recorded_day`` counted a health judgement and what a sync writes only: a coordinator's queue
records (an acknowledgement, an outcome, a pause or hold, a not-a-good-fit mark), a meeting's or an import's
recording day, what was sent and an erasure's counts did not, so `queue done ... --outcome met` under a clock at
2027-02-20 then `queue ack` at 2027-02-12 was accepted. Each counts now, named; a day a person typed (a meeting's
date, a survey answer's date) and a due date do not.
2. ``check_run_clock`` read the last health day twice (``check_clock``, then through ``last_recorded_day``): once now,
with the same refusals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from lmsync.config import load_config
from lmsync.service.clock_check import ClockWentBack, check_run_clock, last_recorded_day
from lmsync.store.db import Store
from lmsync.store.schema import (
    coordinator_queue,
    digests,
    health_snapshots,
    imports,
    meetings,
    pair_forbids,
    queue_tracking,
    rater_counts,
    survey_answers,
)

P = "tq"
D = datetime.now(UTC).date() + timedelta(days=30)  # ahead of the wall clock, as the flow tests
QUEUE = ("this store last recorded a coordinator's queue record (an acknowledgement, an outcome, an item queued, "
         "paused or put on hold, a pair marked not a good fit)")
RECORDS = ("this store last recorded a meeting, a survey answer or an import (the day it was recorded, not the day it "
           "names)")


def _day(days: int) -> str:
    return (D + timedelta(days=days)).isoformat()


def _at(days: int, hour: int = 9) -> str:
    """An instant as ``db.now_iso`` writes it: ``hour`` UTC of D + ``days``."""
    return (datetime.combine(D + timedelta(days=days), datetime.min.time(), tzinfo=UTC)
            + timedelta(hours=hour)).isoformat(timespec="seconds")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store(tmp_path / "p.db")
    yield opened
    opened.close()


def _queue_item(store: Store, *, opened: int, seen: int, acked: int | None = None, programme: str = P) -> int:
    return store.insert_id(coordinator_queue.insert().values(
        programme=programme, mentor_id=1, mentee_id=2, status="fading", reasons="[]", opened_on=_day(opened),
        last_seen_on=_day(seen), acked_on=None if acked is None else _day(acked),
        acked_at=None if acked is None else _at(acked)))


def _last(store: Store, zone: Any = UTC) -> tuple[date, str] | None:
    return last_recorded_day(store, P, zone)


def test_a_coordinators_queue_records_date_the_store_and_a_due_date_does_not(store: Store) -> None:
    store.write(health_snapshots.insert().values(
        programme=P, day=_day(0), mentor_id=1, mentee_id=2, status="fading", reasons="[]", paired_since=_day(-60),
        computed_at=_at(0)))
    item = _queue_item(store, opened=0, seen=0)
    store.write(queue_tracking.insert().values(item_id=item, programme=P, due_on=_day(90), followups=0))
    assert _last(store) == (D, f"this store's last run judged the programme on {_day(0)}")  # a tie: the judgement

    store.write(queue_tracking.update().values(outcome="met", outcome_on=_day(20)))  # `queue done --outcome met`
    assert _last(store) == (D + timedelta(days=20), f"{QUEUE} on {_day(20)}")
    store.write(coordinator_queue.update().values(last_seen_on=_day(22)))  # paused, or put on hold, that day
    assert _last(store) == (D + timedelta(days=22), f"{QUEUE} on {_day(22)}")
    store.write(coordinator_queue.update().values(acked_on=_day(23), acked_at=_at(23)))  # `queue ack`
    assert _last(store) == (D + timedelta(days=23), f"{QUEUE} on {_day(23)}")
    store.write(pair_forbids.insert().values(programme=P, mentor_id=1, mentee_id=2, source="queue", marked_on=_day(24)))
    assert _last(store) == (D + timedelta(days=24), f"{QUEUE} on {_day(24)}")
    _queue_item(store, opened=40, seen=41, acked=42, programme="other")  # another programme's: not this one's
    assert _last(store) == (D + timedelta(days=24), f"{QUEUE} on {_day(24)}")


def test_a_meeting_or_survey_answer_counts_by_the_day_it_was_recorded_never_by_its_own_date(store: Store) -> None:
    store.write(meetings.insert().values(
        programme=P, meeting_date=_day(50), mentor_id=1, mentee_id=2, source="cli", minutes=30, attended=1,
        content_hash="h", created_at=_at(3), updated_at=_at(3)))
    assert _last(store) == (D + timedelta(days=3), f"{RECORDS} on {_day(3)}")  # not its date, D + 50
    store.write(meetings.update().values(updated_at=_at(5)))  # changed by a later import
    assert _last(store) == (D + timedelta(days=5), f"{RECORDS} on {_day(5)}")
    store.write(survey_answers.insert().values(
        programme=P, respondent_id=2, instrument="i", answer_date=_day(60), item="a", value="4", source="csv",
        created_at=_at(7), updated_at=_at(7)))
    assert _last(store) == (D + timedelta(days=7), f"{RECORDS} on {_day(7)}")
    store.write(imports.insert().values(programme=P, kind="surveys", file_name="s.csv", file_sha256="x", rows=1,
                                        added=1, updated=0, unchanged=0, imported_at=_at(8, hour=23)))
    # an instant counts by its day in the programme's time zone: 23:00 UTC is the next day in Auckland
    assert _last(store) == (D + timedelta(days=8), f"{RECORDS} on {_day(8)}")
    assert _last(store, ZoneInfo("Pacific/Auckland")) == (D + timedelta(days=9), f"{RECORDS} on {_day(9)}")


def test_what_was_sent_and_an_erasure_date_the_store(store: Store) -> None:
    store.write(digests.insert().values(programme=P, recipient_id=3, day=_day(4), items=1, state="sent",
                                        created_at=_at(4), finished_at=_at(4)))
    assert _last(store) == (D + timedelta(days=4), f"this store last recorded a nudge, a digest or grades it sent on "
                                                   f"{_day(4)}")
    store.write(rater_counts.insert().values(programme=P, mentor_id=1, instrument="i", counted_on=_day(6), sittings=2))
    assert _last(store) == (D + timedelta(days=6), f"this store last recorded an erasure on {_day(6)}")


def _config(tmp_path: Path) -> Any:
    (tmp_path / "lmsync.toml").write_text(f'[programme]\nname = "{P}"\n[store]\npath = "p.db"\n')
    return load_config(tmp_path / "lmsync.toml", environ={})


def _reads_of_health(store: Store) -> list[str]:
    """The statements ``store`` runs from now on that read ``health_snapshots``."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement) if "health_snapshots" in statement else None)
    return seen


def _nine(days: int) -> datetime:
    return datetime.combine(D + timedelta(days=days), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)


def _judged_and_acked(tmp_path: Path, store: Store) -> Any:
    """A judgement of D + 10 and a coordinator's ack of D + 14 in ``store``; the programme's configuration."""
    store.write(health_snapshots.insert().values(
        programme=P, day=_day(10), mentor_id=1, mentee_id=2, status="fading", reasons="[]", paired_since=_day(-60),
        computed_at=_at(10)))
    _queue_item(store, opened=10, seen=10, acked=14)
    return _config(tmp_path)


def test_a_runs_guard_reads_the_last_health_day_once(tmp_path: Path, store: Store) -> None:
    config = _judged_and_acked(tmp_path, store)
    reads = _reads_of_health(store)
    check_run_clock(store, config, _nine(14))  # the day of the store's last record: goes on
    assert len(reads) == 1, reads  # was 2: check_clock's, then last_recorded_day's


def test_a_runs_guard_refuses_behind_a_judgement_as_check_clock_and_behind_a_record_as_a_sync(
    tmp_path: Path, store: Store
) -> None:
    config = _judged_and_acked(tmp_path, store)
    with pytest.raises(ClockWentBack) as judged:  # behind the judgement: check_clock's refusal, as before
        check_run_clock(store, config, _nine(8))
    assert judged.value.message.startswith(f"the clock says {_day(8)}, but this store's last run judged the programme "
                                           f"on {_day(10)}: the system clock went back")
    assert judged.value.message.endswith("nothing ran, so no grade, nudge or digest is sent for a day already past")

    with pytest.raises(ClockWentBack) as queued:  # ahead of it, behind the coordinator's ack
        check_run_clock(store, config, _nine(12))
    assert queued.value.message.startswith(f"the clock says {_day(12)}, but {QUEUE} on {_day(14)}"), queued.value.message
    assert "nothing ran, so nothing was synced" in queued.value.message
