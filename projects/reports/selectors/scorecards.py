"""Officer and team scorecards.

Credit split (projects.credit): a team's new projects, signings and signed investment
count its share of each project (a project split 60/40 is 0.6 of a signing and 60% of
its investment for one team, 0.4 and 40% for the other); a project without a split
counts whole for its own team. Shares are summed exactly in integers, so the teams'
rows add up to the zone's row, which counts every project once. Counts with a share
are shown with two decimals. Milestones stay with the team carrying the project
(Project.team): delivering on time is its duty, not a credit to share. Officers'
rows count the projects they own, whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.i18n import display_name
from core.models import Team, User
from crm.models import Visit
from projects.models import PLANNED_STAGES, ProjectCredit, Stage, actual_field, planned_field
from projects.reports.periods import Period
from projects.reports.selectors.common import Column, Links, Table, _reached, percent, visible, yi


def scorecard_scope(user: User) -> QuerySet:
    """Teams whose scorecards the user sees: all (admin), the department of their teams
    (manager), their own team (officer)."""
    if permissions.is_admin(user):
        return Team.objects.all()
    team_ids = permissions.team_ids_of(user)
    if permissions.is_manager(user):
        departments = Team.objects.filter(pk__in=team_ids, department__isnull=False).values("department_id")
        return Team.objects.filter(Q(pk__in=team_ids) | Q(department_id__in=departments))
    return Team.objects.filter(pk__in=team_ids)


def scorecard_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("visits", _("Visits"), "int"),
        Column("new_projects", _("New projects"), "int"),
        Column("signed", _("Signed"), "int"),
        Column("signed_yi", _("Signed investment (100M yuan)"), "yi"),
        Column("milestones_due", _("Milestones due"), "int"),
        Column("milestones_on_time", _("Reached on time"), "int"),
        Column("milestones_on_time_pct", _("On-time share"), "percent"),
        Column("follow_ups_due", _("Follow-ups due"), "int"),
        Column("follow_ups_on_time", _("Follow-ups on time"), "int"),
        Column("follow_ups_on_time_pct", _("Follow-up on-time share"), "percent"),
    ]


# Counts and amounts a credit split divides between teams.
CREDITED = ("new_projects", "signed", "signed_total")


@dataclass
class Scorecards:
    period: Period
    officers: Table
    teams: Table
    # The zone's row: every project the user may see, counted once.
    zone: Table | None = None


def _hundredths(expression) -> Cast:
    """A two-decimal value as an integer of hundredths (exact on SQLite's floats too)."""
    return Cast(Round(expression * 100), BigIntegerField())


def _credited_by_team(projects: QuerySet, team_ids: list[int], period: Period) -> dict[int, dict]:
    """Per team, its shares of the split projects: counts in shares of a project and
    the amount times the share, exact (integers summed, divided once)."""
    share = _hundredths(F("share"))  # 1/10,000 of a project
    amount = _hundredths(F("project__total_investment")) * share  # 1/1,000,000 of a 万元
    rows = (
        ProjectCredit.objects.filter(project__in=projects.values("pk"), team_id__in=team_ids)
        .order_by()
        .values("team_id")
        .annotate(
            new_projects=Sum(share, filter=_reached(Stage.LEAD, period, "project__")),
            signed=Sum(share, filter=_reached(Stage.SIGNED, period, "project__")),
            signed_total=Sum(amount, filter=_reached(Stage.SIGNED, period, "project__")),
        )
    )
    return {
        row["team_id"]: {
            "new_projects": Decimal(row["new_projects"] or 0) / 10000,
            "signed": Decimal(row["signed"] or 0) / 10000,
            "signed_total": Decimal(row["signed_total"] or 0) / 1000000,
        }
        for row in rows
    }


def _with_credit(plain: dict, credited: dict) -> dict:
    """A team's project aggregates: whole for its unsplit projects, plus its shares."""
    combined = dict(plain)
    for key in CREDITED:
        value = Decimal(plain.get(key) or 0) + credited.get(key, 0)
        # A whole number of projects stays a whole number (an int, as without splits).
        combined[key] = int(value) if key != "signed_total" and value == value.to_integral_value() else value
    return combined


def _scorecard_aggregates(period: Period, today: dt.date) -> tuple[dict, dict]:
    due_until = min(period.end, today)
    project_aggregates: dict[str, Any] = {
        "new_projects": Count("pk", filter=_reached(Stage.LEAD, period)),
        "signed": Count("pk", filter=_reached(Stage.SIGNED, period)),
        "signed_total": Sum("total_investment", filter=_reached(Stage.SIGNED, period)),
    }
    for stage in PLANNED_STAGES:
        due = Q(**{f"{planned_field(stage)}__gte": period.start, f"{planned_field(stage)}__lte": due_until})
        on_time = Q(**{f"{actual_field(stage)}__lte": F(planned_field(stage))})
        project_aggregates[f"due_{stage}"] = Count("pk", filter=due)
        project_aggregates[f"on_time_{stage}"] = Count("pk", filter=due & on_time)
    follow_up_due = Q(follow_up_on__gte=period.start, follow_up_on__lte=due_until)
    visit_aggregates = {
        "visits": Count("pk", filter=Q(date__range=(period.start, period.end))),
        "follow_ups_due": Count("pk", filter=follow_up_due),
        "follow_ups_on_time": Count("pk", filter=follow_up_due & Q(follow_up_done_on__lte=F("follow_up_on"))),
    }
    return project_aggregates, visit_aggregates


def _score(visits: dict, projects: dict) -> dict:
    due = sum(projects.get(f"due_{stage}", 0) for stage in PLANNED_STAGES)
    on_time = sum(projects.get(f"on_time_{stage}", 0) for stage in PLANNED_STAGES)
    follow_ups_due = visits.get("follow_ups_due", 0)
    follow_ups_on_time = visits.get("follow_ups_on_time", 0)
    return {
        "visits": visits.get("visits", 0),
        "new_projects": projects.get("new_projects", 0),
        "signed": projects.get("signed", 0),
        "signed_yi": yi(projects.get("signed_total")),
        "milestones_due": due,
        "milestones_on_time": on_time,
        "milestones_on_time_pct": percent(on_time, due),
        "follow_ups_due": follow_ups_due,
        "follow_ups_on_time": follow_ups_on_time,
        "follow_ups_on_time_pct": percent(follow_ups_on_time, follow_ups_due),
    }


def scorecards(*, user: User, period: Period, today: dt.date | None = None) -> Scorecards:
    """Per officer and per team: 6 queries. An officer sees their own row and team."""
    today = today or timezone.localdate()
    links = Links()
    teams = scorecard_scope(user)
    project_aggregates, visit_aggregates = _scorecard_aggregates(period, today)
    if permissions.is_admin(user) or permissions.is_manager(user):
        people = User.objects.filter(team__in=teams, is_active=True)
    else:
        people = User.objects.filter(pk=user.pk)
    people = list(people.select_related("team").order_by("team__name", "username"))
    person_ids = [person.pk for person in people]
    projects = visible(user)
    visits = Visit.objects.all()
    by_owner_projects = {
        row["owner_id"]: row
        for row in projects.filter(owner_id__in=person_ids).order_by().values("owner_id").annotate(**project_aggregates)
    }
    by_owner_visits = {
        row["owner_id"]: row
        for row in visits.filter(owner_id__in=person_ids).order_by().values("owner_id").annotate(**visit_aggregates)
    }
    # Officers, and anyone else only where they own projects or visits (a manager's row of
    # zeros says nothing about the team).
    people = [
        person
        for person in people
        if person.role == User.Role.OFFICER or person.pk in by_owner_projects or person.pk in by_owner_visits
    ]
    officers = Table("officers", _("Officer scorecards"), scorecard_columns(Column("name", _("Officer"))))
    officers.columns.insert(1, Column("team", _("Team")))
    signed_params = Links.reached(Stage.SIGNED, period)
    for person in people:
        officers.rows.append(
            {
                "user_id": person.pk,
                "name": str(person),
                "team": display_name(person.team),
                **_score(by_owner_visits.get(person.pk, {}), by_owner_projects.get(person.pk, {})),
                "links": {
                    "new_projects": links.url({"owner": person.pk, **Links.reached(Stage.LEAD, period)}),
                    "signed": links.url({"owner": person.pk, **signed_params}),
                    "signed_yi": links.url({"owner": person.pk, **signed_params}),
                },
            }
        )
    team_list = list(teams.order_by("name"))
    team_ids = [team.pk for team in team_list]
    # Split projects count through their shares below; milestones count whole.
    unsplit = ~Q(split=True)
    team_aggregates = {
        **project_aggregates,
        "new_projects": Count("pk", filter=_reached(Stage.LEAD, period) & unsplit),
        "signed": Count("pk", filter=_reached(Stage.SIGNED, period) & unsplit),
        "signed_total": Sum("total_investment", filter=_reached(Stage.SIGNED, period) & unsplit),
        "carries_split": Count("pk", filter=Q(split=True)),
    }
    by_team_projects = {
        row["team_id"]: row
        for row in projects.filter(team_id__in=team_ids)
        .annotate(split=Exists(ProjectCredit.objects.filter(project=OuterRef("pk"))))
        .order_by()
        .values("team_id")
        .annotate(**team_aggregates)
    }
    credited = _credited_by_team(projects, team_ids, period)
    by_team_visits = {
        row["team_id"]: row
        for row in visits.filter(team_id__in=team_ids).order_by().values("team_id").annotate(**visit_aggregates)
    }
    team_table = Table("teams", _("Team scorecards"), scorecard_columns(Column("name", _("Team"))))
    # New projects and signings counted in shares of a project (a split one is a fraction).
    team_table.columns[2].kind = team_table.columns[3].kind = "count"
    for team in team_list:
        team_table.rows.append(
            {
                "team_id": team.pk,
                "name": display_name(team),
                **_score(
                    by_team_visits.get(team.pk, {}),
                    _with_credit(by_team_projects.get(team.pk, {}), credited.get(team.pk, {})),
                ),
                # The project list shows whole projects of a team: it cannot stand behind
                # a number with shares in it, so such a number links nowhere.
                "links": {}
                if team.pk in credited or by_team_projects.get(team.pk, {}).get("carries_split")
                else {
                    "new_projects": links.url({"team": team.pk, **Links.reached(Stage.LEAD, period)}),
                    "signed": links.url({"team": team.pk, **signed_params}),
                    "signed_yi": links.url({"team": team.pk, **signed_params}),
                },
            }
        )
    zone = Table("zone", _("Zone total"), scorecard_columns(Column("name", _("Zone"))))
    zone.rows.append(
        {
            "name": str(_("Zone total")),
            **_score(visits.aggregate(**visit_aggregates), projects.aggregate(**project_aggregates)),
            "links": {
                "new_projects": links.url(Links.reached(Stage.LEAD, period)),
                "signed": links.url(signed_params),
                "signed_yi": links.url(signed_params),
            },
        }
    )
    return Scorecards(period, officers, team_table, zone)
