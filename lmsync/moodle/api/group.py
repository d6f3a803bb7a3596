"""Groups and groupings: ``core_group_*`` reads and writes.

Part of ``lmsync.moodle.api.MoodleApi`` (see its docstring for the rules every call follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lmsync.moodle.api._base import ApiBase, _one_id, _pairs, _parse_answers
from lmsync.moodle.models import group as models


class GroupApi(ApiBase):
    """Groups and groupings."""

    # -- groups and groupings: reads -------------------------------------------------------

    def get_course_groups(self, courseid: int) -> list[models.Group]:
        """core_group_get_course_groups, sorted by name. Served from Moodle's cache: after a
        failed batch it can list a PHANTOM group (trap 27); confirm with a DB-backed read."""
        fn = "core_group_get_course_groups"
        return self._call_rows(models.Group, fn, {"courseid": _one_id(fn, "courseid", courseid)})

    def get_course_groupings(self, courseid: int) -> list[models.Grouping]:
        """core_group_get_course_groupings, sorted by name; cache-backed like get_course_groups (trap 27)."""
        fn = "core_group_get_course_groupings"
        return self._call_rows(models.Grouping, fn, {"courseid": _one_id(fn, "courseid", courseid)})

    def get_groupings(
        self, groupingids: Sequence[int], *, returngroups: bool = False
    ) -> list[models.Grouping]:
        """core_group_get_groupings (DB-backed: an unknown or phantom id is ``InvalidRecord``).
        With ``returngroups`` each grouping lists its groups, other courses' included (trap 17)."""
        extra = {"returngroups": returngroups}
        return self._read_ids(models.Grouping, "core_group_get_groupings", "groupingids", groupingids, extra)

    def get_groups(self, groupids: Sequence[int]) -> list[models.Group]:
        """core_group_get_groups: groups by id, in request order, names escaped (trap 39).

        NOT in the shipped service (:data:`OPTIONAL_FUNCTIONS`): without it Moodle answers
        ``AccessDenied``; :meth:`get_course_groups` gives the same groups per course.
        """
        return self._read_ids(models.Group, "core_group_get_groups", "groupids", groupids)

    def get_group_members(self, groupids: Sequence[int]) -> list[models.GroupMembers]:
        """core_group_get_group_members; one unknown group fails the call (``InvalidRecord``)."""
        return self._read_ids(models.GroupMembers, "core_group_get_group_members", "groupids", groupids)

    # -- groups and groupings: writes ------------------------------------------------------

    def create_groupings(
        self, groupings: Sequence[models.NewGrouping | Mapping[str, Any]]
    ) -> list[models.Grouping]:
        """core_group_create_groupings (non-idempotent; one transaction per request, trap 26).

        ``idnumber`` is always sent (trap 28). After any failure re-read with
        :meth:`get_groupings` before retrying (trap 27).
        """
        return _parse_answers(
            models.Grouping,
            self._send_creates("core_group_create_groupings", "groupings", models.NewGrouping, groupings),
        )

    def update_groupings(self, groupings: Sequence[models.GroupingUpdate | Mapping[str, Any]]) -> None:
        """core_group_update_groupings; omitted optional fields are left unchanged."""
        self._send("core_group_update_groupings", "groupings", models.GroupingUpdate, groupings)

    def delete_groupings(self, groupingids: Sequence[int]) -> None:
        """core_group_delete_groupings (the groups stay)."""
        self._send_ids("core_group_delete_groupings", "groupingids", groupingids)

    def create_groups(self, groups: Sequence[models.NewGroup | Mapping[str, Any]]) -> list[models.Group]:
        """core_group_create_groups (non-idempotent); results in request order.

        One bad item rolls back its whole request and the error does not say which
        (trap 26); a duplicate idnumber can leave a cached phantom (trap 27). An answer listing
        fewer groups than were sent (PHP cut the request) raises ``RequestCut``; its ``rows``
        are the groups Moodle did create.
        """
        return _parse_answers(
            models.Group, self._send_creates("core_group_create_groups", "groups", models.NewGroup, groups)
        )

    def update_groups(self, groups: Sequence[models.GroupUpdate | Mapping[str, Any]]) -> None:
        """core_group_update_groups; an unknown id is ``InvalidParameter`` here (trap 34)."""
        self._send("core_group_update_groups", "groups", models.GroupUpdate, groups)

    def delete_groups(self, groupids: Sequence[int]) -> None:
        """core_group_delete_groups; missing ids are silently ignored (trap 29)."""
        self._send_ids("core_group_delete_groups", "groupids", groupids)

    def assign_grouping(
        self, assignments: Sequence[models.GroupingAssignment | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_assign_grouping; ``(groupingid, groupid)`` tuples accepted. Idempotent (trap 16);
        a group of another course is accepted silently (trap 17): check courseids first."""
        pairs = _pairs(assignments, "groupingid", "groupid")
        self._send("core_group_assign_grouping", "assignments", models.GroupingAssignment, pairs)

    def unassign_grouping(
        self, unassignments: Sequence[models.GroupingAssignment | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_unassign_grouping; ``(groupingid, groupid)`` tuples accepted."""
        pairs = _pairs(unassignments, "groupingid", "groupid")
        self._send("core_group_unassign_grouping", "unassignments", models.GroupingAssignment, pairs)

    def add_group_members(
        self, members: Sequence[models.Membership | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_add_group_members; ``(groupid, userid)`` tuples accepted.

        Chunked under the variable budget (2,500+ members in one request are cut by PHP and
        rejected, trap 24). Idempotent (trap 16). One non-enrolled member fails its whole
        request with a bare ``InvalidParameter`` (trap 26); suspended enrolments are accepted (trap 18).
        """
        self._send(
            "core_group_add_group_members", "members", models.Membership, _pairs(members, "groupid", "userid")
        )

    def delete_group_members(
        self, members: Sequence[models.Membership | Mapping[str, Any] | tuple[int, int]]
    ) -> None:
        """core_group_delete_group_members; removing a non-member is silent (trap 16)."""
        self._send(
            "core_group_delete_group_members",
            "members",
            models.Membership,
            _pairs(members, "groupid", "userid"),
        )
