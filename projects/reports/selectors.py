"""Pipeline reports (issue 5): one selector per report, aggregated in the database.

The web pages, the JSON endpoints (projects.reports.api) and the exports call these
selectors, so they cannot disagree. Every project queryset starts from
core.permissions.visible_projects: an officer's report never counts a confidential
project of another team.

Each report returns plain rows with column definitions (`Table`): an exporter writes
`columns` as the header and each row's values under them; `row["links"]` (column key
-> URL of the project list that makes up the number) is for the pages only.

Definitions:
- "Reached a stage in the period": the stage's actual date lies in the period. A
  project that was signed and dropped later still counts as signed in the funnel; the
  review's "new projects" leaves dropped ones out.
- Amounts are total investment (总投资), stored in 万元 and reported in 亿元.
- Planned dates are the current plan (after any re-plan); the supervision list shows
  the original plan and each re-plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import Team, User
from crm.models import Industry, Mission, Organisation, Qualification, Visit
from projects.models import (
    PIPELINE,
    PLANNED_STAGES,
    Project,
    Replan,
    Stage,
    Target,
    actual_field,
    planned_field,
)
from projects.reminders import REMINDED_STAGES, overdue_ladder
from projects.reports.periods import Period
from projects.tiers import TIER_FLOORS, Tier, tier_expression

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
    kind: str = "text"  # text, int, yi (amount in 亿元), percent, date

    def as_dict(self) -> dict:
        return {"key": self.key, "label": str(self.label), "kind": self.kind}


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

    `<stage>_after` / `<stage>_before` exist in ProjectFilter for "signed" only; for the
    other stages they are the names the list should add (see README).
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


# --- 1. Pipeline dashboard --------------------------------------------------------------------


def _stage_aggregates(period: Period) -> dict:
    aggregates = {}
    for stage in FUNNEL_STAGES:
        reached = _reached(stage, period)
        aggregates[f"n_{stage}"] = Count("pk", filter=reached)
        aggregates[f"t_{stage}"] = Sum("total_investment", filter=reached)
    return aggregates


def _stage_values(row: dict, links: Links, period: Period, extra: dict) -> dict:
    values: dict[str, Any] = {"links": {}}
    for stage in FUNNEL_STAGES:
        values[f"{stage}_count"] = row.get(f"n_{stage}") or 0
        values[f"{stage}_yi"] = yi(row.get(f"t_{stage}"))
        values["links"][f"{stage}_count"] = links.url({**extra, **Links.reached(stage, period)})
    values["links"]["signed_yi"] = values["links"][f"{Stage.SIGNED}_count"]
    return values


def split_columns(label: str | Promise) -> list[Column]:
    columns = [Column("label", label)]
    for stage in FUNNEL_STAGES:
        columns.append(Column(f"{stage}_count", stage.label, "int"))
    columns.append(Column("signed_yi", _("Signed investment (100M yuan)"), "yi"))
    return columns


def _cluster_expression() -> Case:
    """The industry cluster a project belongs to (its industry, or the industry's parent
    or grandparent: the tree is cluster > chain > link)."""
    return Case(
        When(industry__level=Industry.Level.CLUSTER, then=F("industry_id")),
        When(industry__level=Industry.Level.CHAIN, then=F("industry__parent_id")),
        When(industry__level=Industry.Level.LINK, then=F("industry__parent__parent_id")),
        default=Value(None),
        output_field=IntegerField(),
    )


def _user_label(row: dict, prefix: str) -> str:
    display = row.get(f"{prefix}display_name")
    full = f"{row.get(f'{prefix}first_name') or ''} {row.get(f'{prefix}last_name') or ''}".strip()
    return display or full or row.get(f"{prefix}username") or ""


USER_FIELDS = ["display_name", "first_name", "last_name", "username"]

# Splits of the dashboard: key, title, ProjectFilter parameter.
SPLITS = [
    ("tier", _("By size tier"), "tier"),
    ("cluster", _("By industry cluster"), "industry"),
    ("park", _("By park"), "park"),
    ("capital_origin", _("By capital origin"), "capital_origin"),
    ("source", _("By source"), "source_kind"),
    ("team", _("By team"), "team"),
    ("officer", _("By officer"), "owner"),
]


def _split(key: str, queryset: QuerySet, period: Period, links: Links) -> list[dict]:
    """Rows of one split: (value, label) plus the funnel counts of the value."""
    aggregates = _stage_aggregates(period)
    if key == "tier":
        grouped = queryset.annotate(value=tier_expression()).values("value")
        labels = dict(Tier.choices)
    elif key == "cluster":
        grouped = queryset.annotate(value=_cluster_expression()).values("value")
        labels = None  # names read below, in one query
    elif key == "park":
        grouped = queryset.annotate(value=F("park_id")).values("value", "park__name")
        labels = "park__name"
    elif key == "capital_origin":
        grouped = queryset.annotate(value=F("capital_origin")).values("value")
        labels = dict(Project.CapitalOrigin.choices)
    elif key == "source":
        grouped = queryset.annotate(value=F("source_kind")).values("value")
        labels = dict(Project.SourceKind.choices)
    elif key == "team":
        grouped = queryset.annotate(value=F("team_id")).values("value", "team__name")
        labels = "team__name"
    else:
        grouped = queryset.annotate(value=F("owner_id")).values("value", *[f"owner__{f}" for f in USER_FIELDS])
        labels = "owner"
    rows = list(grouped.annotate(**aggregates).order_by())
    if key == "cluster":
        ids = [row["value"] for row in rows if row["value"]]
        names = dict(Industry.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    param = dict((k, p) for k, _t, p in SPLITS)[key]
    result = []
    for row in rows:
        value = row["value"]
        if key == "cluster":
            label = names.get(value, "")
        elif labels == "owner":
            label = _user_label(row, "owner__")
        elif isinstance(labels, str):
            label = row.get(labels) or ""
        else:
            label = str(labels.get(value, value))
        if value in (None, ""):
            label = str(_("(not set)"))
        # A project list cannot yet filter on "no park", "no team"...: no link then.
        extra = {param: value} if value not in (None, "") else None
        values = _stage_values(row, links, period, extra or {})
        if extra is None:
            values["links"] = {}
        values.update(value=value, label=label, signed_yi=values["signed_yi"])
        result.append(values)
    tier_order = {tier.value: index for index, tier in enumerate(Tier)}
    if key == "tier":
        result.sort(key=lambda r: tier_order.get(r["value"], 99))
    else:
        result.sort(key=lambda r: (-r["signed_yi"], -r["lead_count"], r["label"]))
    return result


def _trend(queryset: QuerySet, period: Period, links: Links) -> Table:
    """Signed investment per month of the period's year, against the year before."""
    year = period.end.year
    rows = (
        queryset.filter(signed_on__range=(dt.date(year - 1, 1, 1), dt.date(year, 12, 31)))
        .annotate(y=ExtractYear("signed_on"), m=ExtractMonth("signed_on"))
        .values("y", "m")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by()
    )
    by_month = {(row["y"], row["m"]): row for row in rows}
    table = Table(
        "trend",
        _("Signed investment by month"),
        [
            Column("month", _("Month"), "int"),
            Column("this_year_yi", _("This year (100M yuan)"), "yi"),
            Column("last_year_yi", _("Same month last year (100M yuan)"), "yi"),
            Column("this_year_count", _("Signed this year"), "int"),
            Column("last_year_count", _("Signed last year"), "int"),
        ],
    )
    for month in range(1, 13):
        this, last = by_month.get((year, month), {}), by_month.get((year - 1, month), {})
        first = dt.date(year, month, 1)
        last_day = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
        this_year = links.url({"signed_after": first, "signed_before": last_day})
        last_year = links.url(
            {"signed_after": first.replace(year=year - 1), "signed_before": _same_day_last_year(last_day)}
        )
        table.rows.append(
            {
                "month": month,
                "this_year_yi": yi(this.get("total")),
                "last_year_yi": yi(last.get("total")),
                "this_year_count": this.get("n", 0),
                "last_year_count": last.get("n", 0),
                "links": {
                    "this_year_yi": this_year,
                    "this_year_count": this_year,
                    "last_year_yi": last_year,
                    "last_year_count": last_year,
                },
            }
        )
    return table


