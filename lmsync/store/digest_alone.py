"""The mentees each coordinator's digest named as without a mentor: ``digest_alone`` (revision 0017; tester round
114b, 2), read and written by ``service.digest_alone``."""

from __future__ import annotations

from lmsync.store.digest_told import DigestTold
from lmsync.store.schema import digest_alone


class DigestAlone(DigestTold):
    """Per coordinator, the mentees a digest sent to them named as without a mentor (mentee Moodle id -> the day of
    the first digest sent that named them)."""

    table = digest_alone
    key = "mentee_id"
