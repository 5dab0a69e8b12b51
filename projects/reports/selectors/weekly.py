"""The leadership's weekly list (领导周报清单): leads and projects of 5亿 and above that
are new or moved this week.

A week runs Monday to Sunday (the zone's local dates). "New": noted as a lead in the
week, or entered in the week (an older lead typed in now is news to the leadership
too). "Moved": reached a stage in the week (a stage change dated in the week; an
admin's correction is not a move). A project both new and moved is listed once, with
everything that happened. Leads are projects at the lead stage (线索).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.i18n import display_name
from core.models import User
from projects.models import Stage, StageChange
from projects.reports.selectors.common import Column, Table, visible, yi

# 5亿 (500M yuan) in 万元: the floor the leadership asks for.
WEEKLY_FLOOR = Decimal(50000)


@dataclass
class Weekly:
    start: dt.date
    end: dt.date
    floor: Decimal  # in 万元
    table: Table

    @property
    def floor_yi(self) -> Decimal:
        return yi(self.floor)

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def following(self) -> dt.date:
        return self.start + dt.timedelta(days=7)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def parse_week(value: str | None, today: dt.date | None = None) -> dt.date:
    """The Monday of the week of `value` (any date of it, YYYY-MM-DD); this week when
    empty. ValueError with a message for anything else."""
    today = today or timezone.localdate()
    if not value:
        return week_of(today)[0]
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("Give the week as a date, YYYY-MM-DD.")) from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise ValueError(_("Give the week as a date, YYYY-MM-DD."))
    return week_of(day)[0]


def weekly_list(*, user: User, week: dt.date, floor: Decimal = WEEKLY_FLOOR) -> Weekly:
    """The projects of `floor` 万元 and above, visible to the user, new or moved in the
    week of `week`, biggest first: 2 queries, whatever the number of rows."""
    start, end = week_of(week)
    zone = timezone.get_default_timezone()
    moves = StageChange.objects.filter(reached_on__range=(start, end), is_correction=False)
    projects = (
        visible(user)
        .filter(total_investment__gte=floor)
        .filter(
            Q(lead_on__range=(start, end))
            | Q(created_at__date__range=(start, end))
            | Exists(moves.filter(project=OuterRef("pk")))
        )
        .select_related("investor", "team", "owner")
        .prefetch_related(Prefetch("stage_changes", queryset=moves.order_by("reached_on", "id"), to_attr="week_moves"))
        .order_by("-total_investment", "name", "id")
    )
    table = Table(
        "weekly",
        gettext_lazy("New and moved this week"),
        [
            Column("project", gettext_lazy("Project")),
            Column("investor", gettext_lazy("Investor")),
            Column("amount_yi", gettext_lazy("Total investment (100M yuan)"), "yi"),
            Column("stage_label", gettext_lazy("Stage now")),
            Column("what", gettext_lazy("This week")),
            Column("team", gettext_lazy("Team")),
            Column("owner", gettext_lazy("Owner")),
            Column("major", gettext_lazy("Major project")),
        ],
    )
    for project in projects:
        events = []
        created_on = timezone.localtime(project.created_at, zone).date() if project.created_at else None
        if (project.lead_on and start <= project.lead_on <= end) or (created_on and start <= created_on <= end):
            events.append(_("New lead") if project.stage == Stage.LEAD else _("New"))
        for move in project.week_moves:
            events.append(
                _("%(from)s → %(to)s on %(date)s")
                % {
                    "from": Stage(move.from_stage).label,
                    "to": Stage(move.to_stage).label,
                    "date": move.reached_on.isoformat(),
                }
            )
        table.rows.append(
            {
                "project_id": project.pk,
                "project": project.name,
                "investor": display_name(project.investor),
                "amount_yi": yi(project.total_investment),
                "stage": project.stage,
                "stage_label": str(project.get_stage_display()),
                "what": "; ".join(str(event) for event in events),
                "team": display_name(project.team) if project.team_id else "",
                "owner": str(project.owner),
                "major": _("Yes") if project.is_major else "",
                "links": {"project": reverse("projects:project_detail", args=[project.pk])},
            }
        )
    return Weekly(start, end, floor, table)
