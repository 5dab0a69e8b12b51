"""Open problems (app problems) in the calendar feed and the morning brief.

Outbound sits above problems (INSTALLED_APPS order), so it reads problems here and
problems never imports outbound. The feed shows a user the due dates of the open
problems of their own projects or raised by them (a manager's cover their teams), as
hidden as the project; the brief names the overdue ones of the projects its channel may
show.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import permissions
from core.models import User
from outbound.feeds import FEED_SOURCES, Event, event_host
from outbound.models import Channel
from outbound.selectors import BRIEF_SECTIONS, absolute, project_scope
from problems.models import Problem
from problems.selectors import visible_problems

LISTED = 10  # overdue problems named in the brief; the rest are counted


def _of(user: User) -> Q:
    """The user's problems (own projects, or raised by them), or those of their teams."""
    mine = Q(project__owner=user) | Q(raised_by=user)
    if permissions.is_manager(user) or permissions.is_admin(user):
        teams = permissions.team_ids_of(user)
        if teams:
            mine |= Q(project__team_id__in=teams)
    return mine


def problem_events(user: User, first: dt.date, last: dt.date) -> list[Event]:
    problems = (
        visible_problems(user)
        .filter(_of(user), status__in=Problem.OPEN_STATUSES, due_on__range=(first, last))
        .select_related("project", "department")
    )
    return [
        Event(
            uid=f"problem-{problem.pk}@{event_host()}",
            day=problem.due_on,
            summary=_("%(project)s: %(problem)s due") % {"project": problem.project.name, "problem": problem.title},
            url=absolute(problem.get_absolute_url()),
            description=" ".join(part for part in (problem.department.name, problem.department_contact) if part),
        )
        for problem in problems
    ]


def overdue_problems(channel: Channel, today: dt.date) -> list[str]:
    """The brief's section: open problems past their due date, oldest due first; nothing
    when none is overdue."""
    problems = Problem.objects.filter(
        project_scope(channel, "project__"),
        project__is_deleted=False,
        status__in=Problem.OPEN_STATUSES,
        due_on__lt=today,
    ).select_related("project", "department")
    listed = list(problems.order_by("due_on", "pk")[: LISTED + 1])
    if not listed:
        return []
    total = len(listed) if len(listed) <= LISTED else problems.count()
    heading = _("Problems overdue")
    lines = [f"**{heading}** {total}"]
    for problem in listed[:LISTED]:
        late = (today - problem.due_on).days
        lines.append(
            f"- [{problem.title}]({absolute(problem.get_absolute_url())}) · {problem.project.name} · "
            f"{problem.department.name} · " + ngettext("%(days)s day late", "%(days)s days late", late) % {"days": late}
        )
    if total > LISTED:
        more = total - LISTED
        lines.append(ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more})
    return lines


def register() -> None:
    if problem_events not in FEED_SOURCES:
        FEED_SOURCES.append(problem_events)
    if overdue_problems not in BRIEF_SECTIONS:
        BRIEF_SECTIONS.append(overdue_problems)
