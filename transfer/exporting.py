"""Lists as .xlsx: the same columns the import reads, so an export imports back as it is.

`write_xlsx` is generic (headers and rows); reports can call it with their own rows.
Text that a spreadsheet would take for a formula (= + - @ tab CR first) is written
with a leading apostrophe; numbers stay numbers and dates stay dates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from core import permissions
from crm.filters import ContactFilter, MissionFilter, OrganisationFilter, VisitFilter
from crm.models import Contact, Mission, Organisation, Visit
from funds import selectors as funds_selectors
from funds.filters import FundsEntryFilter
from projects.filters import ProjectFilter
from projects.models import Project
from transfer.columns import Column
from transfer.importers import IMPORTERS
from transfer.parsing import FORMULA_TRIGGERS, NEUTRALISER


@dataclass
class Sheet:
    """What an export writes: a title, headers with their formats, and rows of values."""

    title: str
    headers: list[str]
    rows: Iterable[list]
    number_formats: list[str] | None = None
    widths: list[int] | None = None
    # A filter button on each header (and the header row frozen), as list sheets need.
    autofilter: bool = True


def neutralise(value):
    """A cell value that no spreadsheet runs as a formula."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n")) if value else value
        if value.startswith(FORMULA_TRIGGERS) or (value[:1] in ("\t", "\r")):
            return NEUTRALISER + value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return value
    return value


SHEET_TITLE_LENGTH = 31  # Excel's limit


def shorten(text: str, length: int) -> str:
    """text cut to `length` characters, at a word's end when it has spaces (English);
    Chinese, written without spaces, is cut at a character."""
    if len(text) <= length:
        return text
    head = text[:length]
    if text[length] != " " and not head.endswith(" ") and " " in head.strip():
        head = head[: head.rfind(" ")]  # the last word did not fit: leave it out
    return head.rstrip(" ,;-–(")


def sheet_title(title: str, used: set[str]) -> str:
    """A title Excel accepts: none of : \\ / ? * [ ], at most 31 characters, unique."""
    clean = re.sub(r"[:\\/?*\[\]]", " ", str(title)).strip() or "Sheet"
    candidate, n = shorten(clean, SHEET_TITLE_LENGTH), 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = shorten(clean, SHEET_TITLE_LENGTH - len(suffix)) + suffix
    used.add(candidate.lower())
    return candidate


def write_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet_title(sheet.title, used))
        formats = sheet.number_formats or [""] * len(sheet.headers)
        for index, width in enumerate(sheet.widths or [], start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        header_cells = []
        for header in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=neutralise(header))
            cell.font = Font(bold=True)
            header_cells.append(cell)
        worksheet.append(header_cells)
        last_row = 1
        for row in sheet.rows:
            cells = []
            for value, number_format in zip(row, formats, strict=False):
                cell = WriteOnlyCell(worksheet, value=neutralise(value))
                if isinstance(value, dt.date | int | float | Decimal) and not isinstance(value, bool):
                    cell.number_format = number_format or ("yyyy-mm-dd" if isinstance(value, dt.date) else "General")
                cells.append(cell)
            worksheet.append(cells)
            last_row += 1
        if sheet.autofilter and sheet.headers:
            # Written after the rows (write-only sheets keep it for the sheet's tail).
            worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{last_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Lists ----------------------------------------------------------------------------


@dataclass
class ListExport:
    """One list page's export: its FilterSet over what the user may see, and its columns."""

    name: str
    filterset: type
    importer_kind: str

    def columns(self) -> list[Column]:
        return [column for column in IMPORTERS[self.importer_kind].columns if not column.import_only]

    def queryset(self, user) -> QuerySet:
        if self.name == "organisations":
            return Organisation.objects.select_related("industry", "park", "owner", "team").order_by("name", "pk")
        if self.name == "contacts":
            return Contact.objects.select_related("organisation").order_by("organisation__name", "name", "pk")
        if self.name == "missions":
            return (
                Mission.objects.select_related("leader").prefetch_related("participants").order_by("-start_date", "pk")
            )
        if self.name == "visits":
            return (
                Visit.objects.select_related("organisation", "mission")
                .prefetch_related("officers", "contacts")
                .order_by("-date", "-pk")
            )
        if self.name == "funds":
            return funds_selectors.entry_list(user=user).order_by("-month", "project__name", "kind", "pk")
        projects = Project.objects.select_related(
            "investor", "industry", "park", "owner", "team", "source_mission"
        ).order_by("-created_at", "-pk")
        return permissions.visible_projects(user, projects)


LISTS: dict[str, ListExport] = {
    "organisations": ListExport("organisations", OrganisationFilter, "organisations"),
    "contacts": ListExport("contacts", ContactFilter, "contacts"),
    "missions": ListExport("missions", MissionFilter, "missions"),
    "visits": ListExport("visits", VisitFilter, "visits"),
    "projects": ListExport("projects", ProjectFilter, "projects"),
    "funds": ListExport("funds", FundsEntryFilter, "funds"),
}


def filtered(name: str, user, query) -> QuerySet | None:
    """The list's records under the query string's filters; None if the filters are invalid."""
    export = LISTS[name]
    filterset = export.filterset(query, queryset=export.queryset(user), request=None)
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


def list_sheet(name: str, records: Iterable, title: str) -> Sheet:
    columns = LISTS[name].columns()
    return Sheet(
        title=title,
        headers=[column.header() for column in columns],
        rows=([column.cell(column.get(record)) for column in columns] for record in records),
        number_formats=[column.number_format for column in columns],
        widths=[column.width for column in columns],
    )


def template_sheets(kind: str, title: str) -> list[Sheet]:
    """An empty file with the columns of an import (required ones marked *), and a notes sheet."""
    from django.utils.translation import gettext as _

    importer = IMPORTERS[kind]
    columns = importer.importable_columns()
    headers = [column.header() + ("*" if column.required else "") for column in columns]
    notes = Sheet(
        title=_("Columns"),
        headers=[_("Column"), _("Required"), _("Also accepted")],
        rows=(
            [
                column.header(),
                _("Yes") if column.required else "",
                "、".join(name for name in [column.zh, column.en, *column.aliases] if name != column.header()),
            ]
            for column in columns
        ),
        widths=[24, 8, 60],
    )
    return [Sheet(title=title, headers=headers, rows=[], widths=[column.width for column in columns]), notes]
