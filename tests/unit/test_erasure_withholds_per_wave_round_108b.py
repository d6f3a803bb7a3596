"""Tester round 108b, 3: ``ErasureChanges.wave_withholds`` judges each wave by its own count.

An erasure counts each configured wave begun by its day apart (``rater_checkpoints.wave_key``); a wave whose own
count changed is withheld, one whose count held is shown even when the instrument's count up to the erasure day
changed. A wave no erasure counted apart (a store counted before this, or waves configured since) is judged as
before: withheld when a count up to an erasure day on or after its start changed.
"""

from __future__ import annotations

from datetime import date

from lmsync.service.rater_checkpoints import PROGRAMME, ErasureChanges, _wave_of_key, wave_key

INSTRUMENT = "relationship_satisfaction_mentor"
T1 = (date(2027, 1, 4), date(2027, 1, 10))
T2 = (date(2027, 1, 11), date(2027, 1, 20))
T3 = (date(2027, 2, 1), date(2027, 2, 10))
ERASED = date(2027, 1, 21)
WAVES = {"T1": T1, "T2": T2, "T3": T3}


def test_only_the_wave_whose_own_count_changed_is_withheld() -> None:
    changes = ErasureChanges({(PROGRAMME, INSTRUMENT): (ERASED,)}, counted_waves={(INSTRUMENT, ERASED): frozenset({T1, T2})},
                             changed_waves={INSTRUMENT: frozenset({T2})}, waves=WAVES)
    assert not changes.wave_withholds(INSTRUMENT, "T1")
    assert changes.wave_withholds(INSTRUMENT, "T2")
    assert not changes.wave_withholds(INSTRUMENT, "T3")  # begun after the erasure: nothing of it was counted
    assert not changes.wave_withholds("another_instrument", "T2")


def test_a_wave_no_erasure_counted_apart_is_judged_as_before() -> None:
    old_store = ErasureChanges({(PROGRAMME, INSTRUMENT): (ERASED,)}, waves=WAVES)
    assert old_store.wave_withholds(INSTRUMENT, "T1") and old_store.wave_withholds(INSTRUMENT, "T2")
    assert not old_store.wave_withholds(INSTRUMENT, "T3")
    unconfigured = ErasureChanges({(PROGRAMME, INSTRUMENT): (ERASED,)})  # waves read from stored scores
    assert unconfigured.wave_withholds(INSTRUMENT, "T1", T1[0])
    assert not unconfigured.wave_withholds(INSTRUMENT, "T3", T3[0])


def test_a_wave_key_names_its_instrument_and_window_and_a_plain_name_is_none() -> None:
    assert _wave_of_key(wave_key(INSTRUMENT, T2)) == (INSTRUMENT, T2)
    assert _wave_of_key(INSTRUMENT) is None
