"""lmsync: keeps a school's mentoring programme alive inside the Moodle it already runs."""

__version__ = "0.1.0"
