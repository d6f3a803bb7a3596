"""``grades plan`` says when a configured instrument is never published (tester round 6, 11)."""

from __future__ import annotations

from lmsync.config import load_config
from lmsync.service.grades import unpublished_instruments
from lmsync.service.programme_settings import settings

CHECKIN = '[instruments.checkin]\nitems = ["satisfaction"]\nscale_min = 1\nscale_max = 5\nside = "mentee"\n'


def test_tester_round_6_11_an_instrument_without_grade_name_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    path = tmp_path / "lmsync.toml"
    path.write_text('[programme]\nname = "p-2026"\n' + CHECKIN)
    notes = unpublished_instruments(settings(load_config(path, environ={})))
    assert notes == ["instrument 'checkin' has no grade_name: its scores are not published to the gradebook "
                     "(set [instruments.checkin] grade_name to publish them)"]
    path.write_text('[programme]\nname = "p-2026"\n' + CHECKIN + 'grade_name = "checkin"\n')
    assert unpublished_instruments(settings(load_config(path, environ={}))) == []
    path.write_text('[programme]\nname = "p-2026"\n')
    assert unpublished_instruments(settings(load_config(path, environ={}))) == []
