"""lmsync: keeps a school's mentoring programme alive inside the Moodle it already runs."""

__version__ = "0.1.0"

from lmsync.startup_signals import hold_while_starting as _hold_while_starting

_hold_while_starting()  # a SIGTERM while `lmsync run` imports is a stop, not a kill (tester round 17, 7)