def _same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Dashboard:
    period: Period
    funnel: Table
    splits: list[Table]
    trend: Table
    targets: Table


def dashboard(*, user: User, period: Period, today: dt.date | None = None) -> Dashboard:
    """Funnel by stage, its splits, the monthly trend and the targets: 11 queries and one per target."""
    links = Links()
    projects = visible(user)
    totals = projects.aggregate(**_stage_aggregates(period))
    funnel = Table(
        "funnel",
        _("Projects that reached each stage in the period"),
        [
            Column("stage", _("Stage"), "text"),
            Column("label", _("Stage"), "text"),
            Column("count", _("Projects"), "int"),
            Column("investment_yi", _("Total investment (100M yuan)"), "yi"),
        ],
    )
    for stage in FUNNEL_STAGES:
        funnel.rows.append(
            {
                "stage": stage.value,
                "label": str(stage.label),
                "count": totals[f"n_{stage}"] or 0,
                "investment_yi": yi(totals[f"t_{stage}"]),
                "links": {
                    "count": links.url(Links.reached(stage, period)),
                    "investment_yi": links.url(Links.reached(stage, period)),
                },
            }
        )
    in_period = Q()
    for stage in FUNNEL_STAGES:
        in_period |= _reached(stage, period)
    active = projects.filter(in_period)
    splits = [
        Table(key, title, split_columns(title), _split(key, active, period, links)) for key, title, _param in SPLITS
    ]
    return Dashboard(
        period=period,
        funnel=funnel,
        splits=splits,
        trend=_trend(projects, period, links),
        targets=targets_progress(user=user, today=today),
    )


