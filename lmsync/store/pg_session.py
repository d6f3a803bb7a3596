"""The PostgreSQL sessions lmsync keeps open through a run: kept from ending on their own.

A run holds two sessions from its start to its end: the programme's advisory lock (``lmsync.store.locks``, a
connection of its own that sits idle the whole run) and the store's (``Store``, one connection per open). A
server that closed either mid-run made the run write on without its lock, or fail with the driver's text
(tester round 120b, 1). Each such session therefore:

- turns off the server's idle timeouts for itself, where the server has them: ``idle_session_timeout``
  (PostgreSQL 14 and later, often set on managed databases) and ``idle_in_transaction_session_timeout``
  (9.6 and later), both user-settable, set to 0 with ``set_config`` for the parameters ``pg_settings`` lists,
  so an older server is not sent a name it does not know;
- asks for TCP keepalives (libpq's ``keepalives``, ``keepalives_idle``, ``keepalives_interval``,
  ``keepalives_count``) and a ``tcp_user_timeout``, so a NAT or a firewall does not drop an idle connection
  and a dead one is found within about a minute rather than the kernel's two hours. A keyword already in
  ``[store] url``'s query is left as the admin wrote it; libpq ignores these for a Unix socket.

A ``pg_terminate_backend`` or a server restart still ends a session: ``locks.HeldLock`` finds that out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

#: libpq connection keywords for a session held through a run (values as libpq takes them: seconds, except
#: ``tcp_user_timeout`` in milliseconds).
KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}

#: The server's timeouts that end an idle session, each turned off (0) for lmsync's sessions where it exists.
IDLE_TIMEOUTS = ("idle_session_timeout", "idle_in_transaction_session_timeout")

_NO_IDLE_TIMEOUTS = (
    "SELECT set_config(name, '0', false) FROM pg_settings WHERE name IN ("
    + ", ".join(f"'{name}'" for name in IDLE_TIMEOUTS) + ")"
)


def connect_args(url: URL) -> dict[str, Any]:
    """The ``KEEPALIVES`` keywords ``url``'s query does not already give, for ``create_engine(connect_args=...)``."""
    given = {key.lower() for key in url.query}
    return {key: value for key, value in KEEPALIVES.items() if key not in given}


def kept_alive(engine: Engine) -> Engine:
    """``engine``, whose every new connection turns off the server's ``IDLE_TIMEOUTS`` for its session (committed
    at once, so a later rollback does not undo it); returns it."""

    @event.listens_for(engine, "connect")
    def _no_idle_timeouts(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(_NO_IDLE_TIMEOUTS)
        dbapi_connection.commit()

    return engine
