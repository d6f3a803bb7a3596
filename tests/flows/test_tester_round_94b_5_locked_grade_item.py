"""Tester round 94b, 5 (second part): ``core_grades_update_grades`` answered the bare integer ``4``
(GRADE_UPDATE_ITEM_LOCKED, lib/grade/constants.php: a teacher locked the grade item in the gradebook)
and `lmsync grades push` said ``refused (status [4])``. The status is said in words, with what to do;
what the grades step sends is unchanged."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.render.grades import push_text
from lmsync.service import grades
from lmsync.service.moodle import open_moodle
from lmsync.store.db import Store
from tests.flows.test_grades_flow import make_config, owned_items, site_with_circles, term


def test_tester_round_94b_5_a_locked_grade_item_is_named_in_words(tmp_path, monkeypatch):
    config = make_config(tmp_path, monkeypatch)
    site = site_with_circles()
    store = Store.memory()
    term(config, site, tmp_path, store)
    with open_moodle(config, site=site) as conn:
        first = grades.make_grades_plan(conn.api, config, store, as_of=date(2026, 11, 25))
        assert grades.push_grades(conn.api, config, store, first.plan, observed=first.state).complete
        planned = grades.make_grades_plan(conn.api, config, store, as_of=date(2026, 12, 20))
        locked = owned_items(site)[planned.plan.requests[0].itemnumber]
        locked.locked = True  # a teacher locks it in the gradebook
        before = {uid: g.finalgrade for uid, g in locked.grades.items()}
        report = grades.push_grades(conn.api, config, store, planned.plan, observed=planned.state)
    assert {uid: g.finalgrade for uid, g in locked.grades.items()} == before  # Moodle changed nothing in it
    assert (f"item {locked.itemnumber}", report.failed[0][1]) in report.failed
    shown = push_text(report)
    assert "status [4]" not in shown
    assert (f"refused (status 4: a teacher locked the grade item in the gradebook, so Moodle changed nothing in it: "
            f"unlock it there, or lmsync leaves it as it is): item {locked.itemnumber}") in shown
    monkeypatch.setattr(grades, "push_job", lambda *a, **k: grades.PushResult(planned.plan, report, planned))
    Store(config.store_path()).close()  # the programme's store file: a push needs one (tester round 98a, 1)
    pushed = CliRunner().invoke(main, ["--config", str(config.source), "grades", "push"])
    assert pushed.exit_code == 1, pushed.output  # refused by Moodle: as before, only said in words
    assert "a teacher locked the grade item" in pushed.output and "status [4]" not in pushed.output