# --- 2. The annual / monthly review --------------------------------------------------------


@dataclass
class LateMilestone:
    project_id: int
    name: str
    stage: str
    planned: dt.date
    reached: dt.date | None
    days_late: int


@dataclass
class MajorMilestones:
    stage: str
    planned: int
    reached: int
    late: list[LateMilestone]

    @property
    def all_reached(self) -> bool:
        return self.planned > 0 and self.reached == self.planned


@dataclass
class Review:
    period: Period
    today: dt.date
    new_projects: Table  # per tier
    above_threshold_count: int  # 亿元以上
    above_threshold_yi: Decimal
    above_1b_count: int  # 10亿元以上
    above_10b_count: int  # 100亿元以上
    new_total_count: int
    new_total_yi: Decimal
    majors: list[MajorMilestones]
    milestones: Table
    paragraphs: dict[str, str] = field(default_factory=dict)

    def major(self, stage: str) -> MajorMilestones:
        return next(m for m in self.majors if m.stage == stage)


def _new_projects(user: User) -> QuerySet:
    return visible(user).exclude(stage=Stage.DROPPED)


def review(*, user: User, period: Period, today: dt.date | None = None) -> Review:
    """The figures of the manager's paragraph and the table under it: 3 queries."""
    from projects.reports import review as wording

    today = today or timezone.localdate()
    links = Links()
    live_stages = [stage.value for stage in Stage if stage != Stage.DROPPED]
    signed = _new_projects(user).filter(signed_on__range=(period.start, period.end))
    per_tier = {
        row["tier"]: row
        for row in signed.annotate(tier=tier_expression())
        .values("tier")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .order_by()
    }
    new_projects = Table(
        "new_projects",
        _("New projects signed, by size tier"),
        [
            Column("tier", _("Tier"), "text"),
            Column("label", _("Tier"), "text"),
            Column("count", _("Projects"), "int"),
            Column("investment_yi", _("Total investment (100M yuan)"), "yi"),
        ],
    )
    signed_params = {"signed_after": period.start, "signed_before": period.end, "stage": live_stages}
    for tier in reversed(list(Tier)):
        row = per_tier.get(tier.value, {})
        new_projects.rows.append(
            {
                "tier": tier.value,
                "label": str(tier.label),
                "count": row.get("n", 0),
                "investment_yi": yi(row.get("total")),
                "links": dict.fromkeys(("count", "investment_yi"), links.url({**signed_params, "tier": tier.value})),
            }
        )
    above = [tier.value for _floor, tier in TIER_FLOORS]
    above_count = sum(per_tier.get(t, {}).get("n", 0) for t in above)
    above_total = sum((per_tier.get(t, {}).get("total") or ZERO for t in above), ZERO)
    new_projects.rows.append(
        {
            "tier": "total",
            "label": str(_("Total")),
            "count": sum(row.get("n", 0) for row in per_tier.values()),
            "investment_yi": yi(sum((row.get("total") or ZERO for row in per_tier.values()), ZERO)),
            "links": dict.fromkeys(("count", "investment_yi"), links.url(signed_params)),
        }
    )

    majors = _major_milestones(user, period, today)
    milestones = Table(
        "major_milestones",
        _("Major projects: planned and reached"),
        [
            Column("stage", _("Milestone"), "text"),
            Column("label", _("Milestone"), "text"),
            Column("planned", _("Planned in the period"), "int"),
            Column("reached", _("Reached"), "int"),
            Column("late", _("Late"), "text"),
        ],
    )
    for major in majors:
        milestones.rows.append(
            {
                "stage": major.stage,
                "label": str(Stage(major.stage).label),
                "planned": major.planned,
                "reached": major.reached,
                "late": wording.late_text(major.late, translation.get_language() or "zh-hans"),
                "late_projects": [
                    {
                        "project_id": late.project_id,
                        "name": late.name,
                        "planned": late.planned,
                        "reached": late.reached,
                        "days_late": late.days_late,
                    }
                    for late in major.late
                ],
                "links": {},
            }
        )
    result = Review(
        period=period,
        today=today,
        new_projects=new_projects,
        above_threshold_count=above_count,
        above_threshold_yi=yi(above_total),
        above_1b_count=sum(per_tier.get(t, {}).get("n", 0) for t in (Tier.ABOVE_1B, Tier.ABOVE_10B)),
        above_10b_count=per_tier.get(Tier.ABOVE_10B.value, {}).get("n", 0),
        new_total_count=new_projects.rows[-1]["count"],
        new_total_yi=new_projects.rows[-1]["investment_yi"],
        majors=majors,
        milestones=milestones,
    )
    result.paragraphs = {"zh-hans": wording.paragraph(result, "zh-hans"), "en": wording.paragraph(result, "en")}
    return result


