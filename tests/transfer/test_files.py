"""Files as they arrive: four encodings, and every kind of bad file refused with a
clear message, quickly, in bounded memory, and without changing anything."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from crm.models import Organisation
from tests.transfer.conftest import csv_bytes, login, upload, xlsx
from transfer.models import ImportJob
from transfer.reading import FileRefused, read_spreadsheet

NAME = "无锡𡈽芯微电子有限公司"  # 𡈽 exists in GB18030 only, not in GBK


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", NAME), ("utf-8-sig", NAME), ("gbk", "无锡芯微电子有限公司"), ("gb18030", NAME), ("utf-16", NAME)],
)
def test_csv_in_every_encoding_chinese_excel_writes(encoding, name):
    data = csv_bytes(["客商名称", "城市"], [[name, "无锡"]], encoding=encoding)
    sheet = read_spreadsheet(data, "客商.csv")
    assert sheet.headers == ["客商名称", "城市"]
    assert sheet.rows == [(2, [name, "无锡"])]


def test_tab_separated_text_and_blank_lines_are_read():
    data = "客商名称\t城市\r\n\r\n甲公司\t无锡\r\n".encode()
    assert read_spreadsheet(data, "a.txt").rows == [(3, ["甲公司", "无锡"])]


def test_a_bom_csv_imports_through_the_page(client, officer, db):
    login(client, officer)
    response = upload(client, "organisations", csv_bytes(["客商名称"], [[NAME]], "utf-8-sig"), "客商.csv")
    assert response.status_code == 302
    assert ImportJob.objects.get().report["rows"][0]["label"] == NAME


# --- Bad files ----------------------------------------------------------------------------


def _workbook_with(member: str, content: bytes) -> bytes:
    """A real workbook with one part replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(["客商名称"], [["甲公司"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == member else source.read(item.filename))
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(60):  # 60 MB of zeros pack into about 60 KB
                member.write(chunk)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""

# A comment that looks like a start tag, then enough padding that the DOCTYPE comes in a
# later read than the comment: a prolog check that took "<x" for the root would miss it.
BEHIND_A_COMMENT = b'<?xml version="1.0"?><!-- <x -->' + b" " * (40 * 1024) + BILLION_LAUGHS.split(b"?>", 1)[1]
UTF16 = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40

HOSTILE = {
    "empty file": (b"", "data.xlsx", "empty"),
    "only spaces": (b"  \r\n ", "data.csv", "empty"),
    "image renamed to .xlsx": (PNG, "photo.xlsx", "not a spreadsheet"),
    "image renamed to .csv": (PNG, "photo.csv", "not a spreadsheet"),
    "old .xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", ".xls"),
    "zip that is no workbook": (
        _workbook_with("xl/worksheets/sheet1.xml", b"x")[:200],
        "cut.xlsx",
        "not a spreadsheet",
    ),
    "zip bomb": (zip_bomb(), "bomb.xlsx", "zip bomb"),
    "billion laughs": (_workbook_with("xl/worksheets/sheet1.xml", BILLION_LAUGHS), "laughs.xlsx", "entity"),
    "external entity": (_workbook_with("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY), "xxe.xlsx", "entity"),
    "entity behind a comment": (_workbook_with("xl/worksheets/sheet1.xml", BEHIND_A_COMMENT), "c.xlsx", "entity"),
    "entity in UTF-16": (_workbook_with("xl/worksheets/sheet1.xml", UTF16), "u.xlsx", "entity"),
    "entity in shared strings": (_workbook_with("[Content_Types].xml", BILLION_LAUGHS), "ct.xlsx", "entity"),
    "header only": (csv_bytes(["客商名称"], []), "a.csv", "no data rows"),
    "too many rows": (
        csv_bytes(["客商名称"], [[f"公司{n}"] for n in range(10_001)]),
        "big.csv",
        "more than 10,000 rows",
    ),
    "missing required column": (csv_bytes(["城市"], [["无锡"]]), "a.csv", "Required columns are missing: Name"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(client, officer, case, db):
    data, filename, message = HOSTILE[case]
    login(client, officer)
    organisations = Organisation.objects.count()
    response = upload(client, "organisations", data, filename)
    assert response.status_code == 400
    page = response.content.decode()
    assert message.lower() in page.lower(), page[-3000:]
    assert not ImportJob.objects.exists()
    assert Organisation.objects.count() == organisations


def test_a_file_over_10_mb_is_refused_before_it_is_read(client, officer, db):
    login(client, officer)
    data = b"\xe5\x85\xac" * (11 * 1024 * 1024 // 3)
    response = upload(client, "organisations", data, "huge.csv")
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("case", ["zip bomb", "billion laughs", "external entity", "too many rows"])
def test_a_hostile_file_is_refused_in_bounded_memory(case):
    data, filename, _message = HOSTILE[case]
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused):
            read_spreadsheet(data, filename)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024, f"{case}: {peak / 2**20:.1f} MB"


def test_a_formula_cell_is_read_as_its_text_not_run(db):
    data = xlsx(["客商名称", "简介"], [["甲公司", "=1+1"]])
    sheet = read_spreadsheet(data, "f.xlsx")
    assert sheet.rows[0][1][1] in ("=1+1", None)
