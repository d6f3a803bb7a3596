"""The error for a PostgreSQL store that cannot be reached (tester round 12, 6: a 143-line traceback).

Exit 1: the next run may find the server up again (a daemon backs off). The message names the store
by its URL without the password, and the driver's first line with the password masked.
"""

from __future__ import annotations

from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from lmsync.errors import PartialFailure


def unreachable(exc: OperationalError, url: URL) -> PartialFailure:
    """``PartialFailure`` saying which store could not be reached, why, and what to check."""
    lines = str(exc.orig).strip().splitlines() or ["no reason given"]
    reason = lines[0].replace(url.password, "***") if url.password else lines[0]
    return PartialFailure(
        f"the store {url.render_as_string(hide_password=True)} cannot be reached: {reason}",
        hint="check that the database server runs and that [store] url (LMSYNC_STORE_URL) names it",
    )
