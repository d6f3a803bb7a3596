"""``[sync.welcome]``: the discussion posted in each new circle (moved out of ``config``, which holds at most 500
lines, when the message's placeholders came to be checked at load time: tester round 127, 3)."""

from __future__ import annotations

from pydantic import Field, field_validator

from lmsync.config_placeholders import placeholder_problem
from lmsync.config_sections import Section, moodle_name_problem

WELCOME_PLACEHOLDERS = ("group_name", "mentor_fullname")  # what ``domain.plan._welcome`` fills


class WelcomeConfig(Section):
    """The discussion posted in each new circle ({group_name}, {mentor_fullname})."""

    subject: str = Field(
        "Welcome to {mentor_fullname}'s mentoring circle", description="subject of the welcome discussion"
    )

    @field_validator("subject")
    @classmethod
    def _moodle_accepts(cls, value: str) -> str:
        from lmsync.moodle.text import DISCUSSION_SUBJECT_MAX

        problem = moodle_name_problem(value, WELCOME_PLACEHOLDERS, DISCUSSION_SUBJECT_MAX)
        if problem:
            raise ValueError(problem)
        return value
    message: str = Field(
        description="HTML body of the welcome discussion; {group_name} and {mentor_fullname} go in as text (HTML-escaped), "
        "written plainly (no format spec, conversion or attribute); a literal brace is written {{ or }}",
        default=(
            "<p>Welcome, {mentor_fullname}'s circle.</p>"
            "<p>Agenda for your first meeting:</p>"
            "<ol><li>Introductions and what each of you hopes to get from the programme</li>"
            "<li>Agree how often and where you will meet</li>"
            "<li>Set one goal for the next month</li></ol>"
        ),
    )

    @field_validator("message")
    @classmethod
    def _placeholders_fill(cls, value: str) -> str:
        """Checked at load time as the subject is: a mistyped placeholder crashed the first new circle's plan and
        stopped every sync (tester round 127, 3)."""
        problem = placeholder_problem(value, WELCOME_PLACEHOLDERS)
        if problem:
            raise ValueError(problem)
        return value
