"""Doctor's line for a site reached without checking its TLS certificate (``[moodle] verify_tls = false``).

Before, nothing but urllib3's raw warnings said so, one per request (tester round 106b, 1).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def tls_check(transport: Any, report: Any) -> None:
    """A ``warn`` ``encryption`` line on ``report`` when ``transport`` (a :class:`~lmsync.moodle.transport.Transport`)
    reaches an https site with ``verify_tls`` off: right for a test site, not for a real one. Nothing otherwise
    (plain http has doctor's other ``encryption`` line)."""
    if getattr(transport, "verify_tls", True) or urlsplit(transport.url).scheme != "https":
        return
    report.add("encryption", "warn", f"{transport.url}: TLS verification is off ([moodle] verify_tls = false): the "
               "site's certificate is not checked, so anyone on the way could read the token",
               "for a test site only; for a real site give it a trusted certificate and turn [moodle] verify_tls on")
