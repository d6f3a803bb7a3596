"""What a failed connection's error text means, in a few words (urllib3's text names pools and retries).

Used by :class:`lmsync.moodle.errors.ConnectionFailed` (its ``cause``), the retry rules and `lmsync doctor`;
``ERRORCODE_HINTS`` by ``exception_from_body`` (a Moodle refusal whose errorcode says the site's state).
"""

from __future__ import annotations

import re

# What the network stack said, as a few words (urllib3's text names pools and retries).
_CAUSES = (
    ("Connection refused", "connection refused (nothing listens on that port)"),
    ("Name or service not known", "unknown host (DNS)"),
    ("nodename nor servname", "unknown host (DNS)"),
    ("Temporary failure in name resolution", "unknown host (DNS)"),
    ("getaddrinfo failed", "unknown host (DNS)"),
    ("No address associated with hostname", "unknown host (DNS)"),
    ("No route to host", "no route to host (network or firewall)"),
    ("Network is unreachable", "network unreachable"),
    ("Connection reset by peer", "connection reset by the server or a firewall"),
    ("RemoteDisconnected", "the server closed the connection without answering"),
    ("ProxyError", "the proxy refused the connection"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS: the site's certificate is not trusted"),
    ("WRONG_VERSION_NUMBER", "TLS: https:// to a port that serves plain HTTP"),
    ("timed out", "timed out"),
)


#: The fix for a Moodle exception body by its ``errorcode``, where the class's own hint would mislead. Moodle answers
#: ``sitemaintenance`` ("The site is undergoing maintenance and is currently not available", lang/en/admin.php) to
#: every web-service call of a user without moodle/site:maintenanceaccess while maintenance mode is on
#: (webservice/lib.php); the general hint sent admins to debugging (tester round 106b, 6). Exit stays 1.
ERRORCODE_HINTS = {
    "sitemaintenance": (
        "the Moodle site is in maintenance mode and refused the call, so it changed nothing: the next run retries; "
        "when the maintenance is over, switch it off in Site administration > Server > Maintenance mode "
        "(or admin/cli/maintenance.php --disable on the server)"
    ),
}


def short_cause(message: str) -> str:
    """A connection failure's cause in a few words, without urllib3's pool and retry text.

    ``... (ConnectionError: HTTPConnectionPool(...): Max retries exceeded ... [Errno 111]
    Connection refused'))`` -> ``connection refused (nothing listens on that port)``.
    """
    for needle, cause in _CAUSES:
        if needle.lower() in message.lower():
            return cause
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", message)
    if found:
        return found.group(1).strip()
    return "TLS failed" if "SSL" in message else "the connection failed"
