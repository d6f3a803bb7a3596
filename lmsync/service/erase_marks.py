"""The "not a good fit" marks an erasure takes with it, said before it does.

A mark (``pair_forbids``: a queue outcome ``rematched`` or a survey answer) keeps a pair apart in
every later match. Erasing one side deletes it with the rest of what the store holds about them, so
a mentee who complained about a mentor, erased and back in the course, was matched with that mentor
again by the next run, with nothing said (tester round 48, 1). The coordinator is told which marks go
and the ``[matching] forbids`` entry that keeps the pair apart (by Moodle id, which a forbid keeps
while either side is away), so the decision is theirs.
"""

from __future__ import annotations

from lmsync.config import Config
from lmsync.errors import LmsyncError
from lmsync.service.runtime import store_session
from lmsync.store.forbids import PairForbids


def marked_pairs(config: Config, user_id: int) -> list[tuple[int, int]]:
    """The (mentor, mentee) Moodle ids of the marks naming ``user_id``, read-only; none when the
    store cannot be read (the erasure itself then says why)."""
    try:
        with store_session(config, read_only=True) as store:
            pairs = PairForbids(store, config.programme.name).pairs()
    except (LmsyncError, OSError):
        return []
    return sorted(pair for pair in pairs if user_id in pair)


def forbids_entry(pairs: list[tuple[int, int]]) -> str:
    """``pairs`` as entries of the ``[matching] forbids`` list ([mentee, mentor] by ``id:N``), to add to
    the list the file may already have (tester round 49, 4: ``forbids = [...]`` written again is a
    duplicate key)."""
    return ", ".join(f'["id:{mentee}", "id:{mentor}"]' for mentor, mentee in pairs)
