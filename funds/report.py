"""The monthly report (月报): the figures an office sends upward each month.

One selector for the page and the .xlsx export (transfer.report_exports), so the two
cannot disagree. The report is a list of sections (MONTHLY_SECTIONS), each a function
of the month giving a table; the page and the export iterate it. Each section reads
the database once or twice, whatever the number of projects or entries.

Windows: the month; the year to date (1 January to the month's end); the same two a
year before. New projects leave dropped ones out, as the review does; starts,
completions and productions count every project that reached the stage.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import User
from funds.models import FundsEntry
from funds.selectors import visible_entries
from problems.models import Problem
from problems.selectors import visible_problems
from projects.models import Stage, Target
from projects.reports.periods import MAX_YEAR, MIN_YEAR, PeriodError
from projects.reports.selectors.common import ZERO, Column, Links, Table, _new_projects, percent, visible, yi
from projects.reports.selectors.targets import targets_progress
from projects.tiers import Tier, tier_expression


class MonthError(PeriodError):
    """A wrong ?year= or ?month=; `errors` maps the parameter to its message."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def a_year_before(self) -> Month:
        return Month(self.year - 1, self.month)

    def params(self) -> dict[str, str]:
        return {"year": str(self.year), "month": str(self.month)}

    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def parse_month(query: Mapping, today: dt.date | None = None) -> Month:
    """?year=2026&month=3; either missing means the current one. MonthError names the
    parameter that is wrong."""
    today = today or timezone.localdate()
    errors = {}
    values = {}
    for name, default, low, high in (("year", today.year, MIN_YEAR, MAX_YEAR), ("month", today.month, 1, 12)):
        raw = str(query.get(name, "") or "").strip()
        if not raw:
            values[name] = default
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            if name == "year":
                errors[name] = _("Choose a year between %(low)s and %(high)s.") % {"low": low, "high": high}
            else:
                errors[name] = _("Choose a month between 1 and 12.")
            continue
        values[name] = int(raw)
    if errors:
        raise MonthError(errors)
    return Month(values["year"], values["month"])


@dataclass
class Windows:
    """The four windows every section compares."""

    KEYS = ("month", "month_ly", "ytd", "ytd_ly")

    month: Month

    def ranges(self) -> dict[str, tuple[dt.date, dt.date]]:
        before = self.month.a_year_before()
        return {
            "month": (self.month.start, self.month.end),
            "month_ly": (before.start, before.end),
            "ytd": (self.month.year_start, self.month.end),
            "ytd_ly": (before.year_start, before.end),
        }


CENT = Decimal("0.01")


def money(value: Decimal | None) -> Decimal:
    """An amount as the page shows it and the export writes it: two decimals."""
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def _change(now, before) -> Decimal | None:
    """Change against last year in percent (同比), None when last year had nothing."""
    if not before:
        return None
    return percent(Decimal(now) - Decimal(before), before)


def _window_columns(kind: str, unit: str = "") -> list[Column]:
    suffix = f" ({unit})" if unit else ""
    return [
        Column("month", _("This month") + suffix, kind),
        Column("month_ly", _("Same month last year") + suffix, kind),
        Column("ytd", _("Year to date") + suffix, kind),
        Column("ytd_ly", _("Last year to date") + suffix, kind),
        Column("ytd_change", _("Change on last year"), "percent"),
    ]


# --- Sections ----------------------------------------------------------------------


def signed_section(user: User, month: Month) -> Table:
    """New projects signed, by size tier: count and total investment, 1 query."""
    ranges = Windows(month).ranges()
    signed = _new_projects(user).filter(signed_on__range=(ranges["ytd_ly"][0], ranges["ytd"][1]))
    aggregates = {}
    for key, window in ranges.items():
        condition = Q(signed_on__range=window)
        aggregates[f"{key}_n"] = Count("pk", filter=condition)
        aggregates[f"{key}_total"] = Sum("total_investment", filter=condition)
    per_tier = {
        row["tier"]: row
        for row in signed.annotate(tier=tier_expression()).values("tier").annotate(**aggregates).order_by()
    }
    table = Table(
        "monthly_signed",
        gettext_lazy("New projects signed, by size tier"),
        [
            Column("tier", _("Tier"), "text", internal=True),
            Column("label", _("Tier"), "text"),
            Column("month_count", _("Projects this month"), "int"),
            Column("month_yi", _("Investment this month (100M yuan)"), "yi"),
            Column("ytd_count", _("Projects year to date"), "int"),
            Column("ytd_yi", _("Investment year to date (100M yuan)"), "yi"),
            Column("ytd_ly_count", _("Projects last year to date"), "int"),
            Column("ytd_ly_yi", _("Investment last year to date (100M yuan)"), "yi"),
            Column("ytd_change", _("Investment change on last year"), "percent"),
        ],
    )
    links = Links()
    live = [stage.value for stage in Stage if stage != Stage.DROPPED]
    for tier in [*reversed(list(Tier)), None]:
        rows = list(per_tier.values()) if tier is None else [per_tier.get(tier.value, {})]

        def total(name: str, rows=rows) -> Decimal:
            return sum((row.get(name) or ZERO for row in rows), ZERO)

        params = {"stage": live, "signed_after": ranges["month"][0], "signed_before": ranges["month"][1]}
        if tier is not None:
            params["tier"] = tier.value
        table.rows.append(
            {
                "tier": tier.value if tier else "total",
                "label": str(tier.label) if tier else _("Total"),
                "month_count": int(total("month_n")),
                "month_yi": money(yi(total("month_total"))),
                "ytd_count": int(total("ytd_n")),
                "ytd_yi": money(yi(total("ytd_total"))),
                "ytd_ly_count": int(total("ytd_ly_n")),
                "ytd_ly_yi": money(yi(total("ytd_ly_total"))),
                "ytd_change": _change(total("ytd_total"), total("ytd_ly_total")),
                "links": dict.fromkeys(("month_count", "month_yi"), links.url(params)),
            }
        )
    return table


