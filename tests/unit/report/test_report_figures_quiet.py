"""Tester round 12, 11: matplotlib's warnings about an unwritable config folder broke JSON logs."""

from __future__ import annotations

import logging

from lmsync.render.report_figures import charts_context


def test_round_12_11_matplotlib_logs_errors_only_unless_its_level_was_set(monkeypatch):
    logger = logging.getLogger("matplotlib")
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    with charts_context():
        pass
    assert logger.level == logging.ERROR
    logger.setLevel(logging.DEBUG)  # an admin's own choice stays
    with charts_context():
        pass
    assert logger.level == logging.DEBUG
