"""Hostile files never hold a web request: the request parses a bounded number of rows
and cells (blank ones included), a file of blank rows is refused at once and changes
nothing, and a file the request does not finish is left to the worker."""

from __future__ import annotations

import io
import random
import zipfile

import openpyxl
import pytest

from projects.models import Project
from tests.transfer.conftest import job_of, login, upload, xlsx
from tests.transfer.hostile import blank_rows_workbook
from transfer import importing
from transfer.models import ImportJob
from transfer.reading import MAX_BLANK_CELLS, MAX_BLANK_ROWS, Budget, FileRefused, FormulaText, read_spreadsheet

HEADERS = ["项目名称", "投资方", "总投资(万元)"]


@pytest.fixture(scope="module")
def near_limit_file() -> bytes:
    """1.9 MB of blank rows, 190 MB unpacked: just under the size and packing caps."""
    data = blank_rows_workbook(HEADERS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    assert 1.8 * 2**20 < len(data) < 2.0 * 2**20 and 180 * 2**20 < unpacked < 200 * 2**20
    assert 90 < unpacked / len(data) < 200
    return data


def test_the_near_limit_file_of_blank_rows_is_refused_by_the_request_and_changes_nothing(
    client, officer, near_limit_file, db
):
    login(client, officer)
    response = upload(client, "projects", near_limit_file, "台账.xlsx")
    assert response.status_code == 400
    page = response.content.decode()
    assert "only blank rows" in page and "row 2" in page
    assert not ImportJob.objects.exists()
    assert not Project.objects.exists()


def test_the_read_of_blank_rows_stops_after_a_bounded_number_of_cells(near_limit_file):
    with pytest.raises(FileRefused) as refused:
        read_spreadsheet(near_limit_file, "台账.xlsx")
    # Some 600,000 rows of 220 cells are in the file; the read stopped after the run of
    # blank cells that ends it (checked every 1,000 cells and at each row's end).
    assert refused.value.cells is not None
    assert MAX_BLANK_CELLS < refused.value.cells <= MAX_BLANK_CELLS + 1000 + 220


def _sheet_xml(rows: str, dimension: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _with_sheet(sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx(["客商名称"], [["甲公司"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, content)
    return buffer.getvalue()


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_a_sheet_claiming_a_million_rows_is_not_padded_to_them():
    rows = f'<row r="1">{_text("A1", "客商名称")}</row><row r="2">{_text("A2", "甲公司")}</row>'
    data = _with_sheet(_sheet_xml(rows, '<dimension ref="A1:XFD1048576"/>'))
    sheet = read_spreadsheet(data, "a.xlsx")
    assert sheet.rows == [(2, ["甲公司"])] and sheet.cells == 2


def test_one_row_of_a_million_blank_cells_is_not_read_to_its_end():
    styles = random.Random(7).choices("0123456789", k=1_000_000)  # varied: packs below the ratio cap
    blank = "".join(f'<c s="{style}"/>' for style in styles)
    rows = f'<row r="1">{_text("A1", "客商名称")}</row><row r="2">{_text("A2", "甲公司")}{blank}</row>'
    with pytest.raises(FileRefused, match="reading stopped at row 2") as refused:
        read_spreadsheet(_with_sheet(_sheet_xml(rows)), "a.xlsx")  # row 2 is never finished
    assert refused.value.cells <= MAX_BLANK_CELLS + 1001  # counted every 1,000 cells; the header cell too


def test_data_after_a_long_run_of_blank_rows_is_not_read_and_the_page_says_where_reading_stopped(client, officer, db):
    gap = MAX_BLANK_ROWS + 5
    rows = (
        f'<row r="1">{_text("A1", "客商名称")}</row>'
        f'<row r="2">{_text("A2", "甲公司")}</row>'
        f'<row r="{3 + gap}">{_text(f"A{3 + gap}", "乙公司")}</row>'
    )
    data = _with_sheet(_sheet_xml(rows))
    sheet = read_spreadsheet(data, "a.xlsx")
    assert sheet.rows == [(2, ["甲公司"])] and sheet.blank_stop == 3
    login(client, officer)
    job = job_of(upload(client, "organisations", data, "a.xlsx"))
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Reading stopped at row 3" in page


def test_a_few_blank_rows_between_blocks_are_skipped():
    rows = (
        f'<row r="1">{_text("A1", "客商名称")}</row><row r="2">{_text("A2", "甲公司")}</row>'
        + "".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(3, 300))
        + f'<row r="300">{_text("A300", "乙公司")}</row>'
    )
    sheet = read_spreadsheet(_with_sheet(_sheet_xml(rows)), "a.xlsx")
    assert sheet.rows == [(2, ["甲公司"]), (300, ["乙公司"])] and sheet.blank_stop is None


def test_the_request_reads_a_long_file_only_up_to_its_budget_and_leaves_it_to_the_worker(client, officer, db):
    rows = [[f"项目{n}", "甲公司", n] for n in range(importing.inline_rows() + 300)]
    data = xlsx(HEADERS, rows)
    budget = Budget(rows=importing.inline_rows(), cells=importing.REQUEST_CELLS)
    sheet = read_spreadsheet(data, "a.xlsx", budget=budget)
    assert not sheet.complete and len(sheet.rows) == importing.inline_rows() + 1
    assert sheet.cells <= 3 * (importing.inline_rows() + 2)
    login(client, officer)
    job = job_of(upload(client, "projects", data, "a.xlsx"))
    assert job.status == ImportJob.Status.PREVIEW_QUEUED  # the worker reads it, whole
    assert not Project.objects.exists()


def test_a_formula_without_a_cached_value_reads_as_its_text():
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目名称", "备注"])
    workbook.active.append(["新工厂", '=CONCATENATE(A2,"一期")'])
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl saves formulas without their values
    sheet = read_spreadsheet(buffer.getvalue(), "f.xlsx")
    [(_number, cells)] = sheet.rows
    assert cells[1] == '=CONCATENATE(A2,"一期")' and isinstance(cells[1], FormulaText)
