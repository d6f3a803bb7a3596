"""TLS verification switched off (``[moodle] verify_tls = false``): said once, in lmsync's words.

urllib3 warns with an ``InsecureRequestWarning`` on every request made without verification
(a ``SecurityWarning``, which it shows "always"): 34 raw lines on stderr for one ``lmsync doctor``,
13 for a plan even under ``--log-format json``, which broke the JSON-lines log (tester round 106b, 1).
:func:`unverified` silences that warning for the site's host alone (a warnings filter matching
urllib3's message for that host, so another host's unverified request still warns) and logs
``moodle.tls_unverified`` once per command and run instead (:func:`lmsync.log.warn_once`).
"""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlsplit

from urllib3.exceptions import InsecureRequestWarning

from lmsync.log import warn_once

__all__ = ["UNVERIFIED_HINT", "unverified", "unverified_tls_failure_hint"]

#: What to do about a site reached without checking its certificate.
UNVERIFIED_HINT = ("[moodle] verify_tls = false: the site's certificate is not checked, so anyone on the way can read "
                   "the token; for a real site, give it a trusted certificate and turn verify_tls back on")


def unverified(url: str) -> None:
    """Quiet urllib3's per-request ``InsecureRequestWarning`` for ``url``'s host; log ``moodle.tls_unverified``
    once per command and run. A plain ``http://`` url has no TLS to verify: nothing is said for it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme != "https" or not host:
        return
    # urllib3's words (connectionpool._validate_conn), matched from the start and case-insensitively by warnings
    warnings.filterwarnings("ignore", message=rf"Unverified HTTPS request is being made to host '{re.escape(host)}\.?'",
                            category=InsecureRequestWarning)
    warn_once("lmsync.moodle.tls", "moodle.tls_unverified", url, host=host, hint=UNVERIFIED_HINT)


def unverified_tls_failure_hint() -> str:
    """The fix for a TLS failure while verification is off: not the certificate, so the scheme or the port."""
    return ("[moodle] verify_tls is already false, so this is not the certificate: check that [moodle] url uses the "
            "scheme the site serves (https:// or http://) and its port, and that no proxy on the way breaks TLS.")
