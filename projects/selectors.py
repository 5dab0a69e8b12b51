"""Reads of pipeline projects for the web pages: "My work", and the project parts of
organisation and mission pages (registered in crm.selectors.hooks, since crm does
not import projects).

Visibility is applied here, in one place: every project queryset starts from
core.permissions.visible_projects, so a confidential project of another team never
reaches a page of an officer who may not see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.models import Team
from crm import selectors as crm_selectors
from crm.models import Mission, Organisation, Visit
from crm.selectors import TimelineEntry
from projects.models import PIPELINE, PLANNED_STAGES, Project, Stage, StageChange, actual_field, planned_field
from projects.reminders import REMINDED_STAGES, with_overdue_level

if TYPE_CHECKING:
    from core.models import User

DUE_SOON_DAYS = 30
RECENT_VISITS = 10

# Bootstrap colours of the overdue levels (AlertLevel values).
LEVEL_CLASS = {
    "red": "text-bg-danger",
    "yellow": "text-bg-warning",
    "blue": "text-bg-primary",
    "notice": "text-bg-info",
}


def project_url(project: Project) -> str:
    """The project's page; Django admin until the project pages exist (all roles are staff)."""
    try:
        return reverse("projects:project_detail", args=[project.pk])
    except NoReverseMatch:
        return reverse("admin:projects_project_change", args=[project.pk])


def visible(user: User) -> QuerySet:
    return permissions.visible_projects(user, Project.objects.all())


# --- My work ------------------------------------------------------------------------


@dataclass
class Milestone:
    project: Project
    stage: Stage
    planned: dt.date
    days: int  # days late (> 0) or days left (>= 0 for coming ones)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass
class Scope:
    """Whose work the page shows: the user's own, or one or all of a manager's teams."""

    mine: bool
    team_ids: set[int]
    teams: list[Team] = field(default_factory=list)  # what the team filter offers
    selected: str = ""  # "" (default), "me" or a team id


def work_scope(user: User, selected: str = "") -> Scope:
    """Officers see their own work. Managers see their teams' (or one team, or their own
    with "me"); admins see every team's, or one team's."""
    if permissions.is_admin(user):
        teams = list(Team.objects.order_by("name"))
        allowed = {team.pk for team in teams}
    elif permissions.is_manager(user):
        allowed = permissions.team_ids_of(user)
        teams = list(Team.objects.filter(pk__in=allowed).order_by("name"))
    else:
        return Scope(mine=True, team_ids=set(), selected="me")
    if selected == "me":
        return Scope(mine=True, team_ids=set(), teams=teams, selected="me")
    if selected.isdigit() and int(selected) in allowed:
        return Scope(mine=False, team_ids={int(selected)}, teams=teams, selected=selected)
    return Scope(mine=False, team_ids=allowed, teams=teams, selected="")


@dataclass
class MyWork:
    scope: Scope
    overdue: list[Milestone]
    due_soon: list[Milestone]
    follow_ups: list[Visit]
    recent_visits: list[Visit]
    stages: list[dict]
    projects: list[Project]
    today: dt.date


def _scoped_projects(user: User, scope: Scope) -> QuerySet:
    projects = visible(user)
    if scope.mine:
        return projects.filter(owner=user)
    return projects.filter(team_id__in=scope.team_ids)


def _scoped_visits(user: User, scope: Scope) -> QuerySet:
    if scope.mine:
        return crm_selectors.visits_of(user)
    return crm_selectors.visits_of_teams(scope.team_ids)


