"""Writes of problems (项目诉求): raise or edit one, move its status, and the aftercare
visit that raises one in the same save. Every entry point (page, API, admin) calls these.

Who may write: whoever may edit the project (its team, the team's managers, admins).
Anyone who can see the project can read its problems (problems.selectors).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import DomainError, NotFound, NotPermitted
from core.models import User
from core.records import full_clean_or_refuse
from crm import services as crm_services
from crm.models import Contact, Visit
from problems.models import Problem
from projects.models import Project

Status = Problem.Status
REFUSAL = _("Only the project's team, its managers and admins can record its problems.")


def _check_may_change(project: Project, by: User) -> None:
    if not permissions.can_view_project(by, project):
        raise NotFound(_("No such project."))
    if not permissions.can_edit_project(by, project):
        raise NotPermitted(REFUSAL)


def _check_dates(problem: Problem, today: dt.date) -> None:
    if problem.raised_on and problem.raised_on > today:
        raise DomainError(
            _("A problem is recorded once it has been raised: %(date)s is in the future.")
            % {"date": problem.raised_on},
            field="raised_on",
        )
    if problem.due_on and problem.raised_on and problem.due_on < problem.raised_on:
        raise DomainError(_("The due date cannot be before the day the problem was raised."), field="due_on")
    if problem.department_id and not problem.department.is_active:
        raise DomainError(_("This department is no longer in use: pick another."), field="department")


@transaction.atomic
def problem_save(*, problem: Problem, by: User) -> Problem:
    """Raise a problem (new) or correct its description, department or due date.

    The status moves only through problem_change_status, so a closing always has its note."""
    today = timezone.localdate()
    project = Project.objects.select_for_update().filter(pk=problem.project_id).first()
    if project is None:
        raise NotFound(_("No such project."))
    _check_may_change(project, by)
    if problem._state.adding:
        problem.raised_by = problem.raised_by if problem.raised_by_id else by
        problem.raised_on = problem.raised_on or today
        problem.status, problem.closed_on, problem.resolution = Status.OPEN, None, ""
    else:
        stored = Problem.objects.select_for_update().filter(pk=problem.pk).first()
        if stored is None:
            raise NotFound(_("This problem no longer exists."))
        if stored.project_id != problem.project_id:
            raise DomainError(
                _("A problem stays with its project: raise a new one on the other project."), field="project"
            )
        # What only problem_change_status moves stays as stored.
        problem.status, problem.closed_on, problem.resolution = stored.status, stored.closed_on, stored.resolution
        problem.raised_by_id = stored.raised_by_id
    problem.title = (problem.title or "").strip()
    _check_dates(problem, today)
    full_clean_or_refuse(problem, exclude=["project", "raised_by", "visit"])
    problem._history_user = by
    problem.save()
    return problem


@transaction.atomic
def problem_change_status(
    *, problem: Problem, to_status: str, by: User, resolution: str = "", on: dt.date | None = None
) -> Problem:
    """Move a problem to `to_status`. Closing (solved, cannot be solved) needs a note
    saying how, and is dated `on` (today by default); reopening clears the date and
    keeps the old note for the record. The same status again changes nothing."""
    today = timezone.localdate()
    locked = Problem.objects.select_for_update().select_related("project").filter(pk=problem.pk).first()
    if locked is None:
        raise NotFound(_("This problem no longer exists."))
    _check_may_change(locked.project, by)
    if to_status not in Status.values:
        raise DomainError(_("Pick one of the statuses offered."), field="status")
    resolution = (resolution or "").strip()
    if to_status == locked.status and to_status in Problem.OPEN_STATUSES:
        return locked
    if to_status in Problem.CLOSED_STATUSES:
        if not resolution:
            raise DomainError(
                _("Say how the problem was solved, or why it cannot be, before closing it."), field="resolution"
            )
        on = on or today
        if on > today:
            raise DomainError(
                _("A problem is closed once it is: %(date)s is in the future.") % {"date": on}, field="on"
            )
        if on < locked.raised_on:
            raise DomainError(_("A problem cannot be closed before it was raised."), field="on")
        locked.closed_on, locked.resolution = on, resolution
    else:
        locked.closed_on = None
        if resolution:
            locked.resolution = resolution
    locked.status = to_status
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def aftercare_visit_save(
    *,
    visit: Visit,
    by: User,
    contacts: list[Contact] | None = None,
    problem: Problem | None = None,
) -> tuple[Visit, Problem | None]:
    """Log an aftercare visit (服务走访) and, when the company raised one, its problem, in
    one transaction: a problem refused (no department, a bad date) keeps the visit unsaved too."""
    visit.kind = Visit.Kind.AFTERCARE
    visit = crm_services.visit_save(visit=visit, by=by, officers=[by], contacts=contacts)
    if problem is not None:
        if problem.project.investor_id != visit.organisation_id:
            raise DomainError(_("The problem must be about a project of the company visited."), field="project")
        problem.visit = visit
        problem.raised_on = visit.date
        problem = problem_save(problem=problem, by=by)
    return visit, problem


@transaction.atomic
def problem_delete(*, problem: Problem, by: User) -> None:
    """Remove a problem recorded by mistake (admins only: a real one is closed instead)."""
    if not permissions.is_admin(by):
        raise NotPermitted(_("Only admins delete problems; close it as cannot be solved instead."))
    problem.delete()
