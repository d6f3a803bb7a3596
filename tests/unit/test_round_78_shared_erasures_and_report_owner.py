"""Two rules with one home each (tester round 78).

* Which Moodle ids the store records as erased: ``lmsync doctor``'s coordinators check and the coordinators a
  queue item may go to worked it out twice (``stores.erased_ids`` now, for both: tester round 77b, 4).
* Round 78, 9: ``[report] path`` replaced any file there, a README.md say, and doctor said ok. Only lmsync's own
  report (an HTML page ending with lmsync's footer, ``out_files.REPORT_MARK``) or an empty file is replaced; the
  cycle's check and doctor's refuse anything else with one reason, naming the path and the fix.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError
from lmsync.service import doctor_checks
from lmsync.service.doctor import DoctorReport
from lmsync.store.db import Store
from lmsync.store.erasures import record_erasure

README = "# Our programme\n\nWhat the coordinators keep.\n"


def _config(tmp_path: Path, extra: str = "") -> Any:
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "mentor-2026"\n[store]\npath = "{tmp_path / "s.db"}"\n{extra}')
    return load_config(path, environ={})


# --- one rule for who was erased ---------------------------------------------------------------------------


def test_erased_ids_reads_the_stores_erasures_and_makes_no_store(tmp_path: Path) -> None:
    from lmsync.service.stores import erased_ids

    config = _config(tmp_path)
    assert erased_ids(config) == set()
    assert not (tmp_path / "s.db").exists()  # read-only: nothing made to say "none"
    store = Store(config.store_path())
    record_erasure(store, 12, date(2026, 12, 1))
    record_erasure(store, 31, date(2026, 12, 2))
    store.close()
    assert erased_ids(config) == {12, 31}


@pytest.mark.sqlite_only("a file at [store] path that is not a SQLite database")
def test_erased_ids_of_a_store_that_cannot_be_read_is_none(tmp_path: Path) -> None:
    from lmsync.service.stores import erased_ids

    config = _config(tmp_path)
    (tmp_path / "s.db").write_text("not a database")
    assert erased_ids(config) == set()  # the store's own check says what is wrong with it


def test_doctor_and_the_queue_staff_take_the_erased_from_one_helper(tmp_path: Path, monkeypatch: Any) -> None:
    """Both callers follow ``stores.erased_ids``: what it says erased, both leave out."""
    from types import SimpleNamespace

    from lmsync.service import health_queue, stores

    config = _config(tmp_path, '[health]\ncoordinators = ["c1", "c2"]\n')
    users = [SimpleNamespace(username="c1", id=11), SimpleNamespace(username="c2", id=12)]
    api: Any = SimpleNamespace(get_users_by_field=lambda _field, _names: users)
    monkeypatch.setattr(stores, "erased_ids", lambda _config: {12})
    monkeypatch.setattr(health_queue, "erased_ids", stores.erased_ids)
    report = DoctorReport()
    doctor_checks.coordinators_check(api, config, report)
    assert [(c.status, "'c2' was erased" in c.detail) for c in report.checks] == [("fail", True)]

    class Conn:
        def __enter__(self) -> Any:
            return SimpleNamespace(api=api)

        def __exit__(self, *_exc: object) -> None:
            return None

    monkeypatch.setattr("lmsync.service.moodle.open_moodle", lambda _config: Conn())
    staff = health_queue.queue_staff_of(config)
    assert staff is not None and staff.coordinators == ["c1"] and staff.erased == ("c2",)


# --- round 78, 9: [report] path replaces lmsync's own report only ------------------------------------------


def test_the_mark_is_what_every_report_page_ends_with() -> None:
    from lmsync.service.out_files import REPORT_MARK

    template = resources.files("lmsync.render").joinpath("templates/report.html").read_text(encoding="utf-8")
    assert template.lstrip().startswith("<!DOCTYPE html>") and REPORT_MARK.decode() in template[-1000:]


def test_the_report_path_check_refuses_a_file_lmsync_did_not_write(tmp_path: Path) -> None:
    from lmsync.service.report import report_path_check

    readme = tmp_path / "README.md"
    readme.write_text(README)
    config = _config(tmp_path, f'[report]\npath = "{readme}"\n')
    with pytest.raises(ConfigError) as refused:
        report_path_check(config)([readme])
    said = refused.value.message
    assert f"[report] path {readme} is a file lmsync did not write" in said, said
    assert "point [report] path at another file" in said and f"move {readme} away" in said, said
    assert readme.read_text() == README
    check = DoctorReport()
    doctor_checks.report_path_check(config, check)
    (found,) = check.checks
    assert found.status == "fail" and found.detail in said and found.fix in said, found  # one reason, both places


def test_the_report_path_check_lets_lmsyncs_own_report_and_an_empty_file_be_replaced(tmp_path: Path) -> None:
    from lmsync.render.report import html_page
    from lmsync.service.report import gather, report_path_check
    from tests.unit.report.synthetic import config_for

    page = tmp_path / "report.html"
    config = _config(tmp_path, f'[report]\npath = "{page}"\n')
    page.touch()  # made beforehand to set its owner: nothing to lose
    report_path_check(config)([page])
    store = Store.memory()
    page.write_text(html_page(gather(config_for(":memory:", 30), store, as_of=date(2026, 11, 11), roster={}, pairs=[])))
    store.close()
    report_path_check(config)([page])  # an earlier run's report: replaced without a word
    check = DoctorReport()
    doctor_checks.report_path_check(config, check)
    assert [c.status for c in check.checks] == ["ok"]
    page.write_text(page.read_text().replace("Written by lmsync", "Written by hand"))  # an edited copy is not lmsync's
    with pytest.raises(ConfigError, match="is a file lmsync did not write"):
        report_path_check(config)([page])


def test_a_report_file_that_cannot_be_read_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    from lmsync.service.out_files import foreign_report

    page = tmp_path / "report.html"
    page.write_text(README)

    def denied(*_a: object, **_k: object) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    found = foreign_report(page, "[report] path")
    assert found is not None and "cannot be read (Permission denied)" in found[0] and str(page) in found[0]
    assert foreign_report(tmp_path / "none.html", "[report] path") is None