def _major_milestones(user: User, period: Period, today: dt.date) -> list[MajorMilestones]:
    """Major projects whose (current) planned date for a stage falls in the period, and
    whether they reached it by the end of the period. Late: not reached by then (or
    reached after the period), with the planned date already past."""
    majors = _new_projects(user).filter(is_major=True)
    aggregates = {}
    late_condition = Q()
    for stage in REVIEW_STAGES:
        planned = Q(**{f"{planned_field(stage)}__range": (period.start, period.end)})
        reached = Q(**{f"{actual_field(stage)}__lte": period.end})
        aggregates[f"planned_{stage}"] = Count("pk", filter=planned)
        aggregates[f"reached_{stage}"] = Count("pk", filter=planned & reached)
        late_condition |= planned & ~reached & Q(**{f"{planned_field(stage)}__lt": today})
    counts = majors.aggregate(**aggregates)
    fields = ["pk", "name"] + [f(stage) for stage in REVIEW_STAGES for f in (planned_field, actual_field)]
    late_rows = majors.filter(late_condition).order_by("pk").values(*fields)
    result = []
    for stage in REVIEW_STAGES:
        late = []
        for row in late_rows:
            planned, reached = row[planned_field(stage)], row[actual_field(stage)]
            if planned is None or not period.start <= planned <= period.end or planned >= today:
                continue
            if reached is not None and reached <= period.end:
                continue
            days = ((reached or today) - planned).days
            late.append(LateMilestone(row["pk"], row["name"], stage.value, planned, reached, days))
        late.sort(key=lambda item: (-item.days_late, item.name))
        result.append(
            MajorMilestones(stage.value, counts[f"planned_{stage}"] or 0, counts[f"reached_{stage}"] or 0, late)
        )
    return result


