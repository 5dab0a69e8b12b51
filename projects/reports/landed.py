"""What landed after the signing (funds in place, foreign capital actually used, ...):
figures that apps above projects count, shown by the dashboard and written into the
review's paragraph.

projects cannot import those apps, so an app registers a source from its
AppConfig.ready(): a function of (user, period) returning Figures for the period, each
with the same figure for the same period a year before. A source applies the user's
visibility itself and reads the database a fixed number of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.reports.periods import Period

if TYPE_CHECKING:
    from core.models import User
    from projects.reports.selectors.common import Table


@dataclass
class Figure:
    key: str
    label: str | Promise  # with its unit: "Funds in place (100M yuan)"
    value: Decimal
    last_year: Decimal
    # How the paragraph writes it: "到位资金12.5亿元", "12.5 hundred million yuan of funds in place".
    zh: str
    en: str

    @property
    def change_pct(self) -> Decimal | None:
        if not self.last_year:
            return None
        return ((self.value - self.last_year) * 100 / self.last_year).quantize(Decimal("0.1"))


Source = Callable[["User", Period], list[Figure]]
SOURCES: list[Source] = []


def register(source: Source) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def a_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def figures(*, user: User, period: Period) -> list[Figure]:
    return [figure for source in SOURCES for figure in source(user, period)]


def landed_table(found: list[Figure]) -> Table:
    from projects.reports.selectors.common import Column, Table

    table = Table(
        "landed",
        _("After the signing"),
        [
            Column("label", _("Figure"), "text"),
            Column("value", _("In the period"), "yi"),
            Column("last_year", _("Same period last year"), "yi"),
            Column("change_pct", _("Change on last year"), "percent"),
        ],
    )
    for figure in found:
        table.rows.append(
            {
                "key": figure.key,
                "label": str(figure.label),
                "value": figure.value,
                "last_year": figure.last_year,
                "change_pct": figure.change_pct,
            }
        )
    return table
