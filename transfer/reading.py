"""Reading an uploaded spreadsheet (.xlsx or .csv) into a header and rows, refusing
whatever is not one: too large, too long, a renamed binary, a zip bomb, an XML entity
attack. Every refusal is a FileRefused with a message for the user; nothing is read
past a limit, so a hostile file costs little time and memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl  # imported with the app, not by the first upload (a second of a request)
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.worksheet._read_only import ReadOnlyWorksheet


class FileRefused(Exception):
    def __init__(self, message: str, *, cells: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cells = cells  # cells parsed before the refusal, when the read got that far


def max_bytes() -> int:
    return getattr(settings, "TRANSFER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "TRANSFER_MAX_ROWS", 10_000)


# A real workbook of 10,000 rows unpacks to a few tens of MB; a zip bomb to far more.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ZIP_MEMBERS = 2000

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the old binary formats


# A run of this many blank rows, or of this many blank cells (empty cells with a style,
# padding), ends the read: what follows is not looked at, and the page says where the
# read stopped. A real ledger has a few blank lines between blocks, not a thousand; a
# file of nothing but formatted blank rows is answered at once instead of being parsed
# for a minute.
MAX_BLANK_ROWS = 1000
MAX_BLANK_CELLS = 20_000
# Values beyond this column are not read (a ledger has a few dozen columns).
MAX_COLUMNS = 1000


def max_cells() -> int:
    """Cells a whole read may parse, blank ones included (each costs parse time)."""
    return getattr(settings, "TRANSFER_MAX_CELLS", 3_000_000)


class FormulaText(str):
    """A formula cell saved without its value (a file written by a program, or saved
    without recalculating): the formula's text, "=SUM(B2:B9)". The importer keeps it
    as text where text goes and says so in a row warning."""

    __slots__ = ()


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the user sees it, cells)
    # False when a read with a budget (the web request's) stopped before the end: the
    # worker reads the file again, whole.
    complete: bool = True
    # The first row of the run of blank rows that ended the read, if one did.
    blank_stop: int | None = None
    cells: int = 0  # cells parsed, blank ones included


@dataclass
class Budget:
    """How far one read may go. `rows` and `cells` (None: no limit) end it quietly: the
    sheet is marked incomplete; the file's own limits (max_rows, max_cells) refuse it."""

    rows: int | None = None
    cells: int | None = None


class _Stop(Exception):
    """The read ends here: after a run of blank rows or cells (`blank`), or because the
    budget of the read is spent."""

    def __init__(self, *, blank: bool) -> None:
        super().__init__()
        self.blank = blank


def read_spreadsheet(data: bytes, filename: str = "", *, budget: Budget | None = None) -> Sheet:
    """Header row and data rows of the first sheet (xlsx) or the file (csv).

    With a budget, the read stops once it has that many data rows or parsed cells and
    returns an incomplete Sheet (what the web request does: the rest is the worker's)."""
    budget = budget or Budget()
    if not data or not data.strip():
        raise FileRefused(_("The file is empty."))
    if len(data) > max_bytes():
        raise FileRefused(
            _("The file is larger than %(size)s MB; split it into smaller files.") % {"size": max_bytes() // 2**20}
        )
    if data.startswith(XLSX_MAGIC):
        sheet = _read_xlsx(data, budget)
    elif data.startswith(OLE_MAGIC):
        raise FileRefused(_("This is an old Excel file (.xls); save it as .xlsx (Excel Workbook) and upload again."))
    else:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused(_("This file is not a spreadsheet, although its name ends in .xlsx."))
        # A text file of at most max_bytes() reads in well under a second (blank lines
        # end the read as in a workbook): it is read whole, whatever the budget.
        sheet = _read_csv(data, Budget())
    if not sheet.complete and not sheet.headers:
        return sheet  # not read at all in the request: the worker reads it
    headers = [str(h).strip() if h is not None else "" for h in sheet.headers]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise FileRefused(_("The file has no header row; download the template to see the columns."))
    if not sheet.rows and sheet.complete:
        if sheet.blank_stop:
            raise FileRefused(
                _(
                    "The file has a header row and then only blank rows: reading stopped at row %(row)s after "
                    "%(blank)s blank rows (or %(cells)s blank cells) in a row."
                )
                % {"row": f"{sheet.blank_stop:,}", "blank": f"{MAX_BLANK_ROWS:,}", "cells": f"{MAX_BLANK_CELLS:,}"},
                cells=sheet.cells,
            )
        raise FileRefused(_("The file has a header row but no data rows."))
    sheet.headers = headers
    return sheet


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(rows)s rows; split it into smaller files.") % {"rows": f"{max_rows():,}"}
    )