# --- 3. Supervision list (督办) -----------------------------------------------------------------

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


# --- 4. Mission effectiveness ------------------------------------------------------------------


def _count_subquery(queryset: QuerySet, group: str, expression, output_field=None) -> Coalesce:
    """A per-row aggregate over another table, 0 when there is nothing to aggregate."""
    output_field = output_field or IntegerField()
    subquery = queryset.order_by().values(group).annotate(v=expression).values("v")[:1]
    return Coalesce(Subquery(subquery, output_field=output_field), Value(0), output_field=output_field)


def mission_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("missions", _("Missions"), "int"),
        Column("visits", _("Visits"), "int"),
        Column("organisations", _("Organisations met"), "int"),
        Column("projects", _("Projects from it"), "int"),
        Column("signed", _("Of which signed"), "int"),
        Column("signed_yi", _("Signed investment (100M yuan)"), "yi"),
        Column("visit_to_project", _("Projects per 100 visits"), "percent"),
        Column("project_to_signed", _("Signed share of projects"), "percent"),
    ]


@dataclass
class MissionReport:
    period: Period
    missions: Table
    regions: Table


def missions(*, user: User, period: Period) -> MissionReport:
    """Missions that started in the period, and the same per region: 4 queries."""
    links = Links()
    in_period = Mission.objects.filter(start_date__range=(period.start, period.end))
    projects = visible(user)
    signed = projects.filter(signed_on__isnull=False)
    visits = Visit.objects.all()
    rows = (
        in_period.annotate(
            n_visits=_count_subquery(visits.filter(mission=OuterRef("pk")), "mission", Count("pk")),
            n_organisations=_count_subquery(
                visits.filter(mission=OuterRef("pk")), "mission", Count("organisation", distinct=True)
            ),
            n_projects=_count_subquery(projects.filter(source_mission=OuterRef("pk")), "source_mission", Count("pk")),
            n_signed=_count_subquery(signed.filter(source_mission=OuterRef("pk")), "source_mission", Count("pk")),
            signed_total=_count_subquery(
                signed.filter(source_mission=OuterRef("pk")),
                "source_mission",
                Sum("total_investment"),
                DecimalField(max_digits=20, decimal_places=2),
            ),
        )
        .order_by("start_date", "pk")
        .values(
            "pk",
            "title",
            "region",
            "start_date",
            "n_visits",
            "n_organisations",
            "n_projects",
            "n_signed",
            "signed_total",
        )
    )
    regions = dict(Mission.Region.choices)
    mission_table = Table("missions", _("Mission effectiveness"), mission_columns(Column("title", _("Mission"))))
    mission_table.columns[1:2] = [Column("region_label", _("Region")), Column("start_date", _("Start"), "date")]
    for row in rows:
        mission_table.rows.append(
            {
                "mission_id": row["pk"],
                "title": row["title"],
                "region": row["region"],
                "region_label": str(regions.get(row["region"], row["region"])),
                "start_date": row["start_date"],
                **_effect(
                    row["n_visits"], row["n_organisations"], row["n_projects"], row["n_signed"], row["signed_total"]
                ),
                "links": {
                    "projects": links.url({"source_mission": row["pk"]}),
                    "signed": links.url({"source_mission": row["pk"], "signed_after": "1900-01-01"}),
                    "signed_yi": links.url({"source_mission": row["pk"], "signed_after": "1900-01-01"}),
                },
            }
        )

    per_region_missions = dict(in_period.order_by().values("region").annotate(n=Count("pk")).values_list("region", "n"))
    per_region_visits = {
        row["mission__region"]: row
        for row in visits.filter(mission__in=in_period)
        .order_by()
        .values("mission__region")
        .annotate(n=Count("pk"), orgs=Count("organisation", distinct=True))
    }
    per_region_projects = {
        row["source_mission__region"]: row
        for row in projects.filter(source_mission__in=in_period)
        .order_by()
        .values("source_mission__region")
        .annotate(
            n=Count("pk"),
            signed=Count("pk", filter=Q(signed_on__isnull=False)),
            total=Sum("total_investment", filter=Q(signed_on__isnull=False)),
        )
    }
    region_table = Table("regions", _("Mission effectiveness by region"), mission_columns(Column("label", _("Region"))))
    for region, label in Mission.Region.choices:
        if region not in per_region_missions:
            continue
        v, p = per_region_visits.get(region, {}), per_region_projects.get(region, {})
        region_table.rows.append(
            {
                "region": region,
                "label": str(label),
                "missions": per_region_missions[region],
                **_effect(v.get("n", 0), v.get("orgs", 0), p.get("n", 0), p.get("signed", 0), p.get("total")),
                "links": {},
            }
        )
    return MissionReport(period, mission_table, region_table)


