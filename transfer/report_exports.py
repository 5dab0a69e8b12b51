"""Reports as .xlsx: each report's tables (projects.reports.selectors), one sheet each.

The reports describe their rows with typed columns (text, int, yi, percent, date), so
amounts stay numbers in 亿元, percentages numbers, dates dates. Values that are not
plain cells (a re-plan history) are written as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funds.report import monthly_report, parse_month
from projects.reports import selectors
from projects.reports.periods import PARAMS, PeriodError, parse_period
from projects.reports.selectors.common import Column
from transfer.exporting import Sheet

FORMATS = {"int": "0", "count": "0.00", "yi": "0.00", "percent": "0.0", "date": "yyyy-mm-dd", "text": ""}
REPORTS = ("dashboard", "review", "supervision", "missions", "scorecards", "losses", "weekly", "monthly")

# Sheet names (Excel allows 31 characters): short names of the tables whose titles are
# longer, in both languages; other tables are named by their title.
SHEET_NAMES = {
    "funnel": gettext_lazy("Stages reached"),
    "trend": gettext_lazy("Signed by month"),
    "supervision": gettext_lazy("Late milestones"),
    "new_projects": gettext_lazy("New signed by tier"),
    "major_milestones": gettext_lazy("Major milestones"),
    "missions": gettext_lazy("Missions"),
    "regions": gettext_lazy("Missions by region"),
    "officers": gettext_lazy("Officers"),
    "teams": gettext_lazy("Teams"),
    "zone": gettext_lazy("Zone total"),
    "loss_reasons": gettext_lazy("Lost by reason"),
    "loss_locations": gettext_lazy("Lost to locations"),
    "weekly": gettext_lazy("Weekly list"),
    "monthly_signed": gettext_lazy("New signed"),
    "monthly_funds": gettext_lazy("Funds in place"),
    "monthly_foreign_capital": gettext_lazy("Foreign capital used"),
    "monthly_milestones": gettext_lazy("Starts and completions"),
    "monthly_targets": gettext_lazy("Targets"),
    "monthly_problems": gettext_lazy("Problems"),
}


def _cell(value):
    if value is None or isinstance(value, str | int | float | Decimal | dt.date):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(_cell(item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_cell(item)}" for key, item in value.items())
    return str(value)


def table_sheet(table) -> Sheet:
    columns = Column.shown(table.columns)  # labels, not the internal keys beside them
    return Sheet(
        title=str(SHEET_NAMES.get(table.key, table.title)),
        headers=[str(column.label) for column in columns],
        # A generator: the supervision list's rows are read from the database in chunks
        # while the sheet is written, never all at once.
        rows=([_cell(row.get(column.key)) for column in columns] for row in table.rows),
        number_formats=[FORMATS.get(column.kind, "") for column in columns],
        widths=[28 if column.kind == "text" else 14 for column in columns],
    )


def report_sheets(name: str, user, query: Mapping) -> list[Sheet]:
    """The sheets of one report for the user, for the period (or filters) in the query.
    Raises PeriodError for a bad period, KeyError for an unknown report."""
    if name not in REPORTS:
        raise KeyError(name)
    if name == "supervision":
        table = selectors.supervision(user=user, **selectors.supervision_options(query))
        return [table_sheet(table)]
    if name == "weekly":
        try:
            week = selectors.parse_week(query.get("week"))
        except ValueError as error:
            raise PeriodError({"week": str(error)}) from None
        return [table_sheet(selectors.weekly_list(user=user, week=week).table)]
    if name == "monthly":
        # The monthly report of funds.report: one month, its sections one sheet each.
        report = monthly_report(user=user, month=parse_month(query))
        return [table_sheet(table) for table in report.tables]
    period = parse_period({key: value for key in PARAMS if (value := query.get(key, "").strip())})
    if name == "dashboard":
        report = selectors.dashboard(user=user, period=period)
        tables = [report.funnel, *report.splits, report.trend, report.targets]
        if report.landed is not None and report.landed.rows:
            tables.append(report.landed)
    elif name == "review":
        report = selectors.review(user=user, period=period)
        language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
        summary = Sheet(
            title=_("Review"),
            headers=[_("Review")],
            rows=[[report.paragraphs[language]]],
            widths=[120],
            autofilter=False,
        )
        return [summary, table_sheet(report.new_projects), table_sheet(report.milestones)]
    elif name == "missions":
        report = selectors.missions(user=user, period=period)
        tables = [report.missions, report.regions]
    elif name == "losses":
        report = selectors.losses(user=user, period=period)
        tables = [report.reasons, report.locations]
    else:
        report = selectors.scorecards(user=user, period=period)
        tables = [report.officers, report.teams, report.zone]
    return [table_sheet(table) for table in tables]
