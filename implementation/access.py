"""Who may do what in the matrix. Read this table, not scattered role checks.

- The secretariat (admins) changes everything: the clusters, who owns them, every row.
- A working group changes the rows of the clusters it owns: its lead and members, whatever their
  role above observer; editors also change rows of clusters nobody owns yet.
- Members read everything; observers read the matrix and the assessments marked as shared.
"""

from __future__ import annotations

from coalitions.models import Membership, Role

from .models import Assessment, Cluster


def can_manage(membership: Membership) -> bool:
    return membership.is_admin


def can_edit_cluster(membership: Membership, cluster: Cluster, group_ids: set[int]) -> bool:
    """`group_ids`: the working groups the person leads or belongs to (see my_groups)."""
    if membership.is_admin:
        return True
    if cluster.working_group_id is None:
        return membership.can_edit
    return membership.has_role(Role.MEMBER) and cluster.working_group_id in group_ids


def my_groups(membership: Membership) -> set[int]:
    from coalitions.models import WorkingGroup

    return set(
        WorkingGroup.objects.filter(coalition_id=membership.coalition_id, members=membership).values_list("pk", flat=True)
    ) | set(WorkingGroup.objects.filter(coalition_id=membership.coalition_id, lead=membership).values_list("pk", flat=True))


def sees(membership: Membership, assessment: Assessment | None) -> bool:
    return assessment is not None and (assessment.shared or membership.has_role(Role.MEMBER))
