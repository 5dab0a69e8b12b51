"""Moving in: an office's own project ledger (项目台账) imports in one go, as it is.

The ledger is built here the way offices keep it: 60 projects of 5 investors, each
investor written several ways (brackets or not, full-width, Traditional characters,
legal forms), the office's own column headers, amounts in 亿, 万元, full-width digits
and 万美元, Chinese dates and Excel serial dates, a formula in a note, and no dates for
the stages the office does not remember. One upload and one commit bring it all in;
its bad twin is refused whole; its GBK CSV twin is taken.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from crm.models import ExchangeRate, Organisation
from projects.models import Project
from tests.factories import IndustryFactory, credit_code
from tests.transfer.conftest import commit, csv_bytes, job_of, login, upload

pytestmark = pytest.mark.django_db


HEADERS = [
    "项目名称",
    "企业名称",
    "统一社会信用代码",
    "所属产业",
    "总投资",
    "当前阶段",
    "签约时间",
    "计划开工时间",
    "实际开工时间",
    "计划竣工时间",
    "责任人",
    "备注",
]

# Each investor as the ledger writes it, row after row; the first spelling is the one
# the organisation is created under when no row gives a code with another one.
INVESTORS = [
    (
        credit_code(501),
        ["无锡芯源半导体有限公司", "無錫芯源半導體有限公司", "无锡芯源半导体股份有限公司", "无锡芯源半导体 有限公司"],
        "集成电路",
    ),
    (
        credit_code(502),
        ["村田（中国）投资有限公司", "村田(中国)投资有限公司", "村田投资有限公司", "村田（中国）投资 有限公司"],
        "电子元器件",
    ),
    (credit_code(503), ["ABB（中国）有限公司", "ＡＢＢ（中国）有限公司", "ABB Ltd.", "ABB有限公司"], "智能装备"),
    (
        credit_code(504),
        ["苏州新材科技集团有限公司", "苏州新材科技集团", "苏州新材科技有限公司", "苏州新材科技股份有限公司"],
        "新材料",
    ),
    (
        credit_code(505),
        [
            "博世汽车部件（苏州）有限公司",
            "博世汽车部件(苏州)有限公司",
            "博世汽车部件有限公司",
            "博世汽车部件（苏州）有限公司 ",
        ],
        "汽车零部件",
    ),
]

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
EXCEL_EPOCH = dt.date(1899, 12, 30)
STAGES = ["签约", "开工", "在谈", "竣工"]
STORED_STAGE = {"签约": "signed", "开工": "started", "在谈": "negotiating", "竣工": "completed"}


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def ledger_rows(officer) -> list[dict]:
    """The 60 rows, each with what it means (`expect`) beside its cells."""
    rows = []
    for n in range(60):
        code, names, industry = INVESTORS[n % 5]
        turn = n // 5  # 0..11: the investor's nth project
        stage = STAGES[turn % 4]
        signed = dt.date(2024, 1 + turn % 12, 5 + n % 20)
        started = signed + dt.timedelta(days=40)
        expect = {"stage": STORED_STAGE[stage], "signed_on": None, "started_on": None, "usd": None}
        # Amounts as offices write them.
        if turn == 3:
            amount, expect["usd"] = "3000万美元", Decimal(3000)
        elif n % 4 == 0:
            amount, expect["total"] = f"{1 + n % 3}亿", Decimal(10000 * (1 + n % 3))
        elif n % 4 == 1:
            amount, expect["total"] = f"{5000 + 10 * n}万元", Decimal(5000 + 10 * n)
        elif n % 4 == 2:
            amount, expect["total"] = f"{8000 + n}万".translate(FULL_WIDTH), Decimal(8000 + n)
        else:
            amount, expect["total"] = "1.5亿元", Decimal(15000)
        signed_cell = started_cell = None
        if stage != "在谈":
            # The signing date in Chinese, or as an Excel serial number.
            signed_cell = f"{signed.year}年{signed.month}月{signed.day}日" if n % 2 else serial(signed)
            expect["signed_on"] = signed
        if stage in ("开工", "竣工") and n % 3:
            started_cell, expect["started_on"] = started, started  # else: the office does not know
        note = f"第{n + 1}个项目"
        rows.append(
            {
                "cells": [
                    f"{names[0][:4]}项目{turn + 1:02d}",
                    names[turn % 4],
                    code if turn % 3 == 1 else "",
                    industry,
                    amount,
                    stage,
                    signed_cell,
                    dt.date(2025, 3, 1),
                    started_cell,
                    f"{2026 + turn % 2}年12月31日",
                    officer.username,
                    note,
                ],
                "expect": expect,
            }
        )
    # A note the office computed with a formula (saved by a program: no cached value).
    rows[7]["cells"][11] = '=CONCATENATE("二期","扩产")'
    return rows


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目台账"
    sheet.append(HEADERS)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def industries(db, exchange_rates):
    return {name: IndustryFactory(name=name) for _code, _names, name in INVESTORS}


def test_the_ledger_imports_with_one_upload_and_one_commit(client, officer, industries):
    login(client, officer)
    rows = ledger_rows(officer)
    job = job_of(upload(client, "projects", workbook([row["cells"] for row in rows]), "项目台账.xlsx"))
    assert job.status == "previewed", job.message
    errors = [(row["row"], row["errors"]) for row in job.report["rows"] if row["errors"]]
    assert errors == []
    assert job.report["counts"]["create"] == 60
    assert job.report.get("ignored") == []  # every column of the office is read
    created = job.report["organisations"]["create"]
    assert sorted(named["credit_code"] for named in created) == sorted(code for code, _n, _i in INVESTORS)
    assert sum(named["row_count"] for named in created) == 60

    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    assert Project.objects.count() == 60
    assert Organisation.objects.count() == 5
    for code, names, _industry in INVESTORS:
        investor = Organisation.objects.get(credit_code=code)
        assert investor.name in names  # one of the spellings of the file, as typed
        assert investor.projects.count() == 12

    projects = {project.name: project for project in Project.objects.select_related("industry")}
    for row in rows:
        project = projects[row["cells"][0]]
        expect = row["expect"]
        assert project.stage == expect["stage"], project.name
        assert (project.signed_on, project.started_on) == (expect["signed_on"], expect["started_on"]), project.name
        assert project.industry.name == row["cells"][3]
        assert project.negotiating_on is None and project.lead_on is None
        undated = set(project.undated())
        assert "negotiating" in undated
        if expect["stage"] in ("started", "completed") and expect["started_on"] is None:
            assert "started" in undated
        assert project.started_planned == dt.date(2025, 3, 1)
        if expect["usd"] is None:
            assert project.total_investment == expect["total"], project.name
        else:
            # 3000万美元 at the stored rate of the signing's year, kept as foreign capital too.
            rate = ExchangeRate.objects.get(currency="USD", year=expect["signed_on"].year, date=None)
            assert project.exchange_rate == rate.yuan_per_unit, project.name
            assert project.total_investment == (expect["usd"] * rate.yuan_per_unit).quantize(Decimal("0.01"))
            assert project.foreign_capital_usd == expect["usd"]
            assert (project.original_amount, project.original_currency) == (expect["usd"], "USD")

    # The formula's text is kept (and the row warned), not stored empty.
    warned = {row["row"]: row["warnings"] for row in job.report["rows"] if row.get("warnings")}
    assert list(warned) == [9] and 'CONCATENATE("二期","扩产")' in str(warned[9])
    formula_project = projects[rows[7]["cells"][0]]
    assert 'CONCATENATE("二期","扩产")' in formula_project.description


def test_the_bad_twin_is_refused_whole_naming_the_row_and_both_faults(client, officer, industries):
    login(client, officer)
    rows = [row["cells"] for row in ledger_rows(officer)]
    bad = rows[6]  # row 8 of the sheet, an investor's row with its code
    assert bad[2]
    bad[2] = bad[2][:-1] + ("0" if bad[2][-1] != "0" else "1")
    bad[5], bad[8] = "开工", dt.date(2099, 5, 1)
    job = job_of(upload(client, "projects", workbook(rows), "项目台账-错.xlsx"))
    errors = {row["row"]: row["errors"] for row in job.report["rows"] if row["errors"]}
    assert list(errors) == [8]
    columns = {column for column, _message in errors[8]}
    assert columns == {"Investor's credit code", "Construction started on"}
    messages = " ".join(message for _column, message in errors[8])
    assert "GB 32100" in messages and "2099-05-01" in messages
    job = commit(client, job)
    assert job.status != "done"
    assert not Project.objects.exists()
    assert not Organisation.objects.exists()


def test_the_gbk_csv_twin_is_taken(client, officer, industries):
    login(client, officer)
    rows = []
    for row in ledger_rows(officer):
        cells = list(row["cells"])
        for index, cell in enumerate(cells):
            if isinstance(cell, dt.date):
                cells[index] = cell.strftime("%Y/%m/%d")
        cells[11] = "备注" if str(cells[11]).startswith("=") else cells[11]
        rows.append([str(cell).replace(",", "，") if cell is not None else "" for cell in cells])
    data = csv_bytes(HEADERS, rows, encoding="gbk")
    job = job_of(upload(client, "projects", data, "项目台账.csv"))
    assert job.status == "previewed", job.message
    assert [row for row in job.report["rows"] if row["errors"]] == []
    job = commit(client, job)
    assert job.status == "done", (job.message, job.report)
    assert Project.objects.count() == 60
    assert Organisation.objects.count() == 5
