"""Pieces every report shares: tables of plain rows, links to the project list,
the projects a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from core import permissions
from core.models import User
from projects.models import PIPELINE, Project, Stage, actual_field
from projects.reports.periods import Period

YI = Decimal(10000)  # 万元 in one 亿元
ZERO = Decimal(0)
SIDE_EXIT_STAGES = [Stage.ON_HOLD, Stage.DROPPED]
FUNNEL_STAGES = [*PIPELINE, *SIDE_EXIT_STAGES]
# Stages after signing: a project at one of them has been signed.
SIGNED_OR_LATER = [Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING]
# The milestones the review follows for major projects (planned vs reached).
REVIEW_STAGES = [Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING]


# --- Rows and columns ---------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str | Promise
    kind: str = "text"  # text, int, count (may be a fraction: credit shares), yi (amount in 亿元), percent, date
    # A key for code (links, charts), e.g. "lead" beside its label: not a column for readers.
    internal: bool = False

    def as_dict(self) -> dict:
        return {"key": self.key, "label": str(self.label), "kind": self.kind}

    @staticmethod
    def shown(columns: list[Column]) -> list[Column]:
        return [column for column in columns if not column.internal]


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "columns": [column.as_dict() for column in self.columns],
            "rows": self.rows,
        }


def yi(amount_wan: Decimal | None) -> Decimal:
    """万元 -> 亿元, exact (Decimal)."""
    return (amount_wan or ZERO) / YI


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part/whole in percent, one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def visible(user: User) -> QuerySet:
    return permissions.visible_projects(user, Project.objects.all())


# --- Links to the project list ---------------------------------------------------------------


def project_list_base() -> str:
    """The project list page; Django admin's list until the web list exists."""
    try:
        return reverse("projects:project_list")
    except NoReverseMatch:
        return reverse("admin:projects_project_changelist")


class Links:
    """Builds project-list URLs with projects.filters.ProjectFilter's parameter names.

    Every stage has `<stage>_after` / `<stage>_before` (actual date) and the planned
    stages `<stage>_planned_after` / `_before`; `is_signed` and `mission_region` too.
    """

    def __init__(self) -> None:
        self.base = project_list_base()

    def url(self, params: dict[str, Any]) -> str:
        clean = {key: value for key, value in params.items() if value not in (None, "")}
        return f"{self.base}?{urlencode(clean, doseq=True)}" if clean else self.base

    @staticmethod
    def reached(stage: str, period: Period) -> dict[str, str]:
        return {f"{stage}_after": period.start.isoformat(), f"{stage}_before": period.end.isoformat()}


def _reached(stage: str, period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{actual_field(stage)}__range": (period.start, period.end)})


def _new_projects(user: User) -> QuerySet:
    return visible(user).exclude(stage=Stage.DROPPED)
