"""A leading ``~`` in a path given on the command line or by ``LMSYNC_CONFIG``: the home folder, as a shell reads it.

``--config '~/c.toml'``, ``LMSYNC_CONFIG='~/c.toml'`` (quoted, or set under systemd's ``Environment=``, where no
shell expands it) and ``--out '~/x'`` were read as a folder named ``~`` in the current folder, and each refusal
then steered the admin deeper ("create it first (mkdir -p .../~)"; tester round 102b, 3). They now read ``~``,
``~/...`` and ``~user/...`` as ``[store] path`` and ``token_file`` do (``config_lines.home_expanded``). A ``$NAME``
is left as written: no variable is expanded.
"""

from __future__ import annotations

from lmsync.config_lines import home_expanded
from lmsync.errors import ConfigError, InputError, LmsyncError

__all__ = ["home_path", "home_path_or_as_given"]


def home_path(value: str, named: str, error: type[LmsyncError] = InputError) -> str:
    """``value`` with a leading ``~`` or ``~user`` expanded to that home folder (``"~/c.toml"`` ->
    ``"/home/admin/c.toml"``); any other value unchanged. ``named``: the option or variable it came from
    (``--config``, ``--out``, ``LMSYNC_CONFIG``). Raises ``error`` (``InputError``, exit 3, for a command-line
    argument; ``ConfigError``, exit 2, for the deployment's ``LMSYNC_CONFIG``) naming ``named`` when no home
    folder of that user is known (the rule and its message: ``config_lines.home_expanded``)."""
    if not value.startswith("~"):
        return value
    try:
        return str(home_expanded(value, named))
    except ConfigError as exc:
        if error is ConfigError:
            raise
        raise error(exc.message, hint=exc.hint) from None


def home_path_or_as_given(value: str) -> str:
    """``home_path`` of ``value``, or ``value`` as given when its ``~user`` is unknown: for a path kept before it
    is used, whose user then meets ``home_path``'s error (``cli.AppContext``). Raises nothing."""
    try:
        return home_path(value, "")
    except LmsyncError:
        return value
