"""Pages of long lists without counting every row.

Counting a million filtered rows costs a scan of all of them, on every page shown.
BoundedPaginator counts at most up to a bound (COUNT_BOUND rows, or further when the
page asked for lies beyond it) with one LIMITed subquery, so its cost does not grow
with the table: below the bound the count is exact, above it the page says "more
than N" and the next page is still offered, since more rows are known to exist.
"""

from __future__ import annotations

import math

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet

# Counts are exact up to this many rows.
COUNT_BOUND = 10_000
# However far a page number reaches, counts stop here (a page beyond is then not found).
MAX_BOUND = 2**31


def bounded_count(queryset, bound: int) -> tuple[int, bool]:
    """How many rows the queryset has, reading at most bound + 1 of them: (n, exact).
    When not exact, n is the bound and there are more."""
    n = queryset.order_by().values("pk")[: bound + 1].count()
    return (n, True) if n <= bound else (bound, False)


def requested_page(value) -> int:
    """The page number asked for (1 for anything that is not a whole number from 1)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def count_bound_for(page_number: int, per_page: int, bound: int | None = None) -> int:
    """The bound that still tells whether the requested page and the one after it exist."""
    bound = COUNT_BOUND if bound is None else bound
    return min(max(bound, (page_number + 1) * per_page), MAX_BOUND)


class BoundedPaginator(Paginator):
    """A Paginator whose count stops at a bound: `exact` says whether it is the real count.

    The bound grows with the page asked for (`page_number`), so any page can be reached
    by its link; a page after the last counted one is still offered when it has rows."""

    def __init__(self, object_list, per_page, *, page_number: int = 1, bound: int | None = None, count=None, **kw):
        super().__init__(object_list, per_page, **kw)
        self.bound = count_bound_for(page_number, per_page, bound)
        if count is not None:
            n, self.exact = count
        elif isinstance(object_list, QuerySet):
            n, self.exact = bounded_count(object_list, self.bound)
        else:  # a sequence that knows its length (e.g. the supervision list's late milestones)
            n, self.exact = len(object_list), True
        self.__dict__["count"] = n

    @property
    def num_pages(self):  # noqa: D401 - the pages known to exist
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, self.count - self.orphans) if self.exact else self.count
        pages = math.ceil(hits / self.per_page)
        # Beyond the bound there is at least one more row: one more page is offered.
        return pages + (0 if self.exact or self.count % self.per_page else 1)

    def page(self, number):
        """The page's rows: their ids first (LIMIT/OFFSET over the ordering's index, no
        joins), then those rows with what the page shows, in one statement."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.distinct:
            rows = rows.filter(pk__in=rows.values("pk")[bottom : bottom + self.per_page])
        else:
            rows = rows[bottom : bottom + self.per_page]
        return self._get_page(rows, number, self)

    def get_page(self, number):
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        return self.page(number)
