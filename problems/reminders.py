"""Problem escalation through the one reminder sweep (projects.reminders): an open
problem past its due date is sent up the ladder of the "problem past its due date" rules
(blue to the officers, yellow to the team's managers, red to the department's managers by
default), each rung exactly once per due date; moving the due date starts again, closing
the problem stops it. Registered from ProblemsConfig.ready().
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import AlertLevel
from problems.models import Problem
from projects import reminder_items
from projects import reminders as sweep
from projects.models import ReminderRule

KIND = ReminderRule.Kind.PROBLEM_OVERDUE
Audience = ReminderRule.Audience


def _parts(window, today, sent):
    problems = Problem.objects.filter(
        sweep.in_window("due_on", window),
        status__in=Problem.OPEN_STATUSES,
        project__is_deleted=False,
    )
    problems = problems.exclude(Exists(sent.filter(item_id=OuterRef("pk"), due_on=OuterRef("due_on"))))
    return [sweep.shape(problems, window.rule, item=F("pk"), due=F("due_on"))]


def _load(ids):
    return Problem.objects.select_related("project__owner", "raised_by", "department").in_bulk(list(ids))


def _recipients(reminder, problem, people):
    if problem is None:
        return []
    project = problem.project
    told = [project.owner, problem.raised_by]
    audience = reminder.rule.audience
    if audience in (Audience.TEAM_MANAGERS, Audience.DEPARTMENT_MANAGERS):
        told += people.of_team(project.team_id)
    if audience == Audience.DEPARTMENT_MANAGERS:
        told += people.of_department_of_team(project.team_id)
    seen, result = set(), []
    for user in told:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result or people.of_team(project.team_id)


def _describe(reminder, problem, today):
    if problem is None:
        return _("A problem that no longer exists"), ""
    late = (today - reminder.due_on).days
    title = _("%(level)s: %(project)s: problem “%(problem)s” is %(days)s late (due %(date)s)") % {
        "level": AlertLevel(reminder.level).label,
        "project": problem.project.name,
        "problem": problem.title,
        "days": ngettext("%(n)s day", "%(n)s days", late) % {"n": late},
        "date": reminder.due_on,
    }
    details = _("Department responsible: %(department)s %(person)s. Status: %(status)s.") % {
        "department": problem.department.name,
        "person": problem.department_contact,
        "status": problem.get_status_display(),
    }
    return title, details


def register() -> None:
    reminder_items.register(
        reminder_items.ItemKind(KIND, parts=_parts, load=_load, recipients=_recipients, describe=_describe)
    )
