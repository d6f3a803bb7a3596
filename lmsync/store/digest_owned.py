"""The queue items each coordinator owned when a digest was sent to them: ``digest_owned`` (revision 0018; tester
round 115a, 5), read and written by ``service.digest_moved``."""

from __future__ import annotations

from lmsync.store.digest_told import DigestTold
from lmsync.store.schema import digest_owned


class DigestOwned(DigestTold):
    """Per coordinator, the items they owned at their latest digest sent (queue item id -> that day)."""

    table = digest_owned
    key = "item_id"
