"""Hostile workbooks built in the tests, quickly: the sheet XML is written directly."""

from __future__ import annotations

import io
import random
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _inline(column: str, row: int, text: str) -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def blank_rows_workbook(headers: list[str], *, unpacked: int = 190 * 2**20, width: int = 220, seed: int = 16) -> bytes:
    """A workbook whose header row is followed by nothing but blank rows (empty cells
    with varied attributes, so that it packs about 100 to 1), `unpacked` bytes of sheet
    XML in all: the file that held the web request until gunicorn killed the worker."""
    rng = random.Random(seed)
    letters = [chr(ord("A") + i) for i in range(len(headers))]
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1">' + "".join(_inline(col, 1, text) for col, text in zip(letters, headers, strict=True)) + "</row>"
    ).encode()
    tail = b"</sheetData></worksheet>"
    # Blank rows of empty cells; one cell of each row has a style number drawn at random,
    # and the rows are drawn from a pool at random: what keeps the packing near 100 to 1.
    pool = []
    for _ in range(4096):
        cells = ['<c s="0"/>'] * width
        cells[rng.randrange(width)] = f'<c s="{rng.randint(1, 9)}"/>'
        pool.append(("<row>" + "".join(cells) + "</row>").encode())
    body = io.BytesIO()
    body.write(head)
    row_bytes = len(pool[0])
    while body.tell() < unpacked - len(tail) - 5000 * row_bytes:
        body.write(b"".join(rng.choices(pool, k=5000)))
    while body.tell() < unpacked - len(tail) - row_bytes:
        body.write(rng.choice(pool))
    body.write(tail)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", body.getvalue())
    return out.getvalue()
