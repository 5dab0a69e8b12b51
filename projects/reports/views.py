"""Report pages: the same selectors as the JSON endpoints; charts read the endpoints."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from rest_framework.renderers import JSONRenderer

from core.models import AlertLevel
from projects.panels import render_panels
from projects.reports import selectors
from projects.reports.api import dashboard_data
from projects.reports.html import table_html
from projects.reports.periods import MIN_YEAR, PARAMS, PeriodError, parse_period
from projects.selectors import LEVEL_CLASS


class ReportPage(LoginRequiredMixin, TemplateView):
    """A report page with the period selector; a bad period shows its error and the
    current year instead."""

    api_name = ""
    uses_period = True

    def period(self):
        params = {name: value for name in PARAMS if (value := self.request.GET.get(name, "").strip())}
        try:
            return parse_period(params), {}
        except PeriodError as error:
            return parse_period({}), error.errors

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, errors = self.period()
        today = timezone.localdate()
        query = urlencode(period.params())
        context.update(
            period=period,
            period_errors=errors,
            period_query=query,
            years=list(range(today.year + 1, MIN_YEAR - 1, -1))[:15],
            quarters=[1, 2, 3, 4],
            months=list(range(1, 13)),
        )
        if self.api_name:
            context["data_url"] = reverse(f"api:reports:{self.api_name}") + (f"?{query}" if self.uses_period else "")
        context.update(self.report(period))
        return context

    def report(self, period) -> dict:
        raise NotImplementedError


# The splits the dashboard draws as charts (the others are tables only).
CHARTED_SPLITS = ("cluster",)


def charted_only(data: dict) -> dict:
    """The part of the dashboard document the page's charts draw: the tables are on the
    page already, and the whole document (every split, every link) would triple the page.
    A split chart draws the values with signed projects, each bar opening their list."""
    splits = []
    for table in data["splits"]:
        if table["key"] not in CHARTED_SPLITS:
            continue
        rows = [
            {**row, "links": {"signed_yi": (row.get("links") or {}).get("signed_yi")}}
            for row in table["rows"]
            if row.get("signed_count")
        ]
        splits.append({**table, "rows": rows})
    return {**data, "splits": splits}


class DashboardPage(ReportPage):
    template_name = "projects/reports/dashboard.html"
    api_name = "dashboard"

    def report(self, period):
        report = selectors.dashboard(user=self.request.user, period=period)
        # The charts read the same document the endpoint serves, embedded with
        # json_script (not executable, so a strict CSP allows it): one computation.
        chart_data = charted_only(json.loads(JSONRenderer().render(dashboard_data(report))))
        # The splits (a row per officer: thousands in a province) are written in Python,
        # the same markup as _table.html, which would take seconds for them.
        # Only the first (open) split is on the page; the others load when opened.
        split_tables = [
            (table, table_html(table, show_caption=False) if index == 0 else None)
            for index, table in enumerate(report.splits)
        ]
        return {"report": report, "chart_data": chart_data, "split_tables": split_tables, "tab": "dashboard"}


class ReviewPage(ReportPage):
    template_name = "projects/reports/review.html"

    def report(self, period):
        return {"report": selectors.review(user=self.request.user, period=period), "tab": "review"}


class SupervisionPage(ReportPage):
    template_name = "projects/reports/supervision.html"
    uses_period = False
    page_size = 50

    def report(self, period):
        options = selectors.supervision_options(self.request.GET)
        ordering, level = options["ordering"], options["level"] or ""
        table = selectors.supervision(user=self.request.user, **options)
        page = Paginator(table.rows, self.page_size).get_page(self.request.GET.get("page"))
        base = {key: value for key, value in (("level", level), ("major", self.request.GET.get("major", ""))) if value}
        sort_links = {}
        for column in ("project", "planned", "days_late", "level", "owner", "last_contact"):
            target = f"-{column}" if ordering == column else column
            sort_links[column] = "?" + urlencode({**base, "ordering": target})
        level_links = {
            value: "?" + urlencode({**base, "level": value, "ordering": ordering}) for value in AlertLevel.values
        }
        return {
            "table": table,
            "totals": table.totals,
            "page": page,
            "page_query": urlencode({**base, "ordering": ordering}),
            "ordering": ordering,
            "sort_links": sort_links,
            "level_links": level_links,
            "level": level,
            "levels": AlertLevel.choices,
            "level_class": LEVEL_CLASS,
            "major": self.request.GET.get("major", ""),
            "tab": "supervision",
            "panels": render_panels("supervision", self.request),
        }


class MissionPage(ReportPage):
    template_name = "projects/reports/missions.html"

    def report(self, period):
        return {"report": selectors.missions(user=self.request.user, period=period), "tab": "missions"}


class ScorecardPage(ReportPage):
    template_name = "projects/reports/scorecards.html"

    def report(self, period):
        return {"report": selectors.scorecards(user=self.request.user, period=period), "tab": "scorecards"}


class LossesPage(ReportPage):
    template_name = "projects/reports/losses.html"

    def report(self, period):
        return {"report": selectors.losses(user=self.request.user, period=period), "tab": "losses"}


class WeeklyPage(ReportPage):
    """The leadership's weekly list: a week (any date of it in `week`), not a period."""

    template_name = "projects/reports/weekly.html"
    uses_period = False

    def report(self, period):
        error = ""
        try:
            week = selectors.parse_week(self.request.GET.get("week"))
        except ValueError as problem:
            error, week = str(problem), selectors.parse_week(None)
        report = selectors.weekly_list(user=self.request.user, week=week)
        return {"report": report, "week_error": error, "tab": "weekly"}


@login_required
@require_GET
def dashboard_split(request: HttpRequest, key: str) -> HttpResponse:
    """One split table of the dashboard, for the page's closed sections (htmx): the
    period of the page's address; an unknown split is not found."""
    if key not in {k for k, _title, _param in selectors.SPLITS}:
        raise Http404
    params = {name: value for name in PARAMS if (value := request.GET.get(name, "").strip())}
    try:
        period = parse_period(params)
    except PeriodError as error:
        return HttpResponse(" ".join(str(message) for message in error.errors.values()), status=400)
    table = selectors.dashboard_split(user=request.user, period=period, key=key)
    return HttpResponse(table_html(table, show_caption=False))


dashboard = DashboardPage.as_view()
review = ReviewPage.as_view()
supervision = SupervisionPage.as_view()
missions = MissionPage.as_view()
scorecards = ScorecardPage.as_view()
losses = LossesPage.as_view()
weekly = WeeklyPage.as_view()
