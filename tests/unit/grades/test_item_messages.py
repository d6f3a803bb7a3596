"""The grade-item messages show a Moodle id not yet read back as ``?`` (issue 12: one helper)."""

from __future__ import annotations

from lmsync.domain.grade_items import DuplicateItems, TakenItem, UnprovenItem


def test_an_unknown_id_is_a_question_mark_in_every_message() -> None:
    taken = TakenItem(itemnumber=7, item_id=None, itemname=None, idnumber=None)
    assert "itemnumber 7 holds grade item '(no name)' (id ?, idnumber none)" in taken.describe()
    assert "(id 12, idnumber x)" in TakenItem(7, 12, "A", "x").describe()

    duplicates = DuplicateItems(itemnumber=3, item_ids=(5, None), mine=True)
    assert "itemnumber 3: 2 grade items (lmsync's item and a copy, ids 5, ?)" in duplicates.describe()

    unproven = UnprovenItem(key="attendance", idnumber="lmsync-1", itemnumber=4, item_id=None)
    assert "(id ?, same idnumber lmsync-1)" in unproven.describe_copy()
    assert "grade item at itemnumber 4 (id ?) carries" in unproven.describe()
    assert "(id 9) carries" in UnprovenItem("attendance", "lmsync-1", 4, 9).describe()


def test_fourth_tester_deleting_an_unproven_received_item_is_not_advised_lightly() -> None:
    received = UnprovenItem("checkin-received-T3", "lmsync-9", None, None).describe()
    assert received.startswith("metric 'checkin-received-T3' refused: the grade item outside [grades]")
    assert "give a late rating away, so keep it" in received
    assert "give a late rating away" not in UnprovenItem("attendance", "lmsync-1", 4, 9).describe()
