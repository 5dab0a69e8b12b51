"""Reads of funds in place. Every queryset starts from the projects the user may see
(core.permissions.visible_projects): a confidential project's funds are as hidden as
the project itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Sum

from core import permissions
from core.errors import NotFound
from funds.models import FundsEntry
from projects.models import Project

if TYPE_CHECKING:
    from core.models import User

ZERO = Decimal(0)


def is_signed(project: Project) -> bool:
    """Funds arrive after the signing: a project signed (on a known date or not)."""
    return project.signed_on is not None or project.date_unknown("signed")


def visible_entries(user: User) -> QuerySet[FundsEntry]:
    projects = permissions.visible_projects(user, Project.objects.all())
    return FundsEntry.objects.filter(project__in=projects.values("pk"))


def entry_list(
    *, user: User, project_id: int | None = None, month: dt.date | None = None, year: int | None = None
) -> QuerySet[FundsEntry]:
    """The list of the API and the admin: newest month first, with what a row shows."""
    entries = visible_entries(user).select_related("project", "entered_by")
    if project_id is not None:
        entries = entries.filter(project_id=project_id)
    if month is not None:
        entries = entries.filter(month=month)
    if year is not None:
        entries = entries.filter(month__year=year)
    return entries.order_by("-month", "project_id", "kind")


def entry_for(*, user: User, pk: int) -> FundsEntry:
    entry = entry_list(user=user).filter(pk=pk).first()
    if entry is None:
        raise NotFound("No such funds entry.")
    return entry


@dataclass
class ProjectFunds:
    """What the project page shows: the cumulative funds against the total investment."""

    project: Project
    total: Decimal
    total_usd: Decimal | None
    entries: list[FundsEntry] = field(default_factory=list)
    count: int = 0

    @property
    def percent(self) -> Decimal | None:
        if not self.project.total_investment:
            return None
        return (self.total * 100 / self.project.total_investment).quantize(Decimal("0.1"))

    @property
    def bar_percent(self) -> int:
        return min(int(self.percent or 0), 100)

    @property
    def more(self) -> int:
        return max(self.count - len(self.entries), 0)


def project_funds(*, user: User, project: Project, shown: int = 12) -> ProjectFunds:
    """The project's funds to date and its latest entries: 2 queries, however many."""
    if not permissions.can_view_project(user, project):
        raise NotFound("No such project.")
    entries = FundsEntry.objects.filter(project=project)
    totals = entries.aggregate(total=Sum("amount"), usd=Sum("usd_amount"), count=Count("pk"))
    latest = list(entries.select_related("entered_by").order_by("-month", "kind")[:shown])
    return ProjectFunds(
        project=project,
        total=totals["total"] or ZERO,
        total_usd=totals["usd"],
        entries=latest,
        count=totals["count"],
    )
