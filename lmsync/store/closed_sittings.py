"""The sittings each survey wave counted when it closed (``schema_more.closed_sittings``; tester round 128, 1 and 2).

``record`` writes, once per wave, one row per sitting dated inside the wave's kept window (how many answer rows it
had and a digest of its answers: ``domain.closed_sittings.digest``) and a marker row (``respondent_id`` 0; its
``answers`` column holds the highest survey answer id then stored, as ``rater_counts`` marks an erasure day);
``recorded`` reads them back; ``stamps`` reads the answers stored now (id, item, value) for
``domain.closed_sittings.judge`` to tell the sittings still as counted from those stored after the wave closed and
those changed or removed since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select

from lmsync.domain.closed_sittings import Key, Stamp, WaveRecord, digest
from lmsync.domain.waves import SurveyAnswer
from lmsync.store.db import Store, now_iso
from lmsync.store.schema import survey_answers
from lmsync.store.schema_more import closed_sittings

_t, _a = closed_sittings, survey_answers


def _key(r: object) -> Key:
    about = int(r.about_id) or None  # type: ignore[attr-defined]
    return (int(r.respondent_id), str(r.instrument), date.fromisoformat(r.sitting_date), str(r.source), about)  # type: ignore[attr-defined]


def recorded(store: Store, programme: str) -> dict[str, WaveRecord]:
    """``wave name -> WaveRecord`` (the instant recorded, each counted sitting -> its answer rows then) for each
    wave whose sittings were recorded; empty when none was."""
    out: dict[str, tuple[str, dict[Key, tuple[int, str]]]] = {}
    marks: dict[str, int] = {}
    for r in store.rows(select(_t).where(_t.c.programme == programme)):
        at, sittings = out.setdefault(str(r.wave), (str(r.recorded_at), {}))
        if r.respondent_id:
            sittings[_key(r)] = (int(r.answers), str(r.digest))
        else:  # the wave's marker row: its ``answers`` is the highest answer id then stored
            marks[str(r.wave)] = int(r.answers)
    return {wave: WaveRecord(at, marks.get(wave, 0), sittings) for wave, (at, sittings) in out.items()}


def record(store: Store, programme: str, wave: str, window: tuple[date, date]) -> int:
    """Record the sittings of ``programme``'s stored answers dated inside ``window`` (first, last day) as ``wave``'s,
    unless that wave's are recorded already; returns how many sittings were recorded."""
    if wave in recorded(store, programme):
        return 0
    at = now_iso()
    with store.transaction():
        if wave in recorded(store, programme):
            return 0
        found = stamps(store, programme, [window])
        rows = [{"programme": programme, "wave": wave, "respondent_id": who, "instrument": instrument,
                 "sitting_date": day.isoformat(), "source": source, "about_id": about or 0, "answers": len(given),
                 "digest": digest((item, value) for _id, item, value in given), "recorded_at": at}
                for (who, instrument, day, source, about), given in sorted(found.items(), key=lambda kv: repr(kv[0]))]
        mark = store.scalar(select(func.max(_a.c.id)).where(_a.c.programme == programme)) or 0
        marker = {"programme": programme, "wave": wave, "respondent_id": 0, "instrument": "",
                  "sitting_date": window[0].isoformat(), "source": "", "about_id": 0, "answers": mark,
                  "digest": "", "recorded_at": at}
        store.write(_t.insert(), [marker, *rows])
    return len(rows)


def stamps(store: Store, programme: str, windows: Iterable[tuple[date, date]]) -> dict[Key, list[Stamp]]:
    """Each sitting of ``programme``'s answers stored now and dated inside one of ``windows`` -> its answer rows'
    id, item and value."""
    spans = list(windows)
    if not spans:
        return {}
    first, last = min(w[0] for w in spans), max(w[1] for w in spans)
    query = (select(_a.c.id, _a.c.respondent_id, _a.c.instrument, _a.c.answer_date.label("sitting_date"), _a.c.source,
                    _a.c.about_id, _a.c.item, _a.c.value)
             .where(_a.c.programme == programme, _a.c.answer_date >= first.isoformat(),
                    _a.c.answer_date <= last.isoformat()))
    out: dict[Key, list[Stamp]] = defaultdict(list)
    for r in store.rows(query):
        key = _key(r)
        if any(w[0] <= key[2] <= w[1] for w in spans):
            out[key].append((int(r.id), str(r.item), str(r.value)))
    return dict(out)


def answers_inside(store: Store, programme: str, windows: Iterable[tuple[date, date]]) -> list[SurveyAnswer]:
    """``programme``'s stored answers (every instrument) dated inside one of ``windows`` (first, last day)."""
    spans = list(windows)
    if not spans:
        return []
    first, last = min(w[0] for w in spans), max(w[1] for w in spans)
    query = (select(_a).where(_a.c.programme == programme, _a.c.answer_date >= first.isoformat(),
                              _a.c.answer_date <= last.isoformat())
             .order_by(_a.c.respondent_id, _a.c.instrument, _a.c.answer_date, _a.c.source, _a.c.about_id, _a.c.item))
    out = []
    for r in store.rows(query):
        day = date.fromisoformat(r.answer_date)
        if any(w[0] <= day <= w[1] for w in spans):
            out.append(SurveyAnswer(int(r.respondent_id), str(r.instrument), day, str(r.item), r.value, str(r.source),
                                    int(r.about_id) or None))
    return out


def forget(store: Store, programme: str) -> int:
    """Delete ``programme``'s recorded sittings, so the next command that writes the store records each closed wave's
    again over the answers then stored: only for the demo's term, whose answers are imported at once on its last day
    as if they had come in during the term (tester round 128). Returns how many rows went."""
    with store.transaction():
        found = len(store.rows(select(_t.c.wave).where(_t.c.programme == programme)))
        store.write(_t.delete().where(_t.c.programme == programme))
    return found
