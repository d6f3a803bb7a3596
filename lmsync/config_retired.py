"""Configuration keys an earlier release read and this one no longer does.

A file written for an earlier release loads, with a warning naming what replaced each retired
key, instead of failing on an "unknown key" right after an upgrade (tester finding). A key
that was never lmsync's is still an unknown key.
"""

from __future__ import annotations

from typing import Any

from lmsync.log import get_logger

_log = get_logger("lmsync.config")

#: (section, key) -> what replaced it.
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("health", "trend_at_risk_drop"): "the meeting shift test replaced it ([health] shift_at_risk, shift_watch)",
    ("health", "rating_fall"): "the meeting shift test replaced it ([health] shift_rating_floor, shift_at_risk)",
    ("sync", "allow_delete"): (
        "deleting an lmsync group needs --allow-delete on the command line (lmsync plan, apply, sync); "
        "`lmsync run` and `daemon` never delete"
    ),
}


def drop_retired(data: dict[str, Any], source: str) -> None:
    """Remove retired keys from the raw configuration, logging each once (``config.retired_key``)."""
    for (section, key), instead in RETIRED_KEYS.items():
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            del table[key]
            _log.warning("config.retired_key", source=source, key=f"{section}.{key}", ignored=True, instead=instead)


def retired_variable(variable: str) -> bool:
    """Whether an environment variable sets a retired key (``LMSYNC_HEALTH_RATING_FALL``): then it is
    ignored with the warning the same key in the file gets (tester finding FIX-C 4), not refused."""
    for (section, key), instead in RETIRED_KEYS.items():
        if variable == f"LMSYNC_{section}_{key}".upper():
            _log.warning("config.retired_key", source="environment", key=f"{section}.{key}", ignored=True, instead=instead)
            return True
    return False
