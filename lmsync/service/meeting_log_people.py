"""Whom a meeting-log response may name: the course's people and those who have left it.

A mentor's response lists who came (``attended``) by username, idnumber or email. Resolved against
the course's roster only, a mentee who left after the meeting "matched nobody in the course" on every
later read: the mentor's whole response became a problem, the step stayed partial for good, and the
read was refused for removing the rows it could no longer make (tester round 58, 4). The people of
the programme's pairing history who are not in the roster are looked up site-wide
(``site_accounts.accounts``: one request, only when there are such people) while Moodle keeps their
account; a meeting with someone erased since is then withheld as every row about an erasure is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lmsync.domain.meetings import Resolver
from lmsync.moodle.errors import MoodleException
from lmsync.service.meetings import make_resolver
from lmsync.service.site_accounts import accounts
from lmsync.store.db import Store
from lmsync.store.erasures import erased_on
from lmsync.store.pairings import PairingHistory


def meeting_log_resolver(api: Any, store: Store, programme: str, roster: Mapping[int, Any], key: str) -> Resolver:
    """``make_resolver`` over ``roster`` and the accounts of the pairing history's people, and of the people
    erased, not in it."""
    gone = {person for p in PairingHistory(store, programme).history() for person in (p.mentor_id, p.mentee_id)}
    gone = (gone | set(erased_on(store))) - set(roster)  # the erased: their pairs went with them
    try:
        found = accounts(api, gone)
    except MoodleException:  # a Moodle that refuses the lookup: the roster alone, as before
        found = {}
    return make_resolver([*roster.values(), *found.values()], key)
