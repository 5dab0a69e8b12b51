"""The pipeline dashboard: funnel by stage, its splits, the monthly trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.i18n import name_expression, name_sql
from core.models import Team, User
from crm.models import Industry, Park
from projects.models import Project, Stage
from projects.reports.landed import figures, landed_table
from projects.reports.periods import Period
from projects.reports.selectors.common import FUNNEL_STAGES, Column, Links, Table, _reached, visible, yi
from projects.reports.selectors.targets import targets_progress
from projects.tiers import Tier, tier_expression


def _stage_aggregates(period: Period) -> dict:
    aggregates = {}
    for stage in FUNNEL_STAGES:
        reached = _reached(stage, period)
        aggregates[f"n_{stage}"] = Count("pk", filter=reached)
        aggregates[f"t_{stage}"] = Sum("total_investment", filter=reached)
    return aggregates


def _stage_values(row: dict, links: Links, period: Period, extra: dict) -> dict:
    values: dict[str, Any] = {"links": {}}
    # Links.url({**extra, **Links.reached(stage, period)}), with the parts that do not
    # change from row to row encoded once: a split by officer has thousands of rows.
    clean = {key: value for key, value in extra.items() if value not in (None, "")}
    head = f"{links.base}?{urlencode(clean, doseq=True)}&" if clean else f"{links.base}?"
    reached = _reached_queries(period.start, period.end)
    for stage in FUNNEL_STAGES:
        values[f"{stage}_count"] = row.get(f"n_{stage}") or 0
        values[f"{stage}_yi"] = yi(row.get(f"t_{stage}"))
        values["links"][f"{stage}_count"] = head + reached[stage]
    values["links"]["signed_yi"] = values["links"][f"{Stage.SIGNED}_count"]
    return values


@lru_cache(maxsize=64)
def _reached_queries(start: dt.date, end: dt.date) -> dict[str, str]:
    """`<stage>_after=…&<stage>_before=…` of each stage for a period (read-only)."""
    return {
        stage: urlencode({f"{stage}_after": start.isoformat(), f"{stage}_before": end.isoformat()})
        for stage in FUNNEL_STAGES
    }


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


# The field a "(not set)" row of a split lacks (ProjectFilter's `unset`).
UNSET_FIELD = {"cluster": "industry", "park": "park", "team": "team"}


def _split_rows(key: str, queryset: QuerySet, period: Period) -> list[dict]:
    """One split's grouped rows (value, its label columns, n_/t_ per stage): one scan."""
    aggregates = _stage_aggregates(period)
    if key == "tier":
        grouped = queryset.annotate(value=tier_expression()).values("value")
    elif key == "cluster":
        grouped = queryset.annotate(value=_cluster_expression()).values("value")
    elif key == "park":
        grouped = queryset.annotate(value=F("park_id")).values("value", park__name=name_expression("park__"))
    elif key == "capital_origin":
        grouped = queryset.annotate(value=F("capital_origin")).values("value")
    elif key == "source":
        grouped = queryset.annotate(value=F("source_kind")).values("value")
    elif key == "team":
        grouped = queryset.annotate(value=F("team_id")).values("value", team__name=name_expression("team__"))
    else:
        grouped = queryset.annotate(value=F("owner_id")).values("value", *[f"owner__{f}" for f in USER_FIELDS])
    return list(grouped.annotate(**aggregates).order_by())


# Label columns of each split's rows, besides `value`.
LABEL_COLUMNS = {
    "park": ["park__name"],
    "team": ["team__name"],
    "officer": [f"owner__{f}" for f in USER_FIELDS],
}


