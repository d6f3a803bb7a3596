"""What Moodle does to text on the way in and on the way out.

Moodle validates names on the way in and formats them on the way out, so a name read back is
not the name that was sent. Compare what lmsync wants with :func:`format_string` of it, never
with the raw string (shared/moodle README, traps 38 and 39).

- On the way in, group and grouping names are ``PARAM_TEXT``: ``validate_parameters`` refuses a
  value that ``clean_param(PARAM_TEXT)`` would change, i.e. anything ``strip_tags`` would strip
  (a ``<`` that opens a tag: ``<b>``, ``x <3``), except well-formed multilang spans
  (``lib/moodlelib.php`` ``clean_param``; trap 38, ``core_group_create_groups/name-with-tag-refused``).
- On the way out, ``format_string`` (``lib/classes/formatting.php``, default site settings:
  ``formatstringstriptags`` on, no filters on strings) strips tags and escapes: ``&`` not already
  starting an entity -> ``&amp;``, ``<`` -> ``&lt;``, ``>`` -> ``&gt;``; quotes untouched
  (trap 39, ``core_group_get_course_groups/names-formatted``). Which functions format and which
  return raw text differs: see :data:`ESCAPED` and :data:`RAW`.
"""

from __future__ import annotations

import re

# Functions (and fields) whose names come back through format_string (trap 39).
ESCAPED = (
    "core_group_get_course_groups",
    "core_group_get_groups",
    "core_enrol_get_enrolled_users groups[].name",
    "mod_forum_get_discussion_posts author.groups[].name",
    "mod_forum_get_forums_by_courses name",
    "mod_forum_get_forum_discussions name, subject",
    "core_calendar_get_calendar_events name",
)
# Functions that return names byte for byte as stored (trap 39).
RAW = (
    "core_group_get_course_groupings",
    "core_group_get_groupings (grouping and its groups)",
    "core_group_create_groups",
    "core_group_create_groupings",
)

_AMP_NOT_ENTITY = re.compile(r"&(?![a-zA-Z0-9#]{1,8};)")  # replace_ampersands_not_followed_by_entity
_MULTILANG = re.compile(r'<span\s+lang="[a-zA-Z0-9_-]+"\s+class="multilang">|<span\s+class="multilang"\s+lang="[a-zA-Z0-9_-]+">|</span>')
# PHP's strip_tags starts a tag at '<' followed by anything but whitespace (or end of text).
_TAG_START = re.compile(r"<(?=\S)")
_TAG = re.compile(r"<[^\s<][^>]*(?:>|$)|<!--.*?(?:-->|$)", re.DOTALL)


def strip_tags(text: str) -> str:
    """PHP ``strip_tags`` for the cases names meet: a tag is ``<`` + non-space up to ``>`` (or the end)."""
    return _TAG.sub("", text)


def format_string(text: str) -> str:
    """The name as Moodle's escaping functions return it (trap 39).

    ``"Circle & co <b>x</b> 3 > 2"`` -> ``"Circle &amp; co x 3 &gt; 2"``. An ``&`` that already
    starts an entity is left alone, so ``"&amp;"`` and ``"&"`` read back identically.
    """
    text = _AMP_NOT_ENTITY.sub("&amp;", text)
    return strip_tags(text).replace("<", "&lt;").replace(">", "&gt;")


def param_text_problem(text: str) -> str | None:
    """Why Moodle would refuse ``text`` as a ``PARAM_TEXT`` name (trap 38), or None if it accepts it.

    Moodle's answer is a reason-less ``invalidparameter`` that fails the whole batch (trap 26), so
    callers check names before sending. Well-formed multilang spans are allowed, as Moodle does.
    """
    without_multilang = _MULTILANG.sub("", text)
    match = _TAG_START.search(without_multilang)
    if match is None:
        return None
    snippet = without_multilang[match.start() : match.start() + 12]
    return (
        f"Moodle refuses names with a '<' that opens a tag ({snippet!r}): "
        "write '< ' with a space, or leave the tag out"
    )


#: Longest names Moodle's tables hold, in characters (moodle/moodle ``lib/db/install.xml``:
#: ``groups.name`` char(254), ``groupings.name`` char(255); ``mod/forum/db/install.xml``:
#: ``forum_discussions.name`` and ``forum_posts.subject`` char(255)). Moodle does not check the
#: length before inserting: the database refuses a longer value and the web service answers
#: ``dml_write_exception`` / ``dmlwriteexception`` ("Error writing to database") for the whole call.
GROUP_NAME_MAX = 254
GROUPING_NAME_MAX = 255
DISCUSSION_SUBJECT_MAX = 255


def name_problem(text: str, max_length: int) -> str | None:
    """Why Moodle would refuse ``text`` as a name of at most ``max_length`` characters, or None.

    Checks the ``PARAM_TEXT`` rule (:func:`param_text_problem`, trap 38) and the column's length
    (:data:`GROUP_NAME_MAX`, ...), counted in characters of the trimmed name as Moodle stores it.
    """
    problem = param_text_problem(text)
    if problem:
        return problem
    length = len(text.strip())
    if length > max_length:
        return (
            f"Moodle holds at most {max_length} characters here and this is {length} "
            f"('{text.strip()[:40]}...'): make it shorter"
        )
    return None


def same_name(read: str, configured: str) -> bool:
    """Whether a name read from Moodle is the one an admin configured (trap 39).

    Forum, Feedback and assignment names come back through ``format_string`` in some functions and
    raw in others, so both forms count: ``"Mentors &amp; mentees"`` and ``"Mentors & mentees"`` are
    both the forum configured as ``Mentors & mentees``. Surrounding white space is ignored, as
    Moodle trims names on save (trap 22).
    """
    wanted = configured.strip()
    return read.strip() in (wanted, format_string(wanted))
