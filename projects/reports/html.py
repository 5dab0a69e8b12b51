"""A report table as HTML, written in Python: the same markup as
templates/projects/reports/_table.html, for tables too long for the template engine.

The dashboard's split by officer has a row per officer (two thousand in a province);
through the template, each cell costs a dozen template nodes and the page spends
seconds rendering. Here a cell is one format call.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.reports.selectors.common import Table

HIDDEN = ("stage", "tier")


def _number(value, places: int, drop_zeros: bool) -> str:
    """floatformat's output: `places` decimals, none at all for a whole number with -N."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return escape(value)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if drop_zeros and rounded == rounded.to_integral_value():
        return str(int(rounded))
    return f"{rounded:.{places}f}"


def _cell(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind in ("yi", "count"):
        return _number(value, 2, drop_zeros=True)
    if kind == "percent":
        return _number(value, 1, drop_zeros=False) + "%"
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return escape(value)


def _nowrap(kind: str, text: str) -> str:
    """Numbers, dates and short words stay on one line (a narrow column never shows
    开 over 工); longer text wraps."""
    if kind != "text":
        return ' class="text-end text-nowrap"'
    return ' class="text-nowrap"' if len(text) <= 6 else ""


def _header_class(kind: str, label: str) -> str:
    """Short headers stay on one line (开工, 签约); long ones wrap, so a table of
    English headers fits its page."""
    classes = [name for name, wanted in (("text-end", kind != "text"), ("text-nowrap", len(label) <= 6)) if wanted]
    return f' class="{" ".join(classes)}"' if classes else ""


def table_html(table: Table, show_caption: bool = True) -> SafeString:
    """The table; show_caption=False keeps its caption for screen readers only (where a
    heading or summary above already names it)."""
    columns = [column for column in table.columns if column.key not in HIDDEN]
    caption = "caption-top fw-semibold text-body" if show_caption else "visually-hidden"
    parts = [
        '<div class="table-responsive">\n',
        f'<table class="table table-sm table-hover align-middle report-table table-stack" id="table-{escape(table.key)}">\n',
        f'  <caption class="{caption}">{escape(table.title)}</caption>\n',
        "  <thead><tr>",
    ]
    for column in columns:
        parts.append(f'<th scope="col"{_header_class(column.kind, str(column.label))}>{escape(column.label)}</th>')
    parts.append("</tr></thead>\n  <tbody>\n")
    for row in table.rows:
        links = row.get("links") or {}
        parts.append("    <tr>")
        for column in columns:
            value = row.get(column.key)
            numeric = _nowrap(column.kind, str(value))
            text = _cell(value, column.kind)
            link = links.get(column.key)
            if link:
                text = f'<a href="{escape(link)}">{text}</a>'
            parts.append(f'<td{numeric} data-label="{escape(column.label)}">{text}</td>')
        parts.append("</tr>\n")
    if not table.rows:
        empty = escape(_("Nothing in this period."))
        parts.append(
            f'    <tr><td colspan="{len(table.columns)}" class="text-body-secondary" data-label="">{empty}</td></tr>\n'
        )
    parts.append("  </tbody>\n</table>\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 (every value above is escaped)