def _funds_sums(user: User, month: Month) -> dict[str, dict]:
    """Sums of amount and dollars per kind and window, from one query."""
    ranges = Windows(month).ranges()
    aggregates = {}
    for key, window in ranges.items():
        aggregates[f"{key}_amount"] = Sum("amount", filter=Q(month__range=window))
        aggregates[f"{key}_usd"] = Sum("usd_amount", filter=Q(month__range=window))
    rows = (
        visible_entries(user)
        .filter(month__range=(ranges["ytd_ly"][0], ranges["ytd"][1]))
        .values("kind")
        .annotate(**aggregates)
        .order_by()
    )
    return {row["kind"]: row for row in rows}


def funds_section(user: User, month: Month, sums: dict[str, dict] | None = None) -> Table:
    """Funds in place by kind, in 亿元: the month, the year to date, last year."""
    sums = _funds_sums(user, month) if sums is None else sums
    table = Table(
        "monthly_funds",
        gettext_lazy("Funds in place (100M yuan)"),
        [Column("label", _("Kind of funds"), "text")] + _window_columns("yi"),
    )
    for kind in [*FundsEntry.Kind, None]:
        rows = list(sums.values()) if kind is None else [sums.get(kind.value, {})]
        values = {key: money(yi(sum((row.get(f"{key}_amount") or ZERO for row in rows), ZERO))) for key in Windows.KEYS}
        table.rows.append(
            {
                "kind": kind.value if kind else "total",
                "label": str(kind.label) if kind else _("Total"),
                **values,
                "ytd_change": _change(values["ytd"], values["ytd_ly"]),
            }
        )
    return table


def foreign_capital_section(user: User, month: Month, sums: dict[str, dict] | None = None) -> Table:
    """Foreign capital actually used (实际使用外资), in 万美元."""
    sums = _funds_sums(user, month) if sums is None else sums
    table = Table(
        "monthly_foreign_capital",
        gettext_lazy("Foreign capital actually used (10k USD)"),
        [Column("label", _("Figure"), "text")] + _window_columns("yi"),
    )
    values = {key: money(sum((row.get(f"{key}_usd") or ZERO for row in sums.values()), ZERO)) for key in Windows.KEYS}
    table.rows.append(
        {
            "label": _("Foreign capital actually used"),
            **values,
            "ytd_change": _change(values["ytd"], values["ytd_ly"]),
        }
    )
    return table


MILESTONE_STAGES = (
    (Stage.STARTED, "started_on", gettext_lazy("Construction started")),
    (Stage.COMPLETED, "completed_on", gettext_lazy("Completed")),
    (Stage.PRODUCING, "producing_on", gettext_lazy("In production")),
)


def milestones_section(user: User, month: Month) -> Table:
    """Projects that started, completed or began production: counts, 1 query."""
    ranges = Windows(month).ranges()
    aggregates = {
        f"{stage.value}_{key}": Count("pk", filter=Q(**{f"{column}__range": window}))
        for stage, column, _label in MILESTONE_STAGES
        for key, window in ranges.items()
    }
    counts = visible(user).aggregate(**aggregates)
    table = Table(
        "monthly_milestones",
        gettext_lazy("Starts, completions and productions"),
        [Column("stage", _("Stage"), "text", internal=True), Column("label", _("Milestone"), "text")]
        + _window_columns("int"),
    )
    links = Links()
    for stage, _column, label in MILESTONE_STAGES:
        values = {key: counts[f"{stage.value}_{key}"] for key in Windows.KEYS}
        table.rows.append(
            {
                "stage": stage.value,
                "label": str(label),
                **values,
                "ytd_change": _change(values["ytd"], values["ytd_ly"]),
                "links": {
                    "month": links.url(Links.reached(stage.value, _Range(*ranges["month"]))),
                    "ytd": links.url(Links.reached(stage.value, _Range(*ranges["ytd"]))),
                },
            }
        )
    return table


