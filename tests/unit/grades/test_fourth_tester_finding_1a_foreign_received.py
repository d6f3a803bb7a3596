"""Fourth tester, finding 1a: a received mean this store never published is held back while
another store's received item already shows that mentor's mean (``lmsync.domain.received_guard``)."""

import pytest

from lmsync.domain.grades import ItemRecord, ObservedGradeItem, derived_idnumber, plan_grades, safe_itemname
from lmsync.domain.metrics import MetricSpec, MetricValue
from lmsync.domain.received_guard import hold_foreign_received, is_received_item

PROGRAMME = "mentor-2026"
NEW = "checkin-received-Autumn"
M, OTHER = 3, 4


def foreign(key, grades, itemnumber=1002, item_id=77):
    """Store a's item for ``key``: lmsync's name and idnumber, but no record in this store."""
    return ObservedGradeItem(
        itemnumber, safe_itemname(key), derived_idnumber(PROGRAMME, key), 1, 5, False, grades, item_id
    )


@pytest.mark.parametrize(
    ("name", "received"),
    [
        ("lmsync_checkin-received-T1", True),
        ("lmsync_rapport-received-Autumn", True),
        ("lmsync_checkin-T1", False),
        ("lmsync_attendance", False),
        ("checkin-received-T1", False),  # not lmsync's name
        ("lmsync_-received-T1", False),
        (None, False),
    ],
)
def test_received_items_are_recognised_by_lmsyncs_item_name(name, received):
    assert is_received_item(ObservedGradeItem(1000, name)) is received


def test_a_first_mean_is_held_while_a_foreign_received_item_shows_the_mentors_mean():
    values = [
        MetricValue(NEW, M, 3.6),
        MetricValue(NEW, OTHER, 4.0),
        MetricValue("attendance", M, 80.0),
        MetricValue("checkin-received-T0", M, 4.5),  # published before (frozen): never held
    ]
    first = {(NEW, M), (NEW, OTHER)}
    items = [
        foreign("checkin-received-T1", {M: 4.2, OTHER: None}),
        foreign("attendance", {OTHER: 50.0}, itemnumber=1000, item_id=70),  # not a received item
    ]
    guard = hold_foreign_received(values, first, items)
    assert guard.values == [v for v in values if (v.key, v.user_id) != (NEW, M)]
    assert guard.held == {NEW: {M}}
    assert guard.notes() == [
        f"{NEW}: held for 1 mentor(s): another store's received item (lmsync_checkin-received-T1) already "
        "shows their mean; a second mean over other raters could give a rating away"
    ]


def test_nothing_is_held_without_a_foreign_received_grade():
    values = [MetricValue(NEW, M, 3.6)]
    assert hold_foreign_received(values, {(NEW, M)}, []).values == values
    assert hold_foreign_received(values, {(NEW, M)}, [foreign("attendance", {M: 70.0})]).values == values
    assert hold_foreign_received(values, set(), [foreign("checkin-received-T1", {M: 4.2})]).values == values
    assert hold_foreign_received(values, {(NEW, M)}, [foreign("checkin-received-T1", {M: 4.2})]).values == []


def test_plan_grades_holds_only_against_items_this_store_cannot_prove():
    specs = {NEW: MetricSpec(NEW, 1, 5), "attendance": MetricSpec("attendance", 0, 100)}
    values = [MetricValue(NEW, M, 3.6), MetricValue(NEW, OTHER, 4.0), MetricValue("attendance", M, 80.0)]
    old = foreign("checkin-received-T1", {M: 4.2})
    args = {"base": 1000, "count": 100, "idnumber_prefix": None, "programme": PROGRAMME}

    def sent(plan):
        return {(r.key, g.user_id) for r in plan.requests for g in r.grades}

    held = plan_grades(values, specs, [old], {M, OTHER}, first_received={(NEW, M), (NEW, OTHER)}, **args)
    assert sent(held) == {(NEW, OTHER), ("attendance", M)}
    assert any(w.startswith(f"{NEW}: held for 1 mentor(s): another store's received item") for w in held.warnings)
    # this store's own item (its record proves it) holds nothing back
    record = ItemRecord("checkin-received-T1", old.itemnumber, old.idnumber or "", old.id)
    own = plan_grades(
        values, specs, [old], {M, OTHER}, first_received={(NEW, M), (NEW, OTHER)}, records=[record], **args
    )
    assert sent(own) == {(NEW, M), (NEW, OTHER), ("attendance", M)}
    assert not any("another store's received item" in w for w in own.warnings)
