"""Who sees and does what: the one place where the office's access rules live.

Every entry point (Django admin, web pages, API, import) asks these functions, and
every list is narrowed by the queryset filters below, so a rule is written once.

Rules (DOMAIN: officer, manager, admin):
- Organisations, missions and visits: every user reads all of them; officers edit
  their own (they own it, or took part in the visit or mission); managers edit
  those of their teams; admins edit everything.
- Projects: officers see every project of their team and the non-confidential
  projects of other teams, and edit only their team's; managers read all and edit
  their teams'; admins do everything. A project hidden from a user behaves as if it
  did not exist.
- Reference data (industries, parks, teams, users): admins only.
- Going back a stage (a correction), restoring a deleted project: admins only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from core.models import User


def is_admin(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin_role)


def is_manager(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_manager_role)


def team_ids_of(user: User) -> set[int]:
    """Teams whose records the user works on: the own team, plus managed teams."""
    if not (user and user.is_authenticated):
        return set()
    cached = getattr(user, "_team_ids_cache", None)
    if cached is None:
        cached = {user.team_id} if user.team_id else set()
        if user.is_manager_role:
            cached |= set(user.managed_teams.values_list("id", flat=True))
        user._team_ids_cache = cached
    return cached


# --- Projects -------------------------------------------------------------------


def visible_projects(user: User, queryset: QuerySet) -> QuerySet:
    """Narrow a project queryset to what the user may see."""
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_admin(user) or is_manager(user):
        return queryset
    return queryset.filter(Q(team_id__in=team_ids_of(user)) | Q(is_confidential=False))


def can_view_project(user: User, project) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_admin(user) or is_manager(user):
        return True
    return project.team_id in team_ids_of(user) or not project.is_confidential


def can_edit_project(user: User, project) -> bool:
    if is_admin(user):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return project.team_id is not None and project.team_id in team_ids_of(user)


def can_delete_project(user: User, project) -> bool:
    """Deleting hides a project; a manager of its team or an admin may do it."""
    return is_admin(user) or (is_manager(user) and can_edit_project(user, project))


def can_restore_project(user: User) -> bool:
    return is_admin(user)


def can_correct_stage(user: User) -> bool:
    """Moving a project back a stage is a correction only an admin may make."""
    return is_admin(user)


# --- Organisations, missions, visits ---------------------------------------------


def can_view_record(user: User, record) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_edit_record(user: User, record) -> bool:
    """Organisations, contacts, missions and visits.

    The record offers `owner_id`, `team_id` and, where people take part,
    `participant_ids()` (visit officers, mission participants and leader).
    """
    if is_admin(user):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_manager(user):
        return record.team_id is not None and record.team_id in team_ids_of(user)
    if record.owner_id == user.pk:
        return True
    participant_ids = getattr(record, "participant_ids", None)
    return bool(participant_ids and user.pk in participant_ids())


def can_edit_contact(user: User, contact) -> bool:
    """Whoever may edit an organisation may edit its people; so may the contact's owner.

    Qualifications follow their organisation the same way (can_edit_record on it)."""
    return can_edit_record(user, contact) or can_edit_record(user, contact.organisation)


def editable_records(user: User, queryset: QuerySet) -> QuerySet:
    """Queryset twin of can_edit_record, for lists of what a user may change.

    The model's PARTICIPANT_FIELDS name the people who may edit besides the owner (a
    visit's officers; a mission's participants and leader), as participant_ids() does."""
    if is_admin(user):
        return queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_manager(user):
        return queryset.filter(team_id__in=team_ids_of(user))
    condition = Q(owner_id=user.pk)
    for field in getattr(queryset.model, "PARTICIPANT_FIELDS", ()):
        condition |= Q(**{field: user.pk})
    return queryset.filter(condition).distinct()


def can_create_record(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- Targets of a chain link ---------------------------------------------------


def can_remove_target(user: User, target) -> bool:
    """Whoever named a chain target may take it off again; so may managers and admins."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return target.added_by_id == user.pk or is_admin(user) or is_manager(user)


# --- Reference data -------------------------------------------------------------


def can_edit_reference_data(user: User) -> bool:
    return is_admin(user)
