"""How long an admin list is, without counting a million rows on every page.

Django's changelist counts its rows with COUNT(*) on every request (and, by default,
counts the whole table a second time for "N total"). On a table of a million projects
that count costs more than the rest of the page. On PostgreSQL the paginator here
counts at most ADMIN_EXACT_COUNT_LIMIT + 1 rows; a list that is shorter (a small
table, or a large one filtered or searched down to a few rows) gets its exact length.
A longer list gets the planner's estimate (EXPLAIN's row estimate, which for a whole
table is pg_class.reltuples scaled to its current size), rounded and shown as
"about 1,000,000", so the page never claims a precision it does not have.

Other databases (SQLite in development and tests) count exactly, as Django does.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext


def planner_estimate(queryset: QuerySet) -> int:
    """The rows PostgreSQL's planner expects the query to return (no rows are read)."""
    queryset = queryset.order_by()
    query = queryset.query
    if query.distinct or any(a.contains_aggregate for a in query.annotations.values()):
        # A per-row count (LEFT JOIN ... GROUP BY) makes the planner guess the number
        # of groups, which can be far off; ask for the rows whose keys the list holds.
        queryset = queryset.model._base_manager.filter(pk__in=queryset.values("pk"))
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def rounded(value: int, digits: int = 2) -> int:
    """`value` to `digits` significant digits: 1,003,412 -> 1,000,000."""
    if value <= 0:
        return 0
    scale = 10 ** max(int(math.log10(value)) + 1 - digits, 0)
    return round(value / scale) * scale


class EstimatingPaginator(Paginator):
    """A paginator whose count is exact up to a limit and an honest estimate beyond it."""

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        limit = settings.ADMIN_EXACT_COUNT_LIMIT
        # Reads at most limit + 1 rows however large the table is.
        counted = queryset.order_by()[: limit + 1].count()
        if counted <= limit:
            return counted
        self.count_is_estimate = True
        # The planner may guess low for a narrow filter; the list has at least `counted`.
        return rounded(max(planner_estimate(queryset), counted))

    @property
    def shown_count(self) -> str:
        """The length as the page states it: "37", or "about 1,000,000" for an estimate."""
        number = formats.number_format(self.count, force_grouping=True)
        if self.count_is_estimate:
            return gettext("about %(count)s") % {"count": number}
        return number


class EstimatedCountAdmin:
    """For every ModelAdmin of the product: counts from EstimatingPaginator, and no
    second count of the whole table (the search bar offers "Show all" instead of
    "N total")."""

    paginator = EstimatingPaginator
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        cl = context.get("cl")
        if cl is not None and getattr(cl.paginator, "count_is_estimate", False):
            # The actions bar's "All N selected" (Django fills it in with the bare number).
            note = ngettext("%(total_count)s selected", "All %(total_count)s selected", cl.result_count)
            context["selection_note_all"] = note % {"total_count": cl.paginator.shown_count}
        return response