def _too_many_cells() -> FileRefused:
    return FileRefused(
        _(
            "The sheet holds more than %(cells)s cells, blank ones included; delete the empty rows and columns "
            "(or copy the data to a new sheet) and upload again."
        )
        % {"cells": f"{max_cells():,}"}
    )


class _Reader:
    """Counts what a read has parsed and decides when it stops (see Budget, MAX_BLANK_*)."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.cells = 0
        self.blank_cells = 0  # parsed since the last row with a value
        self.cell_limit = max_cells()

    def count(self, cells: int) -> None:
        """Called as cells are parsed, mid-row too (one row may hold millions)."""
        self.cells += cells
        self.blank_cells += cells
        if self.cells > self.cell_limit:
            raise _too_many_cells()
        if self.blank_cells > MAX_BLANK_CELLS:
            raise _Stop(blank=True)
        if self.budget.cells is not None and self.cells > self.budget.cells:
            raise _Stop(blank=False)


def _collect(reader: _Reader, rows: Iterator[tuple[int, list]]) -> Sheet:
    """rows: (row number, cells), with reader.count() called for what each one cost."""
    headers: list | None = None
    body: list[tuple[int, list]] = []
    last = 0  # the last row with a value
    complete, blank_stop = True, None
    try:
        for number, cells in rows:
            # Rows missing from the file (numbered past them) count as blank ones.
            if number - last > MAX_BLANK_ROWS + 1 or (number - last > MAX_BLANK_ROWS and not _has_value(cells)):
                raise _Stop(blank=True)
            if not _has_value(cells):
                continue  # blank lines between blocks of data
            last = number
            reader.blank_cells = 0
            if headers is None:
                headers = list(cells)
                continue
            body.append((number, list(cells)))
            if len(body) > max_rows():
                raise _too_many_rows()
            # One more row than the budget tells "longer than the budget" apart.
            if reader.budget.rows is not None and len(body) > reader.budget.rows:
                raise _Stop(blank=False)
    except _Stop as stop:
        if stop.blank:
            blank_stop = last + 1
        else:
            complete = False
    return Sheet(headers or [], body, complete=complete, blank_stop=blank_stop, cells=reader.cells)


def _has_value(cells) -> bool:
    return any(cell is not None and str(cell).strip() for cell in cells)


# --- xlsx ---------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise FileRefused(_("This file is not a spreadsheet (it is damaged or of another kind).")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise FileRefused(_("This file is not a spreadsheet Excel can open safely."))
        unpacked = sum(member.file_size for member in members)
        packed = max(1, sum(member.compress_size for member in members))
        if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
            raise FileRefused(_("This file unpacks to far more than it holds (a zip bomb); it was not read."))
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or not any(name.startswith("xl/worksheets/") for name in names):
            raise FileRefused(_("This file is not an Excel workbook (.xlsx)."))
        # Entity declarations have no place in a workbook: refuse them before any parser
        # runs. A DOCTYPE can only stand in the prolog, before the root element's start
        # tag, so only the prolog is looked at (defusedxml refuses one anywhere else):
        # reading a 190 MB sheet to its end took longer than a request may.
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(member) as stream:
                    _check_prolog(stream)


def _check_prolog(stream) -> None:
    seen = b""
    while True:
        chunk = stream.read(16 * 1024)
        seen += chunk
        verdict = _prolog_verdict(seen)
        if verdict == "declaration":
            raise FileRefused(_("This file contains XML entity declarations (an attack); it was not read."))
        if verdict == "root" or not chunk:
            return
        if len(seen) > PROLOG_BYTES:
            raise FileRefused(_("This file is not a spreadsheet Excel can open safely."))


def _prolog_verdict(data: bytes) -> str | None:
    """Walk the prolog token by token (white space, <?...?>, <!--...-->), so that a
    comment cannot pass for the root element: "declaration" at a <!DOCTYPE or any other
    <! declaration, "root" at the root element's start tag, None while more is needed.
    Excel writes its parts in UTF-8; another encoding is refused as a declaration would be."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in data[:4]:
        return "declaration"
    i = 3 if data.startswith(codecs.BOM_UTF8) else 0
    while i < len(data):
        if data[i : i + 1] in b" \t\r\n":
            i += 1
        elif data.startswith(b"<?", i):
            end = data.find(b"?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif data.startswith(b"<!", i):
            return "declaration"
        else:
            return "root"  # the root element, or something the parser will refuse itself
    return None


PROLOG_BYTES = 256 * 1024


def _xlsx_rows(worksheet, reader: _Reader) -> Iterator[tuple[int, list]]:
    """The rows of a read-only worksheet, parsed cell by cell.

    openpyxl's own row reader builds each <row> element whole before it looks at it
    (one row of a hostile file may hold millions of cells) and pads rows missing from
    the file with empty ones (a <dimension> of A1:XFD1048576 would give a million). Here
    each cell is parsed, counted against the read's limits and dropped as it comes, and
    a missing row costs nothing. A formula saved without its value comes back as its
    text (FormulaText).

    The sheet is parsed by the standard library's C parser rather than through
    defusedxml (pure Python, some 20 us a cell): _check_zip has refused any DOCTYPE,
    and without one expat refuses every entity but the five predefined ones."""
    from xml.etree.ElementTree import iterparse  # the C parser: 10 times faster

    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    data_tag = f"{{{SHEET_MAIN_NS}}}sheetData"
    workbook = worksheet.parent
    cells = WorkSheetParser(
        None,
        worksheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    source = worksheet._get_source()
    try:
        sheet_data = row = None
        values: dict[int, object] = {}
        parsed = 0
        # The prolog was checked (_check_prolog): no DOCTYPE, so no entity to expand.
        for event, element in iterparse(source, events=("start", "end")):  # nosec B314
            tag = element.tag
            if event == "start":
                if tag == ROW_TAG:
                    number = element.get("r")
                    cells.row_counter = int(number) if number and number.isdigit() else cells.row_counter + 1
                    cells.col_counter = 0
                    row, values, parsed = element, {}, 0
                elif tag == data_tag:
                    sheet_data = element
                continue
            if tag == CELL_TAG and row is not None:
                parsed += 1
                if len(element) == 0:
                    # No value, formula or inline text: a blank cell, perhaps styled.
                    where = element.get("r")
                    cells.col_counter = coordinate_to_tuple(where)[1] if where else cells.col_counter + 1
                else:
                    cell = cells.parse_cell(element)
                    value = cell["value"]
                    if value is None:
                        formula = element.find(FORMULA_TAG)
                        if formula is not None and formula.text:
                            value = FormulaText("=" + formula.text)
                    if value is not None and cell["column"] <= MAX_COLUMNS:
                        values[cell["column"]] = value
                if parsed == 1000:
                    del row[:]  # cells are dropped as they are read
                    reader.count(parsed)
                    parsed = 0
            elif tag == ROW_TAG:
                reader.count(parsed)
                parsed = 0
                if sheet_data is not None:
                    sheet_data.remove(element)
                row = None
                width = max(values) if values else 0
                yield cells.row_counter, [values.get(column) for column in range(1, width + 1)]
    finally:
        source.close()


# A read with a budget (the request's) leaves a file with more shared text than this to the worker.
REQUEST_SHARED_STRINGS_BYTES = 4 * 1024 * 1024


def _member_size(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return archive.getinfo(name).file_size
        except KeyError:
            return 0


def _no_size(worksheet) -> None:
    """ReadOnlyWorksheet._get_size, skipped: this module reads no sheet's size."""


def _read_xlsx(data: bytes, budget: Budget) -> Sheet:
    _check_zip(data)
    if budget.cells is not None and _member_size(data, "xl/sharedStrings.xml") > REQUEST_SHARED_STRINGS_BYTES:
        # openpyxl reads the whole table of shared strings before the first row: more
        # than a request may spend. The worker reads this file.
        return Sheet([], [], complete=False)
    # The sheet's size is not needed (rows are read as they come): skip openpyxl's look
    # for it, which reads a sheet without a <dimension> element to its end.
    ReadOnlyWorksheet._get_size = _no_size
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise FileRefused(_("This Excel file could not be read: it may be damaged.")) from error
    try:
        reader = _Reader(budget)
        return _collect(reader, _xlsx_rows(sheet, reader))
    except FileRefused:
        raise
    except Exception as error:
        raise FileRefused(_("This Excel file could not be read: it may be damaged.")) from error
    finally:
        workbook.close()


# --- csv ----------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused(
            _("This file is neither an Excel workbook nor a CSV text file in UTF-8 or GBK; save it as .xlsx.")
        ) from None


def _csv_rows(rows, reader: _Reader) -> Iterator[tuple[int, list]]:
    for number, cells in enumerate(rows, start=1):
        reader.count(len(cells))
        yield number, cells


def _read_csv(data: bytes, budget: Budget) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(_("This file is not a spreadsheet (it is binary data)."))
    text = decode_text(data)
    if "\x00" in text or _control_share(text[:4096]) > 0.05:
        raise FileRefused(_("This file is not a spreadsheet (it is binary data)."))
    # The header row tells the separator: the one it has most of (Excel writes commas or tabs).
    first_line = next((line for line in text[:65536].splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        counter = _Reader(budget)
        return _collect(counter, _csv_rows(reader, counter))
    except csv.Error as error:
        raise FileRefused(_("This CSV file could not be read: %(error)s") % {"error": error}) from error


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls / len(text)
