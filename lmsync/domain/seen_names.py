"""A group's name as the people in Moodle see it, for printing (tester round 117b, 5).

Moodle's web services return group names through ``format_string`` (trap 39): ``Tutors & Mentors`` reads back
``Tutors &amp; Mentors``, ``Bilal <b>Bo</b>`` as ``Bilal Bo``, a ``<`` typed with a space as ``&lt;``. lmsync
compares those names as read (``PlanSettings.displayed``: what its own name would read back as), and must keep
doing so; but the plan's text and JSON, its warnings and ``lmsync apply``'s refusals printed them as read,
``'Chloe's group &amp; friends'``, which nobody in Moodle sees. Printed names are unescaped here
(``html.unescape``), never compared names. Grouping names come back raw (``core_group_get_groupings``) and are
printed as they are. Pure.
"""

from __future__ import annotations

import html

from lmsync.visible import quoted

__all__ = ["quoted_seen", "seen"]


def seen(name: str) -> str:
    """``name`` as Moodle returned it (``format_string``'d, trap 39) -> as Moodle shows it to people: its entities
    unescaped (``'A &amp; B'`` -> ``'A & B'``). For printing only. Raises nothing."""
    return html.unescape(name)


def quoted_seen(name: str) -> str:
    """:func:`seen` of ``name``, in quotes and made visible (``visible.quoted``): how a plan, warning or refusal
    names a group Moodle returned. Raises nothing."""
    return quoted(seen(name))
