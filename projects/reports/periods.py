"""The period a report covers: a year, a quarter, a month or a custom range of dates.

One parser for the web pages and the API, so both read `?year=2024&quarter=2` the same
way. Dates are the zone's local dates (stage dates are DateFields, set in
Asia/Shanghai), so a project signed at 23:59 on 31 December belongs to that year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

# Years a report may ask for: the trend also reads the year before.
MIN_YEAR = 2000
MAX_YEAR = 2100
PARAMS = ("year", "quarter", "month", "start", "end")

_INTEGER = re.compile(r"^\d{1,4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(ValueError):
    """Invalid period parameters; `errors` maps each parameter to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Period:
    kind: str  # "year", "quarter", "month" or "custom"
    start: dt.date
    end: dt.date  # inclusive
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict[str, str]:
        """The query parameters that name this period (for links between reports)."""
        if self.kind == "custom":
            return {"start": self.start.isoformat(), "end": self.end.isoformat()}
        params = {"year": str(self.year)}
        if self.quarter:
            params["quarter"] = str(self.quarter)
        if self.month:
            params["month"] = str(self.month)
        return params

    def label(self, language: str = "en") -> str:
        """How a report's sentence names the period, in Chinese or English."""
        if language.startswith("zh"):
            if self.kind == "year":
                return f"{self.year}年"
            if self.kind == "quarter":
                return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"
            if self.kind == "month":
                return f"{self.year}年{self.month}月"
            return f"{_zh_date(self.start)}至{_zh_date(self.end)}"
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"Q{self.quarter} {self.year}"
        if self.kind == "month":
            return f"{calendar.month_name[self.month]} {self.year}"
        return f"{_en_date(self.start)} to {_en_date(self.end)}"


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _en_date(day: dt.date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def _one(params: Mapping, name: str, errors: dict[str, str]) -> str | None:
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else ([params[name]] if name in params else [])
    if not values:
        return None
    if len(values) > 1:
        errors[name] = _("Send this parameter once.")
        return None
    return values[0]


def _integer(params, name, low, high, errors) -> int | None:
    raw = _one(params, name, errors)
    if raw is None:
        return None
    if not _INTEGER.match(raw) or not low <= int(raw) <= high:
        errors[name] = _("Send a whole number from %(minimum)s to %(maximum)s.") % {"minimum": low, "maximum": high}
        return None
    return int(raw)


def _date(params, name, errors) -> dt.date | None:
    raw = _one(params, name, errors)
    if raw is None:
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError
        value = dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Send a date as YYYY-MM-DD.")
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors[name] = _("Send a date from %(minimum)s to %(maximum)s.") % {"minimum": MIN_YEAR, "maximum": MAX_YEAR}
        return None
    return value


def parse_period(params: Mapping, today: dt.date | None = None) -> Period:
    """The period named by query parameters; the current year when none is given.

    `year` alone is a year; with `quarter` (1-4) or `month` (1-12) a quarter or month
    of it (of the current year when `year` is left out); `start` and `end` together
    are a custom range. Anything else raises PeriodError.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    year = _integer(params, "year", MIN_YEAR, MAX_YEAR, errors)
    quarter = _integer(params, "quarter", 1, 4, errors)
    month = _integer(params, "month", 1, 12, errors)
    start = _date(params, "start", errors)
    end = _date(params, "end", errors)
    if errors:
        raise PeriodError(errors)
    if start or end:
        if year or quarter or month:
            raise PeriodError({"start": _("Give either a year (quarter, month) or start and end, not both.")})
        if not (start and end):
            raise PeriodError({"end" if start else "start": _("A custom period needs both start and end.")})
        if end < start:
            raise PeriodError({"end": _("The end comes after the start.")})
        return Period("custom", start, end, end.year)
    if quarter and month:
        raise PeriodError({"month": _("Give a quarter or a month, not both.")})
    if year is None:
        year = today.year
    if quarter:
        first = 3 * (quarter - 1) + 1
        last = first + 2
        return Period(
            "quarter", dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]), year, quarter
        )
    if month:
        return Period(
            "month",
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
            year,
            None,
            month,
        )
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), year)
