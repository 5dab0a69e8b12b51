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

from django.conf import settings
from django.utils.translation import gettext as _


class FileRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the user sees it, cells)


def read_spreadsheet(data: bytes, filename: str = "") -> Sheet:
    """Header row and data rows of the first sheet (xlsx) or the file (csv)."""
    if not data or not data.strip():
        raise FileRefused(_("The file is empty."))
    if len(data) > max_bytes():
        raise FileRefused(
            _("The file is larger than %(size)s MB; split it into smaller files.") % {"size": max_bytes() // 2**20}
        )
    if data.startswith(XLSX_MAGIC):
        sheet = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise FileRefused(_("This is an old Excel file (.xls); save it as .xlsx (Excel Workbook) and upload again."))
    else:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            raise FileRefused(_("This file is not a spreadsheet, although its name ends in .xlsx."))
        sheet = _read_csv(data)
    headers = [str(h).strip() if h is not None else "" for h in sheet.headers]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise FileRefused(_("The file has no header row; download the template to see the columns."))
    if not sheet.rows:
        raise FileRefused(_("The file has a header row but no data rows."))
    sheet.headers = headers
    return sheet


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(rows)s rows; split it into smaller files.") % {"rows": f"{max_rows():,}"}
    )


def _collect(rows: Iterator[list], first_row_number: int = 1) -> Sheet:
    headers: list | None = None
    body: list[tuple[int, list]] = []
    for number, cells in enumerate(rows, start=first_row_number):
        cells = list(cells)
        if not any(cell is not None and str(cell).strip() for cell in cells):
            continue  # blank lines between blocks of data
        if headers is None:
            headers = cells
            continue
        body.append((number, cells))
        if len(body) > max_rows():
            raise _too_many_rows()
    return Sheet(headers or [], body)


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
        # Entity declarations have no place in a workbook: refuse them before any parser runs.
        for member in members:
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(member) as stream:
                head = b""
                while True:
                    chunk = stream.read(64 * 1024)
                    if not chunk:
                        break
                    window = (head + chunk).upper()
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise FileRefused(_("This file contains XML entity declarations (an attack); it was not read."))
                    head = chunk[-16:]


def _size_from_dimension(worksheet) -> None:
    """ReadOnlyWorksheet._get_size, without reading the whole sheet.

    openpyxl looks for the sheet's <dimension> element and, in a file without one (files
    written in write-only mode, like our exports), only stops at the end of
    <sheetData>: it parses every row once before the rows are read. The element can
    only come before <sheetData>, so looking at opening tags up to there finds the same
    answer."""
    from openpyxl.utils import range_boundaries
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.xml.functions import iterparse

    source = worksheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                ref = element.get("ref")
                if ref:
                    size = range_boundaries(ref)
                    worksheet._min_column, worksheet._min_row, worksheet._max_column, worksheet._max_row = size
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


def _read_xlsx(data: bytes) -> Sheet:
    _check_zip(data)
    import openpyxl  # defusedxml installed: openpyxl parses through it
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_dimension

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise FileRefused(_("This Excel file could not be read: it may be damaged.")) from error
    try:
        sheet = workbook.worksheets[0]
        return _collect(row for row in sheet.iter_rows(values_only=True))
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


def _read_csv(data: bytes) -> Sheet:
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
        return _collect(reader)
    except csv.Error as error:
        raise FileRefused(_("This CSV file could not be read: %(error)s") % {"error": error}) from error


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls / len(text)