def my_work(*, user: User, selected: str = "", today: dt.date | None = None) -> MyWork:
    """Everything on the home page, in a fixed number of queries whatever the rows."""
    today = today or timezone.localdate()
    scope = work_scope(user, selected)
    projects = _scoped_projects(user, scope)

    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    unreached = Q()
    for stage in PLANNED_STAGES:
        unreached |= Q(**{f"{actual_field(stage)}__isnull": True, f"{planned_field(stage)}__lte": horizon})
    watched = (
        with_overdue_level(projects.filter(unreached, stage__in=REMINDED_STAGES), today=today)
        .select_related("investor", "owner")
        .order_by("pk")
    )
    overdue: list[Milestone] = []
    due_soon: list[Milestone] = []
    for project in watched:
        for stage in PLANNED_STAGES:
            planned = project.planned_date(stage)
            if not planned or project.actual_date(stage) or planned > horizon:
                continue
            if planned < today:
                overdue.append(Milestone(project, stage, planned, (today - planned).days))
            else:
                due_soon.append(Milestone(project, stage, planned, (planned - today).days))
    overdue.sort(key=lambda milestone: (milestone.planned, milestone.project.pk))
    due_soon.sort(key=lambda milestone: (milestone.planned, milestone.project.pk))

    visits = _scoped_visits(user, scope)
    follow_ups = list(crm_selectors.open_follow_ups(visits, until=horizon)[:50])
    recent = list(visits.select_related("organisation", "mission", "owner").order_by("-date", "-pk")[:RECENT_VISITS])

    by_stage = {
        row["stage"]: row
        for row in projects.order_by().values("stage").annotate(n=Count("pk"), total=Sum("total_investment"))
    }
    stages = [
        {
            "stage": stage,
            "label": stage.label,
            "n": by_stage.get(stage, {}).get("n", 0),
            "total": by_stage.get(stage, {}).get("total") or Decimal(0),
        }
        for stage in Stage
    ]
    order = {stage: index for index, stage in enumerate(list(PIPELINE) + [Stage.ON_HOLD, Stage.DROPPED])}
    listed = list(
        with_overdue_level(projects.exclude(stage=Stage.DROPPED), today=today)
        .select_related("investor", "owner", "team")
        .order_by("-updated_at")[:100]
    )
    listed.sort(key=lambda project: (order.get(project.stage, 99), project.name))
    return MyWork(scope, overdue, due_soon, follow_ups, recent, stages, listed, today)


# --- The project parts of crm pages -------------------------------------------------


def organisation_project_entries(user: User, organisation: Organisation) -> list[TimelineEntry]:
    """The organisation's projects and their stage changes, as the user may see them."""
    projects = list(visible(user).filter(investor=organisation))
    entries = []
    for project in projects:
        day = timezone.localdate(project.created_at)
        entries.append(
            TimelineEntry(
                on=project.lead_on or day,
                kind="project",
                title=_("Project: %(name)s") % {"name": project.name},
                detail=project.get_stage_display(),
                url=project_url(project),
                sort_key=(project.lead_on or day, 1, project.pk),
                obj=project,
            )
        )
    changes = (
        StageChange.objects.filter(project__in=[project.pk for project in projects])
        .select_related("project", "changed_by")
        .order_by("-reached_on", "-pk")
    )
    for change in changes:
        entries.append(
            TimelineEntry(
                on=change.reached_on,
                kind="stage_change",
                title=_("%(project)s: %(from)s → %(to)s")
                % {
                    "project": change.project.name,
                    "from": change.get_from_stage_display(),
                    "to": change.get_to_stage_display(),
                },
                detail=change.note,
                url=project_url(change.project),
                sort_key=(change.reached_on, 2, change.pk),
                obj=change,
            )
        )
    return entries


def mission_project_entries(user: User, mission: Mission) -> list[TimelineEntry]:
    projects = visible(user).filter(source_mission=mission).select_related("investor").order_by("-created_at")
    return [
        TimelineEntry(
            on=project.lead_on or timezone.localdate(project.created_at),
            kind="project",
            title=project.name,
            detail=project.investor.name,
            url=project_url(project),
            badge=project.get_stage_display(),
            obj=project,
        )
        for project in projects
    ]


def organisations_with_active_project(user: User) -> QuerySet:
    return visible(user).filter(stage__in=REMINDED_STAGES).values("investor_id")


def mission_project_counts(user: User, mission_ids: list[int]) -> dict[int, int]:
    rows = (
        visible(user)
        .filter(source_mission_id__in=mission_ids)
        .order_by()
        .values("source_mission_id")
        .annotate(n=Count("pk"))
    )
    return {row["source_mission_id"]: row["n"] for row in rows}


crm_selectors.hooks.organisation_timeline.append(organisation_project_entries)
crm_selectors.hooks.mission_projects.append(mission_project_entries)
crm_selectors.hooks.organisations_with_active_project = organisations_with_active_project
crm_selectors.hooks.mission_project_counts = mission_project_counts
