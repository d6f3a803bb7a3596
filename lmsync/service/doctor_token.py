"""Doctor's report when the token is refused before any call to Moodle (tester round 85a, 6).

A token too short, quoted, written as ``token=...`` or holding a character no Moodle token has
(``secrets.clean_token_text``), an empty ``LMSYNC_TOKEN``, a token file that is missing or open to
others: each ended ``lmsync doctor`` with an error on stderr and nothing on stdout, so a monitoring
script reading ``doctor --format json`` got no JSON at all (``LMSYNC_TOKEN=bad``), while a wrong
token of the right length gave the document. Now it is doctor's failed ``token`` check, with its fix,
beside the checks that need no site; the token's characters are never in it.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.errors import ConfigError
from lmsync.service.doctor import WS_MENU, DoctorReport
from lmsync.service.doctor_checks import (
    programme_start_check,
    quiet_hours_zone_check,
    report_path_check,
    store_check,
)
from lmsync.service.doctor_clock import clock_store_check

#: The sentence ``secrets.clean_token_text`` ends a refusal with: the fix, said apart in doctor's check.
_COPY_AGAIN = ". Copy the token again"


def token_refusal(config: Config) -> DoctorReport | None:
    """Doctor's report when ``config``'s token is refused before it is sent (tester round 85a, 6): the failed
    ``token`` check (what is wrong and the fix, as any failed check has) and the checks that need no site,
    as when the site cannot be reached; exit code 2. None when the token is read (or the built-in emulator
    needs none): doctor then asks the site. Raises nothing but what reading the configuration raises."""
    if config.uses_emulator:
        return None
    try:
        config.load_token()
    except ConfigError as exc:
        detail, copy, rest = exc.message.partition(_COPY_AGAIN)
        fix = exc.hint or (copy.removeprefix(". ") + rest if copy else None) or (
            f"{WS_MENU} > Manage tokens: copy the lmsync user's token again and put it, alone, in "
            f"{config.token_place()}")
        report = DoctorReport()
        report.add("token", "fail", detail, fix)
        programme_start_check(config, report)
        quiet_hours_zone_check(config, report)
        report_path_check(config, report)
        store_check(config, report)
        clock_store_check(config, report)  # a clock behind the store (108a, 8)
        return report
    return None
