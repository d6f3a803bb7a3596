"""The two people of ``lmsync pair show``, named from their Moodle accounts, and where each stands in the course.

Tester round 108a, 3: ``pair show s0014`` (the mentee alone) named their mentor, whose enrolment was suspended,
``user #70 (not in the course)`` while ``pair show m0005 s0014`` named them: the one-argument form looked up only the
person typed. Both people of the pair are now looked up site-wide when the active roster lacks them (the README:
"never a bare id"), and one not active in the course is said to be away (enrolment or account suspended, still
enrolled) or no longer enrolled, from one read of the course's enrolments of any status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.log import get_logger
from lmsync.moodle.errors import MoodleError
from lmsync.service.labels import People
from lmsync.service.site_accounts import accounts

log = get_logger(__name__)

ENROLMENT_SUSPENDED, ACCOUNT_SUSPENDED, NOT_ENROLLED = "enrolment_suspended", "account_suspended", "not_enrolled"
#: how ``pair show`` says each standing (its JSON gives the code)
STANDING_WORDS = {
    ENROLMENT_SUSPENDED: "away (enrolment suspended in Moodle; still enrolled in the course)",
    ACCOUNT_SUSPENDED: "away (account suspended in Moodle; still enrolled in the course)",
    NOT_ENROLLED: "no longer enrolled in the course (named from their Moodle account)",
}


def pair_people(
    config: Config, active: Mapping[int, Any], roster: Mapping[int, Any], pair: tuple[int, int]
) -> tuple[People, dict[int, str]]:
    """``People`` naming both of ``pair`` (mentor id, mentee id) and, for each not active in the course, what they
    are: ``ENROLMENT_SUSPENDED``, ``ACCOUNT_SUSPENDED`` or ``NOT_ENROLLED`` (Moodle id -> code, said in
    ``STANDING_WORDS``; an active person is left out). ``active``: the course's active roster (``directory.read_roster_of``); ``roster``: it and the
    accounts already looked up (``directory.named``). Moodle is opened only when one of the pair is not active:
    the accounts of those ``roster`` lacks (by id) and the course's enrolments of any status (``onlyactive``
    off, ids only). A failed read is logged (``people.accounts_unavailable``) and leaves them as they were
    (labelled by id, nothing said of where they stand); nothing is raised."""
    found = dict(roster)
    standing: dict[int, str] = {}
    for uid in pair:
        if uid in active and getattr(active[uid], "suspended", False):  # an account suspended, enrolment active
            standing[uid] = ACCOUNT_SUSPENDED
    outside = [uid for uid in pair if uid not in active]
    if outside:
        from lmsync.service.moodle import open_moodle
        from lmsync.service.observe import find_course_id

        try:
            with open_moodle(config) as conn:
                found.update(accounts(conn.api, {uid for uid in outside if uid not in found}))
                course = find_course_id(conn.api, config.programme.course)
                enrolled = {u.id for u in conn.api.get_enrolled_users(
                    course, page_size=config.moodle.page_size, onlyactive=False, userfields=["id"])}
        except (LmsyncError, MoodleError, OSError) as exc:
            log.warning("people.accounts_unavailable", error=type(exc).__name__, missing=len(outside))
        else:
            for uid in outside:
                account = found.get(uid)
                if uid not in enrolled:
                    if account is not None:  # unknown to Moodle: the label says "not in the course" already
                        standing[uid] = NOT_ENROLLED
                elif account is not None and getattr(account, "suspended", False):
                    standing[uid] = ACCOUNT_SUSPENDED
                else:
                    standing[uid] = ENROLMENT_SUSPENDED
    return People(found, show_names=config.privacy.show_names), standing
