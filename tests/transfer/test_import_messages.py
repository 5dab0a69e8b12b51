"""Say what is wrong, truly: a bad credit code names the GB 32100 check and the
character it should have; a formula saved without its value is a warning that keeps
its text; every message names the row, the column and the value, in the user's language."""

from __future__ import annotations

import io

import openpyxl
import pytest

from crm.credit_code import make_credit_code
from projects.models import Project
from tests.factories import OrganisationFactory
from tests.transfer.conftest import commit, job_of, login, upload

pytestmark = pytest.mark.django_db

GOOD = make_credit_code("91320214MA1X2Y3Z4"[:17].replace("Z", "Y"))
BAD = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


def workbook(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [headers, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)  # formulas are saved without a value, as by a program
    return buffer.getvalue()


def test_a_bad_credit_code_says_it_fails_the_gb_32100_check_and_what_it_should_end_with(client, officer):
    login(client, officer)
    data = workbook(["项目名称", "投资方", "统一社会信用代码", "总投资(万元)"], [["新工厂", "芯源半导体", BAD, 5000]])
    job = job_of(upload(client, "projects", data, "台账.xlsx"))
    [row] = job.report["rows"]
    assert row["row"] == 2 and row["action"] == "error"
    [(column, message)] = row["errors"]
    assert column == "Investor's credit code"
    assert BAD in message and "fails the GB 32100 check" in message and f"should be {GOOD[17]}" in message
    assert "not found" not in message


def test_the_message_is_in_the_user_s_language(client, officer):
    officer.language = "zh-hans"
    officer.save(update_fields=["language"])
    client.force_login(officer)
    client.cookies["django_language"] = "zh-hans"
    data = workbook(["项目名称", "投资方", "统一社会信用代码", "总投资(万元)"], [["新工厂", "芯源半导体", BAD, 5000]])
    job = job_of(upload(client, "projects", data, "台账.xlsx"))
    [(column, message)] = job.report["rows"][0]["errors"]
    assert column == "投资方信用代码"
    assert "GB 32100" in message and BAD in message and GOOD[17] in message
    assert "check" not in message


def test_a_formula_without_a_value_in_a_note_is_a_warning_that_keeps_its_text(client, officer):
    OrganisationFactory(name="芯源半导体有限公司", owner=officer)
    login(client, officer)
    formula = '=CONCATENATE("一期","二期")'
    data = workbook(
        ["项目名称", "投资方", "总投资(万元)", "项目简介"], [["新工厂", "芯源半导体有限公司", 5000, formula]]
    )
    job = job_of(upload(client, "projects", data, "台账.xlsx"))
    [row] = job.report["rows"]
    assert row["action"] == "create"
    [(column, message)] = row["warnings"]
    assert column == "Description" and formula in message
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Rows imported with a warning" in page
    job = commit(client, job)
    assert job.status == "done", job.report
    assert Project.objects.get().description == formula


def test_a_formula_without_a_value_where_an_amount_goes_is_an_error_naming_it(client, officer):
    OrganisationFactory(name="芯源半导体有限公司", owner=officer)
    login(client, officer)
    data = workbook(["项目名称", "投资方", "总投资(万元)"], [["新工厂", "芯源半导体有限公司", "=B9*2"]])
    job = job_of(upload(client, "projects", data, "台账.xlsx"))
    [row] = job.report["rows"]
    assert row["action"] == "error"
    [(column, message)] = row["errors"]
    assert column == "Total investment (10k yuan)" and "=B9*2" in message and "no value saved" in message