def _one_pass(queryset: QuerySet, period: Period) -> tuple[dict, dict[str, list[dict]]]:
    """The funnel and every split in one scan of the table (PostgreSQL: GROUPING SETS).

    The rows come out as _split_rows and the funnel's aggregate() give them: the funnel
    is the grand total (the empty grouping set); a project that reached no stage in the
    period counts nowhere, so scanning only the period's projects gives the same totals.
    The names (park, team, officer, cluster) are joined to the few grouped rows after
    the aggregation, so the rows being grouped stay narrow.
    """
    values = {
        "tier": tier_expression(),
        "cluster": _cluster_expression(),
        "park": F("park_id"),
        "capital_origin": F("capital_origin"),
        "source": F("source_kind"),
        "team": F("team_id"),
        "officer": F("owner_id"),
    }
    keys = list(values)
    # The investment of a project under each stage it reached in the period, else NULL:
    # COUNT and SUM skip the NULLs, so no condition is evaluated per grouping set.
    # In hundredths of 万元 (the column's two decimals) as integers: summing integers is
    # several times cheaper than summing numerics, and exact.
    cents = Cast(F("total_investment") * 100, BigIntegerField())
    amounts = {
        f"a_{stage}": Case(When(_reached(stage, period), then=cents), default=None, output_field=BigIntegerField())
        for stage in FUNNEL_STAGES
    }
    columns = {f"g_{key}": expression for key, expression in values.items()}
    inner = queryset.annotate(**columns, **amounts).order_by().values(*columns, *amounts)
    empty: dict = {f"{prefix}_{stage}": None for stage in FUNNEL_STAGES for prefix in ("n", "t")}
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a user who may see nothing
        return empty, {key: [] for key in keys}
    aggregates = [
        f"{function}(a_{stage}) AS {prefix}_{stage}"
        for stage in FUNNEL_STAGES
        for function, prefix in (("COUNT", "n"), ("SUM", "t"))
    ]
    grouped = (
        f"SELECT {', '.join(f'GROUPING(g_{key}) AS s_{key}' for key in keys)}, {', '.join(columns)}, "  # nosec B608
        f"{', '.join(aggregates)} FROM ({inner_sql}) AS period_projects "
        f"GROUP BY GROUPING SETS ((), {', '.join(f'(g_{key})' for key in keys)})"
    )
    park, team, user, industry = (model._meta.db_table for model in (Park, Team, User, Industry))
    user_columns = ", ".join(f"u.{name} AS owner__{name}" for name in USER_FIELDS)
    sql = (
        f"SELECT g.*, {name_sql('p')} AS park__name, {name_sql('t')} AS team__name, "  # nosec B608
        f"{name_sql('i')} AS cluster__name, {user_columns} "
        f"FROM ({grouped}) AS g "
        f"LEFT JOIN {park} p ON p.id = g.g_park AND g.s_park = 0 "
        f"LEFT JOIN {team} t ON t.id = g.g_team AND g.s_team = 0 "
        f"LEFT JOIN {industry} i ON i.id = g.g_cluster AND g.s_cluster = 0 "
        f"LEFT JOIN {user} u ON u.id = g.g_officer AND g.s_officer = 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, inner_params)
        names = [column.name for column in cursor.description]
        fetched = [dict(zip(names, record, strict=True)) for record in cursor.fetchall()]
    totals = empty
    splits: dict[str, list[dict]] = {key: [] for key in keys}
    for row in fetched:
        for stage in FUNNEL_STAGES:
            if row[f"t_{stage}"] is not None:
                row[f"t_{stage}"] = Decimal(row[f"t_{stage}"]) / 100
        grouped_by = [key for key in keys if row[f"s_{key}"] == 0]
        if not grouped_by:
            totals = row
        else:
            row["value"] = row[f"g_{grouped_by[0]}"]
            splits[grouped_by[0]].append(row)
    return totals, splits


def _split(key: str, rows: list[dict], period: Period, links: Links) -> list[dict]:
    """Rows of one split: (value, label) plus the funnel counts of the value."""
    labels: dict | str | None
    if key == "tier":
        labels = dict(Tier.choices)
    elif key == "cluster":
        labels = None  # names read below, in one query
    elif key in ("park", "team"):
        labels = LABEL_COLUMNS[key][0]
    elif key == "capital_origin":
        labels = dict(Project.CapitalOrigin.choices)
    elif key == "source":
        labels = dict(Project.SourceKind.choices)
    else:
        labels = "owner"
    if key == "cluster":  # the one pass brings the names along
        names = {row["value"]: row["cluster__name"] for row in rows if "cluster__name" in row}
        ids = [row["value"] for row in rows if row["value"] and row["value"] not in names]
        if ids:
            names.update(Industry.objects.filter(pk__in=ids).values_list("pk", name_expression()))
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
        if value not in (None, ""):
            extra = {param: value}
        else:  # "(not set)": the list's `unset` filter names the empty field
            extra = {"unset": UNSET_FIELD[key]} if key in UNSET_FIELD else None
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
    # After the signing (projects.reports.landed): what apps above projects count.
    landed: Table | None = None


def dashboard_split(*, user: User, period: Period, key: str) -> Table:
    """One split of the dashboard alone (the page loads a split when it is opened):
    one scan. KeyError for a key that is not a split."""
    title = {k: t for k, t, _param in SPLITS}[key]
    in_period = Q()
    for stage in FUNNEL_STAGES:
        in_period |= _reached(stage, period)
    rows = _split_rows(key, visible(user).filter(in_period), period)
    return Table(key, title, split_columns(title), _split(key, rows, period, Links()))


def dashboard(*, user: User, period: Period, today: dt.date | None = None) -> Dashboard:
    """Funnel by stage, its splits, the monthly trend and the targets. On PostgreSQL the
    funnel and the seven splits are one scan (GROUPING SETS): 3 queries and one per
    target; elsewhere 11 and one per target."""
    links = Links()
    projects = visible(user)
    in_period = Q()
    for stage in FUNNEL_STAGES:
        in_period |= _reached(stage, period)
    active = projects.filter(in_period)
    if connection.vendor == "postgresql":
        totals, split_rows = _one_pass(active, period)
    else:  # no GROUPING SETS: one scan for the funnel and one per split
        totals = projects.aggregate(**_stage_aggregates(period))
        split_rows = {key: _split_rows(key, active, period) for key, _title, _param in SPLITS}
    funnel = Table(
        "funnel",
        _("Projects that reached each stage in the period"),
        [
            Column("stage", _("Stage"), "text", internal=True),
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
    splits = [
        Table(key, title, split_columns(title), _split(key, split_rows[key], period, links))
        for key, title, _param in SPLITS
    ]
    return Dashboard(
        period=period,
        funnel=funnel,
        splits=splits,
        trend=_trend(projects, period, links),
        targets=targets_progress(user=user, today=today),
        landed=landed_table(figures(user=user, period=period)),
    )
