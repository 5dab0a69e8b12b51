"""A funds ledger (到位资金台账) imports through the import engine: projects found by
name or ID among those the user sees, months as ledgers write them, foreign amounts
at the month's exchange rate, all rows or none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from funds.models import FundsEntry
from tests.factories import project_in_stage
from tests.funds.conftest import MAY, entry
from tests.transfer.conftest import commit, job_of, login, upload, xlsx

HEADERS = ["项目名称", "月份", "资金类型", "到位资金", "币种", "备注"]


def test_a_ledger_imports_in_one_go_with_dollars_at_the_months_rate(client, signed, foreign, officer):
    entry(signed, MAY, 100)  # corrected by the file
    data = xlsx(
        HEADERS,
        [
            ["村田新工厂", "2024年5月", "实缴注册资本", "1.5亿", "", "第二笔"],
            ["村田新工厂", "2024-06", "银行贷款", "8000", "人民币", ""],
            ["三星电机扩产", 202406, "", "1000", "美元", ""],
            ["三星电机扩产", dt.date(2024, 4, 30), "自有资金", "500万美元", "", ""],
        ],
    )
    login(client, officer)
    job = job_of(upload(client, "funds", data))
    assert job.status == "previewed", job.report
    assert [row["errors"] for row in job.report["rows"] if row["errors"]] == []
    assert job.report["counts"] == {"create": 3, "update": 1, "unchanged": 0, "error": 0, "confirm": 0}
    commit(client, job)
    entries = {(e.project.name, e.month, e.kind): e for e in FundsEntry.objects.select_related("project")}
    assert entries[("村田新工厂", MAY, "paid_in_capital")].amount == Decimal(15000)
    assert entries[("村田新工厂", dt.date(2024, 6, 1), "loan")].amount == Decimal(8000)
    dollars = entries[("三星电机扩产", dt.date(2024, 6, 1), "paid_in_capital")]
    # 2024's average rate (7.1217 yuan per dollar, the table's seeded figure).
    assert (dollars.amount, dollars.usd_amount) == (Decimal("7121.70"), Decimal(1000))
    assert entries[("三星电机扩产", dt.date(2024, 4, 1), "own_funds")].usd_amount == Decimal(500)


def test_one_bad_row_and_nothing_is_imported(client, signed, officer, other_officer, frozen_today):
    project_in_stage("signed", name="别组绝密项目", owner=other_officer, is_confidential=True)
    rows = [
        ["村田新工厂", "2024-05", "", "1000", "", ""],
        ["村田新工厂", "2024-09", "", "1000", "", ""],  # a month that has not begun
        ["村田新工厂", "2024-04", "", "-3", "", ""],  # negative
        ["别组绝密项目", "2024-05", "", "10", "", ""],  # another team's secret: not found
        ["村田新工厂", "2024-03", "礼品", "10", "", ""],  # no such kind
    ]
    login(client, officer)
    job = job_of(upload(client, "funds", xlsx(HEADERS, rows)))
    errors = {
        row["row"]: " ".join(message for _column, message in row["errors"])
        for row in job.report["rows"]
        if row["errors"]
    }
    assert 2 not in errors  # the good row
    assert "not begun" in errors[3]
    assert "is not an amount" in errors[4]
    assert "No project is called" in errors[5]
    assert "礼品" in errors[6]
    response = client.post(f"/transfer/jobs/{job.pk}/commit/")
    assert response.status_code in (302, 400)
    assert not FundsEntry.objects.exists()


def test_another_team_may_not_import_funds_of_a_project(client, signed, other_officer):
    login(client, other_officer)
    job = job_of(upload(client, "funds", xlsx(HEADERS, [["村田新工厂", "2024-05", "", "1000", "", ""]])))
    assert "team" in job.report["rows"][0]["errors"][0][1]
    client.post(f"/transfer/jobs/{job.pk}/commit/")
    assert not FundsEntry.objects.exists()


def test_a_ledger_without_a_required_column_is_refused(client, signed, officer):
    login(client, officer)
    response = upload(client, "funds", xlsx(["项目名称", "到位资金"], [["村田新工厂", "100"]]))
    assert response.status_code == 400
    assert "Month" in response.content.decode() or "月份" in response.content.decode()
    assert not FundsEntry.objects.exists()


def test_the_funds_list_exports_and_imports_back_unchanged(client, signed, foreign, secret, officer, other_officer):
    from tests.transfer.conftest import read_xlsx

    entry(signed, MAY, 1500)
    entry(foreign, MAY, 710, usd=Decimal(100))
    entry(secret, MAY, 99)
    login(client, other_officer)
    exported = client.get("/transfer/export/funds.xlsx?month=2024-05").content
    rows = read_xlsx(exported)
    assert sorted(row[1] for row in rows[1:]) == ["三星电机扩产", "村田新工厂"]  # not the other team's secret
    login(client, officer)
    data = client.get("/transfer/export/funds.xlsx").content
    job = job_of(upload(client, "funds", data))
    assert job.report["counts"]["unchanged"] == 3, job.report
