"""``lmsync doctor``'s warning for a programme left to the defaults (tester round 117b, 8).

A configuration file holding ``[store]`` alone passed doctor without a word, while every command ran the
programme ``mentoring-2026`` in course ``MENTOR-2026``: ``[programme] name`` and ``course``, the two that say which
programme and course these are (the name is in every idnumber lmsync owns), were the defaults. Line
(``programme``): ``warn`` naming the missing section (or keys) and the defaults in use, when a configuration file,
or a real Moodle with none, leaves either to its default (set by neither the file nor ``LMSYNC_PROGRAMME_NAME`` /
``LMSYNC_PROGRAMME_COURSE``); nothing otherwise. The built-in emulator with no configuration file at all is the
demo's programme on purpose (its notice says "no configuration file") and is not warned of; ``lmsync init`` writes
both keys.
"""

from __future__ import annotations

from typing import Any

from lmsync.config import Config

NAME = "programme"


def programme_section_check(config: Config, report: Any) -> None:
    """Warn (``report.add``) when ``[programme] name`` or ``course`` is left to its default (module doc)."""
    if config.source is None and config.uses_emulator:
        return
    given = config.programme.model_fields_set if "programme" in config.model_fields_set else set()
    unset = [key for key in ("name", "course") if key not in given]
    if not unset:
        return
    defaults = ", ".join(f"{key} = \"{getattr(config.programme, key)}\"" for key in unset)
    where = str(config.source) if config.source is not None else "the environment (no configuration file)"
    if not given and config.source is not None:
        what = f"{where} has no [programme] section"
    else:
        what = f"[programme] {' and '.join(unset)} {'is' if len(unset) == 1 else 'are'} not set in {where}"
    meaning = {"name": "name = the programme's own name", "course": "course = the course's shortname"}
    report.add(
        NAME, "warn",
        f"{what}: using the default{'s' if len(unset) > 1 else ''} {defaults} (the name is part of every idnumber "
        "lmsync owns, and changing it later leaves the circles behind)",
        f"{'add a [programme] section with' if not given else 'in [programme], set'} "
        + " and ".join(meaning[key] for key in unset)
        + " (or " + " and ".join(f"LMSYNC_PROGRAMME_{key.upper()}" for key in unset) + ")",
    )
