"""The supervision list (督办): every late milestone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AlertLevel, User
from crm.models import Visit
from projects.models import PLANNED_STAGES, Replan, actual_field, planned_field
from projects.reminders import REMINDED_STAGES, overdue_ladder
from projects.reports.selectors.common import Column, Table, visible

SUPERVISION_ORDERINGS = [
    "days_late",
    "-days_late",
    "planned",
    "-planned",
    "project",
    "-project",
    "owner",
    "-owner",
    "last_contact",
    "-last_contact",
    "level",
    "-level",
]
DEFAULT_ORDERING = "-days_late"


def supervision_options(query) -> dict:
    """The page's and the download's reading of ?ordering=, ?level= and ?major=: a value
    it does not know falls back to the default (the API answers 400 instead)."""
    ordering = query.get("ordering", DEFAULT_ORDERING)
    level = query.get("level", "")
    return {
        "ordering": ordering if ordering in SUPERVISION_ORDERINGS else DEFAULT_ORDERING,
        "level": level if level in AlertLevel.values else None,
        "major": {"true": True, "false": False}.get(query.get("major", "")),
    }


LEVEL_RANK = {"": 0, "notice": 1, "blue": 2, "yellow": 3, "red": 4}


def _level_for(days: int, ladder: list[tuple[int, str]]) -> str:
    level = ""
    for threshold, rung in ladder:
        if days >= threshold:
            level = rung
    return level


def supervision(
    *,
    user: User,
    today: dt.date | None = None,
    ordering: str = "-days_late",
    major: bool | None = None,
    level: str | None = None,
) -> Table:
    """Every late milestone of a project still being chased: 3 queries."""
    today = today or timezone.localdate()
    ladder = overdue_ladder()
    late = Q()
    for stage in PLANNED_STAGES:
        late |= Q(**{f"{actual_field(stage)}__isnull": True, f"{planned_field(stage)}__lt": today})
    projects = visible(user).filter(late, stage__in=REMINDED_STAGES)
    if major is not None:
        projects = projects.filter(is_major=major)
    last_visit = (
        Visit.objects.filter(organisation=OuterRef("investor_id"))
        .order_by()
        .values("organisation")
        .annotate(d=Max("date"))
    )
    projects = list(
        projects.annotate(last_contact=Subquery(last_visit.values("d")[:1]))
        .select_related("owner", "team", "investor")
        .order_by("pk")
    )
    replans: dict[tuple[int, str], list[Replan]] = defaultdict(list)
    for replan in Replan.objects.filter(project__in=[p.pk for p in projects]).order_by("changed_at", "pk"):
        replans[(replan.project_id, replan.stage)].append(replan)
    table = Table(
        "supervision",
        _("Supervision list: late milestones"),
        [
            Column("project", _("Project"), "text"),
            Column("investor", _("Investor"), "text"),
            Column("stage_label", _("Milestone"), "text"),
            Column("planned", _("Planned"), "date"),
            Column("original_planned", _("First planned"), "date"),
            Column("days_late", _("Days late"), "int"),
            Column("level_label", _("Level"), "text"),
            Column("owner", _("Owner"), "text"),
            Column("team", _("Team"), "text"),
            Column("last_contact", _("Last contact"), "date"),
            Column("replan_count", _("Re-plans"), "int"),
            Column("replan_history", _("Re-plan history"), "text"),
        ],
    )
    from core.models import AlertLevel

    level_labels = dict(AlertLevel.choices)
    for project in projects:
        for stage in PLANNED_STAGES:
            planned = project.planned_date(stage)
            if planned is None or project.actual_date(stage) is not None or planned >= today:
                continue
            days = (today - planned).days
            rung = _level_for(days, ladder)
            if level and rung != level:
                continue
            history = replans.get((project.pk, stage.value), [])
            table.rows.append(
                {
                    "project_id": project.pk,
                    "project": project.name,
                    "investor": project.investor.name,
                    "is_major": project.is_major,
                    "stage": stage.value,
                    "stage_label": str(stage.label),
                    "planned": planned,
                    "original_planned": history[0].old_date if history else planned,
                    "days_late": days,
                    "level": rung,
                    "level_label": str(level_labels.get(rung, "")),
                    "owner_id": project.owner_id,
                    "owner": str(project.owner),
                    "team": project.team.name if project.team else "",
                    "last_contact": project.last_contact,
                    "replan_count": len(history),
                    "replans": [
                        {
                            "old_date": replan.old_date,
                            "new_date": replan.new_date,
                            "reason": replan.reason,
                            "changed_at": replan.changed_at,
                        }
                        for replan in history
                    ],
                    "replan_history": "; ".join(
                        f"{replan.old_date} → {replan.new_date} ({replan.reason})" for replan in history
                    ),
                    "links": {"project": _project_url(project.pk)},
                }
            )
    _sort_supervision(table.rows, ordering if ordering in SUPERVISION_ORDERINGS else "-days_late")
    return table


def _project_url(pk: int) -> str:
    try:
        return reverse("projects:project_detail", args=[pk])
    except NoReverseMatch:
        return reverse("admin:projects_project_change", args=[pk])


def _sort_supervision(rows: list[dict], ordering: str) -> None:
    descending = ordering.startswith("-")
    key = ordering.lstrip("-")
    far = dt.date.min if descending else dt.date.max

    def sort_key(row):
        if key == "level":
            primary: Any = LEVEL_RANK.get(row["level"], 0)
        elif key == "last_contact":
            primary = row["last_contact"] or far
        else:
            primary = row[key]
        return primary

    rows.sort(key=lambda row: (row["days_late"], row["project_id"]), reverse=True)
    rows.sort(key=sort_key, reverse=descending)
