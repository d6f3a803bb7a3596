"""A saved plan's file read as text (tester round 97b, 2).

``lmsync apply FILE`` and ``lmsync grades push FILE`` read the file they are given before anything else.
A file that is not UTF-8 (one re-saved as UTF-16 by an editor, a store's SQLite file) ended ``apply`` in a
``UnicodeDecodeError`` traceback, exit 1; :func:`plan_file_text` refuses it as bad input (exit 3), naming
the file, what it is and the fix. A UTF-8 byte-order mark (some Windows editors write one) is dropped, as
lmsync.toml's is. Which plan the text holds is ``lmsync.domain.plan_files``.
"""

from __future__ import annotations

from pathlib import Path

from lmsync.domain.operations import Plan
from lmsync.domain.saved_plan import FIRST_PLAN, read_saved_plan
from lmsync.errors import InputError
from lmsync.file_kinds import not_a_file
from lmsync.service.out_files import SQLITE_HEADER

__all__ = ["plan_file_text", "read_saved_plan_file"]

#: Byte-order marks of UTF-16 text (little- and big-endian).
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def plan_file_text(path: Path, *, what: str, fix: str) -> str:
    """The text of the plan file at ``path``, decoded as UTF-8 (a byte-order mark dropped).

    ``what``: the plan expected, for messages ("an lmsync plan"); ``fix``: the hint for a file that holds
    none (make one with ``--out``). Raises :class:`InputError` (exit 3) naming the file when it is a device, a
    named pipe or a socket (judged from ``os.stat``, never opened: a pipe hung ``apply`` for good, tester round
    100a, 1), cannot be read, is a SQLite database (a store), or is not UTF-8 (UTF-16 text is named so, and re-saving as UTF-8
    is offered besides ``fix``). Source: tester round 97b, 2 (a traceback, exit 1).
    """
    source = str(path)
    if (refused := not_a_file(path, source)) is not None:  # a named pipe hung apply for good (round 100a, 1)
        raise InputError(refused, hint=f"give the plan's file itself; {fix}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror or type(exc).__name__})",
                         hint="check the path and that lmsync's account may read it") from None
    if data.startswith(SQLITE_HEADER):
        raise InputError(f"{source}: not {what}: it is a SQLite database (an lmsync store?)",
                         hint=fix)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        kind = ("UTF-16 text, not UTF-8" if data[:2] in _UTF16_MARKS
                else f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})")
        raise InputError(f"{source}: not {what}: it is {kind}, and lmsync writes its plans in UTF-8",
                         hint=f"{fix}; or, if an editor only re-saved it in another encoding, save it as UTF-8 "
                              "again") from None


def read_saved_plan_file(path: Path) -> Plan:
    """The plan saved at ``path`` (``saved_plan.read_saved_plan``); :class:`InputError` (exit 3) for a file that
    cannot be read, is not a regular file (a named pipe: round 100a, 1) or is not UTF-8 text, a store's SQLite file
    among them (tester round 97b, 2: a traceback)."""
    return read_saved_plan(plan_file_text(path, what="an lmsync plan", fix=FIRST_PLAN), str(path))
