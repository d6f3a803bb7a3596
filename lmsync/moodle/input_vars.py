"""Does a request as large as the budget reach Moodle whole? One harmless read answers it.

PHP keeps the first ``max_input_vars`` form variables of a request and silently drops the rest
(trap 23): a site whose limit is below the transport's ``budget`` cuts every large request, and
Moodle then acts on what is left, answering OK (trap 25). Nothing in an answer says so, except
that a create answers fewer items than it was sent (``RequestCut``, :meth:`ApiBase._send_creates`).

The probe is ``core_user_get_users_by_field`` with ``field=id`` and a ``values[]`` list exactly as
long as the budget allows (``field`` + the values = ``budget`` variables, the largest request the
client ever sends): every value ``0`` (an id no account has: Moodle cleans it as PARAM_INT, finds
no row and leaves it out silently, as it does any unknown id, recorded ``by-id``) except the LAST,
the token's own user id (``core_webservice_get_site_info``), whom Moodle always shows to itself
(``user_get_user_details_courses``). If the own account does not come back, PHP cut the request.
A site that passed is not asked again through the same transport (tester round 92b, 1).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lmsync.moodle.errors import RequestCut

if TYPE_CHECKING:
    from lmsync.moodle.api import MoodleApi
    from lmsync.moodle.transport import Transport

__all__ = ["FUNCTION", "BatchProbe", "probe_full_batch", "probe_values", "require_full_batch"]

FUNCTION = "core_user_get_users_by_field"
#: The value that matches no account (Moodle's user ids start at 1).
NOBODY = 0

_passed: weakref.WeakSet[Transport] = weakref.WeakSet()  # transports whose site took a full batch
_lock = threading.Lock()


@dataclass(frozen=True)
class BatchProbe:
    """What the probe sent and saw: ``variables`` form variables (the token aside), ``budget`` the
    transport's; ``whole``: the last value (``user_id``) came back, so nothing was cut."""

    variables: int
    budget: int
    user_id: int
    whole: bool


def probe_values(budget: int, user_id: int) -> list[int]:
    """The probe's ``values[]``: ``budget - 1`` ids (``field`` is the other variable), all
    :data:`NOBODY` but the last, ``user_id``."""
    if budget < 2:
        raise ValueError(f"a budget of {budget} form variables leaves no room for the probe")
    return [NOBODY] * (budget - 2) + [user_id]


def probe_full_batch(api: MoodleApi, user_id: int | None = None) -> BatchProbe:
    """One read of a full batch (one more, ``core_webservice_get_site_info``, when ``user_id`` is not
    given); Moodle's refusals raise as the call does (``AccessDenied``, ``MissingCapability`` ...)."""
    budget = api.transport.budget
    me = user_id if user_id is not None else api.get_site_info().userid
    values = probe_values(budget, me)
    answer = api.transport.call(FUNCTION, {"field": "id", "values": values})
    whole = any(isinstance(row, dict) and row.get("id") == me for row in answer or [])
    if whole:
        with _lock:
            _passed.add(api.transport)
    return BatchProbe(variables=1 + len(values), budget=budget, user_id=me, whole=whole)


def cut_error(probe: BatchProbe) -> RequestCut:
    """The error of a probe that came back cut."""
    return RequestCut(
        f"Moodle did not see the end of a request of {probe.variables} form variables, lmsync's batch budget "
        f"(a read of {FUNCTION} whose last value did not come back): PHP on the Moodle server cut it, its "
        f"max_input_vars is below {probe.budget}; lmsync wrote nothing",
        function=FUNCTION, sent=probe.variables - 1,
    )


def require_full_batch(api: MoodleApi, user_id: int | None = None) -> None:
    """Raise :class:`RequestCut` (exit 2) unless a full batch reaches Moodle whole; a transport whose
    site already passed is not probed again."""
    with _lock:
        if api.transport in _passed:
            return
    probe = probe_full_batch(api, user_id)
    if not probe.whole:
        raise cut_error(probe)