def _effect(visits: int, organisations: int, projects: int, signed: int, total) -> dict:
    return {
        "visits": visits,
        "organisations": organisations,
        "projects": projects,
        "signed": signed,
        "signed_yi": yi(total),
        "visit_to_project": percent(projects, visits),
        "project_to_signed": percent(signed, projects),
    }


# --- 5. Officer and team scorecards -----------------------------------------------------------


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


@dataclass
class Scorecards:
    period: Period
    officers: Table
    teams: Table


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
    officers = Table("officers", _("Officer scorecards"), scorecard_columns(Column("name", _("Officer"))))
    officers.columns.insert(1, Column("team", _("Team")))
    signed_params = Links.reached(Stage.SIGNED, period)
    for person in people:
        officers.rows.append(
            {
                "user_id": person.pk,
                "name": str(person),
                "team": person.team.name if person.team else "",
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
    by_team_projects = {
        row["team_id"]: row
        for row in projects.filter(team_id__in=team_ids).order_by().values("team_id").annotate(**project_aggregates)
    }
    by_team_visits = {
        row["team_id"]: row
        for row in visits.filter(team_id__in=team_ids).order_by().values("team_id").annotate(**visit_aggregates)
    }
    team_table = Table("teams", _("Team scorecards"), scorecard_columns(Column("name", _("Team"))))
    for team in team_list:
        team_table.rows.append(
            {
                "team_id": team.pk,
                "name": team.name,
                **_score(by_team_visits.get(team.pk, {}), by_team_projects.get(team.pk, {})),
                "links": {
                    "new_projects": links.url({"team": team.pk, **Links.reached(Stage.LEAD, period)}),
                    "signed": links.url({"team": team.pk, **signed_params}),
                    "signed_yi": links.url({"team": team.pk, **signed_params}),
                },
            }
        )
    return Scorecards(period, officers, team_table)


# --- 6. Targets ----------------------------------------------------------------------------


def _tier_floor(tier: str) -> Decimal:
    return {t.value: floor for floor, t in TIER_FLOORS}.get(tier, ZERO)


def target_actual(target: Target, user: User, today: dt.date) -> Decimal:
    """The metric's value now, computed from the records (one query)."""
    Metric = Target.Metric
    window = (target.starts_on, min(target.deadline, today))
    in_zone = Organisation.objects.filter(is_in_zone=True)
    kinds = {
        Metric.HIGH_TECH: [Qualification.Kind.HIGH_TECH],
        Metric.SPECIALISED: [Qualification.Kind.SPECIALISED_SME, Qualification.Kind.LITTLE_GIANT],
        Metric.LITTLE_GIANTS: [Qualification.Kind.LITTLE_GIANT],
    }
    if target.metric in kinds:
        return Decimal(in_zone.filter(qualifications__kind__in=kinds[target.metric]).distinct().count())
    if target.metric == Metric.LISTED_TOTAL:
        return Decimal(in_zone.filter(listed_on__isnull=False, listed_on__lte=today).count())
    if target.metric == Metric.LISTED_NEW:
        return Decimal(in_zone.filter(listed_on__range=window).count())
    if target.metric == Metric.RND_INSTITUTES:
        return Decimal(in_zone.filter(kind=Organisation.Kind.RND_INSTITUTE).count())
    # A dropped project's investment will not come: targets leave it out, as the review does.
    projects = _new_projects(user).filter(total_investment__gte=_tier_floor(target.min_tier))
    if target.metric == Metric.SIGNED_INVESTMENT:
        return yi(projects.filter(signed_on__range=window).aggregate(t=Sum("total_investment"))["t"])
    if target.metric == Metric.SIGNED_PROJECTS:
        return Decimal(projects.filter(signed_on__range=window).count())
    return Decimal(projects.filter(started_on__range=window).count())


def time_elapsed(starts_on: dt.date, deadline: dt.date, today: dt.date) -> Decimal:
    """Share of the window's days gone by the end of today, in percent (时序进度)."""
    total = (deadline - starts_on).days + 1
    gone = min(max((today - starts_on).days + 1, 0), total)
    return (Decimal(gone) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def targets_progress(*, user: User, today: dt.date | None = None) -> Table:
    """Active targets with progress against the value and against time: 1 + 1 per target."""
    today = today or timezone.localdate()
    table = Table(
        "targets",
        _("Targets"),
        [
            Column("name", _("Target"), "text"),
            Column("metric_label", _("Metric"), "text"),
            Column("value", _("Target value"), "text"),
            Column("actual", _("Now"), "text"),
            Column("done_pct", _("Done"), "percent"),
            Column("time_pct", _("Time elapsed"), "percent"),
            Column("deadline", _("Deadline"), "date"),
        ],
    )
    links = Links()
    live_stages = [stage.value for stage in Stage if stage != Stage.DROPPED]
    for target in Target.objects.filter(is_active=True).order_by("deadline", "name"):
        actual = target_actual(target, user, today)
        row_links = {}
        if target.metric in Target.PROJECT_METRICS:
            reached = "started" if target.metric == Target.Metric.STARTED_PROJECTS else "signed"
            until = min(target.deadline, today)
            params = {"stage": live_stages, f"{reached}_after": target.starts_on, f"{reached}_before": until}
            if target.min_tier:
                params["min_investment"] = _tier_floor(target.min_tier)
            row_links["actual"] = links.url(params)
        done = (actual * 100 / target.value).quantize(Decimal("0.1"))
        elapsed = time_elapsed(target.starts_on, target.deadline, today)
        table.rows.append(
            {
                "target_id": target.pk,
                "name": target.name,
                "metric": target.metric,
                "metric_label": str(target.get_metric_display()),
                "min_tier": target.min_tier,
                "value": target.value,
                "actual": actual,
                "done_pct": done,
                "time_pct": elapsed,
                "on_track": done >= elapsed,
                "starts_on": target.starts_on,
                "deadline": target.deadline,
                "links": row_links,
            }
        )
    return table
