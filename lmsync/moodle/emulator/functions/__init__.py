"""Every emulated web-service function, one module per Moodle component, with Moodle 4.5's
semantics as recorded.

Each handler gets a :class:`Call` (site, token, capability checks) and parameters already
validated against the function's declared structure (:mod:`..params`), and returns the Python
value Moodle would serialise, or raises a :class:`MoodleError`. Importing this package registers
them all in :data:`REGISTRY` (:mod:`.registry`), in the order below: the order
``core_webservice_get_site_info`` lists a service's functions in. The numbered traps refer to
tests/contract/recordings/README.md.

=================  =======================================================================
module             functions
=================  =======================================================================
``webservice``     core_webservice_get_site_info
``course``         core_course_get_courses_by_field
``enrol``          core_enrol_get_enrolled_users, core_user_get_users_by_field
``cohort``         core_cohort_*
``group``          core_group_* (groups, groupings, links, members)
``forum``          mod_forum_*
``feedback``       mod_feedback_*
``grades``         core_grades_*, gradereport_user_get_grade_items
``assign``         mod_assign_*
``message``        core_message_send_instant_messages
``calendar``       core_calendar_*
``role``           core_role_assign_roles
``courseformat``   core_courseformat_create_module
=================  =======================================================================
"""

# isort: off
# Imported for their side effect, registering their functions, in this order (get_site_info's).
from lmsync.moodle.emulator.functions import webservice  # noqa: F401
from lmsync.moodle.emulator.functions import course  # noqa: F401
from lmsync.moodle.emulator.functions import enrol  # noqa: F401
from lmsync.moodle.emulator.functions import cohort  # noqa: F401
from lmsync.moodle.emulator.functions import group  # noqa: F401
from lmsync.moodle.emulator.functions import forum  # noqa: F401
from lmsync.moodle.emulator.functions import feedback  # noqa: F401
from lmsync.moodle.emulator.functions import grades  # noqa: F401
from lmsync.moodle.emulator.functions import assign  # noqa: F401
from lmsync.moodle.emulator.functions import message  # noqa: F401
from lmsync.moodle.emulator.functions import calendar  # noqa: F401
from lmsync.moodle.emulator.functions import role  # noqa: F401
from lmsync.moodle.emulator.functions import courseformat  # noqa: F401
# isort: on
from lmsync.moodle.emulator.functions.registry import (
    OTHER_MOODLE_FUNCTIONS,
    REGISTRY,
    Call,
    WsFunction,
    known_function,
    ws,
)

__all__ = ["OTHER_MOODLE_FUNCTIONS", "REGISTRY", "Call", "WsFunction", "known_function", "ws"]