@dataclass(frozen=True)
class _Range:
    start: dt.date
    end: dt.date


FUNDS_METRICS = (Target.Metric.FUNDS_IN_PLACE, Target.Metric.FOREIGN_CAPITAL_USED)


def targets_section(user: User, month: Month) -> Table:
    """The funds and foreign-capital targets, as they stood at the month's end."""
    progress = targets_progress(user=user, today=min(month.end, timezone.localdate()), metrics=FUNDS_METRICS)
    progress.key = "monthly_targets"
    progress.title = gettext_lazy("Funds and foreign capital against the targets")
    return progress


def problems_section(user: User, month: Month) -> Table | None:
    """Problems (项目诉求) raised, solved and found unsolvable in each window, of the
    projects the user sees: counts, 1 query."""
    ranges = Windows(month).ranges()
    kinds = (
        ("opened", _("Raised"), "raised_on", None),
        ("solved", _("Solved"), "closed_on", Problem.Status.SOLVED),
        ("unsolvable", _("Cannot be solved"), "closed_on", Problem.Status.UNSOLVABLE),
    )
    aggregates = {}
    for key, _label, column, status in kinds:
        for window, span in ranges.items():
            condition = Q(**{f"{column}__range": span})
            if status is not None:
                condition &= Q(status=status)
            aggregates[f"{key}_{window}"] = Count("pk", filter=condition)
    counts = visible_problems(user).aggregate(**aggregates)
    table = Table(
        "monthly_problems",
        gettext_lazy("Problems raised and solved"),
        [Column("kind", _("Kind"), "text", internal=True), Column("label", _("Problems"), "text")]
        + _window_columns("int"),
    )
    for key, label, _column, _status in kinds:
        values = {window: counts[f"{key}_{window}"] or 0 for window in Windows.KEYS}
        table.rows.append(
            {"kind": key, "label": str(label), **values, "ytd_change": _change(values["ytd"], values["ytd_ly"])}
        )
    return table


Section = Callable[[User, Month], "Table | None"]
# The sections of the report, in the order of the page and the export's sheets.
MONTHLY_SECTIONS: list[Section] = [
    signed_section,
    funds_section,
    foreign_capital_section,
    milestones_section,
    targets_section,
    problems_section,
]


@dataclass
class MonthlyReport:
    month: Month
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def monthly_report(*, user: User, month: Month) -> MonthlyReport:
    """Every section of the month for the user (what they may see only)."""
    report = MonthlyReport(month)
    sums = _funds_sums(user, month)
    for section in MONTHLY_SECTIONS:
        if section in (funds_section, foreign_capital_section):
            table = section(user, month, sums)  # one query for both
        else:
            table = section(user, month)
        if table is not None:
            report.tables.append(table)
    return report


# --- Target metrics ------------------------------------------------------------------


def funds_in_place_counter(user: User, window: tuple[dt.date, dt.date]) -> Decimal:
    """Funds of the months that begin inside the window, in 亿元."""
    total = visible_entries(user).filter(month__range=window).aggregate(t=Sum("amount"))["t"]
    return money(yi(total))


def foreign_capital_counter(user: User, window: tuple[dt.date, dt.date]) -> Decimal:
    """Foreign capital actually used in the window, in 万美元."""
    return money(visible_entries(user).filter(month__range=window).aggregate(t=Sum("usd_amount"))["t"])


# --- After the signing, for the dashboard and the review (projects.reports.landed) ----


def landed_figures(user: User, period) -> list:
    """Funds in place and foreign capital actually used in the period and the same
    period a year before: 1 query."""
    from core.templatetags.amounts import format_amount
    from projects.reports.landed import Figure, a_year_before
    from projects.reports.review import yi_text

    now = Q(month__range=(period.start, period.end))
    before = Q(month__range=(a_year_before(period.start), a_year_before(period.end)))
    sums = (
        visible_entries(user)
        .filter(now | before)
        .aggregate(
            funds=Sum("amount", filter=now),
            funds_ly=Sum("amount", filter=before),
            usd=Sum("usd_amount", filter=now),
            usd_ly=Sum("usd_amount", filter=before),
        )
    )
    funds, usd = money(yi(sums["funds"])), money(sums["usd"])
    return [
        Figure(
            key="funds_in_place",
            label=gettext_lazy("Funds in place (100M yuan)"),
            value=funds,
            last_year=money(yi(sums["funds_ly"])),
            zh=f"到位资金{yi_text(funds)}亿元",
            en=f"{format_amount(funds * 10000, 'CNY', 'en')} of funds in place",
        ),
        Figure(
            key="foreign_capital_used",
            label=gettext_lazy("Foreign capital actually used (10k USD)"),
            value=usd,
            last_year=money(sums["usd_ly"]),
            zh=f"实际使用外资{yi_text(usd)}万美元",
            en=f"{format_amount(usd, 'USD', 'en')} of foreign capital actually used",
        ),
    ]
